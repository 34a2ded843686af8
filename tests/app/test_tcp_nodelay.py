"""TCP_NODELAY on the app server's connections (app.tcp_nodelay): a real uvicorn server on a listener bound the way
Streamlit binds it (``proto`` 0), two requests on one kept-alive connection."""

from __future__ import annotations

import http.client
import socket
import threading
import time

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from app import tcp_nodelay


async def _hello(scope, receive, send):  # a minimal ASGI app
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _serve_and_get_twice() -> list[int]:
    """TCP_NODELAY of the server side of each connection after two requests on one kept-alive connection."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as Streamlit's _bind_socket
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    assert listener.proto == 0
    server = uvicorn.Server(uvicorn.Config(_hello, http="h11", log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.started
        conn = http.client.HTTPConnection(*listener.getsockname(), timeout=5)
        for _ in range(2):
            conn.request("GET", "/")
            response = conn.getresponse()
            assert response.read() == b"ok"
        flags = [
            c.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            for c in server.server_state.connections
        ]
        conn.close()
        return flags
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def test_install_sets_nodelay_on_each_accepted_connection(monkeypatch):
    # restored after the test
    monkeypatch.setattr(H11Protocol, "connection_made", H11Protocol.connection_made)
    changed = tcp_nodelay.install()
    assert "uvicorn.protocols.http.h11_impl.H11Protocol" in changed
    assert tcp_nodelay.install() == changed  # idempotent: wrapped once
    assert not getattr(H11Protocol.connection_made.__wrapped__, "_parkrisk_nodelay", False)
    flags = _serve_and_get_twice()
    assert flags and all(f != 0 for f in flags)


def test_set_nodelay_leaves_other_sockets_alone():
    a, b = socket.socketpair(socket.AF_UNIX)
    try:
        assert tcp_nodelay.set_nodelay(a) is False
    finally:
        a.close()
        b.close()
    assert tcp_nodelay.set_nodelay(None) is False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        assert tcp_nodelay.set_nodelay(s) is True
        assert s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_the_app_installs_it_when_streamlit_imports_it(monkeypatch):
    """``app/main.py`` imported by ``streamlit run`` (its script as argv[0]; uvicorn imports it before it accepts a
    connection) installs it, beside its warm-up."""
    import importlib.util
    import sys

    import app.main as main_module

    calls, threads = [], []
    monkeypatch.setattr(tcp_nodelay, "install", lambda: calls.append(1) or [])
    monkeypatch.setattr(threading.Thread, "start", lambda self: threads.append(self.name))  # no real warm-up
    monkeypatch.setattr(sys, "argv", [main_module.__file__])
    spec = importlib.util.spec_from_file_location("parkrisk_main_as_imported", main_module.__file__)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    assert calls == [1]
    assert threads == ["parkrisk-warm-up"]
