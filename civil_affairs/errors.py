"""Domain errors shared by every app (STYLE.md: typed errors, mapped once for the API and once for pages).

A service raises :class:`RuleViolation` when input breaks a business rule (the API answers 400 with the
field named) and :class:`Conflict` when an action is not allowed in the object's current state or has
already been done (the API answers 409).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

NON_FIELD = "non_field_errors"


class DomainError(Exception):
    status_code = 400

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        code: str = "invalid",
        errors: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.code = code
        if errors is None:
            errors = {field or NON_FIELD: [str(message)]}
        self.errors: dict[str, list[str]] = {key: [str(m) for m in msgs] for key, msgs in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))

    @property
    def messages(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]


class RuleViolation(DomainError):
    """Input that breaks a rule: nothing was changed."""


class Conflict(DomainError):
    """An action not allowed from the current state, or a one-off that already happened."""

    status_code = 409
