"""The explorer's guard as a network service (hostile trial 3: H6, L19): an ASGI layer in
front of Solara's app that lets through only requests

- whose ``Host`` header names this server (``127.0.0.1:PORT``, ``localhost:PORT``,
  ``[::1]:PORT`` or the ``--host`` given): a DNS-rebinding page has another Host;
- whose ``Origin``, when the browser sends one (every WebSocket and cross-site fetch), is
  this server's own: a page of another site cannot drive the explorer's WebSocket;
- that carry the per-start token, as Jupyter does: ``?token=…`` in the URL printed at
  start, kept by the browser as an HttpOnly, SameSite=Strict cookie for this port.

Server internals (``/resourcez``) are not served at all. Bound to ``0.0.0.0``, the Host list
cannot be known, so any Host is accepted, but the Origin rule and the token still hold.
"""
from __future__ import annotations

import hmac
import secrets
from http.cookies import CookieError, SimpleCookie
from typing import Any, Awaitable, Callable, Iterable
from urllib.parse import parse_qs, urlencode

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
BLOCKED_PATHS = ("/resourcez",)
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def allowed_hosts(host: str, port: int) -> set[str] | None:
    """``Host`` header values of this server; None when any is accepted (``0.0.0.0``, ``::``)."""
    if host in ("0.0.0.0", "::", ""):
        return None
    names = set(LOOPBACK) if host in ("127.0.0.1", "localhost", "::1") else {host if ":" not in host else f"[{host}]"}
    return {f"{n}:{port}" for n in names}


class Guard:
    def __init__(self, app: Any, token: str, hosts: Iterable[str] | None, port: int):
        self.app, self.token, self.port = app, token, port
        self.hosts = None if hosts is None else set(hosts)
        self.cookie = f"triad_token_{port}"

    def _headers(self, scope: Scope) -> dict[str, str]:
        return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}

    def _has_token(self, headers: dict[str, str], query: dict[str, list[str]]) -> tuple[bool, bool]:
        """(token valid, given in the query)."""
        given = query.get("token", [""])[0]
        if given and hmac.compare_digest(given.encode(), self.token.encode()):
            return True, True
        try:
            jar = SimpleCookie(headers.get("cookie", ""))
        except CookieError:
            return False, False
        morsel = jar.get(self.cookie)
        return bool(morsel and hmac.compare_digest(morsel.value.encode(), self.token.encode())), False

    def refusal(self, scope: Scope) -> tuple[str | None, bool]:
        """(why the request is refused or None, whether to set the cookie and redirect)."""
        headers = self._headers(scope)
        host = headers.get("host", "")
        if self.hosts is not None and host not in self.hosts:
            return f"Host {host!r} is not this server", False
        origin = headers.get("origin")
        if origin is not None and origin != f"http://{host}":
            return f"Origin {origin!r} is not this server", False
        if scope.get("path", "") in BLOCKED_PATHS:
            return "not served", False
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        ok, in_query = self._has_token(headers, query)
        if not ok:
            return "missing or wrong token: open the URL triad-explore printed at start", False
        return None, in_query and scope["type"] == "http"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        why, set_cookie = self.refusal(scope)
        if why is not None:
            if scope["type"] == "websocket":
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008, "reason": why[:120]})
                return
            body = f"403 Forbidden: {why}\n".encode()
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        if set_cookie:  # the token leaves the URL (history, Referer) for a cookie of this port
            query = {k: v for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()
                     if k != "token"}
            location = scope.get("path", "/") + (f"?{urlencode(query, doseq=True)}" if query else "")
            cookie = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"
            await send({"type": "http.response.start", "status": 302,
                        "headers": [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode()),
                                    (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)
