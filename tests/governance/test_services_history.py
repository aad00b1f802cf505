"""Loading the published governance history: complete, idempotent, and all-or-nothing."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from governance.models import Choice, Epoch, GovernanceRules, Poll, PollStatus, ProposalRule
from governance.services.errors import GovernanceError
from governance.services.history import governance_history_load

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.GOVERNANCE_HISTORY_PATH)
ALL_CREATED = {"rules": 10, "epochs": 13, "polls": 30}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """Editable copies of the shipped history and rules files, side by side."""
    history = tmp_path / "governance_history.json"
    rules = tmp_path / "governance_rules.json"
    shutil.copy(SHIPPED, history)
    shutil.copy(SHIPPED.with_name("governance_rules.json"), rules)
    return history, rules


def edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def counts() -> dict[str, int]:
    return {
        "rules": GovernanceRules.objects.count(),
        "epochs": Epoch.objects.count(),
        "polls": Poll.objects.count(),
        "choices": Choice.objects.count(),
    }


def test_first_load_creates_every_rules_version_epoch_and_poll():
    report = governance_history_load()

    assert report.created == ALL_CREATED
    assert report.changed == {}
    assert report.unchanged == {}
    assert {k: v for k, v in counts().items() if k != "choices"} == ALL_CREATED
    assert report.summary() == (
        "rules: 10 created, 0 changed, 0 unchanged; epochs: 13 created, 0 changed, "
        "0 unchanged; polls: 30 created, 0 changed, 0 unchanged"
    )


def test_loaded_history_carries_the_published_facts():
    governance_history_load()

    # epochs get the rules in force when they started
    assert Epoch.objects.get(number=6).rules.slug == "hgp-45-2023"
    assert Epoch.objects.get(number=7).rules.slug == "hgp-50-2024"
    assert Epoch.objects.get(number=12).rules.slug == "hgp-70-2025"
    # proposal rules per version
    assert ProposalRule.objects.get(rules__slug="hgp-77-2026", proposal_type="HGP").quorum_hbot == (
        5_000_000
    )
    # archived polls are final results with the published figures
    poll = Poll.objects.get(epoch__number=7, kind="cex")
    assert poll.is_archived
    assert poll.status == PollStatus.FINALIZED
    assert poll.reference == "HGP-51"
    assert poll.rules_snapshot["allocation_rule"] == "pro_rata_top_n"
    okx = poll.choices.get(label="OKX")
    assert (okx.position, okx.allocation_hbot, okx.passed) == (1, 315_126, True)
    failing = set(poll.choices.filter(passed=False).values_list("label", flat=True))
    assert {"Bitmex", "Woo X"} <= failing
    binance_e12 = Poll.objects.get(epoch__number=12, kind="clob_cex").choices.get(label="Binance")
    assert binance_e12.final_score == Decimal("10300000")


def test_second_load_reports_everything_unchanged():
    governance_history_load()
    before = counts()

    report = governance_history_load()

    assert report.created == {}
    assert report.changed == {}
    assert report.unchanged == ALL_CREATED
    assert counts() == before


def test_edits_in_the_history_are_reported_as_changed_and_applied(files):
    history, _ = files
    governance_history_load(history_path=history)

    # given one epoch summary and one published result edited
    def change(data: dict[str, Any]) -> None:
        data["epochs"][0]["summary"] = "Corrected summary."
        poll = next(p for p in data["polls"] if p.get("reference") == "HGP-51")
        poll["results"][0]["allocation_hbot"] = 315_127

    edit(history, change)

    report = governance_history_load(history_path=history)

    assert report.changed == {"epochs": 1, "polls": 1}
    assert report.unchanged == {"rules": 10, "epochs": 12, "polls": 29}
    assert Epoch.objects.get(number=1).summary == "Corrected summary."
    assert Poll.objects.get(reference="HGP-51").choices.get(label="OKX").allocation_hbot == 315_127


def test_an_edited_rules_version_changes_it_and_the_rules_its_archived_polls_copied(files):
    history, rules = files
    governance_history_load(history_path=history)

    edit(rules, lambda data: data["rules"][6].update(inclusion_threshold_hbot=250_000))
    report = governance_history_load(history_path=history)

    # HGP-50 governed Epochs 7-9, three polls each
    assert report.changed == {"rules": 1, "polls": 9}
    assert GovernanceRules.objects.get(slug="hgp-50-2024").inclusion_threshold_hbot == 250_000
    changed = Poll.objects.filter(rules_snapshot__inclusion_threshold_hbot=250_000)
    assert sorted(set(changed.values_list("epoch__number", flat=True))) == [7, 8, 9]


def test_a_changed_proposal_rule_counts_as_a_changed_rules_version(files):
    history, rules = files
    governance_history_load(history_path=history)

    def raise_quorum(data: dict[str, Any]) -> None:
        hgp77 = next(r for r in data["rules"] if r["slug"] == "hgp-77-2026")
        hgp77["proposals"][0]["quorum_hbot"] = 6_000_000

    edit(rules, raise_quorum)
    report = governance_history_load(history_path=history)

    assert report.changed == {"rules": 1}
    assert ProposalRule.objects.get(rules__slug="hgp-77-2026").quorum_hbot == 6_000_000


def test_invalid_json_is_refused_naming_the_file(files):
    history, _ = files
    history.write_text('{"epochs": [')

    with pytest.raises(GovernanceError, match=r"governance_history\.json is not valid JSON"):
        governance_history_load(history_path=history)
    assert counts() == {"rules": 0, "epochs": 0, "polls": 0, "choices": 0}


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(GovernanceError, match="Cannot read"):
        governance_history_load(history_path=tmp_path / "nope.json")


def _poll_kind(kind: str):
    return lambda data: data["polls"][4].update(kind=kind)


def _poll_epoch(epoch: object):
    return lambda data: data["polls"][4].update(epoch=epoch)


def _duplicate_label(data: dict[str, Any]) -> None:
    results = data["polls"][4]["results"]
    results[2]["label"] = results[0]["label"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_poll_kind("options"), "poll entry 5: unknown poll kind 'options'"),
        (_poll_kind("proposal"), "poll entry 5: unknown poll kind 'proposal'"),
        (_poll_epoch(42), "poll entry 5: names epoch 42, which the history lacks"),
        (_poll_epoch("seven"), "poll entry 5: names epoch 'seven'"),
        (_duplicate_label, "poll entry 5: result 3 repeats the label"),
        (lambda d: d["polls"][4].update(results=[]), "poll entry 5: has no results"),
        (lambda d: d["polls"][4]["results"][1].pop("label"), "poll entry 5: result 2 has no label"),
        (
            lambda d: d["polls"][4]["results"][0].update(votes="lots"),
            "poll entry 5: votes 'lots' is not a number",
        ),
        (lambda d: d["polls"][4].update(starts_on="Jan 4"), "poll entry 5: 'Jan 4' is not an ISO"),
        (lambda d: d["epochs"][2].pop("starts_on"), "epoch entry 3: needs number, starts_on"),
        (lambda d: d.pop("epochs"), "an 'epochs' list"),
    ],
)
def test_bad_history_entry_is_named_and_nothing_is_written(files, change, message):
    history, _ = files
    edit(history, change)

    with pytest.raises(GovernanceError) as raised:
        governance_history_load(history_path=history)

    assert message in raised.value.message
    assert "governance_history.json" in raised.value.message or "epochs" in message
    assert counts() == {"rules": 0, "epochs": 0, "polls": 0, "choices": 0}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(voting_method="ranked"), "rules entry 7: voting_method"),
        (lambda r: r.update(poll_kinds=["stocks"]), "rules entry 7: poll_kinds"),
        (lambda r: r.pop("effective_from"), "rules entry 7: needs a slug and an ISO"),
    ],
)
def test_bad_rules_entry_is_named_and_nothing_is_written(files, change, message):
    history, rules = files
    edit(rules, lambda data: change(data["rules"][6]))

    with pytest.raises(GovernanceError) as raised:
        governance_history_load(history_path=history)

    assert f"governance_rules.json, {message}" in raised.value.message
    assert counts() == {"rules": 0, "epochs": 0, "polls": 0, "choices": 0}


def test_bad_entry_late_in_the_file_undoes_earlier_changes(files):
    # given the history loaded, then a file that corrects epoch 1 but breaks poll 30
    history, _ = files
    governance_history_load(history_path=history)

    def change(data: dict[str, Any]) -> None:
        data["epochs"][0]["summary"] = "Corrected summary."
        data["polls"][29]["kind"] = "options"

    edit(history, change)

    with pytest.raises(GovernanceError, match="poll entry 30"):
        governance_history_load(history_path=history)

    # then nothing of the bad file was written
    assert Epoch.objects.get(number=1).summary != "Corrected summary."
