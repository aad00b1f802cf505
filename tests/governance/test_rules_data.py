"""The choice limit of each shipped rules version, against the polls each era published.

``max_choices`` is null (no limit) where the sources give none, and 20 where they do (the
Epoch 12-13 rules, tied to Snapshot's 20-choice limit); governance/data/SOURCES.md, "Choice
limits", has the evidence.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from governance.choices import ChoiceSpec
from governance.models import Epoch, GovernanceRules, Poll, PollKind, PollStatus
from governance.services.errors import GovernanceError
from governance.services.history import governance_history_load
from governance.services.polls import poll_create, poll_open

pytestmark = pytest.mark.django_db

RULES_FILE = Path(settings.GOVERNANCE_HISTORY_PATH).with_name("governance_rules.json")
# The limit of every shipped version, as SOURCES.md gives it (None: no limit documented).
LIMITS = {
    "hgp-3-2022": None,
    "epoch-2-2022": None,
    "epoch-3-2023": None,
    "epoch-4-2023": None,
    "hgp-43-2023": None,
    "hgp-45-2023": None,
    "hgp-50-2024": None,
    "epoch-10-2024": None,
    "hgp-70-2025": 20,
    "hgp-77-2026": None,
}


def archived_choice_counts() -> dict[tuple[int, str], int]:
    return {
        (poll.epoch.number, poll.kind): poll.choices.count()
        for poll in Poll.objects.filter(is_archived=True).select_related("epoch")
    }


def test_every_shipped_rules_version_states_its_choice_limit():
    # the file names the limit of every version (no version falls back to a model default)
    rules = json.loads(RULES_FILE.read_text())["rules"]

    assert {r["slug"]: r["max_choices"] for r in rules} == LIMITS
    assert all("max_choices" in r for r in rules)


def test_loaded_rules_carry_the_limits_and_the_archived_polls_copy_them(history):
    assert dict(GovernanceRules.objects.values_list("slug", "max_choices")) == LIMITS
    for poll in Poll.objects.filter(is_archived=True).select_related("rules"):
        assert poll.rules_snapshot["max_choices"] == poll.rules.max_choices, poll


def test_every_rules_version_admits_every_archived_poll_it_governed(history):
    # given the 30 archived connector polls, each under the rules of its epoch
    polls = Poll.objects.filter(is_archived=True).select_related("epoch", "rules")
    assert polls.count() == 30

    # then none has more choices than its rules allow
    too_big = [
        (poll.epoch.number, poll.kind, poll.choices.count(), poll.rules.max_choices)
        for poll in polls
        if poll.rules.max_choices is not None and poll.choices.count() > poll.rules.max_choices
    ]
    assert too_big == []
    # and every poll names the rules its epoch started under
    assert all(poll.rules == poll.epoch.rules for poll in polls)


def test_the_published_polls_larger_than_snapshots_20_ran_under_rules_without_a_limit(history):
    # Epochs 5 and 7-11 published polls of 21-26 choices (E8/E9 DEX 26, E10 CLOB Spot 23)
    counts = archived_choice_counts()
    assert counts[(5, "cex")] == 26
    assert counts[(8, "dex")] == counts[(9, "dex")] == 26
    assert counts[(10, "clob_spot")] == 23
    large = {key for key, count in counts.items() if count > 20}
    assert {epoch for epoch, _ in large} == {3, 4, 5, 7, 8, 9, 10, 11}

    # then their rules have no limit, and the Epoch 12-13 limit of 20 fits its largest poll
    for epoch, kind in large:
        assert Epoch.objects.get(number=epoch).rules.max_choices is None, (epoch, kind)
    assert Epoch.objects.get(number=12).rules.max_choices == 20
    assert max(count for (epoch, _), count in counts.items() if epoch in (12, 13)) == 20


def test_the_epoch_8_rules_admit_the_26_choices_of_the_epoch_8_dex_poll(history):
    rules = Epoch.objects.get(number=8).rules
    dex = Poll.objects.get(epoch__number=8, kind=PollKind.DEX, is_archived=True)

    assert rules.slug == "hgp-50-2024"
    assert dex.reference == "HGP-56"
    assert dex.choices.count() == 26
    assert rules.max_choices is None or rules.max_choices >= 26


def test_a_poll_of_the_epoch_8_dex_polls_26_choices_opens_under_the_epoch_8_rules(
    chain_settings, chain_info, history
):
    # given a new draft DEX poll in Epoch 8 with the 26 choices of HGP-56, as published
    epoch = Epoch.objects.get(number=8)
    published = Poll.objects.get(epoch=epoch, kind=PollKind.DEX, is_archived=True)
    labels = list(published.choices.order_by("position").values_list("label", flat=True))
    assert len(labels) == 26
    draft = poll_create(
        epoch=epoch,
        kind=PollKind.DEX,
        reference="HGP-56 (replay)",
        choices=[ChoiceSpec(label=label) for label in labels],
    )

    # when it opens
    poll = poll_open(poll=draft)

    # then it is active under the Epoch 8 rules with all 26 choices
    poll.refresh_from_db()
    assert poll.status == PollStatus.ACTIVE
    assert poll.rules.slug == "hgp-50-2024"
    assert poll.rules_snapshot["max_choices"] is None
    assert poll.snapshot_block == chain_info.second_round_block
    assert list(poll.choices.order_by("position").values_list("label", flat=True)) == labels


def _edit_rules(tmp_path: Path, change: Any) -> Path:
    history = tmp_path / "governance_history.json"
    rules = tmp_path / "governance_rules.json"
    history.write_text(Path(settings.GOVERNANCE_HISTORY_PATH).read_text())
    data = json.loads(RULES_FILE.read_text())
    change(data["rules"][6])
    rules.write_text(json.dumps(data))
    return history


@pytest.mark.parametrize("value", [1, 201, "twenty"])
def test_a_choice_limit_out_of_range_is_refused_naming_the_entry(tmp_path, value):
    history = _edit_rules(tmp_path, lambda entry: entry.update(max_choices=value))

    with pytest.raises(GovernanceError) as raised:
        governance_history_load(history_path=history)

    assert "governance_rules.json, rules entry 7: max_choices" in raised.value.message
    assert not GovernanceRules.objects.exists()


def test_a_rules_entry_without_a_choice_limit_has_none(tmp_path):
    history = _edit_rules(tmp_path, lambda entry: entry.update(max_choices=20))
    governance_history_load(history_path=history)
    assert GovernanceRules.objects.get(slug="hgp-50-2024").max_choices == 20

    history = _edit_rules(tmp_path, lambda entry: entry.pop("max_choices"))
    governance_history_load(history_path=history)

    assert GovernanceRules.objects.get(slug="hgp-50-2024").max_choices is None


def test_rules_page_says_no_limit_or_gives_the_limit(client, history):
    no_limit = client.get("/rules/hgp-50-2024/").content.decode()
    limited = client.get("/rules/hgp-70-2025/").content.decode()

    assert '<dt>Max choices</dt><dd><span class="muted">No limit</span></dd>' in no_limit
    assert "<dt>Max choices</dt><dd>20</dd>" in limited


def test_archived_poll_page_says_its_rules_had_no_choice_limit(client, history):
    poll = Poll.objects.get(epoch__number=8, kind=PollKind.DEX, is_archived=True)
    limited = Poll.objects.get(epoch__number=12, kind=PollKind.CLOB_CEX, is_archived=True)

    body = client.get(poll.get_absolute_url()).content.decode()
    limited_body = client.get(limited.get_absolute_url()).content.decode()

    assert '<dt>Max choices</dt><dd><span class="muted">No limit</span></dd>' in body
    assert "<dt>Max choices</dt><dd>20</dd>" in limited_body


def test_rules_api_gives_null_for_no_limit_and_the_schema_says_so(client, history):
    assert client.get("/api/v1/rules/hgp-50-2024/").json()["max_choices"] is None
    assert client.get("/api/v1/rules/hgp-70-2025/").json()["max_choices"] == 20

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    rules_schemas = [
        body
        for body in components.values()
        if "choice_limit_removals" in body.get("properties", {})
    ]
    assert rules_schemas
    assert all(body["properties"]["max_choices"].get("nullable") for body in rules_schemas)
