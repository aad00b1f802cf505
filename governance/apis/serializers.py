"""Output shapes of the governance API, shared by list and detail endpoints.

Token amounts in base units are strings (they exceed JSON's safe integers); HBOT amounts
with decimals are decimal strings; whole-HBOT amounts are integers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from connectors_registry.models import Connector, Exchange
from governance.ballot import BallotFacts
from governance.extension_points import ChoiceFacts
from governance.models import (
    Epoch,
    GovernanceRules,
    Poll,
    Proposal,
    ProposalRule,
    Vote,
)
from governance.models.rules import PROPOSAL_RULE_TERMS, RULE_TERMS
from governance.selectors import PollResults, ResultRow
from governance.units import token_amount


class TypedDataSerializer(serializers.Serializer):
    """EIP-712 typed data as the wallet signed it (``eth_signTypedData_v4``)."""

    types = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()),
        help_text="Each struct's fields as [{name, type}], EIP712Domain included.",
    )
    primaryType = serializers.CharField(help_text="'Vote' or 'Proposal'.")
    domain = serializers.DictField(help_text="name, version, chainId (and verifyingContract).")
    message = serializers.DictField(help_text="The signed fields of the vote or proposal.")


class SignedMessageSerializer(serializers.Serializer):
    """A vote or a proposal: the EIP-712 typed data as signed, and the signature."""

    typed_data = TypedDataSerializer(
        help_text="{types, primaryType, domain, message}; see /api/v1/governance/typed-data/."
    )
    signature = serializers.CharField(help_text="0x-hex: 65 bytes, or longer for a contract.")


def _rank_order(row: ResultRow | None, position: int) -> tuple[int, int]:
    """By rank where there is one, unranked choices after, each group in poll order."""
    rank = row.rank if row is not None else None
    return (rank if rank is not None else 10**6, position)


def _absolute(context: Mapping[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


class ProposalRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalRule
        fields = ["proposal_type", *PROPOSAL_RULE_TERMS]


class RulesSerializer(serializers.ModelSerializer):
    class Meta:
        model = GovernanceRules
        fields = ["slug", "name", "reference", "source_url", "effective_from", "notes", *RULE_TERMS]


class RulesDetailSerializer(RulesSerializer):
    proposal_rules = ProposalRuleSerializer(many=True, read_only=True)
    epochs: serializers.SlugRelatedField[Epoch] = serializers.SlugRelatedField(
        slug_field="number", many=True, read_only=True
    )

    class Meta(RulesSerializer.Meta):
        fields = [*RulesSerializer.Meta.fields, "proposal_rules", "epochs"]


class PollSummarySerializer(serializers.ModelSerializer):
    epoch = serializers.IntegerField(source="epoch.number", allow_null=True, default=None)
    rules = serializers.CharField(source="rules.slug", allow_null=True, default=None)
    kind_label = serializers.CharField(source="get_kind_display")
    total_power = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Poll
        fields = [
            "id",
            "title",
            "reference",
            "epoch",
            "kind",
            "kind_label",
            "status",
            "is_archived",
            "voting_method",
            "rules",
            "starts_at",
            "ends_at",
            "snapshot_block",
            "voter_count",
            "total_power",
            "url",
        ]

    def get_total_power(self, poll: Poll) -> str | None:
        """Counted voting power in base units, frozen at finalization."""
        return None if poll.total_power is None else str(poll.total_power)

    def get_url(self, poll: Poll) -> str:
        return _absolute(self.context, reverse("governance-api:poll-detail", args=[poll.pk]))


class ChoiceFactsSerializer(serializers.Serializer):
    """How the connectors a choice stands for were doing: now while the poll runs, at its
    close once it ended (``facts_as_of``). Null where there is no data: no health check yet
    means unknown uptime and incidents, never 0%."""

    connectors = serializers.IntegerField(
        help_text="Connectors the choice stands for (the connector, the exchange's, the chain's)."
    )
    checked_connectors = serializers.IntegerField(
        allow_null=True, help_text="Of those, the ones with a health check."
    )
    uptime_30d_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text="Checked slots not down in the last 30 days, percent; null: no data.",
    )
    uptime_90d_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text="Checked slots not down in the last 90 days, percent; null: no data.",
    )
    open_incidents = serializers.IntegerField(allow_null=True)
    epoch_incidents = serializers.IntegerField(
        allow_null=True, help_text="Incidents open at any time during the poll's epoch."
    )
    open_bounties = serializers.IntegerField(
        allow_null=True, help_text="Bounties funded and not yet paid or closed (Open to Merged)."
    )
    paid_bounties = serializers.IntegerField(allow_null=True)
    pot_available_hbot = serializers.DecimalField(
        max_digits=30,
        decimal_places=6,
        allow_null=True,
        help_text="HBOT available in the pot of the choice's subject; null: it has no pot.",
    )


def choice_facts_data(facts: ChoiceFacts) -> dict[str, Any]:
    return {
        "connectors": facts.connectors or 0,
        "checked_connectors": facts.checked_connectors,
        "uptime_30d_percent": facts.uptime_30d,
        "uptime_90d_percent": facts.uptime_90d,
        "open_incidents": facts.open_incidents,
        "epoch_incidents": facts.epoch_incidents,
        "open_bounties": facts.open_bounties,
        "paid_bounties": facts.paid_bounties,
        "pot_available_hbot": facts.pot_available_hbot,
    }


class ChoiceResultSerializer(serializers.Serializer):
    """A choice, and its result once there is one (live, frozen or published)."""

    position = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # Field.label, popped by DRF
    exchange = serializers.CharField(allow_null=True)
    connector = serializers.CharField(allow_null=True)
    chain = serializers.CharField(allow_null=True)
    score_hbot = serializers.DecimalField(max_digits=60, decimal_places=18, allow_null=True)
    share_percent = serializers.DecimalField(max_digits=12, decimal_places=6, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    failure_reason = serializers.CharField()
    allocation_hbot = serializers.IntegerField(allow_null=True)
    tier = serializers.CharField()
    votes_display = serializers.CharField(help_text="Votes as published (archived polls).")
    facts = ChoiceFactsSerializer(
        allow_null=True,
        help_text="Health and bounties of the choice's connectors; null for a choice that "
        "names no connector, exchange or chain, and for a proposal's vote.",
    )


class PollDetailSerializer(PollSummarySerializer):
    """A poll with everything needed to check it: snapshot, chain, token, copied rules, and
    its result (``context["result"]``: ``selectors.poll_results``, or None), with the facts
    beside each choice (``context["facts"]``: ``ballot.poll_ballot_facts``, or None)."""

    unit = serializers.CharField()
    voter_count = serializers.SerializerMethodField()
    total_power_hbot = serializers.SerializerMethodField()
    result_source = serializers.SerializerMethodField()
    facts_as_of = serializers.SerializerMethodField()
    choices = serializers.SerializerMethodField()
    proposal = serializers.SerializerMethodField()
    downloads = serializers.SerializerMethodField()

    class Meta(PollSummarySerializer.Meta):
        fields = [
            *PollSummarySerializer.Meta.fields,
            "description",
            "unit",
            "external_url",
            "opened_at",
            "closed_at",
            "finalized_at",
            "chain_id",
            "token_address",
            "rules_snapshot",
            "published_total_votes",
            "total_power_hbot",
            "result_source",
            "facts_as_of",
            "choices",
            "proposal",
            "downloads",
        ]

    def _result(self) -> PollResults | None:
        result = self.context.get("result")
        return result if isinstance(result, PollResults) and result.source != "none" else None

    def get_voter_count(self, poll: Poll) -> int | None:
        """Voters counted: live while the poll runs, frozen once finalized."""
        result = self._result()
        if result is not None and result.voter_count is not None:
            return result.voter_count
        return poll.voter_count

    def get_total_power(self, poll: Poll) -> str | None:
        """Counted voting power in base units: live while the poll runs, then frozen."""
        power = self._power(poll)
        return None if power is None else str(power)

    def get_total_power_hbot(self, poll: Poll) -> str | None:
        power = self._power(poll)
        return None if power is None else token_amount(power, settings.HBOT_DECIMALS)

    def _power(self, poll: Poll) -> int | None:
        result = self._result()
        if result is not None and result.total_power is not None:
            return result.total_power
        return None if poll.total_power is None else int(poll.total_power)

    def get_result_source(self, poll: Poll) -> str | None:
        """live, final, published (archived), or null before the poll opens."""
        result = self._result()
        return result.source if result is not None else None

    def _facts(self) -> BallotFacts | None:
        facts = self.context.get("facts")
        return facts if isinstance(facts, BallotFacts) else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_facts_as_of(self, poll: Poll) -> str | None:
        """When the choices' facts were read: now while the poll runs, its close once it
        ended; null for a proposal's vote."""
        facts = self._facts()
        return serializers.DateTimeField().to_representation(facts.as_of) if facts else None

    @extend_schema_field(ChoiceResultSerializer(many=True))
    def get_choices(self, poll: Poll) -> list[dict[str, Any]]:
        """By rank once there is a result, else in the poll's order."""
        result = self._result()
        ballot = self._facts()
        rows = {row.choice.position: row for row in result.rows} if result else {}
        choices = sorted(
            poll.choices.all(),
            key=lambda c: _rank_order(rows.get(c.position), c.position),
        )
        data = []
        for choice in choices:
            row = rows.get(choice.position)
            facts = ballot.get(choice.position) if ballot is not None else None
            data.append(
                {
                    "position": choice.position,
                    "label": choice.label,
                    "exchange": choice.exchange.slug if choice.exchange else None,
                    "connector": choice.connector.slug if choice.connector else None,
                    "chain": choice.chain.slug if choice.chain else None,
                    "score_hbot": row.score_hbot if row else None,
                    "share_percent": row.share if row else None,
                    "rank": row.rank if row else None,
                    "passed": row.passed if row else None,
                    "failure_reason": row.failure_reason if row else "",
                    "allocation_hbot": row.allocation_hbot if row else None,
                    "tier": row.tier if row else "",
                    "votes_display": choice.votes_display,
                    "facts": choice_facts_data(facts) if facts is not None else None,
                }
            )
        return ChoiceResultSerializer(data, many=True).data  # type: ignore[return-value]

    def get_proposal(self, poll: Poll) -> str | None:
        """The reference of the proposal this poll votes on, if any."""
        proposal = getattr(poll, "proposal", None) if poll.is_proposal_vote else None
        return proposal.reference if proposal is not None else None

    @extend_schema_field(
        inline_serializer(
            "PollDownloads",
            {
                "votes": serializers.URLField(),
                "json": serializers.URLField(),
                "csv": serializers.URLField(),
            },
        )
    )
    def get_downloads(self, poll: Poll) -> dict[str, str]:
        return {
            name: _absolute(self.context, reverse(f"governance-api:{route}", args=[poll.pk]))
            for name, route in (
                ("votes", "poll-votes"),
                ("json", "poll-votes-json"),
                ("csv", "poll-votes-csv"),
            )
        }


