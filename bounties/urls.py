from django.urls import path

from bounties import views

app_name = "bounties"

urlpatterns = [
    path("bounties/", views.board, name="board"),
    path("bounties/new/", views.bounty_create, name="bounty-create"),
    path("bounties/export.csv", views.export_csv, name="export-csv"),
    path("bounties/import/", views.import_csv, name="import-csv"),
    path("bounties/<int:pk>/", views.bounty_detail, name="bounty-detail"),
    path("bounties/<int:pk>/fund/", views.bounty_fund, name="bounty-fund"),
    path("bounties/<int:pk>/apply/", views.bounty_apply, name="bounty-apply"),
    path("bounties/<int:pk>/assign/", views.bounty_assign, name="bounty-assign"),
    path("bounties/<int:pk>/unassign/", views.bounty_unassign, name="bounty-unassign"),
    path("bounties/<int:pk>/progress/", views.bounty_progress, name="bounty-progress"),
    path("bounties/<int:pk>/submit/", views.bounty_submit, name="bounty-submit"),
    path(
        "bounties/<int:pk>/request-changes/",
        views.bounty_request_changes,
        name="bounty-request-changes",
    ),
    path("bounties/<int:pk>/merge/", views.bounty_merge, name="bounty-merge"),
    path("bounties/<int:pk>/close/", views.bounty_close, name="bounty-close"),
    path("bounties/<int:pk>/pay/", views.bounty_pay, name="bounty-pay"),
    path(
        "bounties/<int:pk>/allow-early-payout/",
        views.bounty_allow_early_payout,
        name="bounty-allow-early-payout",
    ),
    path("bounties/<int:pk>/check-payout/", views.payout_check, name="payout-check"),
    path("pots/", views.pot_list, name="pot-list"),
    path("pots/<slug:slug>/", views.pot_detail, name="pot-detail"),
    path("maintainers/<str:handle>/", views.maintainer_detail, name="maintainer-detail"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("me/", views.me, name="me"),
]
