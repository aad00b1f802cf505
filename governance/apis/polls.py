"""Polls: public lists and details with their results; staff create, open and finalize
(with their session or a staff API token: the project's default authentication)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.serializers import ErrorSerializer, JsonInputSerializer
from governance.filters import PollFilter
from governance.models import Choice, Epoch, Poll, PollKind
from governance.selectors import poll_results
from governance.serializers import PollDetailSerializer, PollSummarySerializer
from governance.services.errors import GovernanceError
from governance.services.polls import poll_create, poll_finalize, poll_open

STAFF_ERRORS = {
    403: OpenApiResponse(ErrorSerializer, description="Not signed in as staff."),
    404: OpenApiResponse(ErrorSerializer, description="No such poll."),
    409: OpenApiResponse(ErrorSerializer, description="The poll is not in the right state."),
}


def poll_queryset() -> QuerySet[Poll]:
    choices = Choice.objects.select_related("exchange", "connector", "chain").order_by("position")
    return Poll.objects.select_related("epoch", "rules", "proposal").prefetch_related(
        Prefetch("choices", queryset=choices)
    )


def poll_detail_response(
    request: Request, poll: Poll, *, status_code: int = status.HTTP_200_OK
) -> Response:
    poll = poll_queryset().get(pk=poll.pk)
    context = {"request": request, "result": poll_results(poll=poll)}
    return Response(PollDetailSerializer(poll, context=context).data, status=status_code)


class PollListApi(generics.ListAPIView):
    """Polls, filtered by ``epoch`` (number), ``kind``, ``status`` and ``archived``.
    Staff create a draft with POST."""

    class InputSerializer(JsonInputSerializer):
        epoch = serializers.IntegerField(min_value=1, help_text="Epoch number.")
        kind = serializers.ChoiceField(
            choices=[(k, label) for k, label in PollKind.choices if k != PollKind.PROPOSAL]
        )
        title = serializers.CharField(max_length=200, required=False, allow_blank=True)
        reference = serializers.CharField(max_length=40, required=False, allow_blank=True)
        description = serializers.CharField(required=False, allow_blank=True)
        starts_at = serializers.DateTimeField(
            required=False, allow_null=True, help_text="When the draft opens by itself."
        )

    serializer_class = PollSummarySerializer
    filterset_class = PollFilter

    def get_permissions(self) -> Sequence[Any]:
        if self.request.method == "POST":
            return [IsAdminUser()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[Poll]:
        return Poll.objects.select_related("epoch", "rules").order_by("-id")

    @extend_schema(
        request=InputSerializer,
        responses={
            201: PollDetailSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid input or rules."),
            403: STAFF_ERRORS[403],
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a draft poll (staff); its choices default to the registry's eligible
        connectors of the kind."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        epoch = Epoch.objects.filter(number=values["epoch"]).first()
        if epoch is None:
            raise GovernanceError(f"There is no epoch {values['epoch']}.")
        poll = poll_create(
            epoch=epoch,
            kind=values["kind"],
            title=values.get("title", ""),
            reference=values.get("reference", ""),
            description=values.get("description", ""),
            starts_at=values.get("starts_at"),
            created_by=request.user,  # type: ignore[arg-type]
        )
        return poll_detail_response(request, poll, status_code=status.HTTP_201_CREATED)


class PollDetailApi(APIView):
    """A poll with its choices and result: live while active or closed, frozen once
    finalized, as published for archived polls. Carries the snapshot block, chain id,
    token and the rules copied at opening, so anyone can recount it."""

    @extend_schema(responses={200: PollDetailSerializer, 404: STAFF_ERRORS[404]})
    def get(self, request: Request, pk: int) -> Response:
        return poll_detail_response(request, get_object_or_404(Poll, pk=pk))


class PollOpenApi(APIView):
    """Open a draft now (staff): fix the snapshot block and copy the rules in force."""

    permission_classes = [IsAdminUser]

    @extend_schema(
        request=None,
        responses={
            200: PollDetailSerializer,
            **STAFF_ERRORS,
            503: OpenApiResponse(ErrorSerializer, description="The chain could not be read."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        poll = poll_open(poll=get_object_or_404(Poll, pk=pk))
        return poll_detail_response(request, poll)


class PollFinalizeApi(APIView):
    """Finalize a closed poll (staff): freeze its result, record removals and pot credits."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=None, responses={200: PollDetailSerializer, **STAFF_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        poll = get_object_or_404(Poll, pk=pk)
        poll_finalize(poll=poll, actor=request.user)  # type: ignore[arg-type]
        return poll_detail_response(request, poll)
