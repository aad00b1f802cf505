"""Epochs, rules versions and the typed data clients sign: public reads."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from connectors_registry.models import Connector
from governance import eip712
from governance.apis.serializers import (
    EpochDetailSerializer,
    EpochSerializer,
    RulesDetailSerializer,
    RulesSerializer,
)
from governance.models import Epoch, GovernanceRules, Poll
from governance.selectors import connector_poll_history


class EpochListApi(generics.ListAPIView):
    """Epochs, newest first."""

    serializer_class = EpochSerializer

    def get_queryset(self) -> QuerySet[Epoch]:
        return Epoch.objects.select_related("rules").order_by("-number")


class EpochDetailApi(generics.RetrieveAPIView):
    """An epoch with its polls."""

    serializer_class = EpochDetailSerializer
    lookup_field = "number"

    def get_queryset(self) -> QuerySet[Epoch]:
        polls = Poll.objects.select_related("epoch", "rules").order_by("kind", "id")
        return Epoch.objects.select_related("rules").prefetch_related(
            Prefetch("polls", queryset=polls)
        )


class RulesListApi(generics.ListAPIView):
    """Every version of the governance rules, newest first."""

    serializer_class = RulesSerializer

    def get_queryset(self) -> QuerySet[GovernanceRules]:
        return GovernanceRules.objects.order_by("-effective_from")


class RulesDetailApi(generics.RetrieveAPIView):
    """One rules version with what each proposal type needs under it."""

    serializer_class = RulesDetailSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[GovernanceRules]:
        return GovernanceRules.objects.prefetch_related("proposal_rules", "epochs")


class TypedDataApi(APIView):
    """The EIP-712 domain and types of votes and proposals, and the limits the site
    enforces: everything a client needs to sign a vote with ``eth_signTypedData_v4``."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(eip712.definition())


class ConnectorPollHistoryApi(APIView):
    """Every poll that voted on a connector (or on its exchange, for the poll kinds that
    cover its type), newest first, with the frozen or published result of its choice, and
    the connector's pending additions or removals."""

    class OutputSerializer(serializers.Serializer):
        class PollLineSerializer(serializers.Serializer):
            poll = serializers.IntegerField(source="poll.pk")
            title = serializers.CharField(source="poll.title")
            reference = serializers.CharField(source="poll.reference")
            epoch = serializers.IntegerField(source="poll.epoch.number", allow_null=True)
            kind = serializers.CharField(source="poll.kind")
            status = serializers.CharField(source="poll.status")
            is_archived = serializers.BooleanField(source="poll.is_archived")
            choice = serializers.CharField(source="label")
            rank = serializers.IntegerField(source="final_rank", allow_null=True)
            score_hbot = serializers.DecimalField(
                source="final_score", max_digits=60, decimal_places=18, allow_null=True
            )
            share_percent = serializers.DecimalField(
                source="final_share", max_digits=12, decimal_places=6, allow_null=True
            )
            passed = serializers.BooleanField(allow_null=True)
            failure_reason = serializers.CharField()
            allocation_hbot = serializers.IntegerField(allow_null=True)
            tier = serializers.CharField()
            votes_display = serializers.CharField()

        class DecisionSerializer(serializers.Serializer):
            action = serializers.CharField()
            reason = serializers.CharField()
            poll = serializers.IntegerField(source="poll_id", allow_null=True)
            proposal = serializers.CharField(source="proposal.reference", allow_null=True)
            created_at = serializers.DateTimeField()

        connector = serializers.CharField()
        polls = PollLineSerializer(many=True)
        pending_decisions = DecisionSerializer(many=True)

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request, slug: str) -> Response:
        connector = get_object_or_404(Connector, slug=slug)
        history = connector_poll_history(connector=connector)
        data = {
            "connector": connector.slug,
            "polls": history.choices,
            "pending_decisions": history.pending_decisions,
        }
        return Response(self.OutputSerializer(data).data)
