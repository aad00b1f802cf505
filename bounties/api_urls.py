"""Bounties endpoints under /api/v1/."""

from django.urls import path

from bounties import apis

app_name = "bounties-api"

ACTIONS = {
    "fund": apis.BountyFundApi,
    "apply": apis.BountyApplyApi,
    "assign": apis.BountyAssignApi,
    "reassign": apis.BountyReassignApi,
    "unassign": apis.BountyUnassignApi,
    "progress": apis.BountyProgressApi,
    "submit": apis.BountySubmitApi,
    "request-changes": apis.BountyRequestChangesApi,
    "merge": apis.BountyMergeApi,
    "close": apis.BountyCloseApi,
    "pay": apis.BountyPayApi,
    "allow-early-payout": apis.BountyAllowEarlyPayoutApi,
}

urlpatterns = [
    path("bounties/", apis.BountyListApi.as_view(), name="bounty-list"),
    path("bounties.csv", apis.BountyCsvApi.as_view(), name="bounty-csv"),
    path("bounties/<int:pk>/", apis.BountyDetailApi.as_view(), name="bounty-detail"),
    path("bounties/<int:pk>/events/", apis.BountyEventListApi.as_view(), name="bounty-events"),
    *(
        path(f"bounties/<int:pk>/{name}/", view.as_view(), name=f"bounty-{name}")
        for name, view in ACTIONS.items()
    ),
    path("payouts/<int:pk>/verify/", apis.PayoutVerifyApi.as_view(), name="payout-verify"),
    path("pots/", apis.PotListApi.as_view(), name="pot-list"),
    path("pots/<slug:slug>/", apis.PotDetailApi.as_view(), name="pot-detail"),
    path("pots/<slug:slug>/entries/", apis.PotEntryListApi.as_view(), name="pot-entries"),
    path(
        "pots/<slug:slug>/sponsor-funding/",
        apis.PotSponsorFundingApi.as_view(),
        name="pot-sponsor-funding",
    ),
    path("leaderboard/", apis.LeaderboardApi.as_view(), name="leaderboard"),
    path("maintainers/<str:handle>/", apis.MaintainerProfileApi.as_view(), name="maintainer"),
]
