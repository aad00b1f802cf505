"""Poll pages: the list, a poll with its live or frozen result, the facts beside its
choices, its votes voter by voter, the wallet voting form (which posts to the API's
``POST /api/v1/polls/<pk>/votes/``) and the allocation simulator's form, staff's
open/finalize buttons, and the results history.

Thin: reads come from ``governance.selectors``, writes from ``governance.services``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core.text import is_ascii_digits
from governance import eip712, selectors
from governance.ballot import poll_ballot_facts
from governance.chain.balances import checksum
from governance.models import Poll, PollKind, Vote
from governance.services.errors import GovernanceError
from governance.services.polls import poll_finalize, poll_open
from governance.simulator import PollSimulation, SimulationBadBalance, poll_simulate
from governance.units import token_amount

RESULTS_TEMPLATE = "governance/_poll_results.html"


@require_safe
def poll_list(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/poll_list.html", {"sections": selectors.poll_sections()})


@require_safe
def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poll = selectors.poll_get(pk=pk)
    return render(request, "governance/poll_detail.html", poll_page_context(request, poll))


def poll_page_context(request: HttpRequest, poll: Poll) -> dict[str, Any]:
    """What the poll panels need; the proposal page embeds the same panels."""
    results = selectors.poll_results(poll=poll)
    holder = selectors.holder_on_poll(poll=poll, user=request.user)
    prefill = dict(_prefill(holder.vote))
    you = holder.wallet.address if holder.wallet is not None else None
    return {
        "poll": poll,
        "results": results,
        "voters": selectors.poll_voters(poll=poll, you=you)
        if selectors.poll_lists_votes(poll=poll)
        else None,
        "you_url": reverse("governance:voting-power") if you else "",
        "ballot_facts": poll_ballot_facts(poll=poll),
        "holder": holder,
        "vote_config": vote_config(poll) if poll.accepts_votes else None,
        "vote_rows": [(c, prefill.get(c.position, 0)) for c in poll.choices.all()],
        "simulator": simulator_form(poll=poll, holder=holder)
        if poll.accepts_votes and not poll.is_proposal_vote
        else None,
        "rules_slug": poll.rules_snapshot.get("rules") or (poll.rules.slug if poll.rules else ""),
    }


def vote_config(poll: Poll) -> dict[str, Any]:
    """The pieces of the EIP-712 Vote the page's script signs (embedded as JSON)."""
    return {
        "poll": poll.pk,
        "primaryType": "Vote",
        "types": eip712.VOTE_TYPES,
        "domain": eip712.domain(),
        "maxWeight": eip712.MAX_WEIGHT,
        "method": poll.voting_method,
    }


def _prefill(vote: Vote | None) -> list[tuple[int, int]]:
    return [(int(c), int(w)) for c, w in vote.weights] if vote is not None else []


def simulator_form(
    *,
    poll: Poll,
    holder: selectors.HolderOnPoll,
    submitted: dict[str, str] | None = None,
    simulation: PollSimulation | None = None,
    error: str = "",
) -> dict[str, Any]:
    """The simulator's form: what was submitted, else the signed-in holder's balance at
    the snapshot, wallet and current vote."""
    if submitted is None:
        weights = dict(_prefill(holder.vote))
        balance = holder.balance
        submitted = {
            "balance": token_amount(balance, settings.HBOT_DECIMALS) if balance else "",
            "address": holder.wallet.address if holder.wallet is not None else "",
            **{f"weight_{c.position}": str(weights.get(c.position, 0)) for c in poll.choices.all()},
        }
    return {
        "balance": submitted.get("balance", ""),
        "address": submitted.get("address", ""),
        "rows": [(c, submitted.get(f"weight_{c.position}", "0")) for c in poll.choices.all()],
        "simulation": simulation,
        "error": error,
    }


@never_cache
@require_safe
def poll_results_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The current result as data, and as the results panel's HTML for in-place refresh."""
    poll = selectors.poll_get(pk=pk)
    results = selectors.poll_results(poll=poll)
    context = {"poll": poll, "results": results, "ballot_facts": poll_ballot_facts(poll=poll)}
    html = render_to_string(RESULTS_TEMPLATE, context, request=request)
    return JsonResponse({**results.as_json(), "html": html})


