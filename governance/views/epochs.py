"""Epoch and rules pages: what each epoch ran under, and every version of the rules."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from governance import selectors


@require_safe
def epoch_list(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/epoch_list.html", {"epochs": selectors.epoch_list()})


@require_safe
def epoch_detail(request: HttpRequest, number: int) -> HttpResponse:
    epoch = selectors.epoch_get(number=number)
    polls = selectors.epoch_polls_with_choices(epoch=epoch)
    previous, following = selectors.epoch_neighbours(epoch=epoch)
    return render(
        request,
        "governance/epoch_detail.html",
        {
            "epoch": epoch,
            "poll_results": [selectors.poll_results(poll=poll) for poll in polls],
            "previous": previous,
            "next": following,
        },
    )


@require_safe
def rules_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/rules_list.html",
        {"versions": selectors.rules_list(), "current": selectors.rules_current()},
    )


@require_safe
def rules_detail(request: HttpRequest, slug: str) -> HttpResponse:
    rules = selectors.rules_get(slug=slug)
    current = selectors.rules_current()
    return render(
        request,
        "governance/rules_detail.html",
        {"rules": rules, "is_current": current is not None and current.pk == rules.pk},
    )
