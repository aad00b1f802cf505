"""Schemathesis over every operation of the API, against a live server of the project.

The site runs in-process (pytest-django's ``live_server``, a real threaded HTTP server on
loopback) with the catalogue, the governance history and the demo polls, votes, pots and
bounties signed on the session dev chain. Schemathesis reads ``/api/schema/`` and sends
generated requests (examples, boundary values, fuzzing, stateful chains of calls) with every
check on: no 5xx, every status, content type, header and body as the schema declares,
schema-violating input refused, and authentication not ignored. The project's
``schemathesis.toml`` is used as is; the staff run adds a staff token.

``SCHEMATHESIS_MAX_EXAMPLES`` (default 20) sets the examples per operation; the seed of a
failing run is printed with its report, and ``SCHEMATHESIS_SEED`` replays it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPOSITORY = Path(__file__).resolve().parents[2]
PROJECT_CONFIG = REPOSITORY / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).with_name("st")
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20")
SEED = os.environ.get("SCHEMATHESIS_SEED", "")
LONGEST_REPORT_LINE = 400
RUN_TIMEOUT_SECONDS = 900


@pytest.fixture
def site(live_server, chain_settings) -> str:  # type: ignore[no-untyped-def]
    """The live site with real data behind every kind of path parameter."""
    for command, options in [
        ("import_catalogue", {}),
        ("load_governance_history", {}),
        ("seed_demo_governance", {"wait": 10}),
        ("seed_demo_bounties", {}),
    ]:
        call_command(command, stdout=open(os.devnull, "w"), **options)  # noqa: SIM115
    return str(live_server.url)


def schemathesis_run(url: str, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(config),
            "run",
            f"{url}/api/schema/",
            "--max-examples",
            MAX_EXAMPLES,
            # one worker thread: two of them can parse Python source at once inside
            # hypothesis (describing a filter), and CPython 3.11's ast.parse is not safe to
            # run in two threads ("AST constructor recursion depth mismatch")
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--no-color",
            *(["--seed", SEED] if SEED else []),
        ],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        cwd=REPOSITORY,
        check=False,
    )


def readable(report: str) -> str:
    """The report with each line cut short: a fuzzed body can run to megabytes on one
    line and would push the failing operation's name out of any error message."""
    return "\n".join(
        line if len(line) <= LONGEST_REPORT_LINE else f"{line[:LONGEST_REPORT_LINE]} [... cut]"
        for line in report.splitlines()
    )


def assert_conforms(result: subprocess.CompletedProcess[str]) -> None:
    report = readable(result.stdout + result.stderr)
    assert result.returncode == 0, report[-20000:]
    assert "Tested:" in report, report[-2000:]  # it reached the operations


def test_every_operation_conforms_anonymously(site, tmp_path):
    config = tmp_path / "anonymous.toml"
    config.write_text(PROJECT_CONFIG.read_text())

    assert_conforms(schemathesis_run(site, config))


def test_every_operation_conforms_as_staff(site, tmp_path):
    staff = UserFactory(username="schemathesis-staff", is_staff=True, is_superuser=True)
    token = Token.objects.create(user=staff)
    config = tmp_path / "staff.toml"
    config.write_text(
        PROJECT_CONFIG.read_text() + f'\n[auth.openapi.tokenAuth]\napi_key = "Token {token.key}"\n'
    )

    assert_conforms(schemathesis_run(site, config))
