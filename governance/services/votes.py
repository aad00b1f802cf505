"""Casting a signed vote: verify the EIP-712 message, weigh it, and store it once.

Checks, each with its own refusal: the body's shape; the types and domain (name, version,
chain id) against this site's; the poll is active; every choice exists; the timestamp is
neither stale nor in the future; the signature proves the voter signed (EOA or EIP-1271);
the voter held HBOT at the snapshot block; the same signed message counts once; at least
one weight is above zero. A newer vote from the same address supersedes the current one
while the poll is active; every vote is kept. A vote takes a shared lock on its poll's row
and a lock on (poll, voter) to write, and records its change to the poll's running totals
in the same transaction: concurrent votes from one address leave exactly one counted vote
and totals equal to a recount, and none lands after the poll closes (closing takes the poll
row's exclusive lock).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from governance import eip712
from governance.balance_snapshots import balance_cached, balance_get, reader_shared
from governance.chain.balances import BalanceReader, checksum
from governance.chain.errors import ChainError
from governance.chain.signatures import (
    SignatureCheckUnavailable,
    SignatureInvalid,
    signer_verify,
)
from governance.models import Poll, PollStatus, Vote, VotingMethod
from governance.services.errors import (
    ChainUnavailable,
    VoteBadSignature,
    VoteFuture,
    VoteMalformed,
    VotePollNotActive,
    VotePollNotFound,
    VoteReplayed,
    VoteStale,
    VoteUnknownChoice,
    VoteWrongChain,
    VoteWrongDomain,
    VoteZeroBalance,
    VoteZeroWeights,
)
from governance.services.tallies import vote_totals_record

UINT16_MAX = 2**16 - 1
# First key of the (poll, voter) advisory locks, mixed with the poll id: keeps them apart
# from any other advisory lock on the same database.
VOTE_LOCK_NAMESPACE = 0x566F7465  # "Vote"
MAX_CHOICES_PER_VOTE = 200


def vote_cast(
    *,
    typed_data: object,
    signature: object,
    poll_id: int | None = None,
    now: datetime | None = None,
    reader: BalanceReader | None = None,
) -> Vote:
    """Verify and record one signed vote; raises a ``VoteRejected`` subclass (or
    ``ChainUnavailable``) and writes nothing when refused.

    ``poll_id`` is the poll the vote was posted to; the signed message must name it.
    """
    now = now or timezone.now()
    message = _message_parse(typed_data)
    if poll_id is not None and message["poll"] != poll_id:
        raise VoteMalformed(
            f"This vote is signed for poll {message['poll']} but was sent to poll {poll_id}."
        )
    poll = _poll_for_vote(message["poll"], now=now)
    if poll is None:
        raise VotePollNotFound(f"There is no poll {message['poll']}.")
    _check_poll_active(poll, now=now)
    weights = _check_choices(poll, message["choices"])
    _check_timestamp(message["timestamp"], now=now)
    voter = message["voter"]
    rebuilt = eip712.vote_typed_data(
        poll_id=poll.pk, voter=voter, choices=weights, timestamp=message["timestamp"]
    )
    signable = eip712.signable(rebuilt)
    digest = eip712.digest(signable)
    is_contract = _check_signature(voter=voter, signable=signable, signature=signature)
    power = _voting_power(poll, voter=voter, reader=reader)
    if power == 0:
        raise VoteZeroBalance(
            f"{voter} held no HBOT at the snapshot block {poll.snapshot_block}, so it has no "
            "voting power in this poll."
        )
    return _vote_record(
        poll=poll,
        voter=voter,
        weights=weights,
        timestamp=message["timestamp"],
        typed_data=rebuilt,
        signature=str(signature),
        digest=digest,
        is_contract=is_contract,
        power=power,
        now=now,
    )


def _message_parse(typed_data: object) -> dict[str, Any]:
    """The vote's fields from a typed-data payload, once its types and domain are ours."""
    expected = "an EIP-712 typed-data object with types, primaryType, domain and message"
    if not isinstance(typed_data, dict):
        raise VoteMalformed(f"The vote must be {expected}.")
    missing = [k for k in ("types", "primaryType", "domain", "message") if k not in typed_data]
    if missing:
        raise VoteMalformed(f"The vote lacks {', '.join(missing)}; send {expected}.")
    if typed_data["primaryType"] != "Vote" or typed_data["types"] != eip712.VOTE_TYPES:
        raise VoteMalformed(
            "The vote's types differ from this site's; sign the Vote type published at "
            "/api/v1/governance/typed-data/."
        )
    problem = eip712.domain_problem(typed_data["domain"])
    if problem is not None:
        kind, text = problem
        raise (VoteWrongChain if kind == "chain" else VoteWrongDomain)(text)
    message = typed_data["message"]
    if not isinstance(message, dict) or set(message) != {"poll", "voter", "choices", "timestamp"}:
        raise VoteMalformed("The vote's message must have exactly poll, voter, choices, timestamp.")
    if not eip712.is_wallet_int(message["poll"]) or int(message["poll"]) < 1:
        raise VoteMalformed("The vote's poll must be a poll id (a positive integer).")
    if not eip712.is_wallet_int(message["timestamp"]) or not 0 <= int(message["timestamp"]) < 2**64:
        raise VoteMalformed("The vote's timestamp must be Unix seconds (an integer).")
    try:
        voter = checksum(message["voter"])
    except ValueError:
        raise VoteMalformed("The vote's voter is not an Ethereum address.") from None
    choices = message["choices"]
    if not isinstance(choices, list) or not choices:
        raise VoteMalformed("The vote must give at least one choice with a weight.")
    if len(choices) > MAX_CHOICES_PER_VOTE:
        raise VoteMalformed(f"A vote may weigh at most {MAX_CHOICES_PER_VOTE} choices.")
    pairs: list[tuple[int, int]] = []
    for item in choices:
        if (
            not isinstance(item, dict)
            or set(item) != {"choice", "weight"}
            or not eip712.is_wallet_int(item["choice"])
            or not eip712.is_wallet_int(item["weight"])
        ):
            raise VoteMalformed('Each choice must be {"choice": <number>, "weight": <integer>}.')
        pairs.append((int(item["choice"]), int(item["weight"])))
    _check_pairs(pairs)
    return {
        "poll": int(message["poll"]),
        "voter": voter,
        "choices": pairs,
        "timestamp": int(message["timestamp"]),
    }


