"""Poll pages: the list, a poll with its live or frozen result and the wallet voting form,
the vote endpoint the form posts to, staff's open/finalize buttons, and the results history.

Thin: reads come from ``governance.selectors``, writes from ``governance.services``.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from governance import eip712, selectors
from governance.models import Poll, PollKind, Vote
from governance.services.errors import ChainUnavailable, GovernanceError, VoteRejected
from governance.services.polls import poll_finalize, poll_open
from governance.services.votes import vote_cast

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


# A signed vote is its own authentication: the EIP-712 signature proves the voter, and a
# forged cross-site request could only submit a vote that its voter already signed. So the
# endpoint needs no CSRF token, and scripts may post to it like the browser form does.
# Outside the request's transaction, like the API's vote endpoint: vote_cast writes in its
# own short transaction, and no lock is held while the chain is read.
@transaction.non_atomic_requests
@csrf_exempt
@never_cache
@require_POST
def poll_vote(request: HttpRequest, pk: int) -> JsonResponse:
    payload = json_payload(request, limit=settings.VOTE_MAX_BODY_BYTES)
    if isinstance(payload, JsonResponse):
        return payload
    try:
        vote = vote_cast(
            typed_data=payload["typed_data"], signature=payload["signature"], poll_id=pk
        )
    except (VoteRejected, ChainUnavailable) as exc:
        return json_error(exc.message, code=exc.code, status=exc.http_status)
    return JsonResponse(
        {
            "vote": {
                "poll": vote.poll_id,
                "voter": vote.voter,
                "weights": vote.weights,
                "voting_power": str(vote.voting_power),
                "digest": vote.digest,
                "received_at": vote.received_at.isoformat(),
            },
            "results_url": reverse("governance:poll-results", kwargs={"pk": vote.poll_id}),
        },
        status=201,
    )


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
        if epoch_text.isdigit():
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


def json_payload(request: HttpRequest, *, limit: int) -> dict[str, Any] | JsonResponse:
    """``{"typed_data": {...}, "signature": "0x..."}`` from the body, or the refusal."""
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit or len(request.body) > limit:
        return json_error(
            f"The request body is too large: at most {limit:,} bytes.",
            code="body_too_large",
            status=413,
        )
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return json_error(
            'The request body must be JSON: {"typed_data": {...}, "signature": "0x..."}.',
            code="body_invalid",
        )
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("typed_data"), dict)
        or not isinstance(payload.get("signature"), str)
    ):
        return json_error(
            'The request body must be a JSON object with "typed_data" (the signed EIP-712 '
            'object) and "signature" (0x-hex).',
            code="body_invalid",
        )
    return payload


def json_error(message: str, *, code: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message, "code": code}, status=status)