@require_safe
def poll_voters_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The list of votes, a page at a time: where the poll page's "Show more" leads when
    no script runs (with one, it reads ``voters.json`` and appends the rows in place)."""
    poll = selectors.poll_get(pk=pk)
    if not selectors.poll_lists_votes(poll=poll):
        raise Http404("This poll has no signed votes to list.")
    context: dict[str, Any] = {"poll": poll, "voters": None, "error": ""}
    try:
        after, you, you_url = _voters_query(request)
    except ValueError as exc:
        context["error"] = str(exc)
        return render(request, "governance/poll_voters.html", context, status=400)
    context["voters"] = selectors.poll_voters(poll=poll, after=after, you=you)
    context["you_url"] = you_url
    return render(request, "governance/poll_voters.html", context)


@never_cache
@require_safe
def poll_voters_json(request: HttpRequest, pk: int) -> JsonResponse:
    """A page of the list of votes as data and as list rows, for "Show more" and for the
    list's refresh after a vote (``?voter=`` puts that voter's vote first)."""
    poll = selectors.poll_get(pk=pk)
    if not selectors.poll_lists_votes(poll=poll):
        raise Http404("This poll has no signed votes to list.")
    try:
        after, you, you_url = _voters_query(request)
    except ValueError as exc:
        return JsonResponse({"error": str(exc), "code": "invalid_query"}, status=400)
    voters = selectors.poll_voters(poll=poll, after=after, you=you)
    html = render_to_string(
        "governance/_voter_rows.html",
        {"poll": poll, "voters": voters, "you_url": you_url},
        request=request,
    )
    return JsonResponse(
        {
            "poll": poll.pk,
            "voters": voters.as_json(),
            "next": _voters_next(poll, voters),
            "html": html,
        }
    )


def _voters_query(
    request: HttpRequest,
) -> tuple[selectors.VoterCursor | None, str | None, str]:
    """``?after=`` (where the page starts) and whose vote comes first: ``?voter=`` (the
    address the page just voted with), else the signed-in holder's wallet. Also the link of
    that voter's own row: their voting-power page, when it is the signed-in wallet."""
    after_text = request.GET.get("after", "")
    after = selectors.VoterCursor.parse(after_text) if after_text else None
    wallet = selectors.wallet_for_user(user=request.user)
    voter_text = request.GET.get("voter", "")
    if voter_text:
        try:
            you: str | None = checksum(voter_text[:100])
        except ValueError:
            raise ValueError(
                "voter must be an Ethereum address (0x and 40 hex digits), "
                f"not {voter_text[:100]!r}."
            ) from None
    else:
        you = wallet.address if wallet is not None else None
    signed_in = wallet is not None and wallet.address == you
    return after, you, reverse("governance:voting-power") if signed_in else ""


def _voters_next(poll: Poll, voters: selectors.PollVoters) -> dict[str, str] | None:
    """Where the next page of votes is: as a page, and as data."""
    if voters.next is None:
        return None
    query = urlencode({"after": str(voters.next)})
    return {
        "page": f"{reverse('governance:poll-voters', args=[poll.pk])}?{query}",
        "json": f"{reverse('governance:poll-voters-json', args=[poll.pk])}?{query}",
    }


@require_POST
def poll_simulate_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The simulator's form (no script needed): the poll page again, with the result as it
    would stand after the tried vote beside the live one. Nothing is signed or written."""
    poll = selectors.poll_get(pk=pk)
    context = poll_page_context(request, poll)
    submitted = {
        key: request.POST.get(key, "").strip()[:100]
        for key in ["balance", "address", *(f"weight_{c.position}" for c in poll.choices.all())]
    }
    simulation, error, status = None, "", 200
    try:
        simulation = poll_simulate(
            poll=poll,
            weights=_form_weights(poll, submitted),
            balance_hbot=_form_balance(submitted["balance"]),
            address=submitted["address"] or None,
        )
    except GovernanceError as exc:
        error, status = exc.message, exc.http_status
    context["simulator"] = simulator_form(
        poll=poll,
        holder=context["holder"],
        submitted=submitted,
        simulation=simulation,
        error=error,
    )
    return render(request, "governance/poll_detail.html", context, status=status)


def _form_weights(poll: Poll, submitted: dict[str, str]) -> dict[int, int]:
    """The weights typed in the form; blank is 0. Only those above 0 are tried (all of
    them when none is, so the refusal says every weight is zero)."""
    weights: dict[int, int] = {}
    for choice in poll.choices.all():
        text = submitted[f"weight_{choice.position}"] or "0"
        if not is_ascii_digits(text):
            raise GovernanceError(
                f"The weight of {choice.label} must be a whole number from 0 up, not {text!r}."
            )
        weights[choice.position] = int(text)
    return {p: w for p, w in weights.items() if w} or weights


def _form_balance(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", "").replace("_", ""))
    except ArithmeticError:
        raise SimulationBadBalance(
            f"Give the HBOT to vote with as a number, e.g. 250000, not {text!r}."
        ) from None


@staff_member_required
@require_POST
def poll_open_now(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    poll = get_object_or_404(Poll, pk=pk)
    try:
        poll = poll_open(poll=poll)
    except GovernanceError as exc:
        messages.error(request, f"Could not open the poll: {exc.message}")
    else:
        messages.success(
            request,
            f"The poll is open until {poll.ends_at:%d %b %Y %H:%M} UTC; snapshot block "
            f"{poll.snapshot_block}.",
        )
    return HttpResponseRedirect(poll.get_absolute_url())


@staff_member_required
@require_POST
def poll_finalize_now(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    poll = get_object_or_404(Poll, pk=pk)
    try:
        actor = request.user if request.user.is_authenticated else None
        result = poll_finalize(poll=poll, actor=actor)
    except GovernanceError as exc:
        messages.error(request, f"Could not finalize the poll: {exc.message}")
    else:
        messages.success(
            request, f"Finalized: {result.voter_count} voter(s); the result is frozen."
        )
    return HttpResponseRedirect(poll.get_absolute_url())


@require_safe
def results_history(request: HttpRequest) -> HttpResponse:
    options = selectors.results_filter_options()
    kind = request.GET.get("kind") or None
    epoch_text = request.GET.get("epoch") or None
    errors = []
    if kind is not None and kind not in PollKind.values:
        errors.append(f"Unknown poll kind {kind!r}.")
        kind = None
    epoch: int | None = None
    if epoch_text is not None:
        if is_ascii_digits(epoch_text):
            epoch = int(epoch_text)
        else:
            errors.append(f"Epoch must be a number, not {epoch_text!r}.")
    polls = selectors.results_history(kind=kind, epoch=epoch)
    return render(
        request,
        "governance/results.html",
        {
            "results_list": [selectors.poll_results(poll=poll) for poll in polls],
            "options": options,
            "kind": kind or "",
            "epoch": epoch,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
