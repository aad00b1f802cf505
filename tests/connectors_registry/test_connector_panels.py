"""The connector page shows the panels other apps provide, without the registry knowing them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext

from connectors_registry.extension_points import Panel, connector_panels
from tests.factories import ConnectorFactory, ExchangeFactory

pytestmark = pytest.mark.django_db

REGISTRY = Path(__file__).resolve().parents[2] / "connectors_registry"
OTHER_APPS = {"governance", "bounties", "health"}
# Each app's panel, by the test id its template carries, in page order.
PANEL_TEST_IDS = ["health-panel", "poll-history", "connector-pots", "connector-bounties"]


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_registry_imports_nothing_from_governance_bounties_or_health():
    # given every module of the registry but its migrations
    modules = [p for p in REGISTRY.rglob("*.py") if "migrations" not in p.parts]
    assert len(modules) > 10  # the walk found the app

    # when
    offenders = {
        str(path.relative_to(REGISTRY)): sorted(imported_packages(path) & OTHER_APPS)
        for path in modules
        if imported_packages(path) & OTHER_APPS
    }

    # then
    assert offenders == {}


def test_the_registry_templates_name_no_other_app():
    for template in (REGISTRY / "templates").rglob("*.html"):
        text = template.read_text()
        for app in OTHER_APPS:
            assert f'"{app}/' not in text, f"{template.name} includes a {app} template"
            assert f"'{app}:" not in text, f"{template.name} links into {app}"


def test_each_app_provides_its_panel_without_queries(django_assert_num_queries):
    connector = ConnectorFactory()

    with django_assert_num_queries(0):
        panels = sorted(connector_panels.collect(connector), key=lambda panel: panel.order)

    assert [panel.title for panel in panels] == ["Health", "Poll history", "Pot and bounties"]
    assert [panel.template_name for panel in panels] == [
        "health/_connector_panel.html",
        "governance/_poll_history_panel.html",
        "bounties/_connector_panels.html",
    ]


def test_the_connector_page_shows_each_apps_panel_in_order(client):
    # given
    connector = ConnectorFactory(exchange=ExchangeFactory(name="Kraken", slug="kraken"))

    # when
    response = client.get(connector.get_absolute_url())

    # then every app's panel is there, in the order the page always had them
    page = response.content.decode()
    assert response.status_code == 200
    positions = [page.index(f'data-testid="{test_id}"') for test_id in PANEL_TEST_IDS]
    assert positions == sorted(positions)
    assert page.index('id="registry-heading"') < positions[0]
    assert positions[-1] < page.index('id="timeline-heading"')


def test_a_panel_shows_at_its_order_with_its_own_context(client, monkeypatch):
    # given a provider whose panel goes between health (100) and governance (200)
    def extra(connector):  # type: ignore[no-untyped-def]
        return Panel(
            title="Extra",
            template_name="connectors_registry/_status_pill.html",
            context={"status": "extra", "label": f"Extra panel of {connector.connector_id}"},
            order=150,
        )

    monkeypatch.setattr(connector_panels, "_providers", [*connector_panels.providers, extra])
    connector = ConnectorFactory(connector_id="kraken")

    # when
    page = client.get(connector.get_absolute_url()).content.decode()

    # then
    extra_at = page.index("Extra panel of kraken")
    assert page.index('data-testid="health-panel"') < extra_at
    assert extra_at < page.index('data-testid="poll-history"')


def test_what_a_panel_template_sets_stays_inside_it():
    # given the bounties panel, whose template sets "panels" for itself
    connector = ConnectorFactory()
    template = Template("{% load connector_page %}{% render_panel extra %}[{{ panels }}]")
    panel = Panel(title="Bounties", template_name="bounties/_connector_panels.html")

    # when
    html = template.render(Context({"connector": connector, "extra": panel, "panels": "mine"}))

    # then
    assert 'data-testid="connector-bounties"' in html
    assert html.endswith("[mine]")


def test_panels_cost_no_more_queries_through_the_registry_than_included_directly(
    client, monkeypatch
):
    # given
    connector = ConnectorFactory(exchange=ExchangeFactory(name="Kraken", slug="kraken"))
    request = RequestFactory().get(connector.get_absolute_url())
    panels = sorted(connector_panels.collect(connector), key=lambda panel: panel.order)

    # when each panel is included the old way, on its own
    direct = 0
    for panel in panels:
        template = Template(f'{{% include "{panel.template_name}" %}}')
        with CaptureQueriesContext(connection) as queries:
            template.render(Context({"connector": connector, "request": request}))
        direct += len(queries)

    # and the page is rendered with and without the providers' panels
    with CaptureQueriesContext(connection) as with_panels:
        client.get(connector.get_absolute_url())
    monkeypatch.setattr(connector_panels, "_providers", [])
    with CaptureQueriesContext(connection) as without_panels:
        page = client.get(connector.get_absolute_url()).content.decode()

    # then the panels add exactly what their templates cost when included directly
    assert 'data-testid="health-panel"' not in page
    assert len(with_panels) - len(without_panels) == direct