class EpochSerializer(serializers.ModelSerializer):
    rules = serializers.CharField(source="rules.slug", allow_null=True, default=None)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Epoch
        fields = ["number", "name", "starts_on", "ends_on", "rules", "summary", "url"]

    def get_url(self, epoch: Epoch) -> str:
        return _absolute(self.context, reverse("governance-api:epoch-detail", args=[epoch.number]))


class EpochDetailSerializer(EpochSerializer):
    polls = PollSummarySerializer(many=True, read_only=True)
    sources = serializers.JSONField()

    class Meta(EpochSerializer.Meta):
        fields = [*EpochSerializer.Meta.fields, "sources", "polls"]


class VoteSerializer(serializers.ModelSerializer):
    poll = serializers.IntegerField(source="poll_id")
    voting_power = serializers.SerializerMethodField()
    voting_power_hbot = serializers.SerializerMethodField()
    counted = serializers.BooleanField(source="is_current")

    class Meta:
        model = Vote
        fields = [
            "poll",
            "voter",
            "weights",
            "signed_timestamp",
            "voting_power",
            "voting_power_hbot",
            "counted",
            "is_contract_signature",
            "digest",
            "signature",
            "received_at",
        ]

    def get_voting_power(self, vote: Vote) -> str:
        """HBOT at the snapshot block, base units."""
        return str(vote.voting_power)

    def get_voting_power_hbot(self, vote: Vote) -> str:
        return token_amount(int(vote.voting_power), settings.HBOT_DECIMALS)


