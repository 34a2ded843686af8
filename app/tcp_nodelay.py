"""TCP_NODELAY on the app server's connections: without it, every request after the first on a kept-alive
connection waits ~40 ms for the browser's delayed ACK.

Streamlit (1.67, its Starlette/uvicorn server) binds its listening socket itself
(``streamlit.web.server.starlette.starlette_server._bind_socket``) as ``socket.socket(family, SOCK_STREAM)``, so the
socket's ``proto`` is 0. asyncio turns Nagle's algorithm off only for sockets whose ``proto`` is ``IPPROTO_TCP``
(``asyncio.base_events._set_nodelay``), and accepted sockets inherit ``proto`` from the listener: Nagle stays on.
The server writes a response's headers and body in two sends; the body then waits for the ACK of the headers, which
the browser delays by 40 ms (Linux' minimum delayed-ACK time). The same defect is reported for uvicorn's own
pre-bound sockets: https://github.com/Kludex/uvicorn/issues/3149.

A first page load fetches about 90 files over six connections (Chromium's limit per host on HTTP/1.1), so about
half a second of a cold start went on waiting for ACKs (``bench/app_startup.py``). The app module is imported by
uvicorn after Streamlit has bound its socket, so the listener cannot be mended; :func:`install` sets
``TCP_NODELAY`` on each connection as uvicorn's HTTP protocol takes it (``connection_made``: the transport's
socket), as aiohttp's server does. A WebSocket upgraded from that connection keeps the option.
"""

from __future__ import annotations

import functools
import importlib
import logging
import socket
from typing import Any

__all__ = ["install", "set_nodelay", "PROTOCOLS"]

log = logging.getLogger(__name__)

#: uvicorn's HTTP protocol classes (module, class): h11, or httptools when it is installed (``http="auto"``).
PROTOCOLS: tuple[tuple[str, str], ...] = (
    ("uvicorn.protocols.http.h11_impl", "H11Protocol"),
    ("uvicorn.protocols.http.httptools_impl", "HttpToolsProtocol"),
)


def set_nodelay(sock: Any) -> bool:
    """Turn Nagle's algorithm off on the TCP socket ``sock``. Returns False, changing nothing, for anything that is
    not a TCP socket (a Unix socket, None)."""
    family = getattr(sock, "family", None)
    if family not in (socket.AF_INET, socket.AF_INET6) or getattr(sock, "type", None) != socket.SOCK_STREAM:
        return False
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return True


def _with_nodelay(connection_made: Any) -> Any:
    @functools.wraps(connection_made)
    def wrapped(self: Any, transport: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            set_nodelay(transport.get_extra_info("socket"))
        except OSError as exc:  # the connection works without it, only slower
            log.debug("could not set TCP_NODELAY: %s", exc)
        return connection_made(self, transport, *args, **kwargs)

    wrapped._parkrisk_nodelay = True  # type: ignore[attr-defined]
    return wrapped


def install() -> list[str]:
    """Set ``TCP_NODELAY`` on every connection uvicorn's HTTP protocols accept from now on in this process (call
    it before the server accepts connections: ``app.main`` does when the server imports it). Idempotent. Returns
    the protocol classes changed; a class missing from this uvicorn is skipped with a log line (its connections
    run as before)."""
    done = []
    for module_name, class_name in PROTOCOLS:
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError):  # httptools not installed, or another uvicorn
            log.debug("TCP_NODELAY: %s.%s not available", module_name, class_name)
            continue
        if not getattr(cls.connection_made, "_parkrisk_nodelay", False):
            cls.connection_made = _with_nodelay(cls.connection_made)
        done.append(f"{module_name}.{class_name}")
    if not done:
        log.info("TCP_NODELAY not installed: no uvicorn HTTP protocol found")
    return done
