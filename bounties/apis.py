"""The bounties API under ``/api/v1/``: read the board, pots and the leaderboard; staff and
maintainers make the same moves as on the pages. Each write view validates its input, calls
one service and returns the result; a refusal is ``{"error": ..., "code": ...}`` with the
service's HTTP status, and nothing is written."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bounties import selectors
from bounties.errors import BountyError
from bounties.fees import fee_split
from bounties.fields import AMOUNT_PLACES
from bounties.filters import BountyFilter
from bounties.models import (
    Bounty,
    BountyEvent,
    BountyStatus,
    BountyType,
    Denomination,
    FundingSource,
    Payout,
    Pot,
    PotEntry,
    Priority,
)
from bounties.payout_wait import payout_wait
from bounties.services import bounties as lifecycle
from bounties.services.payouts import payout_verify
from bounties.services.pots import pot_sponsor_fund
from bounties.services.tracker import bounties_export_csv
from connectors_registry.models import Chain, Connector, Exchange, Maintainer
from core.serializers import ErrorSerializer, JsonInputSerializer
from core.text import is_ascii_digits
from governance.models import Proposal

AMOUNT: dict[str, Any] = {
    "max_digits": 19 + AMOUNT_PLACES,
    "decimal_places": AMOUNT_PLACES,
    "coerce_to_string": True,
}


# --- read -------------------------------------------------------------------------------


@extend_schema_serializer(component_name="BountyMaintainer")
class MaintainerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    github_handle = serializers.CharField()


class PayoutWaitSerializer(serializers.Serializer):
    """When a merged bounty becomes payable (bounties/payout_wait.py)."""

    payable = serializers.BooleanField()
    reason = serializers.CharField()
    green_days = serializers.IntegerField()
    operational_since = serializers.DateTimeField(allow_null=True)
    payable_at = serializers.DateTimeField(allow_null=True)


class BountySerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="bounty_type")
    type_display = serializers.CharField()
    connector = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    exchange = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    chain = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    subject = serializers.CharField(source="subject_display")
    amount = serializers.DecimalField(allow_null=True, **AMOUNT)
    developer_portion = serializers.SerializerMethodField()
    funded_by = serializers.CharField(source="source_display")
    proposal = serializers.SerializerMethodField()
    pot = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    assignee = MaintainerRefSerializer(allow_null=True)
    is_idle = serializers.BooleanField()
    url = serializers.SerializerMethodField()
    payout_wait = serializers.SerializerMethodField(
        help_text="Merged bounties only: whether the connector's green days allow the payout."
    )

    class Meta:
        model = Bounty
        fields = [
            "id",
            "title",
            "description",
            "type",
            "priority",
            "type_display",
            "connector",
            "exchange",
            "chain",
            "subject",
            "amount",
            "denomination",
            "developer_portion",
            "funding_source",
            "funded_by",
            "sponsor_name",
            "proposal",
            "pot",
            "tracker_id",
            "issue_url",
            "pr_url",
            "acceptance_criteria",
            "deadline",
            "assignee",
            "status",
            "assigned_at",
            "last_activity_at",
            "is_idle",
            "idle_flagged_at",
            "closed_at",
            "is_imported",
            "origin_url",
            "created_at",
            "updated_at",
            "url",
            "payout_wait",
        ]

    @extend_schema_field(PayoutWaitSerializer(allow_null=True))
    def get_payout_wait(self, obj: Bounty) -> dict[str, Any] | None:
        if obj.status != BountyStatus.MERGED:
            return None
        return dict(PayoutWaitSerializer(payout_wait(bounty=obj)).data)

    def get_developer_portion(self, obj: Bounty) -> str | None:
        if obj.amount is None:
            return None
        split = fee_split(amount=obj.amount, denomination=obj.denomination)
        return f"{split.developer_portion:f}"

    def get_proposal(self, obj: Bounty) -> str | None:
        return obj.proposal.reference if obj.proposal else None

    def get_url(self, obj: Bounty) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class BountyListApi(generics.ListAPIView):
    """Bounties, filtered by ``status``, ``type``, ``denomination``, ``connector`` (a
    connector's or an exchange's slug), ``assignee`` (GitHub handle) and ``q``. Staff may
    POST a new one (it starts as Potential)."""

    serializer_class = BountySerializer
    filterset_class = BountyFilter

    @extend_schema_serializer(component_name="BountyCreateInput")
    class InputSerializer(JsonInputSerializer):
        title = serializers.CharField(max_length=200)
        type = serializers.ChoiceField(choices=BountyType.choices)
        priority = serializers.ChoiceField(choices=Priority.choices, required=False, default="")
        description = serializers.CharField(required=False, default="", allow_blank=True)
        connector = serializers.SlugRelatedField(
            slug_field="slug", queryset=Connector.objects.all(), required=False, allow_null=True
        )
        exchange = serializers.SlugRelatedField(
            slug_field="slug", queryset=Exchange.objects.all(), required=False, allow_null=True
        )
        chain = serializers.SlugRelatedField(
            slug_field="slug", queryset=Chain.objects.all(), required=False, allow_null=True
        )
        amount = serializers.DecimalField(required=False, allow_null=True, **AMOUNT)
        denomination = serializers.ChoiceField(
            choices=Denomination.choices, default=Denomination.HBOT
        )
        funding_source = serializers.ChoiceField(
            choices=FundingSource.choices, default=FundingSource.POT
        )
        sponsor_name = serializers.CharField(required=False, default="", allow_blank=True)
        proposal = serializers.CharField(
            required=False, default="", allow_blank=True, help_text="e.g. HGP-85"
        )
        issue_url = serializers.CharField(required=False, default="", allow_blank=True)
        acceptance_criteria = serializers.CharField(required=False, default="", allow_blank=True)
        deadline = serializers.DateField(required=False, allow_null=True, default=None)

    def get_queryset(self) -> QuerySet[Bounty]:
        return selectors.bounty_list()

    @extend_schema(request=InputSerializer, responses={201: BountySerializer, 400: ErrorSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["bounty_type"] = values.pop("type")
        values["proposal"] = _proposal(values.pop("proposal"))
        bounty = lifecycle.bounty_create(actor=request.user, **values)
        return Response(
            BountySerializer(bounty, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def _proposal(reference: str) -> Proposal | None:
    if not reference:
        return None
    kind, _, number = reference.strip().upper().partition("-")
    proposal = Proposal.objects.filter(
        proposal_type=kind, number=int(number) if is_ascii_digits(number) else -1
    ).first()
    if proposal is None:
        raise BountyError(f"{reference} is not a proposal on this site.")
    return proposal


class BountyDetailApi(generics.RetrieveAPIView):
    serializer_class = BountySerializer

    def get_queryset(self) -> QuerySet[Bounty]:
        return selectors.bounty_list()


class BountyEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", allow_null=True, default=None)
    maintainer = MaintainerRefSerializer(allow_null=True)

    class Meta:
        model = BountyEvent
        fields = ["kind", "from_status", "to_status", "actor", "maintainer", "note", "created_at"]


class BountyEventListApi(generics.ListAPIView):
    """A bounty's history, oldest first: every transition, who made it and when."""

    serializer_class = BountyEventSerializer

    def get_queryset(self) -> QuerySet[BountyEvent]:
        if getattr(self, "swagger_fake_view", False):
            return BountyEvent.objects.none()
        return selectors.bounty_events(bounty=selectors.bounty_get(pk=self.kwargs["pk"]))


