"""API shapes shared by the apps."""

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every refused write: a message to show, a stable code, and per-field problems if any."""

    error = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]  # the JSON key "fields"
        required=False, help_text="Per-field problems, if any."
    )
