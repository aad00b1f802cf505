"""Errors raised by services when input breaks a business rule.

Views and API views turn them into a clear message for the user; nothing is written.
"""


class ApplicationError(Exception):
    """A refusal: ``message`` for the user, a stable ``code`` and the API's ``http_status``
    (each app's subclasses set their own)."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
