"""Demo data of every kind, and every route of the site read from the URL configuration
with each path parameter naming a real object.

Shared by the walks that must cover every route without listing them, so that a new page or
endpoint is reached without touching them (hostile requests, every page in a browser), and
by the browser tests that need connectors checked against the exchange simulator.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from bounties.models import Bounty, Maintainer, Payout, Pot
from connectors_registry.models import Connector
from governance.models import Epoch, GovernanceRules, Poll, Proposal
from health.models import HealthCheck, Incident
from health.services.checks import check_run
from health.services.history import uptime_rollup
from health.services.sweep import health_checks_sync
from health.simulator import ExchangeSimulator, Faults

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
# The admin is Django's own and static files are files: neither is one of the site's routes.
SKIPPED_PREFIXES = ("admin/", "static/")


def site_routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    """Every route pattern of the site and its API (``polls/<int:pk>/``), in URL-conf order."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from site_routes(pattern, route)
        elif isinstance(pattern, URLPattern) and not route.startswith(SKIPPED_PREFIXES):
            yield route


def demo_site_seed() -> None:
    """The catalogue, the governance history and the demo polls, votes, pots, bounties and
    maintainers. The site must point at a dev chain (``chain_settings``)."""
    for command, options in [
        ("import_catalogue", {}),
        ("load_governance_history", {}),
        ("seed_demo_governance", {"wait": 10}),
        ("seed_demo_bounties", {}),
    ]:
        call_command(command, stdout=io.StringIO(), **options)


def demo_health_seed(simulator: ExchangeSimulator) -> None:
    """Binance, Kraken and OKX checked twice against the simulator, one minute apart, with
    OKX serving a crossed book: two connectors up, one down with an open incident (at the
    default failure threshold of 2). The catalogue must be imported; the caller clears the
    simulator's faults."""
    health_checks_sync()
    simulator.faults.set("okx", Faults(fault="crossed_book"))
    for connector_id in ("binance", "kraken", "okx"):
        check = HealthCheck.objects.get(
            connector__connector_id=connector_id, connector__namespace="client"
        )
        check.rest_url_override = simulator.rest_url(connector_id)
        check.ws_url_override = simulator.ws_url(connector_id)
        check.save()
        now = timezone.now().replace(microsecond=0)
        for offset in (120, 60):
            check_run(
                check_id=check.pk,
                scheduled_for=now - timezone.timedelta(seconds=offset),
                region="eu",
            )
    uptime_rollup(since=timezone.now() - timezone.timedelta(hours=1))


def demo_path_values() -> dict[str, str]:
    """The value to put in each kind of path parameter, keyed ``"<where>:<name>"``: the
    parameter ``<name>`` of a route that contains ``<where>`` before it."""
    poll = Poll.objects.filter(status="active").first() or Poll.objects.first()
    incident = Incident.objects.first()
    payout = Payout.objects.first()
    # Prefer a connector that has been checked, so its page shows its health too.
    connector = (
        Connector.objects.filter(health_check__results__isnull=False).order_by("pk").first()
        or Connector.objects.order_by("pk").first()
    )
    assert connector is not None, "Seed the catalogue first (demo_site_seed)."
    return {
        "bounties:pk": str(Bounty.objects.order_by("-pk").first().pk),  # type: ignore[union-attr]
        "polls:pk": str(poll.pk),  # type: ignore[union-attr]
        "incidents:pk": str(incident.pk if incident else 1),
        "payouts:pk": str(payout.pk if payout else 1),
        "connectors:slug": connector.slug,
        "badge:slug": connector.slug,
        "health:slug": connector.slug,
        "exchanges:slug": connector.exchange.slug,
        "rules:slug": GovernanceRules.objects.first().slug,  # type: ignore[union-attr]
        "pots:slug": Pot.objects.first().slug,  # type: ignore[union-attr]
        "epochs:number": str(Epoch.objects.order_by("-number").first().number),  # type: ignore[union-attr]
        "proposals:reference": Proposal.objects.first().reference,  # type: ignore[union-attr]
        "maintainers:handle": Maintainer.objects.first().github_handle,  # type: ignore[union-attr]
    }


def route_path(route: str, values: dict[str, str]) -> str:
    """The path of ``route`` with each parameter replaced by its value from ``values``."""

    def value(match: re.Match[str]) -> str:
        name = match.group("name")
        before = route[: match.start()]
        for key, found in values.items():
            where, what = key.split(":")
            if what == name and where in before:
                return found
        raise AssertionError(f"No test value for <{name}> in {route}: add one to the values.")

    return "/" + PARAMETER.sub(value, route)
