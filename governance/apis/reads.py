"""Epochs, rules versions and the typed data clients sign: public reads."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import eip712
from governance.apis.common import GovernanceErrorsMixin
from governance.models import Epoch, GovernanceRules, Poll
from governance.serializers import (
    EpochDetailSerializer,
    EpochSerializer,
    RulesDetailSerializer,
    RulesSerializer,
)


class EpochListApi(GovernanceErrorsMixin, generics.ListAPIView):
    """Epochs, newest first."""

    serializer_class = EpochSerializer

    def get_queryset(self) -> QuerySet[Epoch]:
        return Epoch.objects.select_related("rules").order_by("-number")


class EpochDetailApi(GovernanceErrorsMixin, generics.RetrieveAPIView):
    """An epoch with its polls."""

    serializer_class = EpochDetailSerializer
    lookup_field = "number"

    def get_queryset(self) -> QuerySet[Epoch]:
        polls = Poll.objects.select_related("epoch", "rules").order_by("kind", "id")
        return Epoch.objects.select_related("rules").prefetch_related(
            Prefetch("polls", queryset=polls)
        )


class RulesListApi(GovernanceErrorsMixin, generics.ListAPIView):
    """Every version of the governance rules, newest first."""

    serializer_class = RulesSerializer

    def get_queryset(self) -> QuerySet[GovernanceRules]:
        return GovernanceRules.objects.order_by("-effective_from")


class RulesDetailApi(GovernanceErrorsMixin, generics.RetrieveAPIView):
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
