"""The sign-in cookie (app/session_cookie.py) and the session timeouts and revocation behind it (app/auth.py).

Timeouts follow the OWASP Session Management Cheat Sheet (idle timeout, absolute timeout, manual expiration on
logout); the cookie attributes (HttpOnly, SameSite=Strict, Path=/, Max-Age) the same sheet's "Cookies" section.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import stat

import pytest

from app import session_cookie as sc
from app.auth import (
    AuthConfig,
    AuthError,
    InvalidCredentialsError,
    change_password,
    create_demo_users,
    resolve_session,
    sign_in,
    sign_out,
)
from geodata.store import GpkgStore

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
KEY = b"k" * 32
CFG = AuthConfig(bcrypt_rounds=4, session_idle_s=30 * 60.0, session_ttl_s=8 * 3600.0)


def _cookie(token="tok-1", store="/data/a.rect.gpkg", key=KEY, exp=T0 + dt.timedelta(hours=8)):
    return sc.sign_cookie(token, key=key, store=store, issued_at=T0, expires_at=exp)


def test_a_signed_cookie_gives_back_its_token():
    assert sc.verify_cookie(_cookie(), key=KEY, store="/data/a.rect.gpkg", now=T0) == "tok-1"


def test_a_tampered_cookie_is_refused():
    value = _cookie()
    payload, mac = value.split(".")
    forged = json.loads(sc._unb64(payload))
    forged["exp"] += 365 * 86400  # extend the absolute end
    forged_payload = sc._b64(json.dumps(forged, separators=(",", ":")).encode())
    for bad in (f"{forged_payload}.{mac}", f"{payload}.{mac[:-2]}AA", f"{payload[:-1]}x.{mac}"):
        with pytest.raises(sc.CookieError) as exc:
            sc.verify_cookie(bad, key=KEY, store="/data/a.rect.gpkg", now=T0)
        assert exc.value.kind == "tampered"
    with pytest.raises(sc.CookieError) as exc:  # signed with another key
        sc.verify_cookie(_cookie(key=b"x" * 32), key=KEY, store="/data/a.rect.gpkg", now=T0)
    assert exc.value.kind == "tampered"


@pytest.mark.parametrize("bad", ["", "no-dot", "a.b.c", "x" * 5000])
def test_malformed_cookies_are_refused(bad):
    with pytest.raises(sc.CookieError) as exc:
        sc.verify_cookie(bad, key=KEY, store="s", now=T0)
    assert exc.value.kind == "malformed"


def test_expired_and_other_store_cookies():
    with pytest.raises(sc.CookieError) as exc:
        sc.verify_cookie(_cookie(), key=KEY, store="/data/a.rect.gpkg", now=T0 + dt.timedelta(hours=8))
    assert exc.value.kind == "expired"
    assert sc.verify_cookie(_cookie(), key=KEY, store="/data/a.rect.gpkg", now=T0 + dt.timedelta(hours=7.9))
    with pytest.raises(sc.CookieError) as exc:
        sc.verify_cookie(_cookie(), key=KEY, store="/data/b.rect.gpkg", now=T0)
    assert exc.value.kind == "other_store"


def test_the_key_file_is_created_0600_beside_the_store_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv(sc.KEY_ENV, raising=False)
    target = str(tmp_path / "park-1234.rect.gpkg")
    k1 = sc.signing_key(target)
    path = tmp_path / "park-1234.rect.gpkg.session-key"
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sc.signing_key(target) == k1 and len(k1) >= 32
    assert sc.signing_key(str(tmp_path / "other.rect.gpkg")) != k1  # one key per store
    path.chmod(0o644)
    assert sc.signing_key(target) == k1 and stat.S_IMODE(path.stat().st_mode) == 0o600  # permissions restored
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))
    assert sc.key_path("postgresql://u@h/db").parent == tmp_path / "data"


def test_the_key_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(sc.KEY_ENV, "short")
    with pytest.raises(ValueError, match="PARKRISK_SESSION_KEY 过短"):
        sc.signing_key(str(tmp_path / "s.gpkg"))
    monkeypatch.setenv(sc.KEY_ENV, "z" * 40)
    assert sc.signing_key(str(tmp_path / "s.gpkg")) == b"z" * 40
    assert not list(tmp_path.glob("*.session-key"))


def test_a_handoff_code_is_used_once_and_expires():
    clock = [100.0]
    code = sc.issue_handoff("cookie-value", 3600, clock=lambda: clock[0])
    assert sc.redeem_handoff(code, clock=lambda: clock[0]) == (sc.COOKIE_NAME, "cookie-value", 3600)
    assert sc.redeem_handoff(code, clock=lambda: clock[0]) is None  # used
    code = sc.issue_handoff("v2", 3600, clock=lambda: clock[0])
    clock[0] += sc.HANDOFF_TTL_S + 1
    assert sc.redeem_handoff(code, clock=lambda: clock[0]) is None  # expired
    assert sc.redeem_handoff("guessed-code") is None
    with pytest.raises(ValueError, match="cookie name"):
        sc.issue_handoff("v", 60, name="other")


def test_the_park_cookie_round_trip_expiry_and_kind():
    exp = T0 + dt.timedelta(hours=24)
    value = sc.sign_park_cookie(
        "/tmp/up/ab.gpkg", "园区.gpkg", "GCJ-02", key=KEY, issued_at=T0, expires_at=exp
    )
    assert sc.verify_park_cookie(value, key=KEY, now=T0) == {
        "path": "/tmp/up/ab.gpkg",
        "name": "园区.gpkg",
        "coords": "GCJ-02",
    }
    with pytest.raises(sc.CookieError) as exc:
        sc.verify_park_cookie(value, key=KEY, now=exp)
    assert exc.value.kind == "expired"
    with pytest.raises(sc.CookieError) as exc:
        sc.verify_park_cookie(value, key=b"x" * 32, now=T0)
    assert exc.value.kind == "tampered"
    # a session cookie is not a park cookie, nor the reverse (same key, different kind)
    with pytest.raises(sc.CookieError) as exc:
        sc.verify_park_cookie(_cookie(), key=KEY, now=T0)
    assert exc.value.kind == "malformed"
    with pytest.raises(sc.CookieError) as exc:
        sc.verify_cookie(value, key=KEY, store="/data/a.rect.gpkg", now=T0)
    assert exc.value.kind == "malformed"


def _call(route_path: str, body: bytes, headers: dict[str, str] | None = None):
    from starlette.requests import Request

    route = next(r for r in sc.routes() if r.path == route_path)
    scope = {
        "type": "http",
        "method": "POST",
        "path": route_path,
        "scheme": "http",
        "server": ("127.0.0.1", 8501),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "query_string": b"",
    }

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    return asyncio.run(route.endpoint(Request(scope, receive)))


def test_the_route_sets_an_httponly_samesite_strict_cookie_from_a_code_once():
    code = sc.issue_handoff("signed.value", 8 * 3600)
    resp = _call(sc.SESSION_PATH, json.dumps({"code": code}).encode(), {"Sec-Fetch-Site": "same-origin"})
    assert resp.status_code == 204
    cookie = resp.headers["set-cookie"]
    assert cookie.startswith(f"{sc.COOKIE_NAME}=signed.value;")
    for attr in ("HttpOnly", "Max-Age=28800", "Path=/", "SameSite=strict"):
        assert attr in cookie
    assert "Secure" not in cookie  # plain HTTP on localhost; set over HTTPS
    behind_tls = sc.issue_handoff("v", 60)
    resp = _call(sc.SESSION_PATH, json.dumps({"code": behind_tls}).encode(), {"X-Forwarded-Proto": "https"})
    assert "Secure" in resp.headers["set-cookie"]
    again = _call(sc.SESSION_PATH, json.dumps({"code": code}).encode())
    assert again.status_code == 400 and "set-cookie" not in again.headers
    assert _call(sc.SESSION_PATH, b"not json").status_code == 400


def test_cross_site_requests_are_refused_and_logout_clears_the_cookie():
    code = sc.issue_handoff("v", 60)
    resp = _call(sc.SESSION_PATH, json.dumps({"code": code}).encode(), {"Sec-Fetch-Site": "cross-site"})
    assert resp.status_code == 403 and "set-cookie" not in resp.headers
    assert _call(sc.LOGOUT_PATH, b"{}", {"Sec-Fetch-Site": "cross-site"}).status_code == 403
    out = _call(sc.LOGOUT_PATH, b"{}", {"Sec-Fetch-Site": "same-origin"})
    assert out.status_code == 204
    assert f'{sc.COOKIE_NAME}=""' in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
    park = _call(sc.LOGOUT_PATH, json.dumps({"name": sc.PARK_COOKIE_NAME}).encode())
    assert park.status_code == 204 and park.headers["set-cookie"].startswith(f'{sc.PARK_COOKIE_NAME}=""')
    assert _call(sc.LOGOUT_PATH, json.dumps({"name": "_streamlit_xsrf"}).encode()).status_code == 400


def test_the_route_sets_the_park_cookie_by_name():
    code = sc.issue_handoff("park.value", 24 * 3600, name=sc.PARK_COOKIE_NAME)
    resp = _call(sc.SESSION_PATH, json.dumps({"code": code}).encode())
    assert resp.status_code == 204
    assert resp.headers["set-cookie"].startswith(f"{sc.PARK_COOKIE_NAME}=park.value;")
    assert "HttpOnly" in resp.headers["set-cookie"] and "SameSite=strict" in resp.headers["set-cookie"]


@pytest.fixture
def store(tmp_path):
    s = GpkgStore(tmp_path / "auth.gpkg")
    create_demo_users(s, ["E01"], config=CFG, now=T0)
    yield s
    s.close()


def test_idle_timeout_slides_with_use_and_the_absolute_timeout_holds(store):
    s = sign_in(store, "admin", "admin-demo", client="c", config=CFG, now=T0)
    assert s.expires_at == T0 + dt.timedelta(minutes=30)
    t = T0
    for _ in range(23):  # used every 20 min: never idle for 30 min
        t += dt.timedelta(minutes=20)
        assert resolve_session(store, s.token, config=CFG, now=t) is not None, t
    assert t == T0 + dt.timedelta(hours=7, minutes=40)
    assert resolve_session(store, s.token, config=CFG, now=T0 + dt.timedelta(hours=8)) is None  # absolute end
    s2 = sign_in(store, "admin", "admin-demo", client="c", config=CFG, now=T0)
    assert resolve_session(store, s2.token, config=CFG, now=T0 + dt.timedelta(minutes=29)) is not None
    assert resolve_session(store, s2.token, config=CFG, now=T0 + dt.timedelta(minutes=58)) is not None
    assert (
        resolve_session(store, s2.token, config=CFG, now=T0 + dt.timedelta(minutes=89)) is None
    )  # idle 31 min


def test_sign_out_and_a_password_change_revoke_sessions(store):
    a1 = sign_in(store, "admin", "admin-demo", client="c", config=CFG, now=T0)
    a2 = sign_in(store, "admin", "admin-demo", client="d", config=CFG, now=T0)
    v = sign_in(store, "viewer", "viewer-demo", client="c", config=CFG, now=T0)
    sign_out(store, a1.token)
    assert resolve_session(store, a1.token, config=CFG, now=T0) is None
    assert resolve_session(store, a2.token, config=CFG, now=T0) is not None
    with pytest.raises(InvalidCredentialsError):
        change_password(store, "admin", "wrong-password", "new-password-1", client="c", config=CFG)
    with pytest.raises(ValueError, match="至少 8 个字符"):
        change_password(store, "admin", "admin-demo", "short", client="c", config=CFG)
    with pytest.raises(ValueError, match="不能与原密码相同"):
        change_password(store, "admin", "admin-demo", "admin-demo", client="c", config=CFG)
    assert resolve_session(store, a2.token, config=CFG, now=T0) is not None  # failed changes revoke nothing
    ended = change_password(store, "admin", "admin-demo", "new-password-1", client="c", config=CFG)
    assert ended >= 2  # a2 and the session the old-password check opened
    assert resolve_session(store, a2.token, config=CFG, now=T0) is None
    assert resolve_session(store, v.token, config=CFG, now=T0) is not None  # other users keep theirs
    with pytest.raises(AuthError):
        sign_in(store, "admin", "admin-demo", client="c", config=CFG)
    assert sign_in(store, "admin", "new-password-1", client="c", config=CFG).user.username == "admin"
