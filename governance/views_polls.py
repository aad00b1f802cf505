"""Poll pages: the list, a poll with its live or frozen result and the wallet voting form
(which posts to the API's ``POST /api/v1/polls/<pk>/votes/``), staff's open/finalize
buttons, and the results history.

Thin: reads come from ``governance.selectors``, writes from ``governance.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core.text import is_ascii_digits
from governance import eip712, selectors
from governance.models import Poll, PollKind, Vote
from governance.services.errors import GovernanceError
from governance.services.polls import poll_finalize, poll_open

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
    return {
        "poll": poll,
        "results": results,
        "holder": holder,
        "vote_config": vote_config(poll) if poll.accepts_votes else None,
        "vote_rows": [(c, prefill.get(c.position, 0)) for c in poll.choices.all()],
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


@never_cache
@require_safe
def poll_results_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The current result as data, and as the results panel's HTML for in-place refresh."""
    poll = selectors.poll_get(pk=pk)
    results = selectors.poll_results(poll=poll)
    html = render_to_string(RESULTS_TEMPLATE, {"poll": poll, "results": results}, request=request)
    return JsonResponse({**results.as_json(), "html": html})


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
