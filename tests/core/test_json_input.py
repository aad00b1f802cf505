"""API input takes values of the JSON type its schema declares, and no coerced look-alikes."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from core.serializers import JsonInputSerializer


class Example(JsonInputSerializer):
    note = serializers.CharField(required=False)
    count = serializers.IntegerField(required=False)
    flag = serializers.BooleanField(required=False)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    kind = serializers.ChoiceField(choices=["a", "b"], required=False)
    when = serializers.DateField(required=False, allow_null=True)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"note": "0"}, {"note": "0"}),
        ({"count": 3}, {"count": 3}),
        ({"flag": False}, {"flag": False}),
        ({"amount": "12.50"}, {"amount": Decimal("12.50")}),
        ({"kind": "a"}, {"kind": "a"}),
        ({"when": None}, {"when": None}),
    ],
)
def test_values_of_the_declared_type_pass(data, expected):
    serializer = Example(data=data)

    assert serializer.is_valid(), serializer.errors
    assert dict(serializer.validated_data) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": 0}, "Expected text."),
        ({"count": "3"}, "Expected a whole number."),
        ({"count": True}, "Expected a whole number."),
        ({"count": 2.5}, "Expected a whole number."),
        ({"flag": 1}, "Expected true or false."),
        ({"flag": "true"}, "Expected true or false."),
        ({"amount": 12.5}, "Expected a decimal number written as a string."),
        ({"kind": 1}, "Expected one of the listed values, as text."),
        ({"when": 20260101}, "Expected a date as text (YYYY-MM-DD)."),
    ],
)
def test_a_value_of_another_type_is_refused_naming_the_field(data, message):
    serializer = Example(data=data)

    assert not serializer.is_valid()
    (name,) = data
    assert serializer.errors == {name: [message]}


def test_every_wrong_field_is_named_at_once():
    serializer = Example(data={"note": 1, "count": "x", "flag": True})

    assert not serializer.is_valid()
    assert set(serializer.errors) == {"note", "count"}


def test_the_api_refuses_a_number_for_a_note(db):
    from django.test import Client

    from tests.factories import BountyFactory, UserFactory

    bounty = BountyFactory(status="open")
    client = Client()
    client.force_login(UserFactory(is_staff=True))

    response = client.post(
        f"/api/v1/bounties/{bounty.pk}/close/", {"note": 0}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"note": ["Expected text."]}
    bounty.refresh_from_db()
    assert bounty.status == "open"


@pytest.mark.django_db
def test_an_empty_string_for_a_relation_is_refused_null_is_taken():
    from connectors_registry.models import Exchange

    class WithRelation(JsonInputSerializer):
        exchange = serializers.SlugRelatedField(
            slug_field="slug", queryset=Exchange.objects.all(), required=False, allow_null=True
        )

    empty = WithRelation(data={"exchange": ""})
    null = WithRelation(data={"exchange": None})

    assert not empty.is_valid()
    assert empty.errors == {"exchange": ["Expected a slug (text), or null for none."]}
    assert null.is_valid(), null.errors
    assert null.validated_data["exchange"] is None