class ProposalSerializer(serializers.ModelSerializer):
    reference = serializers.CharField()
    connector: serializers.SlugRelatedField[Connector] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    exchange: serializers.SlugRelatedField[Exchange] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    rules: serializers.SlugRelatedField[GovernanceRules] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    poll: serializers.PrimaryKeyRelatedField[Poll] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    status = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "reference",
            "proposal_type",
            "number",
            "title",
            "action",
            "connector",
            "exchange",
            "hbot_allocation",
            "proposer",
            "rules",
            "discussion_ends_at",
            "poll",
            "status",
            "outcome",
            "created_at",
            "url",
            "page_url",
        ]

    def get_status(self, proposal: Proposal) -> str:
        """discussion, voting, counting (closed), decided, or the poll's status."""
        poll = proposal.poll
        if proposal.outcome:
            return "decided"
        if poll is None:
            return "recorded"
        return {"draft": "discussion", "active": "voting", "closed": "counting"}.get(
            poll.status, poll.status
        )

    def get_url(self, proposal: Proposal) -> str:
        return _absolute(
            self.context, reverse("governance-api:proposal-detail", args=[proposal.reference])
        )

    def get_page_url(self, proposal: Proposal) -> str:
        """The proposal's page on the site."""
        return _absolute(self.context, proposal.get_absolute_url())


class ProposalDetailSerializer(ProposalSerializer):
    proposer_balance = serializers.SerializerMethodField()
    typed_data = serializers.JSONField()

    class Meta(ProposalSerializer.Meta):
        fields = [
            *ProposalSerializer.Meta.fields,
            "body",
            "github_url",
            "proposer_balance",
            "balance_block",
            "rules_snapshot",
            "external_url",
            "typed_data",
            "signature",
            "digest",
        ]

    def get_proposer_balance(self, proposal: Proposal) -> str | None:
        """The proposer's HBOT at ``balance_block``, base units."""
        balance = proposal.proposer_balance
        return None if balance is None else str(balance)
