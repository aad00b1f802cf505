from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("sign-in/", views.sign_in_page, name="sign-in"),
    path("auth/nonce/", views.sign_in_nonce, name="sign-in-nonce"),
    path("auth/sign-in/", views.sign_in, name="sign-in-verify"),
    path("auth/sign-out/", views.sign_out, name="sign-out"),
    path("voting-power/", views.voting_power, name="voting-power"),
]
