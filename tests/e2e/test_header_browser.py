"""Signed in, the header fits: at a laptop's 1280 px and a phone's 390 px no page is wider
than the window and "Sign out" is on screen."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect

from tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_signed_in_header_fits_the_window(
    browser: Browser, live_server, transactional_db, width, height
):
    staff = UserFactory(username="0x1234567890abcdef1234567890abcdef12345678", is_staff=True)
    client = Client()
    client.force_login(staff)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        for path in ["/", "/status/", "/bounties/"]:
            page.goto(live_server.url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            sign_out = page.get_by_role("button", name="Sign out")
            expect(sign_out).to_be_in_viewport()
    finally:
        context.close()
