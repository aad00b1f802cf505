"""Bounties beside a poll's choices: bounties under way and paid, and the pot's available
HBOT, for each choice's connectors."""

from __future__ import annotations

from bounties.selectors import BountySubject, subjects_bounties
from governance.extension_points import ChoiceFacts, ChoiceFactsQuery, choice_facts


@choice_facts.provide
def bounties_choice_facts(query: ChoiceFactsQuery) -> dict[str, ChoiceFacts]:
    answers = subjects_bounties(
        subjects={
            key: BountySubject(
                connector_ids=subject.connector_ids,
                connector_id=subject.connector_id,
                exchange_id=subject.exchange_id,
                chain_id=subject.chain_id,
            )
            for key, subject in query.choices.items()
        },
        as_of=query.as_of,
    )
    return {
        key: ChoiceFacts(
            open_bounties=answer.under_way,
            paid_bounties=answer.paid,
            pot_available_hbot=answer.pot_available_hbot,
        )
        for key, answer in answers.items()
    }
