from django.urls import path

from governance import views, views_epochs, views_polls, views_proposals

app_name = "governance"

urlpatterns = [
    path("sign-in/", views.sign_in_page, name="sign-in"),
    path("auth/nonce/", views.sign_in_nonce, name="sign-in-nonce"),
    path("auth/sign-in/", views.sign_in, name="sign-in-verify"),
    path("auth/sign-out/", views.sign_out, name="sign-out"),
    path("voting-power/", views.voting_power, name="voting-power"),
    # epochs and rules
    path("epochs/", views_epochs.epoch_list, name="epoch-list"),
    path("epochs/<int:number>/", views_epochs.epoch_detail, name="epoch-detail"),
    path("rules/", views_epochs.rules_list, name="rules-list"),
    path("rules/<slug:slug>/", views_epochs.rules_detail, name="rules-detail"),
    # polls and results
    path("polls/", views_polls.poll_list, name="poll-list"),
    path("polls/<int:pk>/", views_polls.poll_detail, name="poll-detail"),
    path("polls/<int:pk>/results.json", views_polls.poll_results_json, name="poll-results"),
    path("polls/<int:pk>/simulate/", views_polls.poll_simulate_page, name="poll-simulate"),
    path("polls/<int:pk>/open/", views_polls.poll_open_now, name="poll-open"),
    path("polls/<int:pk>/finalize/", views_polls.poll_finalize_now, name="poll-finalize"),
    path("results/", views_polls.results_history, name="results"),
    # proposals
    path("proposals/", views_proposals.proposal_list, name="proposal-list"),
    path("proposals/new/", views_proposals.proposal_new, name="proposal-new"),
    path("proposals/<str:reference>/", views_proposals.proposal_detail, name="proposal-detail"),
]
