from django.apps import AppConfig

from core.extension_points import providers_autodiscover


class ConnectorsRegistryConfig(AppConfig):
    name = "connectors_registry"
    verbose_name = "Connector registry"

    def ready(self) -> None:
        providers_autodiscover(self.name)
