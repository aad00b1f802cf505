"""``manage.py load_governance_history``: prints what it did, fails clearly on bad input."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from governance.models import Epoch, GovernanceRules, Poll

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.GOVERNANCE_HISTORY_PATH)


def run(*args: str) -> str:
    out = StringIO()
    call_command("load_governance_history", *args, stdout=out)
    return out.getvalue()


def test_prints_the_summary_of_a_first_load():
    output = run()

    assert output.strip() == (
        "Governance history: rules: 10 created, 0 changed, 0 unchanged; epochs: 13 created, "
        "0 changed, 0 unchanged; polls: 30 created, 0 changed, 0 unchanged."
    )
    assert Poll.objects.filter(is_archived=True).count() == 30


def test_a_rerun_prints_that_nothing_changed():
    run()

    output = run()

    assert "rules: 0 created, 0 changed, 10 unchanged" in output
    assert "epochs: 0 created, 0 changed, 13 unchanged" in output
    assert "polls: 0 created, 0 changed, 30 unchanged" in output


def test_loads_files_given_on_the_command_line(tmp_path):
    history, rules = tmp_path / "history.json", tmp_path / "rules-v2.json"
    shutil.copy(SHIPPED, history)
    shutil.copy(SHIPPED.with_name("governance_rules.json"), rules)

    output = run(str(history), "--rules", str(rules))

    assert "rules: 10 created" in output
    assert Epoch.objects.count() == 13


def test_bad_input_fails_with_the_entry_named_and_nothing_written(tmp_path):
    history = tmp_path / "governance_history.json"
    data = json.loads(SHIPPED.read_text())
    data["polls"][2]["kind"] = "options"
    history.write_text(json.dumps(data))
    shutil.copy(SHIPPED.with_name("governance_rules.json"), tmp_path / "governance_rules.json")

    with pytest.raises(CommandError, match="poll entry 3: unknown poll kind 'options'"):
        run(str(history))

    assert not GovernanceRules.objects.exists()
    assert not Poll.objects.exists()


def test_a_missing_rules_file_fails_clearly(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(SHIPPED), "--rules", str(tmp_path / "missing.json"))
