"""Proposal pages: the list by stage, a proposal with its vote, and the signed new-proposal
form (which posts to the API's ``POST /api/v1/proposals/``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from governance import eip712, selectors
from governance.models import ProposalAction
from governance.views.polls import poll_page_context


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


# Publishing is the API's ``POST /api/v1/proposals/``, which the form's script posts to.
@never_cache
@require_safe
def proposal_new(request: HttpRequest) -> HttpResponse:
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
