"""Bounty pages: the board, a bounty with its history and actions, pots, maintainers, the
leaderboard and the signed-in maintainer's profile. Views parse input, call one service or
selector, and render; refusals are shown as messages, nothing is half-done."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bounties import selectors
from bounties.errors import BountyError, CsvImportError
from bounties.fees import fee_split
from bounties.filters import BountyFilter
from bounties.forms import (
    AssignForm,
    BountyCreateForm,
    CloseForm,
    FundForm,
    MaintainerProfileForm,
    NoteForm,
    OptionalNoteForm,
    PayForm,
    SponsorFundingForm,
    SubmitForm,
    TrackerImportForm,
)
from bounties.models import (
    ACTIVE,
    CLOSABLE,
    ApplicationStatus,
    Bounty,
    BountyStatus,
    Denomination,
    VerificationStatus,
)
from bounties.payout_wait import payout_wait
from bounties.services import bounties as lifecycle
from bounties.services.maintainers import maintainer_profile_save
from bounties.services.payouts import payout_verify
from bounties.services.pots import pot_sponsor_fund
from bounties.services.tracker import bounties_export_csv, bounties_import_csv
from connectors_registry.models import Maintainer
from governance.models import Wallet


def _maintainer_of(request: HttpRequest) -> Maintainer | None:
    if not request.user.is_authenticated:
        return None
    return Maintainer.objects.filter(user_id=request.user.pk).first()


def _form_errors(form: Any) -> str:
    return " ".join(
        f"{form.fields[f].label or f.replace('_', ' ').capitalize() if f in form.fields else ''}: "
        f"{e}".lstrip(": ")
        for f, errors in form.errors.items()
        for e in errors
    )


# --- the board --------------------------------------------------------------------------


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    bounty_filter = BountyFilter(request.GET, queryset=selectors.bounty_list())
    valid = bounty_filter.is_valid()
    bounties = bounty_filter.qs if valid else selectors.bounty_list().none()
    include_closed = request.GET.get("closed") == "1"
    return render(
        request,
        "bounties/board.html",
        {
            "filter": bounty_filter,
            "columns": selectors.bounty_board(bounties=bounties, include_closed=include_closed),
            "include_closed": include_closed,
            "filtered": any(v for k, v in request.GET.items() if k != "closed"),
            "my_maintainer": _maintainer_of(request),
        },
        status=200 if valid else 400,
    )


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    bounty_filter = BountyFilter(request.GET, queryset=selectors.bounty_list())
    bounties = bounty_filter.qs if bounty_filter.is_valid() else Bounty.objects.none()
    text = bounties_export_csv(
        bounties=bounties.order_by("created_at", "id"),
        tracker_only=request.GET.get("columns") == "tracker",
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bounties.csv"'
    return response


@require_http_methods(["GET", "POST"])
def import_csv(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        return _staff_only(request)
    form = TrackerImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            errors = ["The file is not UTF-8 text; save it as CSV (UTF-8)."]
        else:
            try:
                report = bounties_import_csv(text=text, actor=request.user)
            except CsvImportError as exc:
                errors = [exc.message, *exc.errors]
            else:
                messages.success(request, f"Imported: {report.summary()}")
                return redirect("bounties:board")
    return render(request, "bounties/import.html", {"form": form, "errors": errors})


# --- a bounty ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def bounty_create(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        return _staff_only(request)
    form = BountyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bounty = lifecycle.bounty_create(actor=request.user, **form.cleaned_data)
        except BountyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Bounty #{bounty.pk} created as Potential.")
            return redirect(bounty)
    return render(request, "bounties/bounty_form.html", {"form": form})


@require_GET
def bounty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bounty = selectors.bounty_get(pk=pk)
    me = _maintainer_of(request)
    applications = list(selectors.bounty_applications(bounty=bounty))
    my_application = next((a for a in applications if me and a.maintainer_id == me.pk), None)
    is_staff = request.user.is_staff
    is_assignee = me is not None and bounty.assignee_id == me.pk
    split = (
        fee_split(amount=bounty.amount, denomination=bounty.denomination) if bounty.amount else None
    )
    payout = getattr(bounty, "payout", None) if bounty.status == BountyStatus.PAID else None
    context = {
        "bounty": bounty,
        "events": selectors.bounty_events(bounty=bounty),
        "applications": applications,
        "pending_applications": [a for a in applications if a.status == ApplicationStatus.PENDING],
        "my_application": my_application,
        "me": me,
        "is_staff": is_staff,
        "is_assignee": is_assignee,
        "can_apply": bounty.status == BountyStatus.OPEN and not is_assignee,
        "is_active": bounty.status in ACTIVE,
        "is_closable": bounty.status in CLOSABLE,
        "split": split,
        "payout": payout,
        "payout_wait": payout_wait(bounty=bounty) if bounty.status == BountyStatus.MERGED else None,
        "pots": selectors.pots_for_bounty(bounty=bounty) if is_staff else [],
        "assign_form": AssignForm(),
        "pay_form": PayForm(),
        "hbot": Denomination.HBOT,
        "verified": VerificationStatus.VERIFIED,
    }
    return render(request, "bounties/bounty_detail.html", context)


def _staff_only(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("governance:sign-in"))
    return render(request, "bounties/forbidden.html", status=403)


def _act(
    request: HttpRequest,
    pk: int,
    form_class: Callable[[Any], Any],
    run: Callable[[Bounty, dict[str, Any]], object],
    done: str,
) -> HttpResponseRedirect:
    """Parse the form, run one service, say what happened, go back to the bounty."""
    bounty = selectors.bounty_get(pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(bounty.get_absolute_url(), reverse("governance:sign-in"))
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(bounty)
    try:
        run(bounty, form.cleaned_data)
    except BountyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(bounty)


@require_POST
def bounty_fund(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    bounty = selectors.bounty_get(pk=pk)
    pots = selectors.pots_for_bounty(bounty=bounty)
    return _act(
        request,
        pk,
        lambda data: FundForm(data, pots=pots),
        lambda b, d: lifecycle.bounty_fund(bounty=b, actor=request.user, pot=d["pot"]),
        "Funded: the amount is reserved and the bounty is Open.",
    )


@require_POST
def bounty_apply(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return _act(
        request,
        pk,
        NoteForm,
        lambda b, d: lifecycle.bounty_apply(bounty=b, actor=request.user, note=d["note"]),
        "You applied. Staff will assign the bounty; you will see it here.",
    )


@require_POST
def bounty_assign(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    def run(bounty: Bounty, data: dict[str, Any]) -> object:
        if bounty.status in ACTIVE:
            return lifecycle.bounty_reassign(
                bounty=bounty,
                from_maintainer=bounty.assignee,
                to_maintainer=data["maintainer"],
                actor=request.user,
                note=data["note"] or "Reassigned by staff.",
            )
        return lifecycle.bounty_assign(
            bounty=bounty, maintainer=data["maintainer"], actor=request.user, note=data["note"]
        )

    return _act(request, pk, AssignForm, run, "Assigned.")


@require_POST
def bounty_unassign(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return _act(
        request,
        pk,
        NoteForm,
        lambda b, d: lifecycle.bounty_unassign(
            bounty=b, from_maintainer=b.assignee, actor=request.user, note=d["note"]
        ),
        "Unassigned: the bounty is Open again.",
    )


@require_POST
def bounty_progress(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return _act(
        request,
        pk,
        NoteForm,
        lambda b, d: lifecycle.bounty_progress_note(bounty=b, actor=request.user, note=d["note"]),
        "Progress noted.",
    )


@require_POST
def bounty_submit(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return _act(
        request,
        pk,
        SubmitForm,
        lambda b, d: lifecycle.bounty_submit(
            bounty=b, actor=request.user, pr_url=d["pr_url"], note=d["note"]
        ),
        "Submitted for review.",
    )


@require_POST
def bounty_request_changes(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return _act(
        request,
        pk,
        NoteForm,
        lambda b, d: lifecycle.bounty_request_changes(bounty=b, actor=request.user, note=d["note"]),
        "Sent back: Needs Work.",
    )


@require_POST
def bounty_merge(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return _act(
        request,
        pk,
        OptionalNoteForm,
        lambda b, d: lifecycle.bounty_merge(bounty=b, actor=request.user, note=d["note"]),
        "Marked merged.",
    )


@require_POST
def bounty_close(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return _act(
        request,
        pk,
        CloseForm,
        lambda b, d: lifecycle.bounty_close(
            bounty=b, actor=request.user, note=d["note"], wont_fix=d["wont_fix"]
        ),
        "Closed; its reservation went back to the pot.",
    )


@require_POST
def bounty_pay(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return _act(
        request,
        pk,
        PayForm,
        lambda b, d: lifecycle.bounty_pay(
            bounty=b,
            actor=request.user,
            tx_hash=d["tx_hash"],
            amount_paid=d["amount_paid"],
            recipient_address=d["recipient_address"],
            paid_at=timezone.now(),
        ),
        "Payout recorded. HBOT payouts are checked on-chain in the background.",
    )


@require_POST
def bounty_allow_early_payout(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return _act(
        request,
        pk,
        NoteForm,
        lambda b, d: lifecycle.bounty_payout_allow_early(
            bounty=b, actor=request.user, reason=d["note"]
        ),
        "Payout allowed before the green days; the reason is in the history.",
    )


@require_POST
def payout_check(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    bounty = selectors.bounty_get(pk=pk)
    if not request.user.is_staff:
        messages.error(request, "Only Foundation staff can check payouts.")
        return redirect(bounty)
    payout = getattr(bounty, "payout", None)
    if payout is None:
        messages.error(request, "This bounty has no payout to check.")
        return redirect(bounty)
    try:
        payout = payout_verify(payout=payout)
    except BountyError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(
            request, f"{payout.get_verification_status_display()}: {payout.verification_note}"
        )
    return redirect(bounty)


# --- pots -------------------------------------------------------------------------------


@require_GET
def pot_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "bounties/pot_list.html",
        {"pots": selectors.pot_summaries()},
    )


@require_http_methods(["GET", "POST"])
def pot_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pot = selectors.pot_get(slug=slug)
    form = SponsorFundingForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_staff:
            return _staff_only(request)
        if form.is_valid():
            try:
                pot_sponsor_fund(pot=pot, actor=request.user, **form.cleaned_data)
            except BountyError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Sponsor funding recorded.")
                return redirect(pot)
    history = selectors.pot_history(pot=pot)
    entries = Paginator(selectors.pot_entries(pot=pot), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "bounties/pot_detail.html",
        {
            "pot": pot,
            "totals": selectors.pot_totals(pot=pot),
            "history": history,
            "page": entries,
            "bounties": selectors.pot_open_bounties(pot=pot)[:50],
            "form": form,
        },
    )


# --- maintainers ------------------------------------------------------------------------


@require_GET
def maintainer_detail(request: HttpRequest, handle: str) -> HttpResponse:
    maintainer = selectors.maintainer_get(handle=handle)
    return render(
        request,
        "bounties/maintainer_detail.html",
        {
            "maintainer": maintainer,
            "earnings": selectors.maintainer_earnings(maintainer=maintainer),
            "bounties": selectors.maintainer_bounties(maintainer=maintainer),
            "payouts": maintainer.payouts.select_related("bounty").order_by("-paid_at")[:50],
            "applications": maintainer.bounty_applications.select_related("bounty")
            .filter(status=ApplicationStatus.PENDING)
            .order_by("-created_at"),
            "is_me": request.user.is_authenticated and maintainer.user_id == request.user.pk,
        },
    )


@require_GET
def leaderboard(request: HttpRequest) -> HttpResponse:
    order = request.GET.get("by", "bounties")
    if order not in selectors.LEADERBOARD_ORDER:
        order = "bounties"
    return render(
        request,
        "bounties/leaderboard.html",
        {"rows": selectors.leaderboard(order=order), "order": order},
    )


@require_http_methods(["GET", "POST"])
def me(request: HttpRequest) -> HttpResponse:
    """The signed-in wallet's maintainer profile: create it, or change name and GitHub."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("governance:sign-in"))
    maintainer = _maintainer_of(request)
    wallet = Wallet.objects.filter(user_id=request.user.pk).first()
    initial = (
        {"display_name": maintainer.display_name, "github_handle": maintainer.github_handle}
        if maintainer
        else {}
    )
    form = MaintainerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            maintainer = maintainer_profile_save(user=request.user, **form.cleaned_data)
        except BountyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Your maintainer profile is saved.")
            return redirect("bounties:me")
    return render(
        request,
        "bounties/me.html",
        {
            "form": form,
            "maintainer": maintainer,
            "wallet": wallet,
            "active": selectors.maintainer_active_bounties(maintainer=maintainer)
            if maintainer
            else [],
        },
    )