class BountyCsvApi(APIView):
    """The bounties (filtered like the list) as the tracker's CSV; ``columns=tracker`` for
    only the tracker's eight columns."""

    @extend_schema(responses={(200, "text/csv"): str})
    def get(self, request: Request) -> HttpResponse:
        bounty_filter = BountyFilter(request.query_params, queryset=selectors.bounty_list())
        if not bounty_filter.is_valid():
            raise ValidationError(bounty_filter.errors)
        text = bounties_export_csv(
            bounties=bounty_filter.qs.order_by("created_at", "id"),
            tracker_only=request.query_params.get("columns") == "tracker",
        )
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="bounties.csv"'
        return response


# --- moves ------------------------------------------------------------------------------


class _BountyActionApi(APIView, metaclass=ABCMeta):
    """POST one move on one bounty; the answer is the bounty as it is now."""

    permission_classes = [permissions.IsAuthenticated]
    InputSerializer: type[serializers.Serializer] = JsonInputSerializer

    @abstractmethod
    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        """Make the move through its service."""

    def post(self, request: Request, pk: int) -> Response:
        bounty = selectors.bounty_get(pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.perform(bounty, dict(data.validated_data), request)
        fresh = selectors.bounty_get(pk=pk)
        return Response(BountySerializer(fresh, context={"request": request}).data)


def _action_schema(cls: type[_BountyActionApi]) -> type[_BountyActionApi]:
    if cls.InputSerializer.__name__ == "InputSerializer":
        name = cls.__name__.removesuffix("Api") + "Input"
        extend_schema_serializer(component_name=name)(cls.InputSerializer)
    return extend_schema(
        request=cls.InputSerializer,
        responses={
            200: BountySerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            409: ErrorSerializer,
        },
    )(cls)


class NoteInput(JsonInputSerializer):
    note = serializers.CharField(max_length=4000)


class OptionalNoteInput(JsonInputSerializer):
    note = serializers.CharField(max_length=4000, required=False, default="", allow_blank=True)


def _maintainer_field(*, allow_null: bool = False) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Maintainer.objects.all(), allow_null=allow_null
    )


