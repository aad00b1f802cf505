"""Demo pots and bounties for ``make run`` on the dev chain: a sponsor-funded pot, bounties
in several columns of the board, and two demo holders as maintainers.

Only for the dev chain (the demo holders' keys are public); idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from bounties.errors import BountyError
from bounties.models import Bounty, BountyType, Denomination, FundingSource, Priority
from bounties.services import bounties as lifecycle
from bounties.services.pots import pot_get_or_create, pot_sponsor_fund
from connectors_registry.models import Connector, Exchange, Maintainer
from governance.chain.devchain import DEV_CHAIN_ID, demo_holders
from governance.models import Wallet

DEMO_STAFF = "foundation-demo"
DEMO_MARKER = "(demo)"


@dataclass
class BountyDemoReport:
    created: int

    def summary(self) -> str:
        if not self.created:
            return "Demo bounties are already there; nothing added."
        return f"{self.created} demo bounties on the board, funded from a demo sponsor's pot."


@transaction.atomic
def demo_bounties_seed() -> BountyDemoReport:
    if settings.ETH_CHAIN_ID != DEV_CHAIN_ID:
        raise BountyError(
            "Demo bounties use the dev chain's demo holders as maintainers; refusing on chain "
            f"id {settings.ETH_CHAIN_ID}."
        )
    if Bounty.objects.filter(title__endswith=DEMO_MARKER).exists():
        return BountyDemoReport(created=0)
    kraken = Exchange.objects.filter(slug="kraken").first()
    binance_perp = Connector.objects.filter(connector_id="binance_perpetual").first()
    if kraken is None or binance_perp is None:
        raise BountyError("Import the connector catalogue first (import_catalogue).")
    user_model = get_user_model()
    staff, created = user_model._default_manager.get_or_create(
        username=DEMO_STAFF, defaults={"is_staff": True}
    )
    if created:
        staff.set_unusable_password()
        staff.save()
    holders = demo_holders()
    bob = _maintainer(holders["bob"].address, "Bob (demo)", "bob-demo")
    carol = _maintainer(holders["carol"].address, "Carol (demo)", "carol-demo")

    pot = pot_get_or_create(exchange=kraken)
    pot_sponsor_fund(
        pot=pot,
        denomination=Denomination.USDC,
        amount=Decimal("6000"),
        sponsor_name="Kraken (demo sponsor)",
        note="Maintenance year 1",
        actor=staff,
    )
    upgrade = lifecycle.bounty_create(
        actor=staff,
        title=f"Upgrade the Kraken connector to WebSocket v2 {DEMO_MARKER}",
        bounty_type=BountyType.CONNECTOR_UPGRADE,
        description="Kraken's v1 WebSocket API is being retired; move the order book and "
        "trade streams to v2.",
        exchange=kraken,
        amount="3750",
        denomination=Denomination.USDC,
        funding_source=FundingSource.POT,
        issue_url="https://github.com/hummingbot/hummingbot/issues",
        acceptance_criteria="Order book and trades over v2; unit tests; QA checklist passed.",
    )
    lifecycle.bounty_fund(bounty=upgrade, actor=staff, pot=pot)
    lifecycle.bounty_apply(bounty=upgrade, actor=bob.user, note="I maintain two CEX connectors.")
    lifecycle.bounty_assign(bounty=upgrade, maintainer=bob, actor=staff)
    lifecycle.bounty_submit(
        bounty=upgrade, actor=bob.user, pr_url="https://github.com/hummingbot/hummingbot/pull/7700"
    )

    bug = lifecycle.bounty_create(
        actor=staff,
        title=f"Funding-rate stream stops after a reconnect {DEMO_MARKER}",
        bounty_type=BountyType.BUG,
        priority=Priority.P2,
        connector=binance_perp,
        amount="50000",
        denomination=Denomination.HBOT,
        funding_source=FundingSource.SPONSOR,
        sponsor_name="Hummingbot Foundation",
        issue_url="https://github.com/hummingbot/hummingbot/issues",
    )
    lifecycle.bounty_fund(bounty=bug, actor=staff, pot=pot_get_or_create(connector=binance_perp))
    lifecycle.bounty_apply(bounty=bug, actor=carol.user, note="Reproduced it on testnet.")

    lifecycle.bounty_create(
        actor=staff,
        title=f"Candles feed for Kraken {DEMO_MARKER}",
        bounty_type=BountyType.ENHANCEMENT,
        exchange=kraken,
        amount="625",
        denomination=Denomination.USDC,
        funding_source=FundingSource.POT,
    )
    return BountyDemoReport(created=3)


def _maintainer(address: str, name: str, handle: str) -> Maintainer:
    """A demo holder as a signed-up maintainer (as if they had signed in and linked GitHub)."""
    user_model = get_user_model()
    user, _ = user_model._default_manager.get_or_create(username=address)
    Wallet.objects.get_or_create(address=address, defaults={"user": user})
    maintainer, _ = Maintainer.objects.get_or_create(
        wallet_address=address.lower(),
        defaults={"display_name": name, "github_handle": handle, "user": user},
    )
    return maintainer
