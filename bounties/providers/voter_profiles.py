"""Who a poll's voters are: a maintainer's name and public page, for voters whose wallet is
a maintainer's."""

from __future__ import annotations

from django.urls import reverse

from bounties.selectors import maintainers_by_wallet
from governance.extension_points import VoterProfile, VoterProfilesQuery, voter_profiles


@voter_profiles.provide
def maintainer_voter_profiles(query: VoterProfilesQuery) -> dict[str, VoterProfile]:
    return {
        address: VoterProfile(
            name=maintainer.display_name,
            url=reverse(
                "bounties:maintainer-detail",
                kwargs={"handle": maintainer.github_handle or str(maintainer.pk)},
            ),
        )
        for address, maintainer in maintainers_by_wallet(addresses=query.addresses).items()
    }
