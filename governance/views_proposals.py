"""Proposal pages: the list by stage, a proposal with its vote, and the signed new-proposal
form with the endpoint it posts to."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from governance import eip712, selectors
from governance.models import ProposalAction
from governance.services.errors import ChainUnavailable, ProposalRejected
from governance.services.proposals import proposal_create
from governance.views_polls import json_error, json_payload, poll_page_context

# A proposal's description may hold 20,000 characters (``MAX_BODY``), up to 4 bytes each in
# UTF-8, plus JSON escapes and the signature: 128 KiB and nothing more.
PROPOSAL_MAX_BODY_BYTES = 128 * 1024


@require_safe
def proposal_list(request: HttpRequest) -> HttpResponse:
    stage = request.GET.get("stage") or ""
    if stage and stage not in selectors.PROPOSAL_STAGES:
        return render(
            request,
            "governance/proposal_list.html",
            {
                "proposals": [],
                "stage": "",
                "stages": selectors.PROPOSAL_STAGES,
                "error": f"Unknown stage {stage!r}; use one of "
                f"{', '.join(selectors.PROPOSAL_STAGES)}.",
            },
            status=400,
        )
    proposals = list(selectors.proposal_list(stage=stage or None))
    return render(
        request,
        "governance/proposal_list.html",
        {
            "proposals": [(p, selectors.proposal_stage(p)) for p in proposals],
            "stage": stage,
            "stages": selectors.PROPOSAL_STAGES,
        },
    )


@require_safe
def proposal_detail(request: HttpRequest, reference: str) -> HttpResponse:
    proposal = selectors.proposal_get(reference=reference)
    context = {"proposal": proposal, "stage": selectors.proposal_stage(proposal)}
    if proposal.poll is not None:
        context.update(poll_page_context(request, proposal.poll))
    return render(request, "governance/proposal_detail.html", context)


# The signature is the authentication (see ``poll_vote``): no CSRF token is needed.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _proposal_submit(request)
    options = selectors.proposal_form_options()
    power = selectors.voting_power_for_user(user=request.user)
    return render(
        request,
        "governance/proposal_form.html",
        {
            "options": options,
            "power": power,
            "actions": ProposalAction.choices,
            "signing": {
                "primaryType": "Proposal",
                "types": eip712.PROPOSAL_TYPES,
                "domain": eip712.domain(),
            },
        },
    )


def _proposal_submit(request: HttpRequest) -> JsonResponse:
    payload = json_payload(request, limit=PROPOSAL_MAX_BODY_BYTES)
    if isinstance(payload, JsonResponse):
        return payload
    try:
        proposal = proposal_create(typed_data=payload["typed_data"], signature=payload["signature"])
    except (ProposalRejected, ChainUnavailable) as exc:
        return json_error(exc.message, code=exc.code, status=exc.http_status)
    return JsonResponse(
        {
            "reference": proposal.reference,
            "url": proposal.get_absolute_url(),
            "discussion_ends_at": proposal.discussion_ends_at.isoformat()
            if proposal.discussion_ends_at
            else None,
        },
        status=201,
    )
