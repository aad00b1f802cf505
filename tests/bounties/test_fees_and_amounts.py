"""Exact money: the handling fee arithmetic and amounts stored as integer micro-units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Sum
from hypothesis import given
from hypothesis import strategies as st

from bounties.fees import fee_split
from bounties.fields import MAX_AMOUNT, display_amount, to_amount
from bounties.models import Bounty
from tests.factories import BountyFactory


@pytest.mark.parametrize(
    ("amount", "denomination", "fee", "portion"),
    [
        ("100000", "HBOT", "10000", "90000"),  # docs/DOMAIN.md 5.4: 100,000 HBOT pays 90,000
        ("1000", "USDT", "200", "800"),  # 1,000 USDT pays 800
        ("3750", "USDC", "750", "3000"),  # issue 7110: 3,750 USDC, developer portion 3,000
        ("250", "USDT", "50", "200"),  # issue 7493: 250 USDT funded, 200 to the developer
        ("0.000005", "HBOT", "0.000001", "0.000004"),  # half a micro-unit of fee rounds up
        ("0.000004", "HBOT", "0", "0.000004"),
        ("12345.678901", "USDC", "2469.135780", "9876.543121"),
        ("0", "HBOT", "0", "0"),
    ],
)
def test_fee_and_developer_portion_are_exact(amount, denomination, fee, portion):
    split = fee_split(amount=Decimal(amount), denomination=denomination)

    assert split.fee == Decimal(fee)
    assert split.developer_portion == Decimal(portion)
    assert split.fee + split.developer_portion == Decimal(amount)


@given(
    micro=st.integers(min_value=0, max_value=2**63 - 1),
    percent=st.decimals(min_value=0, max_value=100, places=2),
)
def test_fee_split_always_adds_up_and_stays_in_range(micro, percent):
    amount = Decimal(micro) / 10**6

    split = fee_split(amount=amount, denomination="HBOT", fee_percent=percent)

    assert split.fee + split.developer_portion == amount
    assert 0 <= split.fee <= amount
    assert abs(split.fee - amount * percent / 100) <= Decimal("0.0000005")


def test_fee_follows_the_settings(settings):
    settings.BOUNTY_FEE_PERCENT = {**settings.BOUNTY_FEE_PERCENT, "HBOT": Decimal("5")}

    assert fee_split(amount=Decimal(100_000), denomination="HBOT").developer_portion == 95_000


@pytest.mark.parametrize("value", ["abc", "-", "101", "-1", "NaN"])
def test_fee_settings_refuse_nonsense(monkeypatch, value):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("BOUNTY_FEE_PERCENT_HBOT", value)
    with pytest.raises(ImproperlyConfigured, match="BOUNTY_FEE_PERCENT_HBOT"):
        importlib.reload(base)
    monkeypatch.delenv("BOUNTY_FEE_PERCENT_HBOT")
    importlib.reload(base)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (0.1, "never floats"),
        ("1.0000001", "more than 6 decimal places"),
        ("x", "not a number"),
        ("Infinity", "not a number"),
        (MAX_AMOUNT + 1, "too large"),
    ],
)
def test_amounts_refuse_what_cannot_be_stored_exactly(value, problem):
    with pytest.raises(ValueError, match=problem):
        to_amount(value)


def test_display_amount_drops_trailing_zeros_and_groups_digits():
    assert display_amount(Decimal("1234567.500000")) == "1,234,567.5"
    assert display_amount(Decimal("10000.000000")) == "10,000"
    assert display_amount(None) == "—"


@pytest.mark.django_db
def test_large_amounts_store_and_sum_exactly():
    # given amounts SQLite would round as floats (more than 15 significant digits)
    amounts = [Decimal("999999999999.999999"), Decimal("0.000001"), Decimal("123456789012.345678")]
    for amount in amounts:
        BountyFactory(amount=amount)

    # then they come back, and sum, to the last micro-unit
    assert sorted(Bounty.objects.values_list("amount", flat=True)) == sorted(amounts)
    assert Bounty.objects.aggregate(total=Sum("amount"))["total"] == sum(amounts)
