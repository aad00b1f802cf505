"""Playwright against Debian's chromium and pytest-django's live server."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/ensure-chromium")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def site(live_server, chain_settings, transactional_db):
    """The live server, pointed at the session dev chain, with a committed database (a
    module with more to set up defines its own)."""
    return live_server


@pytest.fixture
def catalogue(transactional_db):
    """The shipped catalogue, committed so the live server's thread sees it."""
    from django.conf import settings

    from connectors_registry.services import catalogue_import_file

    return catalogue_import_file(path=Path(settings.CATALOGUE_PATH))
