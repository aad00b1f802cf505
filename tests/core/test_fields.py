"""Uint256Field keeps token amounts exact on every database."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.fields import MAX_UINT256, Uint256Field
from governance.models import BalanceSnapshot

pytestmark = pytest.mark.django_db

ADDRESS = "0x" + "ab" * 20


def snapshot(balance: int, block: int = 1) -> BalanceSnapshot:
    return BalanceSnapshot.objects.create(
        chain_id=1,
        token_address=ADDRESS,
        holder_address=ADDRESS,
        block_number=block,
        balance=balance,
    )


@pytest.mark.parametrize("value", [0, 1, 10**18, 1_000_000_000 * 10**18 + 1, MAX_UINT256])
def test_round_trip_is_exact(value):
    row = snapshot(value)

    assert BalanceSnapshot.objects.get(pk=row.pk).balance == value


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_UINT256))
def test_any_uint256_round_trips(value):
    BalanceSnapshot.objects.all().delete()
    row = snapshot(value)

    assert BalanceSnapshot.objects.get(pk=row.pk).balance == value


@pytest.mark.parametrize("value", [-1, MAX_UINT256 + 1])
def test_out_of_range_values_are_refused(value):
    with pytest.raises(ValueError, match="outside"):
        snapshot(value)


@pytest.mark.parametrize("value", ["1.5", "abc", 2.5])
def test_non_integers_do_not_validate(value):
    with pytest.raises(ValidationError):
        Uint256Field().clean(value, None)


def test_numeric_strings_are_accepted():
    assert Uint256Field().clean("1000000000000000000000", None) == 10**21