@_action_schema
class BountyFundApi(_BountyActionApi):
    """Staff: Potential → Open, reserving the amount in ``pot`` (a slug; default: the
    connector's, the exchange's or a chain's pot that can pay it)."""

    class InputSerializer(JsonInputSerializer):
        pot = serializers.SlugRelatedField(
            slug_field="slug", queryset=Pot.objects.all(), required=False, allow_null=True
        )

    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        return lifecycle.bounty_fund(bounty=bounty, actor=request.user, pot=data.get("pot"))


@_action_schema
class BountyApplyApi(_BountyActionApi):
    """A signed-in maintainer applies for an Open bounty with a note."""

    InputSerializer = NoteInput

    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        return lifecycle.bounty_apply(bounty=bounty, actor=request.user, note=data["note"])


@_action_schema
class BountyAssignApi(_BountyActionApi):
    """Staff: Open → Assigned to ``maintainer`` (an id)."""

    class InputSerializer(JsonInputSerializer):
        maintainer = _maintainer_field()
        note = serializers.CharField(required=False, default="", allow_blank=True)

    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        return lifecycle.bounty_assign(
            bounty=bounty, maintainer=data["maintainer"], actor=request.user, note=data["note"]
        )


@_action_schema
class BountyReassignApi(_BountyActionApi):
    """Staff: move an Assigned / Needs Work bounty from ``from_maintainer`` (the assignee you
    saw, or null) to ``to_maintainer``."""

    class InputSerializer(JsonInputSerializer):
        from_maintainer = _maintainer_field(allow_null=True)
        to_maintainer = _maintainer_field()
        note = serializers.CharField(max_length=4000)

    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        return lifecycle.bounty_reassign(bounty=bounty, actor=request.user, **data)


@_action_schema
class BountyUnassignApi(_BountyActionApi):
    class InputSerializer(JsonInputSerializer):
        from_maintainer = _maintainer_field(allow_null=True)
        note = serializers.CharField(max_length=4000)

    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        return lifecycle.bounty_unassign(bounty=bounty, actor=request.user, **data)


@_action_schema
class BountyProgressApi(_BountyActionApi):
    """The assignee reports progress (resets the idle clock)."""

    InputSerializer = NoteInput

    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        return lifecycle.bounty_progress_note(bounty=bounty, actor=request.user, note=data["note"])


@_action_schema
class BountySubmitApi(_BountyActionApi):
    """The assignee: Assigned / Needs Work → Submitted, with the pull request's link."""

    class InputSerializer(JsonInputSerializer):
        pr_url = serializers.CharField(max_length=300)
        note = serializers.CharField(required=False, default="", allow_blank=True)

    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        return lifecycle.bounty_submit(bounty=bounty, actor=request.user, **data)


@_action_schema
class BountyRequestChangesApi(_BountyActionApi):
    """Staff: Submitted → Needs Work."""

    InputSerializer = NoteInput

    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        return lifecycle.bounty_request_changes(bounty=bounty, actor=request.user, **data)


