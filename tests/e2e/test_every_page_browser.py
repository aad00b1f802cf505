"""Every page of the site in chromium, at a laptop's 1280x800 and a phone's 390x844, signed
out and as each role (a token holder with a wallet, a maintainer with a wallet, staff): no
page is wider than the window, logs a console error (a Content-Security-Policy violation
included), fails a request, or has a serious or critical accessibility violation found by
axe-core (the npm package pinned in package-lock.json, which ``make test`` installs).

The pages are read from the URL configuration (``tests/demo_site.py``), each with a real
object behind its path parameters, so a new page is walked without touching this test. The
routes left out are not the site's own pages: the API (JSON; its Swagger UI page is
third-party), Django's admin, feeds, badges, metrics, downloads, and the endpoints that only
take a form's post or answer the wallet script; a test checks that none of them answers a
GET with an HTML page, so nothing is left out by mistake.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from playwright.sync_api import Browser, ConsoleMessage, Request, Response, expect
from pytest_django.live_server_helper import LiveServer

from connectors_registry.models import Maintainer
from governance.chain.devchain import demo_holders
from governance.models import Wallet
from tests.demo_site import (
    demo_health_seed,
    demo_path_values,
    demo_site_seed,
    route_path,
    site_routes,
)
from tests.e2e.wallet import install_typed_data_wallet
from tests.factories import UserFactory

# django_db has the test database set up; the data is written once for the module (``site``)
# and each test only reads it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WINDOWS = [(1280, 800), (390, 844)]
ROLES = ["signed-out", "holder", "maintainer", "staff"]
WALLET_ROLES = {"holder": "alice", "maintainer": "bob"}

# Not the site's own pages: what the API, feeds, badges, metrics and downloads answer.
NOT_PAGE_PREFIXES = ("api/",)
NOT_PAGE_SUFFIXES = (".atom", ".svg", ".json", ".csv", ".ico")
NOT_PAGES = {"metrics"}
# Endpoints a page's form posts to, or the wallet script asks (JSON): never a page.
ACTIONS = {
    "auth/nonce/",
    "auth/sign-in/",
    "auth/sign-out/",
    "polls/<int:pk>/simulate/",
    "polls/<int:pk>/open/",
    "polls/<int:pk>/finalize/",
    "bounties/<int:pk>/fund/",
    "bounties/<int:pk>/apply/",
    "bounties/<int:pk>/assign/",
    "bounties/<int:pk>/unassign/",
    "bounties/<int:pk>/progress/",
    "bounties/<int:pk>/submit/",
    "bounties/<int:pk>/request-changes/",
    "bounties/<int:pk>/merge/",
    "bounties/<int:pk>/close/",
    "bounties/<int:pk>/pay/",
    "bounties/<int:pk>/allow-early-payout/",
    "bounties/<int:pk>/check-payout/",
}
# An HTML page, but not ours: Swagger UI's markup, styles and scripts come from
# drf-spectacular-sidecar, and its page allows inline styles (config/urls.py).
THIRD_PARTY = {"api/docs/": "Swagger UI (drf-spectacular-sidecar)"}
# Not a route: the page any unknown address gets.
NOT_FOUND = "no-such-page/"


def is_page(route: str) -> bool:
    return not (
        route.startswith(NOT_PAGE_PREFIXES)
        or route.endswith(NOT_PAGE_SUFFIXES)
        or route in NOT_PAGES
        or route in ACTIONS
    )


PAGE_KINDS = [*(route for route in site_routes() if is_page(route)), NOT_FOUND]

# Serious or critical violations on pages other helpers are fixing (the report lists the
# fix for each); strict, so the marker must go once the page passes.
KNOWN: dict[str, str] = {}  # page kinds with a known violation: (route) -> why, xfail


def _params() -> list[Any]:
    return [
        pytest.param(
            route,
            role,
            id=f"/{route} {role}",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN[route])] if route in KNOWN else [],
        )
        for route in PAGE_KINDS
        for role in ROLES
    ]


@dataclass(frozen=True)
class Site:
    url: str
    values: dict[str, str]
    sessions: dict[str, str]
    chain_id: int


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, devchain, simulator) -> Iterator[Site]:
    """The demo site, written once for the whole module and served by a live server of the
    module's own, with a signed-in session for each role.

    pytest-django's ``live_server`` would make every test flush the database afterwards, so
    the data would be written again for each of the module's tests; instead, the database is
    flushed once when the module is done, as such a test does.
    """
    info = devchain.chain.info
    chain = override_settings(
        ETH_RPC_URL=devchain.url, ETH_CHAIN_ID=info.chain_id, HBOT_TOKEN_ADDRESS=info.token_address
    )
    with django_db_blocker.unblock(), chain:
        try:
            demo_site_seed()
            demo_health_seed(simulator)
            values = demo_path_values()
            sessions = _sessions()
            server = LiveServer("localhost")
            try:
                yield Site(url=server.url, values=values, sessions=sessions, chain_id=info.chain_id)
            finally:
                server.stop()
        finally:
            simulator.faults.clear()
            call_command("flush", interactive=False, verbosity=0)


def _sessions() -> dict[str, str]:
    """A session cookie for each signed-in role: Alice holds HBOT and has signed in with her
    wallet; Bob, a demo maintainer, too; staff sign in with a password."""
    holders = demo_holders()
    alice = get_user_model()._default_manager.get_or_create(username=holders["alice"].address)[0]
    Wallet.objects.get_or_create(address=holders["alice"].address, defaults={"user": alice})
    users = {
        "holder": alice,
        "maintainer": Maintainer.objects.get(wallet_address=holders["bob"].address.lower()).user,
        "staff": UserFactory(username="foundation", is_staff=True),
    }
    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


MAX_TARGETS = 6
SETTLE_SECONDS = 5
# chromium logs the page's own status when it is an error; the test checks that status
REFUSED = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d\b")
AXE_RUN = """async () => {
  const { violations } = await axe.run(document, { resultTypes: ["violations"] });
  return violations
    .filter((violation) => ["serious", "critical"].includes(violation.impact))
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({
        target: node.target.map(String).join(" "),
        message: [...node.any, ...node.all, ...node.none].map((check) => check.message)[0] || "",
      })),
    }));
}"""
# When the page is wider than the window: the innermost elements that stick out.
OVERFLOW = """(width) => {
  if (document.documentElement.scrollWidth <= width + 1) return null;
  const out = (element) => element.getBoundingClientRect().right > width + 1;
  const describe = (element) =>
    element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
    [...element.classList].map((name) => "." + name).join("");
  const innermost = [...document.body.querySelectorAll("*")]
    .filter((element) => out(element) && ![...element.children].some(out))
    .slice(0, 5)
    .map(describe);
  return { scrollWidth: document.documentElement.scrollWidth, innermost };
}"""


class Window:
    """A role's browser context at one window size, with one page that every visit reuses
    (opening a page costs more than a visit) and that records what goes wrong."""

    def __init__(
        self,
        browser: Browser,
        site: Site,
        role: str,
        width: int,
        height: int,
        *,
        settle_seconds: float = SETTLE_SECONDS,
    ):
        self.width = width
        self.settle_seconds = settle_seconds
        self.origin = site.url
        self.context = browser.new_context(viewport={"width": width, "height": height})
        # An init script runs before the page's own and outside the Content-Security-Policy,
        # which would refuse an injected <script> element: the policy stays in force.
        self.context.add_init_script(path=AXE)
        if role in site.sessions:
            cookie = {"name": settings.SESSION_COOKIE_NAME, "value": site.sessions[role]}
            self.context.add_cookies([{**cookie, "url": site.url}])  # type: ignore[list-item]
        if role in WALLET_ROLES:
            holder = demo_holders()[WALLET_ROLES[role]]
            install_typed_data_wallet(self.context, holder, chain_id=site.chain_id)
        self.page = self.context.new_page()
        if role in site.sessions:  # the session is the role's: the header offers to sign out
            self.page.goto(site.url + "/")
            expect(self.page.get_by_role("button", name="Sign out")).to_have_count(1)
        self.problems: list[str] = []
        self.pending: set[Request] = set()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("request", lambda request: self.pending.add(request))
        self.page.on("requestfinished", lambda request: self.pending.discard(request))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)

    def visit(self, url: str, statuses: set[int]) -> list[str]:
        """Everything wrong with the page at ``url`` in this window."""
        self.problems = []
        response = self.page.goto(url, wait_until="load")
        assert response is not None
        if response.status not in statuses:
            self.problems.append(f"answered {response.status}, expected one of {sorted(statuses)}")
        overflow = self.page.evaluate(OVERFLOW, self.width)
        if overflow:
            stuck_out = ", ".join(overflow["innermost"])
            self.problems.append(f"{overflow['scrollWidth']} px wide; sticking out: {stuck_out}")
        self.problems.extend(_axe_problem(found) for found in self.page.evaluate(AXE_RUN))
        # What the page's scripts asked for meanwhile has answered (cheaper than waiting for
        # "networkidle", which adds half a second to every page).
        deadline = time.monotonic() + self.settle_seconds
        while self.pending and time.monotonic() < deadline:
            self.page.wait_for_timeout(20)
        self.problems.extend(
            f"no answer in {self.settle_seconds} s: {request.url}" for request in self.pending
        )
        self.pending.clear()
        return self.problems

    def _console(self, message: ConsoleMessage) -> None:
        where = message.location.get("url")
        if message.type == "error" and not (where == self.page.url and REFUSED.match(message.text)):
            self.problems.append(f"console error: {message.text} ({where})")

    def _failed(self, request: Request) -> None:
        self.pending.discard(request)
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _response(self, response: Response) -> None:
        request = response.request
        document = request.is_navigation_request() and response.frame == self.page.main_frame
        same_origin = response.url.startswith(self.origin + "/")
        if response.status >= 400 and same_origin and not document:
            self.problems.append(f"{response.status} for {request.method} {response.url}")


@pytest.fixture(scope="module")
def windows(browser: Browser, site: Site) -> Iterator[Callable[[str, int, int], Window]]:
    """A window per role and size, opened when first asked for and kept for the module."""
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run make browser-deps (npm ci)")
    opened: dict[tuple[str, int, int], Window] = {}

    def window(role: str, width: int, height: int) -> Window:
        if (role, width, height) not in opened:
            opened[role, width, height] = Window(browser, site, role, width, height)
        return opened[role, width, height]

    yield window
    for made in opened.values():
        made.context.close()


def _axe_problem(violation: dict[str, Any]) -> str:
    """One violation: its rule, then each reason with the elements it applies to."""
    targets: dict[str, list[str]] = {}
    for node in violation["nodes"]:
        targets.setdefault(node["message"], []).append(node["target"])
    lines = [f"axe {violation['id']} ({violation['impact']}): {violation['help']}"]
    for message, elements in targets.items():
        shown = "; ".join(elements[:MAX_TARGETS])
        more = f" (and {len(elements) - MAX_TARGETS} more)" if len(elements) > MAX_TARGETS else ""
        lines.append(f"    {shown}{more}: {message}")
    return "\n".join(lines)


def _statuses(route: str, role: str) -> set[int]:
    """The answers a page may give: staff may see every page; others may be refused with the
    site's own page."""
    if route == NOT_FOUND:
        return {404}
    return {200} if role == "staff" else {200, 403}


