"""Governance endpoints under /api/v1/."""

from django.urls import path

from governance.apis import polls, proposals, reads, votes

app_name = "governance-api"

urlpatterns = [
    path("epochs/", reads.EpochListApi.as_view(), name="epoch-list"),
    path("epochs/<int:number>/", reads.EpochDetailApi.as_view(), name="epoch-detail"),
    path("rules/", reads.RulesListApi.as_view(), name="rules-list"),
    path("rules/<slug:slug>/", reads.RulesDetailApi.as_view(), name="rules-detail"),
    path("governance/typed-data/", reads.TypedDataApi.as_view(), name="typed-data"),
    path("polls/", polls.PollListApi.as_view(), name="poll-list"),
    path("polls/<int:pk>/", polls.PollDetailApi.as_view(), name="poll-detail"),
    path("polls/<int:pk>/open/", polls.PollOpenApi.as_view(), name="poll-open"),
    path("polls/<int:pk>/finalize/", polls.PollFinalizeApi.as_view(), name="poll-finalize"),
    path("polls/<int:pk>/simulate/", polls.PollSimulateApi.as_view(), name="poll-simulate"),
    path("polls/<int:pk>/votes/", votes.PollVotesApi.as_view(), name="poll-votes"),
    path("polls/<int:pk>/votes.json", votes.PollVotesJsonApi.as_view(), name="poll-votes-json"),
    path("polls/<int:pk>/votes.csv", votes.PollVotesCsvApi.as_view(), name="poll-votes-csv"),
    path(
        "connectors/<slug:slug>/poll-history/",
        reads.ConnectorPollHistoryApi.as_view(),
        name="connector-poll-history",
    ),
    path("proposals/", proposals.ProposalListApi.as_view(), name="proposal-list"),
    path(
        "proposals/<str:reference>/",
        proposals.ProposalDetailApi.as_view(),
        name="proposal-detail",
    ),
]
