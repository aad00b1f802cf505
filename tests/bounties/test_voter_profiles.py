"""A poll's voter list names maintainers and links their public page (bounties answers
governance's voter_profiles question)."""

from __future__ import annotations

import pytest
from web3 import Web3

from bounties.providers.voter_profiles import maintainer_voter_profiles
from governance.extension_points import VoterProfile, VoterProfilesQuery, voter_profiles
from governance.models import Vote
from governance.selectors import poll_voters
from tests.factories import MaintainerFactory
from tests.governance.factories import ChoiceFactory, PollFactory

pytestmark = pytest.mark.django_db

ALICE = "0x" + "a1" * 20
BOB = "0x" + "b2" * 20


def test_maintainers_are_named_and_linked_by_their_wallet():
    MaintainerFactory(display_name="Alice", github_handle="alice", wallet_address=ALICE)

    profiles = maintainer_voter_profiles(VoterProfilesQuery(addresses=frozenset({ALICE, BOB})))

    assert profiles == {ALICE: VoterProfile(name="Alice", url="/maintainers/alice/")}


def test_a_maintainer_without_a_github_handle_is_linked_by_id():
    maintainer = MaintainerFactory(display_name="Carol", github_handle="", wallet_address=ALICE)

    profiles = maintainer_voter_profiles(VoterProfilesQuery(addresses=frozenset({ALICE})))

    assert profiles[ALICE].url == f"/maintainers/{maintainer.pk}/"


def test_the_provider_is_registered_and_names_voters_in_a_poll():
    MaintainerFactory(display_name="Alice", github_handle="alice", wallet_address=ALICE)
    poll = PollFactory()
    ChoiceFactory(poll=poll)
    Vote.objects.create(
        poll=poll,
        voter=Web3.to_checksum_address(ALICE),
        weights=[[1, 1]],
        signed_timestamp=1,
        typed_data={},
        signature="0x",
        digest="0x" + "0" * 64,
        voting_power=5 * 10**18,
    )

    assert maintainer_voter_profiles in voter_profiles.providers
    rows = poll_voters(poll=poll, limit=10).rows
    assert [(row.profile.name, row.profile.url) for row in rows if row.profile] == [
        ("Alice", "/maintainers/alice/")
    ]
