"""Every error leaves the API as an RFC 9457 problem document, mapped here once."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from chipwatch.errors import ChipwatchError, InvalidInput

PROBLEM_JSON = "application/problem+json"


def problem_response(exc: ChipwatchError) -> JSONResponse:
    return JSONResponse(exc.to_problem(), status_code=exc.status, media_type=PROBLEM_JSON)


def install(app: FastAPI) -> None:
    @app.exception_handler(ChipwatchError)
    async def _chipwatch_error(request: Request, exc: ChipwatchError) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            if err.get("type") == "json_invalid":
                errors.append({"field": "body", "problem": f"not valid JSON: {err.get('msg')}"})
                continue
            loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query")]
            message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            errors.append({"field": ".".join(loc) or "body", "problem": message})
        if not errors:
            errors = [{"field": "body", "problem": "invalid request"}]
        return problem_response(InvalidInput.from_errors(errors))
