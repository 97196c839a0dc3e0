"""Typed errors: every 4xx and 5xx carries a JSON body {code, message}; validation adds details.
No handler puts a request's values in a message or a log line (they can be personal data)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from triage.shared_state import SharedStateUnavailable
from triage.storage.db import DatabaseUnavailable, InvalidValue

RETRY_AFTER_SECONDS = 5
HTTP_CODES = {
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def _detail(error: dict[str, Any]) -> dict[str, Any]:
    """Where and what, never the value sent (`input`): it can be a comment's text."""
    location = [str(part) for part in error["loc"][1:]]
    detail: dict[str, Any] = {"field": ".".join(location), "problem": error["msg"]}
    if len(location) > 1 and location[0] == "comments" and location[1].isdigit():
        detail["index"] = int(location[1])  # the bad item of a batch: the batch is refused whole
    return detail


def database_unavailable() -> JSONResponse:
    return JSONResponse(
        body("database_unavailable", "the database is unavailable or busy; nothing was stored, retry later"),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, error: ApiError) -> JSONResponse:
        return JSONResponse(body(error.code, error.message), status_code=error.status, headers=error.headers)

    @app.exception_handler(SharedStateUnavailable)
    async def _shared_state(_: Request, error: SharedStateUnavailable) -> JSONResponse:
        # Fail closed: without the shared limits and revocations, nobody is let through.
        message = "the rate-limit store does not answer; retry shortly"
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return JSONResponse(body("shared_state_unavailable", message), status_code=503, headers=retry)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        details = [_detail(e) for e in error.errors()]
        return JSONResponse(
            body("invalid_request", "the request does not match the schema: see details", details=details),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            body(HTTP_CODES.get(error.status_code, "http_error"), str(error.detail)),
            status_code=error.status_code,
            headers=error.headers,
        )

    @app.exception_handler(InvalidValue)
    async def _bad_value(_: Request, error: InvalidValue) -> JSONResponse:
        # The database refused a value (NUL byte, out of range, too long): the request's fault.
        return JSONResponse(body("invalid_value", "a value was refused by the database"), status_code=422)

    for outage in DatabaseUnavailable:

        @app.exception_handler(outage)
        async def _outage(_: Request, error: Exception) -> JSONResponse:
            return database_unavailable()
