from django.apps import AppConfig
from django.db.models.signals import post_save

from core.extension_points import providers_autodiscover


class BountiesConfig(AppConfig):
    name = "bounties"
    verbose_name = "Pots and bounties"

    def ready(self) -> None:
        providers_autodiscover(self.name)
        from bounties.signals import pot_credit_created
        from governance.models import PotCredit

        post_save.connect(
            pot_credit_created, sender=PotCredit, dispatch_uid="bounties.pot_credit_created"
        )
