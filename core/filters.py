"""Query-string filters that refuse what they cannot read, instead of ignoring it.

django-filter reads ``?sponsor=maybe`` as "any", ``?epoch=0.5`` as a decimal and
``?status=a&status=b`` as its last value, so a client's typo silently widens or changes the
answer. Here each is a 400 naming the parameter, as the schema declares them.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

TRUE_WORDS = frozenset({"true", "True", "1"})
FALSE_WORDS = frozenset({"false", "False", "0"})
YES_NO_ANY = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or ``1``/``0``); empty means any; anything else is an error."""

    widget = YES_NO_ANY

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]  # None: any
        if isinstance(value, bool):
            return value
        if value is None or value == "":
            return None
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")

    def validate(self, value: Any) -> None:
        return None


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class QueryFilterBackend(DjangoFilterBackend):
    """DRF's django-filter backend, refusing a filter given more than once."""

    def get_filterset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            repeated = [n for n in filterset.filters if len(request.query_params.getlist(n)) > 1]
            if repeated:
                raise ValidationError({name: [f"Give {name} once."] for name in repeated})
        return filterset
