"""Sign-in: bcrypt hashes, sessions that expire, rate limiting that survives a restart (it is in the store)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.auth import (
    AuthConfig,
    InvalidCredentialsError,
    RateLimitedError,
    create_demo_users,
    hash_password,
    resolve_session,
    sign_in,
    sign_out,
    verify_password,
)
from geodata.store import GpkgStore, PermissionDeniedError, User, redact_installations

FAST = AuthConfig(bcrypt_rounds=4, session_ttl_s=3600.0, max_failures=5, window_s=900.0)
T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path):
    s = GpkgStore(tmp_path / "auth.gpkg")
    create_demo_users(s, ["E01", "E02"], config=FAST, now=T0)
    yield s
    s.close()


def test_passwords_are_salted_bcrypt_hashes(store):
    rec = store.user_record("admin")
    assert rec["password_hash"].startswith("$2b$04$") and "admin-demo" not in rec["password_hash"]
    assert hash_password("same-password", config=FAST) != hash_password(
        "same-password", config=FAST
    )  # salted
    assert verify_password("admin-demo", rec["password_hash"])
    assert not verify_password("admin-dem0", rec["password_hash"])
    with pytest.raises(ValueError, match="至少 8 个字符"):
        hash_password("short", config=FAST)


def test_demo_accounts_and_roles(store):
    s = sign_in(store, "e02", "e02-demo", client="1.2.3.4", config=FAST, now=T0)
    assert s.user == User("e02", "enterprise", "E02", "演示企业用户（E02）")
    assert create_demo_users(store, ["E01"], config=FAST) == []  # only on first run
    assert set(store.list_users(User("admin", "admin"))["username"]) == {
        "admin",
        "inspector",
        "viewer",
        "e01",
        "e02",
    }
    with pytest.raises(PermissionDeniedError):
        store.list_users(s.user)
    with pytest.raises(PermissionDeniedError, match="管理员"):
        store.add_user(None, "intruder", password_hash=hash_password("whatever-1", config=FAST), role="admin")


def test_session_expires_and_sign_out(store):
    s = sign_in(store, "admin", "admin-demo", client="c", config=FAST, now=T0)
    assert resolve_session(store, s.token, now=T0 + dt.timedelta(minutes=59)).username == "admin"
    assert resolve_session(store, s.token, now=T0 + dt.timedelta(minutes=60)) is None
    assert store.session_record(__import__("hashlib").sha256(s.token.encode()).hexdigest()) is None  # purged
    s2 = sign_in(store, "admin", "admin-demo", client="c", config=FAST, now=T0)
    sign_out(store, s2.token)
    assert resolve_session(store, s2.token, now=T0) is None
    assert resolve_session(store, "forged-token", now=T0) is None


def test_failed_sign_ins_are_rate_limited_across_restarts(tmp_path, store):
    for k in range(5):
        with pytest.raises(InvalidCredentialsError, match="用户名或密码错误") as exc:
            sign_in(store, "admin", "wrong", client="10.0.0.9", config=FAST, now=T0 + dt.timedelta(seconds=k))
        assert exc.value.remaining == 4 - k
    store.close()
    reopened = GpkgStore(store.path)  # a server restart keeps the count
    with pytest.raises(RateLimitedError, match="分钟后再试") as exc:
        sign_in(
            reopened, "admin", "admin-demo", client="10.0.0.9", config=FAST, now=T0 + dt.timedelta(minutes=5)
        )
    assert exc.value.retry_after_s == pytest.approx(600.0, abs=1.0)
    # another client is not blocked; after the window the right password works again
    sign_in(
        reopened, "admin", "admin-demo", client="10.0.0.10", config=FAST, now=T0 + dt.timedelta(minutes=5)
    )
    ok = sign_in(
        reopened, "admin", "admin-demo", client="10.0.0.9", config=FAST, now=T0 + dt.timedelta(minutes=16)
    )
    assert ok.user.role == "admin"
    reopened.close()


def test_unknown_user_gets_the_same_message(store):
    with pytest.raises(InvalidCredentialsError, match="用户名或密码错误"):
        sign_in(store, "nobody", "x-password", client="c", config=FAST, now=T0)


def test_viewer_does_not_see_inventories(demo_park):
    inst = demo_park.installations
    hidden = redact_installations(inst, User("v", "viewer"))
    assert hidden["inventory_kg"].isna().all() and hidden["pressure_pa"].isna().all()
    assert inst["inventory_kg"].notna().all()  # input untouched
    shown = redact_installations(inst, User("i", "inspector"))
    assert shown["inventory_kg"].equals(inst["inventory_kg"])


@pytest.mark.parametrize("bad", [dict(session_ttl_s=0), dict(max_failures=0), dict(bcrypt_rounds=3)])
def test_bad_config(bad):
    with pytest.raises(ValueError, match="必须"):
        AuthConfig(**bad)