def _check_pairs(pairs: list[tuple[int, int]]) -> None:
    """What any ballot must be, whatever the poll: at most ``MAX_CHOICES_PER_VOTE``
    choices, each once, numbered from 1, weights whole numbers in range, one above zero."""
    if len(pairs) > MAX_CHOICES_PER_VOTE:
        raise VoteMalformed(f"A vote may weigh at most {MAX_CHOICES_PER_VOTE} choices.")
    for choice, weight in pairs:
        if not 1 <= choice <= UINT16_MAX:
            raise VoteUnknownChoice(f"Choice {choice} does not exist; choices count from 1.")
        if not 0 <= weight <= eip712.MAX_WEIGHT:
            raise VoteMalformed(
                f"Weights are whole numbers from 0 to {eip712.MAX_WEIGHT}; choice {choice} "
                f"has {weight}."
            )
    if len({c for c, _ in pairs}) != len(pairs):
        raise VoteMalformed("A choice appears twice in the vote; give each choice once.")
    if not any(weight for _, weight in pairs):
        raise VoteZeroWeights(
            "Every weight in the vote is zero, so it would count for nothing (Snapshot treats "
            "such a vote as invalid too). Give at least one choice a weight above zero."
        )


def ballot_check(
    *, poll: Poll, pairs: list[tuple[int, int]], now: datetime | None = None
) -> list[tuple[int, int]]:
    """Refuse a ballot ``poll`` would not count, with the refusals of ``vote_cast`` (the
    poll is not active, a weight out of range or all zero, a choice the poll lacks, more
    choices than its rules allow): the allocation simulator tries ballots through it."""
    _check_poll_active(poll, now=now or timezone.now())
    _check_pairs(pairs)
    return _check_choices(poll, pairs)