@_action_schema
class BountyMergeApi(_BountyActionApi):
    """Staff: Submitted → Merged."""

    InputSerializer = OptionalNoteInput

    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        return lifecycle.bounty_merge(bounty=bounty, actor=request.user, **data)


@_action_schema
class BountyCloseApi(_BountyActionApi):
    """Staff: close (or ``wont_fix``) from any state before Merged; the reservation is
    released."""

    class InputSerializer(JsonInputSerializer):
        note = serializers.CharField(max_length=4000)
        wont_fix = serializers.BooleanField(default=False)

    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        return lifecycle.bounty_close(bounty=bounty, actor=request.user, **data)


@_action_schema
class BountyPayApi(_BountyActionApi):
    """Staff: Merged → Paid, recording the transaction; ``amount_paid`` defaults to the
    developer portion, ``recipient_address`` to the maintainer's wallet."""

    class InputSerializer(JsonInputSerializer):
        tx_hash = serializers.CharField(max_length=66)
        amount_paid = serializers.DecimalField(required=False, allow_null=True, **AMOUNT)
        recipient_address = serializers.CharField(required=False, default="", allow_blank=True)

    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        return lifecycle.bounty_pay(bounty=bounty, actor=request.user, **data)


@_action_schema
class BountyAllowEarlyPayoutApi(_BountyActionApi):
    """Staff: let a merged bounty be paid before its connector's green days, with a reason
    kept in the bounty's history."""

    class InputSerializer(JsonInputSerializer):
        reason = serializers.CharField(max_length=4000)

    def perform(self, bounty: Bounty, data: dict[str, Any], request: Request) -> object:
        return lifecycle.bounty_payout_allow_early(
            bounty=bounty, actor=request.user, reason=data["reason"]
        )


class PayoutSerializer(serializers.ModelSerializer):
    bounty_amount = serializers.DecimalField(**AMOUNT)
    fee_amount = serializers.DecimalField(**AMOUNT)
    developer_amount = serializers.DecimalField(**AMOUNT)
    amount_paid = serializers.DecimalField(**AMOUNT)
    maintainer = MaintainerRefSerializer()

    class Meta:
        model = Payout
        fields = [
            "id",
            "bounty",
            "maintainer",
            "denomination",
            "bounty_amount",
            "fee_percent",
            "fee_amount",
            "developer_amount",
            "amount_paid",
            "tx_hash",
            "recipient_address",
            "paid_at",
            "verification_status",
            "verification_note",
            "verified_block",
            "verified_at",
        ]


class PayoutVerifyApi(APIView):
    """Staff: check a payout's HBOT transfer on-chain now."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(request=None, responses={200: PayoutSerializer, 503: ErrorSerializer})
    def post(self, request: Request, pk: int) -> Response:
        payout = generics.get_object_or_404(Payout.objects.all(), pk=pk)
        return Response(PayoutSerializer(payout_verify(payout=payout)).data)


# --- pots -------------------------------------------------------------------------------


class TotalsSerializer(serializers.Serializer):
    denomination = serializers.CharField()
    balance = serializers.DecimalField(**AMOUNT)
    available = serializers.DecimalField(**AMOUNT)
    reserved = serializers.DecimalField(**AMOUNT)
    credited = serializers.DecimalField(**AMOUNT)
    paid_out = serializers.DecimalField(**AMOUNT)


class PotSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    subject_kind = serializers.CharField()
    exchange = serializers.CharField(source="exchange.slug", allow_null=True, default=None)
    connector = serializers.CharField(source="connector.slug", allow_null=True, default=None)
    chain = serializers.CharField(source="chain.slug", allow_null=True, default=None)
    totals = TotalsSerializer(many=True)


def _pot_data(pot: Pot, totals: dict[str, selectors.PotTotals]) -> dict[str, Any]:
    data = PotSerializer(
        {
            **pot.__dict__,
            "subject_kind": pot.subject_kind,
            "slug": pot.slug,
            "name": pot.name,
            "exchange": pot.exchange,
            "connector": pot.connector,
            "chain": pot.chain,
            "totals": list(totals.values()),
        }
    ).data
    return dict(data)


class PotListApi(APIView):
    """Every pot with its balance and available amount per denomination."""

    @extend_schema(responses={200: PotSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response([_pot_data(pot, totals) for pot, totals in selectors.pot_list()])


class PotDetailApi(APIView):
    """A pot's totals and its balance over time (after every entry)."""

    @extend_schema(responses={200: PotSerializer})
    def get(self, request: Request, slug: str) -> Response:
        pot = selectors.pot_get(slug=slug)
        data = _pot_data(pot, selectors.pot_totals(pot=pot))
        data["history"] = {
            denomination: [
                {"at": p.at, "balance": f"{p.balance:f}", "available": f"{p.available:f}"}
                for p in points
            ]
            for denomination, points in selectors.pot_history(pot=pot).items()
        }
        return Response(data)


class PotEntrySerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**AMOUNT)
    balance_after = serializers.DecimalField(**AMOUNT)
    available_after = serializers.DecimalField(**AMOUNT)
    poll = serializers.IntegerField(source="pot_credit.poll_id", allow_null=True, default=None)
    proposal = serializers.CharField(
        source="pot_credit.proposal.reference", allow_null=True, default=None
    )

    class Meta:
        model = PotEntry
        fields = [
            "sequence",
            "kind",
            "denomination",
            "amount",
            "balance_after",
            "available_after",
            "bounty",
            "poll",
            "proposal",
            "sponsor_name",
            "note",
            "created_at",
        ]


class PotEntryListApi(generics.ListAPIView):
    """A pot's ledger, newest first."""

    serializer_class = PotEntrySerializer

    def get_queryset(self) -> QuerySet[PotEntry]:
        if getattr(self, "swagger_fake_view", False):
            return PotEntry.objects.none()
        return selectors.pot_entries(pot=selectors.pot_get(slug=self.kwargs["slug"]))


class PotSponsorFundingApi(APIView):
    """Staff: record a sponsor's funding of a pot."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="SponsorFundingInput")
    class InputSerializer(JsonInputSerializer):
        sponsor_name = serializers.CharField(max_length=120)
        denomination = serializers.ChoiceField(choices=Denomination.choices)
        amount = serializers.DecimalField(**AMOUNT)
        note = serializers.CharField(required=False, default="", allow_blank=True)

    @extend_schema(request=InputSerializer, responses={201: PotEntrySerializer})
    def post(self, request: Request, slug: str) -> Response:
        pot = selectors.pot_get(slug=slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = pot_sponsor_fund(pot=pot, actor=request.user, **data.validated_data)
        return Response(PotEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


# --- maintainers ------------------------------------------------------------------------


class LeaderboardRowSerializer(serializers.Serializer):
    maintainer = MaintainerRefSerializer()
    paid_bounties = serializers.IntegerField()
    earnings = serializers.DictField(child=serializers.DecimalField(**AMOUNT))


class LeaderboardApi(APIView):
    """Maintainers by paid bounties (``by=bounties``) or by earnings in one currency
    (``by=hbot``, ``usdc``, ``usdt``)."""

    @extend_schema(responses={200: LeaderboardRowSerializer(many=True)})
    def get(self, request: Request) -> Response:
        order = request.query_params.get("by", "bounties")
        if order not in selectors.LEADERBOARD_ORDER:
            known = ", ".join(selectors.LEADERBOARD_ORDER)
            return Response({"error": f"by must be one of {known}.", "code": "invalid"}, 400)
        rows = selectors.leaderboard(order=order)
        return Response(LeaderboardRowSerializer(rows, many=True).data)


class MaintainerProfileApi(APIView):
    """A maintainer's bounties and earnings, by GitHub handle (or id)."""

    @extend_schema(responses={200: None})
    def get(self, request: Request, handle: str) -> Response:
        maintainer = selectors.maintainer_get(handle=handle)
        earnings = selectors.maintainer_earnings(maintainer=maintainer)
        bounties = selectors.maintainer_bounties(maintainer=maintainer)
        return Response(
            {
                **MaintainerRefSerializer(maintainer).data,
                "earnings": {d: f"{v:f}" for d, v in earnings.items()},
                "bounties": BountySerializer(
                    bounties, many=True, context={"request": request}
                ).data,
            }
        )