@pytest.mark.parametrize(("route", "role"), _params())
def test_page_fits_runs_cleanly_and_is_accessible(route: str, role: str, site: Site, windows):
    # given the page of this kind with a real object behind it
    path = route_path(route, site.values)
    problems = []

    # when it is opened as this role in a laptop's and a phone's window
    for width, height in WINDOWS:
        window = windows(role, width, height)
        for problem in window.visit(site.url + path, _statuses(route, role)):
            problems.append(f"{path} at {width}x{height} as {role}: {problem}")

    # then nothing is wrong with it (everything wrong, in one message)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_no_route_left_out_is_an_html_page_of_the_site(site: Site):
    # given staff, who may see every page
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = site.sessions["staff"]
    left_out = [route for route in site_routes() if route not in PAGE_KINDS]

    # when each route the walk leaves out is asked for with a GET
    answers = {
        route: client.get(route_path(route, site.values), follow=False) for route in left_out
    }

    # then none is a page of the site's (Swagger UI is one, but not ours)
    pages = [
        route
        for route, response in answers.items()
        if response.status_code == 200
        and response.get("Content-Type", "").startswith("text/html")
        and route not in THIRD_PARTY
    ]
    assert pages == []
    assert answers["api/docs/"].status_code == 200


BROKEN_PAGE = """<!doctype html><html lang="en"><head><title>Broken</title>
<link rel="stylesheet" href="/static/unreachable.css"></head>
<body><main><h1>Broken</h1>
<div class="too-wide" style="width: 2000px">wide</div>
<img src="/static/no-such-image.png">
<script>document.title = "inline";</script>
<script src="/static/broken.js"></script>
</main></body></html>"""
BROKEN_SCRIPT = "fetch('/static/never-answers.json'); throw new Error('x');"


