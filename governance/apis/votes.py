"""Signed votes: the current votes of a poll, casting one, and the audit downloads."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from core.parsers import BoundedJSONParser
from core.serializers import ErrorSerializer
from core.signed_body import signed_body
from governance.apis.serializers import SignedMessageSerializer, VoteSerializer
from governance.audit.export import votes_csv_stream, votes_json_stream
from governance.models import Poll, Vote
from governance.services.votes import vote_cast


class PollVotesApi(generics.ListAPIView):
    """GET: the counted (current) votes of a poll, newest first. POST: cast a signed vote.

    A vote needs no account or session: the EIP-712 signature proves who cast it, so the
    endpoint takes no authentication (and no CSRF token). It is not throttled per client:
    every accepted vote is a distinct holder's signature; rate-limit abusive clients at the
    proxy in front of the site.

    Not wrapped in the request's transaction (``ATOMIC_REQUESTS``): ``vote_cast`` writes in
    its own short transaction, so no transaction (on SQLite, the database's write lock) is
    held while the signature is checked and the voter's balance is read from the chain.
    """

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    authentication_classes: list[type] = []
    parser_classes = [BoundedJSONParser]  # signed JSON only; the schema says so
    permission_classes = [AllowAny]
    serializer_class = VoteSerializer
    queryset = Vote.objects.none()  # the model, for the OpenAPI schema; see get_queryset

    def get_throttles(self) -> list[BaseThrottle]:
        return [] if self.request.method == "POST" else super().get_throttles()

    def get_queryset(self) -> QuerySet[Vote]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema's dry run
            return Vote.objects.none()
        poll = get_object_or_404(Poll, pk=self.kwargs["pk"])
        return Vote.objects.filter(poll=poll, is_current=True).order_by("-id")

    @extend_schema(
        request=SignedMessageSerializer,
        responses={
            201: VoteSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="malformed_json, body_invalid, malformed, wrong_domain, "
                "wrong_chain, bad_signature, unknown_choice, zero_weights, stale_timestamp, "
                "future_timestamp",
            ),
            403: OpenApiResponse(ErrorSerializer, description="zero_balance"),
            404: OpenApiResponse(ErrorSerializer, description="poll_not_found"),
            409: OpenApiResponse(ErrorSerializer, description="poll_not_active, replayed"),
            413: OpenApiResponse(ErrorSerializer, description="body_too_large"),
            415: OpenApiResponse(ErrorSerializer, description="unsupported_media_type"),
            503: OpenApiResponse(ErrorSerializer, description="chain_unavailable"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        """Cast a vote: ``{"typed_data": <the signed Vote>, "signature": "0x..."}``. A newer
        vote from the same address replaces the voter's current one."""
        body = signed_body(request, limit=settings.VOTE_MAX_BODY_BYTES)
        vote = vote_cast(typed_data=body.message, signature=body.signature, poll_id=pk)
        return Response(VoteSerializer(vote).data, status=status.HTTP_201_CREATED)


class _VotesDownload(APIView, metaclass=ABCMeta):
    permission_classes = [AllowAny]
    content_type = ""
    extension = ""

    @abstractmethod
    def stream(self, poll: Poll) -> Any:
        """The rows of the download, as text chunks."""

    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        poll = get_object_or_404(Poll.objects.select_related("rules"), pk=pk)
        response = StreamingHttpResponse(self.stream(poll), content_type=self.content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="poll-{poll.pk}-votes.{self.extension}"'
        )
        return response


class PollVotesJsonApi(_VotesDownload):
    """Every signed vote of a poll (counted and superseded) for an independent recount,
    after a header with the snapshot block, chain, token, voting method, rules and the
    site's result. Check it with ``manage.py verify_poll <id> --file votes.json``."""

    content_type = "application/json"
    extension = "json"

    def stream(self, poll: Poll) -> Any:
        return votes_json_stream(poll=poll)

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        return super().get(request, pk)


class PollVotesCsvApi(_VotesDownload):
    """Every signed vote of a poll as CSV, one row per vote; the typed data as JSON text."""

    content_type = "text/csv; charset=utf-8"
    extension = "csv"

    def stream(self, poll: Poll) -> Any:
        return votes_csv_stream(poll=poll)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        return super().get(request, pk)
