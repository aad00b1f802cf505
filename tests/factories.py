"""factory_boy factories for every model the tests create."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from connectors_registry.models import (
    Chain,
    Connector,
    ConnectorType,
    Exchange,
    ExchangeKind,
    InclusionStatus,
    Maintainer,
    Namespace,
    SubType,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class ChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chain
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Chain {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exchange

    name = factory.Sequence(lambda n: f"Exchange {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = ExchangeKind.CEX
    website = factory.LazyAttribute(lambda o: f"https://{o.slug}.example.com")
    docs_url = factory.LazyAttribute(lambda o: f"https://hummingbot.org/exchanges/{o.slug}/")
    is_sponsor = False


class MaintainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Maintainer

    display_name = factory.Sequence(lambda n: f"Maintainer {n}")
    github_handle = factory.Sequence(lambda n: f"dev-{n}")
    wallet_address = factory.Sequence(lambda n: f"0x{n:040x}")


class ConnectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connector

    exchange = factory.SubFactory(ExchangeFactory)
    namespace = Namespace.CLIENT
    connector_id = factory.Sequence(lambda n: f"exchange_{n}")
    connector_type = ConnectorType.CLOB_CEX
    sub_type = SubType.SPOT
    slug = factory.LazyAttribute(
        lambda o: (
            f"{o.connector_id}-{o.sub_type}" if o.namespace == Namespace.GATEWAY else o.connector_id
        )
    )
    code_path = factory.LazyAttribute(lambda o: f"hummingbot/connector/exchange/{o.connector_id}")
    status = InclusionStatus.IN_CODEBASE
