"""Extension points: how one app asks others for something without importing them.

Dependencies between our apps point one way (DESIGN.md): the registry depends on nothing of
ours, and nothing depends on ``health``. Yet the registry's connector page shows health,
governance and bounties; a poll's ballot shows each choice's health and bounties; a bounty
waits for its connector's green days. The app that asks owns the point and its contract;
the apps that answer register a provider in a module of their ``providers`` package,
which their ``AppConfig.ready`` imports (``providers_autodiscover``)::

    # governance/extension_points.py (the asker)
    choice_facts: ExtensionPoint[ChoiceFactsQuery, dict[str, ChoiceFacts]] = ExtensionPoint(
        "governance.choice_facts", "Facts about connectors shown beside a poll's choices."
    )

    # health/providers/choice_facts.py (an answerer; imported by HealthConfig.ready)
    from governance.extension_points import choice_facts

    @choice_facts.provide
    def health_choice_facts(query: ChoiceFactsQuery) -> dict[str, ChoiceFacts]: ...

``collect`` calls every provider, in registration order, and returns their answers; with
none registered (an app not installed) it returns an empty list, and the asker shows less.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Query = TypeVar("Query")
Answer = TypeVar("Answer")


class ExtensionPoint(Generic[Query, Answer]):
    def __init__(self, name: str, description: str) -> None:
        self.name = name
        self.description = description
        self._providers: list[Callable[[Query], Answer]] = []

    def provide(self, provider: Callable[[Query], Answer]) -> Callable[[Query], Answer]:
        """Register ``provider`` (idempotent: ``ready`` may run more than once in tests)."""
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def collect(self, query: Query) -> list[Answer]:
        return [provider(query) for provider in self._providers]

    @property
    def providers(self) -> tuple[Callable[[Query], Answer], ...]:
        return tuple(self._providers)

    def __repr__(self) -> str:
        return f"<ExtensionPoint {self.name}: {len(self._providers)} provider(s)>"


def providers_autodiscover(app_name: str) -> None:
    """Import every module of ``<app_name>.providers`` (each registers what it provides).

    Called from each app's ``AppConfig.ready``: a new provider is a new module in that
    package, and nothing else changes.
    """
    import importlib
    import pkgutil

    try:
        package = importlib.import_module(f"{app_name}.providers")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app_name}.providers":
            raise
        return
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
