"""Health beside a poll's choices: uptime and incidents of each choice's connectors."""

from __future__ import annotations

from governance.extension_points import ChoiceFacts, ChoiceFactsQuery, choice_facts
from health.selectors import connector_groups_health


@choice_facts.provide
def health_choice_facts(query: ChoiceFactsQuery) -> dict[str, ChoiceFacts]:
    groups = connector_groups_health(
        groups={key: subject.connector_ids for key, subject in query.choices.items()},
        as_of=query.as_of,
        period_start=query.epoch_start,
        period_end=query.epoch_end,
    )
    return {
        key: ChoiceFacts(
            checked_connectors=health.checked,
            uptime_30d=health.uptime_30d,
            uptime_90d=health.uptime_90d,
            open_incidents=health.open_incidents,
            epoch_incidents=health.period_incidents,
        )
        for key, health in groups.items()
    }
