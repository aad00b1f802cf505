from django.apps import AppConfig


class ConnectorsRegistryConfig(AppConfig):
    name = "connectors_registry"
    verbose_name = "Connector registry"