def _check_poll_active(poll: Poll, *, now: datetime) -> None:
    if poll.is_archived:
        raise VotePollNotActive(f"{poll} is an archived result; it takes no votes.")
    if poll.status == PollStatus.DRAFT:
        raise VotePollNotActive(f"{poll} has not opened yet.")
    if poll.status != PollStatus.ACTIVE or (poll.ends_at is not None and poll.ends_at <= now):
        raise VotePollNotActive(f"{poll} is closed; votes are no longer accepted.")


_positions: dict[tuple[int, object], frozenset[int]] = {}


def _choice_positions(poll: Poll) -> frozenset[int]:
    """The poll's choice numbers, read once per process while it is open: choices can only
    change while a poll is a draft, and the key includes when it opened."""
    key = (poll.pk, poll.opened_at)
    positions = _positions.get(key) if settings.VOTE_POLL_CACHE_SECONDS > 0 else None
    if positions is None:
        positions = frozenset(poll.choices.values_list("position", flat=True))
        if poll.status == PollStatus.ACTIVE and settings.VOTE_POLL_CACHE_SECONDS > 0:
            if len(_positions) > 1000:  # polls come and go; keep the cache small
                _positions.clear()
            _positions[key] = positions
    return positions


def _check_choices(poll: Poll, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    positions = _choice_positions(poll)
    unknown = sorted(c for c, _ in pairs if c not in positions)
    if unknown:
        raise VoteUnknownChoice(
            f"Choice {', '.join(map(str, unknown))} does not exist in {poll} "
            f"(choices 1 to {len(positions)})."
        )
    if poll.voting_method == VotingMethod.BASIC and len(pairs) != 1:
        raise VoteMalformed("This vote is For, Against or Abstain: give exactly one choice.")
    limit = (poll.rules_snapshot or {}).get("max_choices")  # the rules copied at opening
    weighed = sum(1 for _, weight in pairs if weight)
    if limit is not None and weighed > int(str(limit)):
        raise VoteMalformed(
            f"{poll} counts at most {limit} choices (its rules); this vote weighs {weighed}."
        )
    return pairs  # in the order signed: the digest covers the order


def _check_timestamp(timestamp: int, *, now: datetime) -> None:
    current = int(now.timestamp())
    if timestamp < current - settings.VOTE_MAX_AGE_SECONDS:
        raise VoteStale(
            f"The vote was signed {current - timestamp} seconds ago; votes must be sent within "
            f"{settings.VOTE_MAX_AGE_SECONDS} seconds of signing. Sign again."
        )
    if timestamp > current + settings.VOTE_MAX_CLOCK_SKEW_SECONDS:
        raise VoteFuture(
            f"The vote's timestamp is {timestamp - current} seconds in the future. Check your "
            "computer's clock and sign again."
        )


def _check_signature(*, voter: str, signable: Any, signature: object) -> bool:
    try:
        return signer_verify(address=voter, signable=signable, signature=str(signature))
    except SignatureInvalid:
        raise VoteBadSignature(
            f"The signature does not prove that {voter} signed this vote. Sign with that "
            "wallet and try again."
        ) from None
    except SignatureCheckUnavailable:
        raise ChainUnavailable(
            "Could not check a contract wallet's signature on-chain just now. Try again soon."
        ) from None


def _voting_power(poll: Poll, *, voter: str, reader: BalanceReader | None) -> int:
    """The voter's HBOT at the snapshot block: from the cache when already read (the usual
    case for a changed vote), else from the chain through this process's shared reader."""
    if poll.snapshot_block is None or poll.chain_id is None:  # a DB constraint forbids it
        raise VotePollNotActive(f"{poll} has no snapshot block yet.")
    token = poll.token_address or settings.HBOT_TOKEN_ADDRESS
    cached = balance_cached(
        chain_id=poll.chain_id, token_address=token, address=voter, block=poll.snapshot_block
    )
    if cached is not None:
        return int(cached)
    try:
        reader = reader or reader_shared(chain_id=poll.chain_id, token_address=token)
        return balance_get(address=voter, block=poll.snapshot_block, reader=reader)
    except ChainError as exc:
        raise ChainUnavailable(
            f"Could not read your HBOT balance at the snapshot block just now: {exc}"
        ) from exc


_active_polls: dict[int, tuple[float, Poll]] = {}


def _poll_for_vote(poll_id: int, *, now: datetime) -> Poll | None:
    """The poll, from a few seconds' in-process cache while it is active: what a vote reads
    of it (snapshot block, chain, token, method, choices) never changes once it is open,
    and its state is checked again under the lock before anything is written."""
    seconds = settings.VOTE_POLL_CACHE_SECONDS
    cached = _active_polls.get(poll_id)
    clock = time.monotonic()
    if cached is not None and clock - cached[0] < seconds:
        return cached[1]
    # order_by(): no default ordering (and its join) for a lookup by primary key
    poll = Poll.objects.filter(pk=poll_id).order_by().first()
    if poll is not None and poll.status == PollStatus.ACTIVE and seconds > 0:
        if len(_active_polls) > 1000:
            _active_polls.clear()
        _active_polls[poll_id] = (clock, poll)
    else:
        _active_polls.pop(poll_id, None)
    return poll


def _poll_lock_for_vote(poll: Poll, *, voter: str, now: datetime) -> None:
    """Lock what one vote needs, inside the caller's transaction, and check that the poll
    still takes votes.

    On PostgreSQL, in one statement: a shared lock on the poll's row (votes of different
    voters proceed side by side; closing takes the row's exclusive lock, so it waits for
    votes in flight and no vote lands after it) and a transaction-scoped advisory lock on
    (poll, voter), so votes of one voter are written one after the other and each replaces
    the one before it in the running totals. Elsewhere (SQLite writes one transaction at a
    time anyway) the poll's row is locked for update.
    """
    if connection.vendor != "postgresql":
        current = Poll.objects.select_for_update().order_by().get(pk=poll.pk)
    else:
        voter_key = int.from_bytes(bytes.fromhex(voter[2:10]), "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT status, ends_at, is_archived, pg_advisory_xact_lock(%s, %s) "  # noqa: S608
                f"FROM {Poll._meta.db_table} WHERE id = %s FOR SHARE",
                [VOTE_LOCK_NAMESPACE ^ poll.pk, voter_key, poll.pk],
            )
            status, ends_at, is_archived, _ = cursor.fetchone()
        current = Poll(
            pk=poll.pk,
            status=status,
            ends_at=ends_at,
            is_archived=is_archived,
            title=poll.title,
            reference=poll.reference,
        )
    _check_poll_active(current, now=now)


def _vote_record(
    *,
    poll: Poll,
    voter: str,
    weights: list[tuple[int, int]],
    timestamp: int,
    typed_data: dict[str, Any],
    signature: str,
    digest: str,
    is_contract: bool,
    power: int,
    now: datetime,
) -> Vote:
    try:
        with transaction.atomic():
            _poll_lock_for_vote(poll, voter=voter, now=now)
            current = (
                Vote.objects.filter(poll=poll, voter=voter, is_current=True).order_by().first()
            )
            if current is not None:
                if current.digest == digest:
                    raise VoteReplayed("This signed vote was already received; it counts once.")
                if current.signed_timestamp >= timestamp:
                    raise VoteStale(
                        "You have a newer vote in this poll (signed at "
                        f"{current.signed_timestamp}); an older signed vote cannot replace it."
                    )
                Vote.objects.filter(pk=current.pk).update(is_current=False, superseded_at=now)
            vote = Vote.objects.create(
                poll=poll,
                voter=voter,
                weights=[list(pair) for pair in weights],
                signed_timestamp=timestamp,
                typed_data=typed_data,
                signature=signature,
                digest=digest,
                is_contract_signature=is_contract,
                voting_power=power,
                is_current=True,
            )
            vote_totals_record(poll=poll, removed=current, added=vote)
            return vote
    except IntegrityError:
        # Only the unique digest can collide here: the same message raced itself.
        raise VoteReplayed("This signed vote was already received; it counts once.") from None
