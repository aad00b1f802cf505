"""The handling fee and the developer portion of a bounty, in exact decimals.

The Foundation keeps a handling fee from every bounty it pays (docs/DOMAIN.md §5.4: 10% of HBOT
bounties, 20% of stablecoin bounties since 2024), so a 100,000 HBOT bounty pays 90,000 and a
1,000 USDT bounty pays 800. The percentages are settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from bounties.fields import QUANTUM, to_amount


@dataclass(frozen=True)
class FeeSplit:
    bounty_amount: Decimal
    fee_percent: Decimal
    fee: Decimal
    developer_portion: Decimal


def fee_percent_for(denomination: str) -> Decimal:
    percent = settings.BOUNTY_FEE_PERCENT.get(denomination)
    if percent is None:
        raise ValueError(f"no handling fee is configured for {denomination}")
    return Decimal(str(percent))


def fee_split(
    *, amount: Decimal, denomination: str, fee_percent: Decimal | None = None
) -> FeeSplit:
    """Fee and developer portion of ``amount``; they always add up to it exactly.

    The fee is rounded half-up to the sixth decimal place (a micro-unit), the developer gets
    the rest.
    """
    amount = to_amount(amount)
    if amount < 0:
        raise ValueError("a bounty amount cannot be negative")
    percent = fee_percent_for(denomination) if fee_percent is None else Decimal(fee_percent)
    if not Decimal(0) <= percent <= Decimal(100):
        raise ValueError(f"a handling fee of {percent}% is not between 0 and 100")
    fee = (amount * percent / 100).quantize(QUANTUM, rounding=ROUND_HALF_UP)
    return FeeSplit(
        bounty_amount=amount,
        fee_percent=percent,
        fee=fee,
        developer_portion=(amount - fee).quantize(QUANTUM),
    )
