"""What every ``chipwatch`` command module shares: error reporting, JSON output, flags."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from chipwatch.errors import ChipwatchError, InvalidData

P = ParamSpec("P")
R = TypeVar("R")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Print a ChipwatchError as 'error: where: problem' and exit 2 (bad input) or 1 (data)."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ChipwatchError as exc:
            if len(exc.errors) > 1:
                where = f"{exc.source}: " if exc.source else ""
                typer.echo(f"error: {where}{len(exc.errors)} problems", err=True)
                for each in exc.errors:
                    typer.echo(f"error: {each['field']}: {each['problem']}", err=True)
            else:
                typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1 if isinstance(exc, InvalidData) else 2) from None

    return wrapper


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
