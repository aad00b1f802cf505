from django.apps import AppConfig

from core.extension_points import providers_autodiscover


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        providers_autodiscover(self.name)
