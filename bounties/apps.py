from django.apps import AppConfig


class BountiesConfig(AppConfig):
    name = "bounties"
    verbose_name = "Pots and bounties"
