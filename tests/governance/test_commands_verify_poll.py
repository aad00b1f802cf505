"""``manage.py verify_poll``: agrees on a clean poll (exit 0), lists what differs (exit 1),
and verifies a downloaded votes.json with the database out of reach.

The issue's done-when: verify_poll agrees with the site on a poll of 200 voters on the dev
chain, cast through the API."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from eth_account import Account

from governance import eip712
from governance.chain.devchain import HBOT, DevChain, generated_holder_address, holder_key
from governance.chain.rpc_server import JsonRpcServer
from governance.choices import ChoiceSpec
from governance.models import Choice, Poll, PollStatus, Vote
from governance.services.polls import poll_close, poll_create, poll_finalize, poll_open
from governance.services.votes import vote_cast
from tests.governance.conftest import now_seconds
from tests.governance.factories import EpochFactory, GovernanceRulesFactory

pytestmark = pytest.mark.django_db


def verify(*args: Any) -> str:
    out = StringIO()
    call_command("verify_poll", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def verify_fails(*args: Any) -> tuple[str, str]:
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_poll", *[str(a) for a in args], stdout=out)
    return out.getvalue(), str(failure.value)


@pytest.fixture
def finalized_poll(open_poll, signed_vote, chain_info):  # type: ignore[no-untyped-def]
    for holder, choices in zip(
        chain_info.holders[:3], [[(1, 2), (2, 1)], [(2, 1)], [(3, 1)]], strict=True
    ):
        typed_data, signature = signed_vote(poll=open_poll, key=holder.private_key, choices=choices)
        vote_cast(typed_data=typed_data, signature=signature, poll_id=open_poll.pk)
    assert poll_close(poll=open_poll, now=open_poll.ends_at + timedelta(seconds=1))
    poll_finalize(poll=open_poll)
    return open_poll


def download(poll: Poll, folder: Path) -> Path:
    response = Client().get(f"/api/v1/polls/{poll.pk}/votes.json")
    path = folder / "votes.json"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_clean_poll_agrees(finalized_poll):
    output = verify(finalized_poll.pk)

    assert "Signed votes checked: 3 (3 counted)" in output
    assert "compared with the site's final result" in output
    assert output.rstrip().endswith("AGREES: the site's votes, voting power and result check out.")


def test_tampered_power_fails_naming_the_voter(finalized_poll, chain_info):
    bob = chain_info.holders[1].address
    Vote.objects.filter(voter=bob).update(voting_power=1)

    output, error = verify_fails(finalized_poll.pk)

    assert f"[power] {bob}: the site gave 0.000000000000000001 HBOT" in output
    assert "DIFFERS" in output
    assert error == f"Poll {finalized_poll.pk} does not check out: 1 difference(s)."


def test_tampered_signature_fails(finalized_poll, chain_info):
    carol = chain_info.holders[2].address
    Vote.objects.filter(voter=carol).update(signature="0x" + "11" * 65)

    output, _ = verify_fails(finalized_poll.pk)

    assert f"[signature] {carol}: the signature was not made by the voter" in output
    assert "[score] choice 3 (Kraken)" in output


def test_tampered_frozen_result_fails(finalized_poll):
    Choice.objects.filter(poll=finalized_poll, position=2).update(allocation_hbot=5)

    output, _ = verify_fails(finalized_poll.pk)

    assert "[allocation] choice 2 (OKX): the site states 5; the recount gives" in output


def test_download_verifies_offline_with_the_database_out_of_reach(
    finalized_poll, tmp_path, django_db_blocker, chain_settings
):
    # given
    path = download(finalized_poll, tmp_path)

    # when: any database access would raise
    with django_db_blocker.block():
        output = verify("--file", path, "--rpc-url", chain_settings.ETH_RPC_URL)

    # then
    assert "from votes.json" in output
    assert "AGREES" in output


def test_edited_download_fails(finalized_poll, tmp_path, chain_info):
    path = download(finalized_poll, tmp_path)
    data = json.loads(path.read_text())
    data["votes"][0]["voting_power"] = str(10**30)
    path.write_text(json.dumps(data))

    output, _ = verify_fails("--file", path)

    assert f"[power] {chain_info.holders[0].address}" in output


@pytest.mark.parametrize(
    ("content", "message"),
    [("{oops", "votes.json is not valid JSON"), ("[]", "must be a JSON object")],
)
def test_unreadable_download_fails_clearly(tmp_path, content, message):
    path = tmp_path / "votes.json"
    path.write_text(content)

    with pytest.raises(CommandError, match=message):
        call_command("verify_poll", "--file", str(path))


def test_missing_file_fails_clearly(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*nope\.json: No such file"):
        call_command("verify_poll", "--file", str(tmp_path / "nope.json"))


def test_file_of_another_poll_than_named_fails(finalized_poll, tmp_path):
    path = download(finalized_poll, tmp_path)

    with pytest.raises(CommandError, match=f"holds poll {finalized_poll.pk}, not 77"):
        call_command("verify_poll", "77", "--file", str(path))


def test_unknown_poll_fails(db):
    with pytest.raises(CommandError, match="There is no poll 4242"):
        call_command("verify_poll", "4242")


def test_no_poll_and_no_file_fails(db):
    with pytest.raises(CommandError, match="Give a poll id"):
        call_command("verify_poll")


def test_node_down_fails_clearly(finalized_poll):
    with pytest.raises(CommandError, match=r"127\.0\.0\.1:9"):
        call_command("verify_poll", str(finalized_poll.pk), "--rpc-url", "http://127.0.0.1:9")


def test_wrong_chain_fails_clearly(finalized_poll):
    with pytest.raises(CommandError, match="serves chain id"):
        call_command("verify_poll", str(finalized_poll.pk), "--chain-id", "1")


# --- done-when: 200 voters --------------------------------------------------------------

VOTERS = 200


@pytest.fixture(scope="module")
def crowded_chain():  # type: ignore[no-untyped-def]
    """A dev chain with 200 generated holders (1..200 HBOT each), served over HTTP."""
    chain = DevChain(generated_holders=VOTERS)
    server = JsonRpcServer(chain, host="127.0.0.1", port=0)
    server.start_in_thread()
    try:
        yield server, chain.info
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.integration
def test_verify_poll_agrees_with_the_site_on_200_voters(crowded_chain, settings, tmp_path):
    # given: the site on a dev chain with 200 holders, and a poll with a low threshold
    server, info = crowded_chain
    settings.ETH_RPC_URL = server.url
    settings.ETH_CHAIN_ID = info.chain_id
    settings.HBOT_TOKEN_ADDRESS = info.token_address
    rules = GovernanceRulesFactory(slug="crowd", inclusion_threshold_hbot=2_500)
    poll = poll_create(
        epoch=EpochFactory(rules=rules),
        kind="cex",
        choices=[ChoiceSpec(label=f"Exchange {n}") for n in range(1, 9)],
    )
    poll = poll_open(poll=poll)
    client = Client()
    rng = random.Random(200)  # noqa: S311 - reproducible ballots, not secrets

    # when: 200 holders vote through the API, 20 of them twice
    def cast(index: int, timestamp: int) -> None:
        picks = rng.sample(range(1, 9), rng.randint(1, 4))
        typed_data = eip712.vote_typed_data(
            poll_id=poll.pk,
            voter=generated_holder_address(index),
            choices=[(c, rng.randint(1, 100)) for c in picks],
            timestamp=timestamp,
        )
        signature = Account.sign_typed_data(
            holder_key(index), full_message=typed_data
        ).signature.to_0x_hex()
        response = client.post(
            f"/api/v1/polls/{poll.pk}/votes/",
            json.dumps({"typed_data": typed_data, "signature": signature}),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content

    for index in range(VOTERS):
        cast(index, now_seconds() - 10)
    for index in range(0, VOTERS, 10):
        cast(index, now_seconds())
    assert poll_close(poll=poll, now=poll.ends_at + timedelta(seconds=1))
    poll_finalize(poll=poll)
    poll.refresh_from_db()

    # then: the site counted 200 voters with their balances, and verify_poll agrees
    assert poll.status == PollStatus.FINALIZED
    assert poll.voter_count == VOTERS
    assert poll.total_power == sum((i + 1) * HBOT + i for i in range(VOTERS))
    passed = set(poll.choices.values_list("passed", flat=True))
    assert passed == {True, False}
    output = verify(poll.pk)
    assert "Signed votes checked: 220 (200 counted); voters' balances re-read: 200" in output
    assert "AGREES" in output
    path = download(poll, tmp_path)
    assert "AGREES" in verify("--file", path)
