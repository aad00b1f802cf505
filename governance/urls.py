from django.urls import path

from governance.views import epochs, polls, proposals, sign_in

app_name = "governance"

urlpatterns = [
    path("sign-in/", sign_in.sign_in_page, name="sign-in"),
    path("auth/nonce/", sign_in.sign_in_nonce, name="sign-in-nonce"),
    path("auth/sign-in/", sign_in.sign_in, name="sign-in-verify"),
    path("auth/sign-out/", sign_in.sign_out, name="sign-out"),
    path("voting-power/", sign_in.voting_power, name="voting-power"),
    # epochs and rules
    path("epochs/", epochs.epoch_list, name="epoch-list"),
    path("epochs/<int:number>/", epochs.epoch_detail, name="epoch-detail"),
    path("rules/", epochs.rules_list, name="rules-list"),
    path("rules/<slug:slug>/", epochs.rules_detail, name="rules-detail"),
    # polls and results
    path("polls/", polls.poll_list, name="poll-list"),
    path("polls/<int:pk>/", polls.poll_detail, name="poll-detail"),
    path("polls/<int:pk>/results.json", polls.poll_results_json, name="poll-results"),
    path("polls/<int:pk>/voters/", polls.poll_voters_page, name="poll-voters"),
    path("polls/<int:pk>/voters.json", polls.poll_voters_json, name="poll-voters-json"),
    path("polls/<int:pk>/simulate/", polls.poll_simulate_page, name="poll-simulate"),
    path("polls/<int:pk>/open/", polls.poll_open_now, name="poll-open"),
    path("polls/<int:pk>/finalize/", polls.poll_finalize_now, name="poll-finalize"),
    path("results/", polls.results_history, name="results"),
    # proposals
    path("proposals/", proposals.proposal_list, name="proposal-list"),
    path("proposals/new/", proposals.proposal_new, name="proposal-new"),
    path("proposals/<str:reference>/", proposals.proposal_detail, name="proposal-detail"),
]
