"""Governance fixtures: signed votes and proposals made with the dev chain's holder keys,
polls opened on the dev chain, the shipped catalogue and the published history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from eth_account import Account

from connectors_registry.services import catalogue_import_file
from governance import eip712
from governance.chain.devchain import HBOT, DevChain, DevChainInfo, load_artifact
from governance.choices import ChoiceSpec
from governance.models import Epoch, Poll, Proposal
from governance.services.history import governance_history_load
from governance.services.polls import poll_create, poll_open
from governance.services.proposals import proposal_create
from tests.governance.factories import EpochFactory, GovernanceRulesFactory

SignedPayload = tuple[dict[str, Any], str]
CHOICE_LABELS = ("Binance", "OKX", "Kraken", "Coinbase")


def sign_typed_data(typed_data: dict[str, Any], private_key: str) -> str:
    """What a wallet's ``eth_signTypedData_v4`` returns for ``typed_data``."""
    return Account.sign_typed_data(private_key, full_message=typed_data).signature.to_0x_hex()


def now_seconds() -> int:
    return int(timezone.now().timestamp())


def open_bounty_proposal(proposer: Any) -> Proposal:
    """An HGP that funds a Binance bounty, signed by ``proposer`` (a dev chain holder) under
    the rules in force, its vote open."""
    message = {
        "proposalType": "HGP",
        "title": "Fund the Binance connector upgrade",
        "body": "Binance changed its API.",
        "githubUrl": "",
        "action": "fund_bounty",
        "connector": "binance",
        "exchange": "",
        "hbotAllocation": 150_000,
        "proposer": proposer.address,
        "timestamp": now_seconds(),
    }
    typed_data = eip712.proposal_typed_data(message=message)
    created = proposal_create(
        typed_data=typed_data, signature=sign_typed_data(typed_data, proposer.private_key)
    )
    assert created.poll is not None
    poll_open(poll=created.poll)
    return created


def hbot_transfer(chain: DevChain, *, sender: str, to: str, whole: int) -> int:
    """Send ``whole`` HBOT on a test's own dev chain; returns the block it was mined in."""
    token = chain.w3.eth.contract(
        address=chain.info.token_address, abi=load_artifact("DemoHBOT")["abi"]
    )
    tx_hash = token.functions.transfer(to, whole * HBOT).transact({"from": sender})
    receipt = chain.w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    return int(receipt["blockNumber"])


@pytest.fixture
def chain_info(devchain: Any) -> DevChainInfo:
    return devchain.chain.info


@pytest.fixture
def fresh_chain_settings(settings: Any, fresh_devchain: Any) -> Any:
    """Point the site at a dev chain of the test's own (which it may send transactions to)."""
    settings.ETH_RPC_URL = fresh_devchain.url
    settings.ETH_CHAIN_ID = fresh_devchain.chain.info.chain_id
    settings.HBOT_TOKEN_ADDRESS = fresh_devchain.chain.info.token_address
    return settings


@pytest.fixture
def signed_vote() -> Callable[..., SignedPayload]:
    """Build a vote as a wallet would sign it: ``signed_vote(poll=, key=, choices=)``.

    ``voter`` defaults to the key's address; ``timestamp`` to now.
    """

    def build(
        *,
        poll: Poll | int,
        key: str,
        choices: list[tuple[int, int]],
        voter: str | None = None,
        timestamp: int | None = None,
    ) -> SignedPayload:
        typed_data = eip712.vote_typed_data(
            poll_id=poll if isinstance(poll, int) else poll.pk,
            voter=voter or Account.from_key(key).address,
            choices=choices,
            timestamp=now_seconds() if timestamp is None else timestamp,
        )
        return typed_data, sign_typed_data(typed_data, key)

    return build


@pytest.fixture
def epoch(db: None) -> Epoch:
    """A current epoch under HGP-50-like rules (see ``GovernanceRulesFactory``)."""
    return EpochFactory(rules=GovernanceRulesFactory(slug="test-hgp-50"))


@pytest.fixture
def draft_poll(epoch: Epoch) -> Poll:
    """A draft CEX poll with four choices, not tied to registry entries."""
    return poll_create(
        epoch=epoch,
        kind="cex",
        reference="HGP-TEST",
        choices=[ChoiceSpec(label=label) for label in CHOICE_LABELS],
    )


@pytest.fixture
def open_poll(chain_settings: Any, draft_poll: Poll) -> Poll:
    """The draft poll opened on the session dev chain (snapshot = its latest block)."""
    return poll_open(poll=draft_poll)


@pytest.fixture
def catalogue(db: None) -> None:
    """The shipped connector catalogue, imported into the registry."""
    catalogue_import_file(path=Path(settings.CATALOGUE_PATH))


@pytest.fixture
def history(db: None) -> None:
    """The published rules versions, epochs and archived poll results."""
    governance_history_load()
