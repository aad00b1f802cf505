"""Shared fixtures: personas and the CI rule that real-service tests may not be skipped."""

from __future__ import annotations

import os

import pytest

from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
# Playwright's sync API leaves an event loop running in the main thread for the whole session;
# the ORM calls tests make there are still synchronous. Subprocesses never inherit this flag.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
MUST_RUN_IN_CI = ("integration", "browser")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """In CI an integration or browser test that skips (service missing) is a failure."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and any(item.get_closest_marker(m) for m in MUST_RUN_IN_CI):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where it must run: {reason}"


@pytest.fixture
def staff_user(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="owner", is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="outsider")


@pytest.fixture(scope="session")
def devchain():
    """The seeded dev chain served over real HTTP on a free loopback port, for the session.

    Shared: tests must not send transactions to it (use ``fresh_devchain`` for that).
    """
    yield from _serve_devchain()


@pytest.fixture
def fresh_devchain():
    """A dev chain of the test's own, which it may change."""
    yield from _serve_devchain()


@pytest.fixture
def chain_settings(settings, devchain):
    """Point the site at the session dev chain."""
    settings.ETH_RPC_URL = devchain.url
    settings.ETH_CHAIN_ID = devchain.chain.info.chain_id
    settings.HBOT_TOKEN_ADDRESS = devchain.chain.info.token_address
    return settings


def _serve_devchain():
    from governance.chain.devchain import DevChain
    from governance.chain.rpc_server import JsonRpcServer

    chain = DevChain()
    server = JsonRpcServer(chain, host="127.0.0.1", port=0)
    server.chain = chain  # type: ignore[attr-defined]
    server.start_in_thread()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def simulator():  # type: ignore[no-untyped-def]
    """The exchange simulator on a free loopback port, for the session."""
    from health.simulator import ExchangeSimulator

    with ExchangeSimulator(host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def sim(simulator):  # type: ignore[no-untyped-def]
    """The session simulator with no faults before and after the test."""
    simulator.faults.clear()
    yield simulator
    simulator.faults.clear()
