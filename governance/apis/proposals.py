"""Proposals: public lists and details; publishing one takes only its signature."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from core.parsers import BoundedJSONParser
from core.serializers import ErrorSerializer
from core.signed_body import signed_body
from governance.apis.serializers import (
    ProposalDetailSerializer,
    ProposalSerializer,
    SignedMessageSerializer,
)
from governance.filters import ProposalFilter
from governance.models import Proposal
from governance.services.proposals import MAX_BODY, MAX_TITLE, proposal_create

REFERENCE_RE = re.compile(r"^([A-Za-z]{2,4})-(\d{1,9})$")


def proposal_body_limit() -> int:
    """Room for the longest title and description the rules allow, each character taking
    up to six bytes as JSON (``\\u00e9``), on top of a vote's limit."""
    return settings.VOTE_MAX_BODY_BYTES + 6 * (MAX_BODY + MAX_TITLE)


def proposal_queryset() -> QuerySet[Proposal]:
    return Proposal.objects.select_related("connector", "exchange", "rules", "poll")


class ProposalListApi(generics.ListAPIView):
    """Proposals, newest first, filtered by ``type``, ``action``, ``outcome`` and
    ``proposer``. POST publishes a signed proposal: no account needed, the signature and
    the proposer's HBOT balance at the latest final block are what count."""

    authentication_classes: list[type] = []
    parser_classes = [BoundedJSONParser]  # signed JSON only; the schema says so
    permission_classes = [AllowAny]
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter

    def get_queryset(self) -> QuerySet[Proposal]:
        return proposal_queryset().order_by("-created_at", "-id")

    @extend_schema(
        request=SignedMessageSerializer,
        responses={
            201: ProposalDetailSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="malformed_json, body_invalid, proposal_rejected"
            ),
            403: OpenApiResponse(ErrorSerializer, description="below_minimum_balance"),
            413: OpenApiResponse(ErrorSerializer, description="body_too_large"),
            415: OpenApiResponse(ErrorSerializer, description="unsupported_media_type"),
            503: OpenApiResponse(ErrorSerializer, description="chain_unavailable"),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = signed_body(request, limit=proposal_body_limit())
        proposal = proposal_create(typed_data=body.message, signature=body.signature)
        proposal = proposal_queryset().get(pk=proposal.pk)
        data = ProposalDetailSerializer(proposal, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class ProposalDetailApi(generics.RetrieveAPIView):
    """A proposal by its reference, e.g. ``HGP-101``, with the message its proposer signed."""

    serializer_class = ProposalDetailSerializer
    lookup_url_kwarg = "reference"

    def get_queryset(self) -> QuerySet[Proposal]:
        return proposal_queryset()

    def get_object(self) -> Proposal:
        match = REFERENCE_RE.match(self.kwargs["reference"])
        if match is None:
            raise Http404
        proposal = (
            self.get_queryset()
            .filter(proposal_type=match.group(1).upper(), number=int(match.group(2)))
            .first()
        )
        if proposal is None:
            raise Http404
        return proposal
