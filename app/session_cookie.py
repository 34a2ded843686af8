"""The sign-in kept across a browser reload: a signed, expiring, HttpOnly, SameSite=Strict cookie.

A Streamlit session lives as long as its WebSocket: a reload opens a new one, and whatever was in
``st.session_state`` (the sign-in token of :mod:`app.auth` among it) is gone. This module keeps the sign-in in a
cookie the page script cannot read or write and JavaScript cannot see:

1. After :func:`app.auth.sign_in` the script signs the session token into a cookie value (:func:`sign_cookie`) and
   parks it under a one-time code (:func:`issue_handoff`: random, at most :data:`HANDOFF_TTL_S` seconds, used once).
2. The page posts that code to ``POST /api/parkrisk/session`` (a route of the ASGI app, :func:`routes`), which sets
   the cookie: ``HttpOnly`` (no script can read it), ``SameSite=Strict`` (never sent by another site), ``Path=/``,
   ``Secure`` when served over HTTPS (directly or behind a proxy setting ``X-Forwarded-Proto``), and ``Max-Age`` = the session's absolute end. Neither the password nor the token
   ever appears in a URL.
3. After a reload the script reads the cookie (``st.context.cookies``), checks its signature and absolute end
   (:func:`verify_cookie`), and resolves the token in the store (:func:`app.auth.resolve_session`: the idle timeout,
   sign-out and password changes live there, so a revoked session is refused whatever the cookie says).
4. ``POST /api/parkrisk/logout`` clears the cookie (after sign-out, or when it was refused).

The park a browser session uploaded is kept the same way in a second cookie, :data:`PARK_COOKIE_NAME`
(:func:`sign_park_cookie`: the stored upload's path, its file name and coordinate system, signed with the app-wide
key, :func:`signing_key` without a store), so a reload reopens it; the page itself is in the URL.

The signing key (HMAC-SHA256) comes from ``PARKRISK_SESSION_KEY`` (at least 32 characters), else from a key file
beside the store (``<store>.session-key``, or ``parkrisk-session.key`` in the data folder for a PostGIS store),
created on first use with permissions 0600 and never part of the repository (``.gitignore``). A cookie signed for
another store (another park) is ignored, not reported as expired.

References
----------
.. [1] OWASP Foundation. Session Management Cheat Sheet: cookie attributes (Secure, HttpOnly, SameSite, Path),
   session expiration (idle and absolute timeouts), manual session expiration on logout. OWASP Cheat Sheet Series.
.. [2] RFC 6265bis (draft-ietf-httpbis-rfc6265bis): the SameSite attribute; RFC 2104: HMAC.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
import threading
import time
from pathlib import Path

__all__ = [
    "COOKIE_NAME",
    "PARK_COOKIE_NAME",
    "KEY_ENV",
    "HANDOFF_TTL_S",
    "EXPIRED_ZH",
    "SESSION_PATH",
    "LOGOUT_PATH",
    "CookieError",
    "store_id",
    "key_path",
    "signing_key",
    "sign_cookie",
    "verify_cookie",
    "sign_park_cookie",
    "verify_park_cookie",
    "issue_handoff",
    "redeem_handoff",
    "routes",
]

log = logging.getLogger(__name__)

#: Name of the sign-in cookie.
COOKIE_NAME = "parkrisk_session"
#: Name of the cookie of the uploaded park.
PARK_COOKIE_NAME = "parkrisk_park"
_COOKIE_NAMES = (COOKIE_NAME, PARK_COOKIE_NAME)
#: Environment variable holding the signing key (at least 32 characters); else a key file beside the store.
KEY_ENV = "PARKRISK_SESSION_KEY"
#: How long a one-time code waits for the page to exchange it for the cookie. [s]
HANDOFF_TTL_S = 60.0
#: What a user whose cookie was refused (expired, revoked, tampered with) reads.
EXPIRED_ZH = "登录已过期，请重新登录"
#: The routes of the ASGI app (under /api/: Streamlit keeps /auth/ for its own OIDC sign-in).
SESSION_PATH = "/api/parkrisk/session"
LOGOUT_PATH = "/api/parkrisk/logout"

_VERSION = 1
_CONTEXT = b"parkrisk-session-cookie-v1."  # domain separation of the HMAC
_MIN_KEY_CHARS = 32


class CookieError(ValueError):
    """A session cookie that cannot be used; ``kind`` is ``malformed``, ``tampered``, ``expired`` or
    ``other_store`` (signed for another store: not an error to report)."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


def store_id(store_target: str) -> str:
    """A short, non-secret name of a store (its path or DSN hashed), written into the cookie."""
    return hashlib.sha256(str(store_target).encode("utf-8")).hexdigest()[:16]


def _is_dsn(target: str) -> bool:
    t = str(target).strip()
    return "://" in t or t.startswith(("postgres", "host=", "dbname=", "service="))


