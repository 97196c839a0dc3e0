"""Typed errors: every 4xx carries a JSON body {code, message}; validation adds details."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from triage.shared_state import SharedStateUnavailable


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def _body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, error: ApiError) -> JSONResponse:
        return JSONResponse(_body(error.code, error.message), status_code=error.status, headers=error.headers)

    @app.exception_handler(SharedStateUnavailable)
    async def _shared_state(_: Request, error: SharedStateUnavailable) -> JSONResponse:
        # Fail closed: without the shared limits and revocations, nobody is let through.
        body = _body("shared_state_unavailable", "the rate-limit store does not answer; retry shortly")
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        details = [{"field": ".".join(str(p) for p in e["loc"][1:]), "problem": e["msg"]} for e in error.errors()]
        return JSONResponse(
            _body("invalid_request", "the request does not match the schema: see details", details=details),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorised", 403: "forbidden"}
        return JSONResponse(
            _body(codes.get(error.status_code, "http_error"), str(error.detail)), status_code=error.status_code
        )
