"""Shared fixtures: personas and the CI rule that real-service tests may not be skipped."""

from __future__ import annotations

import os

import pytest

from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
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
