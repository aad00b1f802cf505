"""API shapes shared by the apps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every refusal: a message to show, a stable code, and per-field problems if any."""

    error = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]  # the JSON key "fields"
        required=False, help_text="Per-field problems, if any."
    )
    rows = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Problems per row of a rejected file, if any.",
    )


# The JSON types each kind of field takes, as the schema declares them; first match wins.
JSON_TYPES: list[tuple[type[serializers.Field], tuple[type, ...], str]] = [
    (serializers.BooleanField, (bool,), "true or false"),
    (serializers.DecimalField, (str,), "a decimal number written as a string"),
    (serializers.IntegerField, (int,), "a whole number"),
    (serializers.FloatField, (int, float), "a number"),
    (serializers.PrimaryKeyRelatedField, (int,), "an id (a whole number)"),
    (serializers.CharField, (str,), "text"),
    (serializers.ChoiceField, (str,), "one of the listed values, as text"),
    (serializers.SlugRelatedField, (str,), "a slug (text)"),
    (serializers.DateTimeField, (str,), "a date and time as text (ISO 8601)"),
    (serializers.DateField, (str,), "a date as text (YYYY-MM-DD)"),
    (serializers.ListField, (list,), "a list"),
    (serializers.DictField, (dict,), "an object"),
]


class JsonInputSerializer(serializers.Serializer):
    """Input of a JSON body: each value must already have the JSON type the schema declares.

    DRF coerces on its own: ``0`` becomes ``"0"`` for a text field, ``"5"`` becomes ``5``
    for a number, ``1`` becomes ``True``. A client that sends the wrong type has a bug, and
    hearing about it beats having its value quietly reinterpreted.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = {
                name: [f"Expected {expected}."]
                for name, field in self.fields.items()
                if not field.read_only
                and name in data
                and (expected := _wrong_json_type(field, data[name])) is not None
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _wrong_json_type(field: serializers.Field, value: object) -> str | None:
    """What the field expects, when ``value`` is not of that JSON type; None when it is."""
    if value is None:
        return None  # null is the field's own business (allow_null)
    if value == "" and isinstance(field, serializers.RelatedField):
        # DRF reads "" as null for a relation; the schema's slug pattern does not take it
        return "a slug (text), or null for none"
    for field_class, types, expected in JSON_TYPES:
        if isinstance(field, field_class):
            is_bool = isinstance(value, bool)
            if isinstance(value, types) and (bool in types or not is_bool):
                return None
            return expected
    return None
