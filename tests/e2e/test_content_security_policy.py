"""Pages work under the Content-Security-Policy: chromium reports no violation."""

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/exchanges/",
    "/status/",
    "/polls/",
    "/results/",
    "/bounties/",
    "/pots/",
    "/api/docs/",
    "/admin/login/",
    "/sign-in/",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_runs_without_a_policy_violation(page: Page, live_server, catalogue, path):
    # given a browser that records what the policy blocks
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(str(error)))

    # when the page loads and its scripts run
    response = page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")

    # then it was served under the policy and nothing was blocked
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    assert violations == []