def test_the_walk_reports_every_kind_of_problem(browser: Browser, site: Site):
    # given a page at the site's address, served under the site's own policy, that overflows,
    # has an image without a text alternative, an inline script the policy refuses, a script
    # that throws, a missing image, a request that fails and one that never answers
    policy = Client().get("/")["Content-Security-Policy"]
    window = Window(browser, site, "signed-out", 390, 844, settle_seconds=0.5)
    window.context.route(
        f"{site.url}/broken/",
        lambda route: route.fulfill(
            content_type="text/html", headers={"Content-Security-Policy": policy}, body=BROKEN_PAGE
        ),
    )
    window.context.route(
        "**/broken.js",
        lambda route: route.fulfill(content_type="text/javascript", body=BROKEN_SCRIPT),
    )
    window.context.route("**/unreachable.css", lambda route: route.abort())
    window.context.route("**/never-answers.json", lambda route: None)

    # when the walk visits it
    try:
        report = "\n".join(window.visit(f"{site.url}/broken/", {200}))
    finally:
        window.context.close()

    # then it reports each (and the policy was enforced, axe's injection notwithstanding)
    assert "sticking out: div.too-wide" in report
    assert "axe image-alt (critical)" in report
    assert "console error: Executing inline script violates" in report
    assert "script error: x" in report
    assert f"404 for GET {site.url}/static/no-such-image.png" in report
    assert f"request failed: GET {site.url}/static/unreachable.css" in report
    assert f"no answer in 0.5 s: {site.url}/static/never-answers.json" in report
