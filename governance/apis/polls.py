"""Polls: public lists and details with their results; staff create, open and finalize
(with their session or a staff API token: the project's default authentication)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.serializers import ErrorSerializer, JsonInputSerializer
from core.text import is_ascii_digits
from governance import eip712
from governance.apis.serializers import PollDetailSerializer, PollSummarySerializer
from governance.ballot import poll_ballot_facts
from governance.filters import PollFilter
from governance.models import Choice, Epoch, Poll, PollKind
from governance.selectors import ResultRow, poll_get, poll_results
from governance.services.errors import GovernanceError
from governance.services.polls import poll_create, poll_finalize, poll_open
from governance.services.votes import MAX_CHOICES_PER_VOTE
from governance.simulator import MAX_BALANCE_HBOT, PollSimulation, poll_simulate

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
    context = {
        "request": request,
        "result": poll_results(poll=poll),
        "facts": poll_ballot_facts(poll=poll),
    }
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


class StrictIntegerField(serializers.IntegerField):
    """A whole number given as a JSON number: not text, not true/false, not 2.0."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


@extend_schema_serializer(component_name="PollSimulationFigures")
class SimulationFiguresSerializer(serializers.Serializer):
    """One choice's standing: its score, share and rank, whether it passes the inclusion
    threshold, and its pot allocation, rounded as the poll page shows them."""

    score_hbot = serializers.DecimalField(max_digits=60, decimal_places=18)
    share_percent = serializers.DecimalField(max_digits=12, decimal_places=6)
    rank = serializers.IntegerField()
    passed = serializers.BooleanField()
    failure_reason = serializers.CharField()
    allocation_hbot = serializers.IntegerField()
    tier = serializers.CharField()


@extend_schema_serializer(component_name="PollSimulationChoice")
class SimulationChoiceSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # Field.label, popped by DRF
    live = SimulationFiguresSerializer(help_text="As the poll stands.")
    simulated = SimulationFiguresSerializer(help_text="With the tried vote counted.")


@extend_schema_serializer(component_name="PollSimulationTotals")
class SimulationTotalsSerializer(serializers.Serializer):
    voter_count = serializers.IntegerField()
    total_power_hbot = serializers.DecimalField(max_digits=60, decimal_places=18)


def _figures(row: ResultRow) -> dict[str, Any]:
    return {
        "score_hbot": row.score_hbot,
        "share_percent": row.share,
        "rank": row.rank,
        "passed": bool(row.passed),
        "failure_reason": row.failure_reason,
        "allocation_hbot": row.allocation_hbot or 0,
        "tier": row.tier,
    }


def simulation_data(simulation: PollSimulation) -> dict[str, Any]:
    return {
        "poll": simulation.poll.pk,
        "balance": simulation.balance_hbot,
        "voting_power": str(simulation.power),
        "weights": {str(position): weight for position, weight in simulation.weights},
        "replaces_vote": simulation.replaced is not None,
        "threshold_hbot": simulation.simulated.threshold_hbot,
        "live": {
            "voter_count": simulation.live.voter_count or 0,
            "total_power_hbot": simulation.live.total_power_hbot or Decimal(0),
        },
        "simulated": {
            "voter_count": simulation.simulated.voter_count or 0,
            "total_power_hbot": simulation.simulated.total_power_hbot or Decimal(0),
        },
        "choices": [
            {
                "position": row.choice.position,
                "label": row.choice.label,
                "live": _figures(row.live),
                "simulated": _figures(row.simulated),
            }
            for row in simulation.rows
        ],
    }


class PollSimulateApi(APIView):
    """Try a vote on an open poll without signing or recording anything: the result as it
    stands and as it would stand with this vote (ranks, pass/fail against the inclusion
    threshold, pot allocations), counted by the same code as real votes. With ``address``,
    the tried vote replaces that address's counted vote, as a new vote would.

    Anyone may call it; no authentication, no CSRF token; the anonymous rate limit applies.
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="PollSimulationInput")
    class InputSerializer(JsonInputSerializer):
        """A vote to try: weights by choice position, the HBOT to vote with, and optionally
        the address whose counted vote it replaces."""

        weights = serializers.DictField(
            child=StrictIntegerField(min_value=0, max_value=eip712.MAX_WEIGHT),
            allow_empty=False,
            help_text="Choice position (as text) -> whole weight from 0; at least one above "
            f"0, at most {MAX_CHOICES_PER_VOTE} choices, as in a vote.",
        )
        balance = serializers.DecimalField(
            max_digits=31,
            decimal_places=18,
            min_value=Decimal("1e-18"),
            max_value=Decimal(MAX_BALANCE_HBOT),
            help_text='The HBOT to vote with, e.g. "250000" (above 0, at most 10^12).',
        )
        address = serializers.RegexField(
            r"^0x[0-9a-fA-F]{40}$",
            required=False,
            allow_null=True,
            help_text="A voter whose counted vote the tried one replaces, if it has one.",
        )

        def validate_weights(self, value: dict[str, int]) -> dict[int, int]:
            if not all(is_ascii_digits(key) and len(key) <= 5 for key in value):
                raise serializers.ValidationError(
                    "Keys are choice positions, whole numbers from 1 written as text."
                )
            return {int(key): weight for key, weight in value.items()}

    @extend_schema_serializer(component_name="PollSimulation")
    class OutputSerializer(serializers.Serializer):
        """The poll's result as it stands (``live``) and with the tried vote
        (``simulated``), per choice by simulated rank."""

        poll = serializers.IntegerField()
        balance = serializers.DecimalField(max_digits=31, decimal_places=18)
        voting_power = serializers.CharField(help_text="The balance in base units.")
        weights = serializers.DictField(child=serializers.IntegerField())
        replaces_vote = serializers.BooleanField(
            help_text="Whether the tried vote replaces the address's counted vote."
        )
        threshold_hbot = serializers.IntegerField(help_text="The inclusion threshold, HBOT.")
        live = SimulationTotalsSerializer()
        simulated = SimulationTotalsSerializer()
        choices = SimulationChoiceSerializer(many=True, help_text="By simulated rank.")

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="invalid (fields), unknown_choice, zero_weights, malformed (too "
                "many choices, several on a For/Against/Abstain vote), invalid_balance, "
                "invalid_address",
            ),
            404: OpenApiResponse(ErrorSerializer, description="No such poll."),
            409: OpenApiResponse(ErrorSerializer, description="poll_not_active"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        simulation = poll_simulate(
            poll=poll_get(pk=pk),
            weights=values["weights"],
            balance_hbot=values["balance"],
            address=values.get("address") or None,
        )
        return Response(self.OutputSerializer(simulation_data(simulation)).data)
