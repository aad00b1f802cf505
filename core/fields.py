"""Model fields for on-chain quantities."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

MAX_UINT256 = 2**256 - 1


class Uint256Field(models.Field):
    """A non-negative integer up to 2**256 - 1 (token amounts in base units), exact on every
    database: NUMERIC(78, 0) on PostgreSQL, decimal text elsewhere."""

    description = "Unsigned 256-bit integer"

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "numeric(78, 0)" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return None if value is None else int(value)

    def to_python(self, value: Any) -> int | None:
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        try:
            number = int(Decimal(str(value)))
        except (ArithmeticError, ValueError):
            raise ValidationError(f"{value!r} is not a whole number.") from None
        if Decimal(str(value)) != number:
            raise ValidationError(f"{value!r} is not a whole number.")
        return number

    def get_prep_value(self, value: Any) -> Any:
        value = self.to_python(value)
        if value is None:
            return None
        if not 0 <= value <= MAX_UINT256:
            raise ValueError(f"{value} is outside 0 .. 2**256-1")
        return str(value) if not isinstance(value, bool) else value

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        value = value if prepared else self.get_prep_value(value)
        if value is not None and connection.vendor == "postgresql":
            return Decimal(value)
        return value

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        if value is not None and not 0 <= value <= MAX_UINT256:
            raise ValidationError("Must be between 0 and 2**256 - 1.")
