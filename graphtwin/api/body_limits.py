"""Bounds on what a request may send: a body over its route's limit is answered 413 before the
rest of it is read.

A declared `Content-Length` over the limit is refused before a byte of the body is read; a body
without one (chunked) is counted as it arrives and refused when the count passes the limit. So
the server never holds more than a limit's worth of one request. The limits (settings, see
docs/security.md): GraphQL requests (JSON or GET) and `POST /telemetry` are small; a multipart
request to /graphql (an `importModel` upload) may be larger, and its file part is spooled to
disk by the multipart parser, never held in memory whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphtwin.config import Settings
from graphtwin.errors import RequestTooLargeError

TELEMETRY_PATH = "/telemetry"


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """The limit of one kind of request, and the setting that changes it."""

    max_bytes: int
    what: str
    setting: str

    def refusal(self, size: int | None) -> RequestTooLargeError:
        told = f" ({size} bytes)" if size is not None else ""
        return RequestTooLargeError(
            f"{self.what}{told} is larger than the server takes ({self.max_bytes} bytes; "
            f"its operator sets this with GRAPHTWIN_{self.setting.upper()})",
            limit_bytes=self.max_bytes,
        )


@dataclass(frozen=True, slots=True)
class BodyLimits:
    graphql: BodyLimit
    telemetry: BodyLimit
    upload: BodyLimit

    @classmethod
    def of(cls, settings: Settings) -> BodyLimits:
        return cls(
            BodyLimit(
                settings.api_max_graphql_body_bytes,
                "the request body",
                "api_max_graphql_body_bytes",
            ),
            BodyLimit(
                settings.api_max_telemetry_body_bytes,
                "the telemetry push",
                "api_max_telemetry_body_bytes",
            ),
            BodyLimit(settings.api_max_upload_bytes, "the upload", "api_max_upload_bytes"),
        )

    def of_request(self, scope: Scope) -> BodyLimit:
        """The limit of a request: telemetry by its path, an upload by its multipart body,
        every other request (GraphQL, and whatever else is asked) the GraphQL one."""
        if scope["path"] == TELEMETRY_PATH:
            return self.telemetry
        content_type = _header(scope, b"content-type") or b""
        if content_type.lower().startswith(b"multipart/form-data"):
            return self.upload
        return self.graphql


class BodyLimitMiddleware:
    """Plain ASGI: refuses by `Content-Length` at once, and counts what a chunked body sends."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.of_request(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit.max_bytes:
            await send_too_large(send, limit.refusal(declared))
            return
        received = 0
        started = False

        async def receiving() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.max_bytes:
                    raise limit.refusal(declared)
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        except RequestTooLargeError as exc:
            if started:  # the app answered before it read the body: nothing more to say
                raise
            await send_too_large(send, exc)


async def send_too_large(send: Send, error: RequestTooLargeError) -> None:
    """The 413 answer; the connection is closed after it (the rest of the body is not read)."""
    body = orjson.dumps(
        {"error": "request too large", "detail": error.message, "limit_bytes": error.limit_bytes}
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


def _content_length(scope: Scope) -> int | None:
    """The declared body size; None when there is none (the server checked its syntax)."""
    value = _header(scope, b"content-length")
    return int(value) if value is not None and value.strip().isdigit() else None