def key_path(store_target: str | None) -> Path:
    """The key file of a store: ``<store file>.session-key`` beside a GeoPackage store; for a PostGIS store, and
    for cookies that belong to no store (``None``: the uploaded park), ``parkrisk-session.key`` in the data folder
    (:func:`geodata.store.data_dir`)."""
    if store_target is None or _is_dsn(store_target):
        from geodata.store import data_dir

        return data_dir() / "parkrisk-session.key"
    p = Path(store_target)
    return p.with_name(p.name + ".session-key")


def _read_or_create(path: Path) -> bytes:
    """The key in ``path``, created atomically with permissions 0600 when missing (two processes starting at once
    agree on one key: the file appears complete or not at all)."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_hex(32) + "\n")
            try:
                os.link(tmp, path)  # fails when another process was first: use its key
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
        text = path.read_text(encoding="ascii").strip()
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("session key %s had permissions %o; set to 0600", path, mode)
        os.chmod(path, 0o600)
    if len(text) < _MIN_KEY_CHARS:
        raise ValueError(
            f"会话签名密钥文件 {path} 内容过短（{len(text)} 个字符，至少 {_MIN_KEY_CHARS} 个）："
            "请删除该文件（将自动重新生成，所有浏览器需重新登录）"
        )
    return text.encode("ascii")


def signing_key(store_target: str | None) -> bytes:
    """The HMAC key: ``PARKRISK_SESSION_KEY`` when set, else the store's key file (:func:`key_path`).

    Raises
    ------
    ValueError
        ``PARKRISK_SESSION_KEY`` shorter than 32 characters, or a truncated key file (Chinese message).
    OSError
        The key file cannot be read or created.
    """
    env = os.environ.get(KEY_ENV)
    if env is not None:
        if len(env) < _MIN_KEY_CHARS:
            raise ValueError(
                f"环境变量 {KEY_ENV} 过短（{len(env)} 个字符，至少 {_MIN_KEY_CHARS} 个）：请设置随机密钥，"
                f'例如 python -c "import secrets; print(secrets.token_hex(32))" 的输出，或取消该变量以使用自动生成的密钥文件'
            )
        return env.encode("utf-8")
    return _read_or_create(key_path(store_target))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, _CONTEXT + payload.encode("ascii"), hashlib.sha256).digest())


def _seal(data: dict, key: bytes) -> str:
    payload = _b64(json.dumps(data, separators=(",", ":"), ensure_ascii=True).encode("ascii"))
    return f"{payload}.{_mac(key, payload)}"


def _open(value: str | None, key: bytes, kind: str) -> dict:
    """The payload of a sealed value of ``kind`` (signature and version checked, not its expiry)."""
    if not isinstance(value, str) or value.count(".") != 1 or len(value) > 4096:
        raise CookieError("malformed", "Cookie 格式不正确 / malformed cookie")
    payload, mac = value.split(".")
    if not hmac.compare_digest(mac.encode("ascii", "replace"), _mac(key, payload).encode("ascii")):
        raise CookieError("tampered", "Cookie 签名无效 / bad signature")
    try:
        data = json.loads(_unb64(payload))
        if data.get("v") != _VERSION or data.get("k", "session") != kind:
            raise ValueError(f"version {data.get('v')!r}, kind {data.get('k')!r}")
        float(data["exp"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CookieError("malformed", f"Cookie 内容无法解析 / unreadable payload ({exc})") from exc
    return data


def sign_cookie(
    token: str, *, key: bytes, store: str, issued_at: dt.datetime, expires_at: dt.datetime
) -> str:
    """The cookie value of a session: ``payload.signature`` (base64url JSON with the token, the store's id,
    :func:`store_id`, and the issue and absolute-end times in Unix seconds; HMAC-SHA256 over it)."""
    data = {
        "v": _VERSION,
        "t": str(token),
        "s": store_id(store),
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    return _seal(data, key)


def verify_cookie(value: str | None, *, key: bytes, store: str, now: dt.datetime) -> str:
    """The session token in a cookie value made by :func:`sign_cookie`, after checking its signature, its store and
    its absolute end (the store still decides whether the session lives: :func:`app.auth.resolve_session`).

    Raises
    ------
    CookieError
        ``malformed`` (not a cookie of this app), ``tampered`` (bad signature, or signed with another key),
        ``other_store`` (signed for another store), ``expired`` (past its absolute end).
    """
    data = _open(value, key, "session")
    try:
        token, sid, exp = str(data["t"]), str(data["s"]), float(data["exp"])
    except KeyError as exc:
        raise CookieError("malformed", f"会话 Cookie 内容无法解析 / unreadable payload ({exc})") from exc
    if not hmac.compare_digest(sid, store_id(store)):
        raise CookieError("other_store", "会话 Cookie 属于另一个整改台账 / signed for another store")
    if exp <= now.timestamp():
        raise CookieError("expired", "会话 Cookie 已过期 / expired")
    return token


def sign_park_cookie(
    path: str, name: str, coords: str, *, key: bytes, issued_at: dt.datetime, expires_at: dt.datetime
) -> str:
    """The cookie value of an uploaded park: its stored path, the uploaded file name and the coordinate system."""
    data = {
        "v": _VERSION,
        "k": "park",
        "p": str(path),
        "n": str(name),
        "c": str(coords),
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    return _seal(data, key)


def verify_park_cookie(value: str | None, *, key: bytes, now: dt.datetime) -> dict[str, str]:
    """``{"path", "name", "coords"}`` of a park cookie made by :func:`sign_park_cookie`, after checking its signature
    and expiry (the caller checks that the path is still an upload).

    Raises
    ------
    CookieError
        ``malformed``, ``tampered`` or ``expired``.
    """
    data = _open(value, key, "park")
    if float(data["exp"]) <= now.timestamp():
        raise CookieError("expired", "园区 Cookie 已过期 / expired")
    try:
        return {"path": str(data["p"]), "name": str(data["n"]), "coords": str(data["c"])}
    except KeyError as exc:
        raise CookieError("malformed", f"园区 Cookie 内容无法解析 / unreadable payload ({exc})") from exc


class _Handoffs:
    """Cookie values waiting for the page to fetch them: sha256(code) -> (cookie name, value, max-age [s],
    deadline [monotonic s]). In this process: the app is served by one process (``parkrisk app``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[str, tuple[str, str, int, float]] = {}


_HANDOFFS = _Handoffs()


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


def issue_handoff(
    cookie_value: str, max_age_s: float, *, name: str = COOKIE_NAME, clock=time.monotonic
) -> str:
    """A one-time code the page exchanges for the cookie ``name`` within :data:`HANDOFF_TTL_S` seconds."""
    if name not in _COOKIE_NAMES:
        raise ValueError(f"cookie name {name!r}; allowed: {list(_COOKIE_NAMES)}")
    code = secrets.token_urlsafe(32)
    now = clock()
    with _HANDOFFS.lock:
        for k in [k for k, v in _HANDOFFS.pending.items() if v[3] <= now]:
            del _HANDOFFS.pending[k]
        _HANDOFFS.pending[_code_hash(code)] = (
            name,
            cookie_value,
            max(1, int(max_age_s)),
            now + HANDOFF_TTL_S,
        )
    return code


def redeem_handoff(code: str, *, clock=time.monotonic) -> tuple[str, str, int] | None:
    """(cookie name, value, max-age [s]) for a live code, once; None for an unknown, used or expired code."""
    with _HANDOFFS.lock:
        got = _HANDOFFS.pending.pop(_code_hash(str(code)), None)
    if got is None or got[3] <= clock():
        return None
    return got[0], got[1], got[2]


def _https(request) -> bool:
    """Served over HTTPS, also behind a proxy that ends TLS (``X-Forwarded-Proto``; a forged header can only make
    the cookie ``Secure``, so that plain HTTP does not send it back)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _same_origin(request) -> bool:
    """Refuse requests a browser marks as coming from another site (Fetch Metadata ``Sec-Fetch-Site``)."""
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


async def _set_cookie(request):
    from starlette.responses import JSONResponse, Response

    if not _same_origin(request):
        return JSONResponse({"ok": False, "error": "cross-site"}, status_code=403)
    try:
        code = str((await request.json())["code"])
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"ok": False, "error": "bad request"}, status_code=400)
    got = redeem_handoff(code)
    if got is None:
        return JSONResponse({"ok": False, "error": "unknown or expired code"}, status_code=400)
    name, value, max_age = got
    resp = Response(status_code=204, headers={"Cache-Control": "no-store"})
    resp.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_https(request),
    )
    return resp


async def _clear_cookie(request):
    from starlette.responses import JSONResponse, Response

    if not _same_origin(request):
        return JSONResponse({"ok": False, "error": "cross-site"}, status_code=403)
    try:
        name = str((await request.json()).get("name") or COOKIE_NAME)
    except (ValueError, AttributeError):
        name = COOKIE_NAME
    if name not in _COOKIE_NAMES:
        return JSONResponse({"ok": False, "error": "unknown cookie"}, status_code=400)
    resp = Response(status_code=204, headers={"Cache-Control": "no-store"})
    resp.delete_cookie(name, path="/", httponly=True, samesite="strict", secure=_https(request))
    return resp


def routes() -> list:
    """The two routes of the ASGI app (:mod:`app.main`): set the cookie from a one-time code, clear it."""
    from starlette.routing import Route

    return [
        Route(SESSION_PATH, _set_cookie, methods=["POST"]),
        Route(LOGOUT_PATH, _clear_cookie, methods=["POST"]),
    ]
