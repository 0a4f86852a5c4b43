"""Errors that carry what a user needs: the field, the problem, and an HTTP status.

Every error chipwatch raises on bad input or bad data is a ``ChipwatchError``; the CLI
prints it and exits non-zero, the API maps it once to an RFC 9457 problem document.
"""

from __future__ import annotations


class ChipwatchError(Exception):
    """Base error: ``field`` is where the problem is (a dotted path), ``status`` its HTTP code."""

    status: int = 400
    title: str = "Bad request"

    def __init__(
        self,
        problem: str,
        *,
        field: str | None = None,
        source: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ):
        self.problem = problem
        self.field = field
        self.source = source
        self.errors = errors or ([{"field": field, "problem": problem}] if field else [])
        super().__init__(self.__str__())

    def __str__(self) -> str:
        field = self.field if len(self.errors) <= 1 else None  # the problem names each field
        where = ": ".join(part for part in (self.source, field) if part)
        return f"{where}: {self.problem}" if where else self.problem

    def to_problem(self) -> dict[str, object]:
        """RFC 9457 problem details for this error."""
        body: dict[str, object] = {
            "type": f"https://chipwatch.dev/problems/{type(self).__name__}",
            "title": self.title,
            "status": self.status,
            "detail": str(self),
        }
        if self.field:
            body["field"] = self.field
        if self.source:
            body["source"] = self.source
        if self.errors:
            body["errors"] = self.errors
        return body


class InvalidInput(ChipwatchError):
    """An order, request or file a user gave us is malformed or refers to something unknown."""

    status = 422
    title = "Invalid input"

    @classmethod
    def from_errors(
        cls, errors: list[dict[str, str]], *, source: str | None = None
    ) -> InvalidInput:
        """One error per problem found, each naming its field."""
        if len(errors) == 1:
            return cls(errors[0]["problem"], field=errors[0]["field"], source=source)
        summary = "; ".join(f"{e['field']}: {e['problem']}" for e in errors)
        return cls(
            f"{len(errors)} problems: {summary}",
            field=errors[0]["field"],
            source=source,
            errors=errors,
        )


class NotFound(ChipwatchError):
    status = 404
    title = "Not found"


class Conflict(ChipwatchError):
    """The request contradicts what is recorded (a different licence under the same number,
    a transition the current status does not allow)."""

    status = 409
    title = "Conflict"


class InvalidData(ChipwatchError):
    """Reference data shipped or configured (rulebook, catalog) is inconsistent."""

    status = 500
    title = "Invalid reference data"
