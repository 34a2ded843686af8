"""Sign-in: bcrypt hashes, sessions that expire, rate limiting per account and per address that survives a restart
(it is in the store), no parallel guessing, no user-name enumeration by timing."""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time

import pytest

import app.auth as app_auth
from app.auth import (
    AuthConfig,
    AuthError,
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

FAST = AuthConfig(bcrypt_rounds=4, session_ttl_s=3600.0, session_idle_s=3600.0, max_failures=5)
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
    assert resolve_session(store, s.token, config=FAST, now=T0 + dt.timedelta(minutes=59)).username == "admin"
    assert resolve_session(store, s.token, config=FAST, now=T0 + dt.timedelta(minutes=60)) is None
    assert store.session_record(__import__("hashlib").sha256(s.token.encode()).hexdigest()) is None  # purged
    s2 = sign_in(store, "admin", "admin-demo", client="c", config=FAST, now=T0)
    sign_out(store, s2.token)
    assert resolve_session(store, s2.token, now=T0) is None
    assert resolve_session(store, "forged-token", now=T0) is None


def test_failed_sign_ins_lock_the_account_across_restarts_and_clients(tmp_path, store):
    """The count is per account (any client) and kept in the store, so a restart does not reset it."""
    for k in range(5):
        with pytest.raises(InvalidCredentialsError, match="用户名或密码错误") as exc:
            sign_in(store, "admin", "wrong", client="10.0.0.9", config=FAST, now=T0 + dt.timedelta(seconds=k))
        assert exc.value.remaining == 4 - k
    store.close()
    reopened = GpkgStore(store.path)  # a server restart keeps the count
    at = T0 + dt.timedelta(seconds=30)
    with pytest.raises(RateLimitedError, match="秒后再试") as exc:
        sign_in(reopened, "admin", "admin-demo", client="10.0.0.9", config=FAST, now=at)
    assert exc.value.retry_after_s == pytest.approx(34.0, abs=1.0)  # 60 s after the 5th failure (at 4 s)
    with pytest.raises(RateLimitedError):  # another client is refused too: the lock is on the account
        sign_in(reopened, "admin", "admin-demo", client="10.0.0.10", config=FAST, now=at)
    ok = sign_in(
        reopened, "admin", "admin-demo", client="10.0.0.9", config=FAST, now=T0 + dt.timedelta(seconds=64)
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


# ---------------------------------------------------------------------------------------------------------------
# Finding 5 of issue 13: parallel guesses, in-flight checks, back-off, per-address limit, timing
# ---------------------------------------------------------------------------------------------------------------
class _Checked:
    """Replaces app.auth.verify_password: records every password really checked (slowed down a little so that
    parallel attempts overlap), optionally blocking the first check until ``release`` is set."""

    def __init__(self, *, block_first: bool = False, delay_s: float = 0.01) -> None:
        self.passwords: list[str] = []
        self.lock = threading.Lock()
        self.started = threading.Event()
        self.release = threading.Event()
        self.block_first = block_first
        self.delay_s = delay_s

    def __call__(self, password: str, password_hash: str) -> bool:
        with self.lock:
            self.passwords.append(password)
            first = len(self.passwords) == 1
        if first and self.block_first:
            self.started.set()
            assert self.release.wait(30)
        time.sleep(self.delay_s)
        return verify_password(password, password_hash)


def test_parallel_sign_ins_from_many_clients_check_at_most_the_limit(store, monkeypatch):
    """30 simultaneous sign-ins as ``admin`` from 30 client ids, each retrying while the account is busy; the right
    password is the 25th attempt to run. Fails before the fix: the limit was per (user, client), so all 30
    passwords were checked and the 25th got in."""
    checked = _Checked()
    monkeypatch.setattr(app_auth, "verify_password", checked)
    right_at = 24  # 0-based: the 25th attempt
    done = threading.Semaphore(0)
    outcomes: dict[int, str] = {}

    def attempt(i: int) -> None:
        if i == right_at:
            for _ in range(right_at):  # start after the 24 others have finished
                assert done.acquire(timeout=60)
        password = "admin-demo" if i == right_at else f"guess-{i:02d}"
        try:
            for _ in range(100_000):
                try:
                    sign_in(store, "admin", password, client=f"10.1.0.{i}", config=FAST, now=T0)
                    outcomes[i] = "signed in"
                    return
                except RateLimitedError as exc:
                    if exc.retry_after_s > 1.0:  # locked (not merely busy): give up
                        outcomes[i] = "locked"
                        return
                    time.sleep(0.001)
                except InvalidCredentialsError:
                    outcomes[i] = "wrong"
                    return
            outcomes[i] = "gave up"
        finally:
            done.release()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(outcomes) == 30
    assert len(checked.passwords) <= FAST.max_failures, checked.passwords
    assert "admin-demo" not in checked.passwords
    assert outcomes[right_at] == "locked"
    assert "signed in" not in outcomes.values()


def test_attempt_on_an_account_with_a_check_in_flight_is_refused(store, monkeypatch):
    """Fails before the fix: a second attempt on the same account was checked while the first was running."""
    checked = _Checked(block_first=True, delay_s=0.0)
    monkeypatch.setattr(app_auth, "verify_password", checked)
    first: list[BaseException] = []

    def slow() -> None:
        try:
            sign_in(store, "admin", "guess-one", client="10.2.0.1", config=FAST, now=T0)
        except AuthError as exc:
            first.append(exc)

    t = threading.Thread(target=slow)
    t.start()
    assert checked.started.wait(30)
    try:
        with pytest.raises(RateLimitedError, match="正在验证") as exc:
            sign_in(store, "admin", "guess-two", client="10.2.0.2", config=FAST, now=T0)
        assert exc.value.retry_after_s <= 1.0
        assert checked.passwords == ["guess-one"]  # the second password was never checked
        # another account is not held up by it
        assert (
            sign_in(store, "viewer", "viewer-demo", client="10.2.0.2", config=FAST, now=T0).user.role
            == "viewer"
        )
    finally:
        checked.release.set()
        t.join(30)
    assert len(first) == 1 and isinstance(first[0], InvalidCredentialsError)
    with pytest.raises(
        InvalidCredentialsError
    ):  # once the first check is over, the account takes attempts again
        sign_in(store, "admin", "guess-three", client="10.2.0.2", config=FAST, now=T0)


def test_account_lock_backs_off_exponentially_up_to_the_cap_and_expires(store):
    """Injected clock (``now=``), no sleeping. Lock after 5 failures: 60 s, then doubled at each further failure,
    at most 15 min; the lock expires on its own and a success resets the count. Fails before the fix: a 6th
    client was not refused (the count was per client) and there was no back-off."""
    t = T0
    for k in range(5):
        with pytest.raises(InvalidCredentialsError):
            sign_in(store, "inspector", "wrong-pass", client=f"10.3.0.{k}", config=FAST, now=t)
    expected = [60.0, 120.0, 240.0, 480.0, 900.0, 900.0]
    for i, lock in enumerate(expected):
        with pytest.raises(RateLimitedError, match="登录失败次数过多") as exc:
            sign_in(store, "inspector", "inspector-demo", client="10.3.1.1", config=FAST, now=t)
        assert exc.value.retry_after_s == pytest.approx(lock, abs=0.01)
        assert "最长 15 分钟" in str(exc.value)
        with pytest.raises(RateLimitedError):  # one second before it expires: still locked
            sign_in(
                store,
                "inspector",
                "wrong-pass",
                client="10.3.1.2",
                config=FAST,
                now=t + dt.timedelta(seconds=lock - 1),
            )
        t += dt.timedelta(seconds=lock)
        if i < len(expected) - 1:
            with pytest.raises(InvalidCredentialsError):  # the lock has expired: the password is checked
                sign_in(store, "inspector", "wrong-pass", client="10.3.1.3", config=FAST, now=t)
    ok = sign_in(store, "inspector", "inspector-demo", client="10.3.1.4", config=FAST, now=t)
    assert ok.user.role == "inspector"
    with pytest.raises(InvalidCredentialsError) as exc:  # the success reset the count
        sign_in(
            store, "inspector", "wrong-pass", client="10.3.1.5", config=FAST, now=t + dt.timedelta(seconds=1)
        )
    assert exc.value.remaining == 4


def test_per_address_limit_is_independent_of_the_account(store):
    """One address spraying many user names (one guess each, no account ever reaches its limit) is stopped by the
    per-address limit; other addresses and the accounts themselves are not affected. Fails before the fix: there
    was no per-address limit (``ip_max_failures`` did not exist)."""
    cfg = AuthConfig(bcrypt_rounds=4, max_failures=5, ip_max_failures=10, ip_window_s=900.0)
    for k in range(10):
        with pytest.raises(InvalidCredentialsError):
            sign_in(store, f"user{k:02d}", "wrong-pass", client="10.4.0.1", config=cfg, now=T0)
    with pytest.raises(
        RateLimitedError, match="10.4.0.1"
    ) as exc:  # even the right password of a fresh account
        sign_in(store, "e01", "e01-demo", client="10.4.0.1", config=cfg, now=T0 + dt.timedelta(seconds=5))
    assert exc.value.retry_after_s == pytest.approx(55.0, abs=0.01)
    assert sign_in(store, "e01", "e01-demo", client="10.4.0.2", config=cfg, now=T0).user.username == "e01"
    # a success from the address does not reset its count; the lock expires after its back-off
    assert sign_in(store, "e02", "e02-demo", client="10.4.0.1", config=cfg, now=T0 + dt.timedelta(seconds=60))
    with pytest.raises(InvalidCredentialsError):
        sign_in(
            store, "user99", "wrong-pass", client="10.4.0.1", config=cfg, now=T0 + dt.timedelta(seconds=60)
        )
    with pytest.raises(RateLimitedError) as exc:  # 11 failures: lock doubled to 120 s
        sign_in(store, "e01", "e01-demo", client="10.4.0.1", config=cfg, now=T0 + dt.timedelta(seconds=61))
    assert exc.value.retry_after_s == pytest.approx(119.0, abs=0.01)


def test_unknown_user_takes_as_long_as_a_known_one(store):
    """User names cannot be enumerated by timing. Fails before the fix: the dummy hash had cost 4 whatever the
    configured cost (1.3 ms against 240 ms at cost 12)."""
    cfg = AuthConfig(bcrypt_rounds=10, max_failures=1000)
    store.add_user(
        User("admin", "admin"),
        "slowuser",
        password_hash=hash_password("right-password", config=cfg),
        role="viewer",
    )

    def timed(username: str, k: int) -> float:
        start = time.perf_counter()
        with pytest.raises(InvalidCredentialsError):
            sign_in(store, username, "wrong-password", client=f"10.5.{len(username)}.{k}", config=cfg, now=T0)
        return time.perf_counter() - start

    timed("slowuser", 99), timed("nosuchuser", 99)  # warm-up (the dummy hash is made on first use)
    known, unknown = [], []
    for k in range(7):
        known.append(timed("slowuser", k))
        unknown.append(timed("nosuchuser", k))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 <= ratio <= 2.0, (statistics.median(unknown), statistics.median(known))


def test_parallel_spray_from_one_address_checks_at_most_its_limit(store, monkeypatch):
    """40 simultaneous guesses on 40 different user names from one address (no account reaches its own limit):
    checks in flight count against the address, so at most ``ip_max_failures`` passwords are checked. Fails
    before the fix: there was no per-address limit (``ip_max_failures`` did not exist)."""
    cfg = AuthConfig(bcrypt_rounds=4, max_failures=5, ip_max_failures=10)
    checked = _Checked(delay_s=0.02)
    monkeypatch.setattr(app_auth, "verify_password", checked)
    barrier = threading.Barrier(40)
    refused: list[RateLimitedError] = []

    def attempt(i: int) -> None:
        barrier.wait(30)
        try:
            sign_in(store, f"name{i:02d}", "guess-pass", client="10.6.0.1", config=cfg, now=T0)
        except RateLimitedError as exc:
            refused.append(exc)
        except InvalidCredentialsError:
            pass

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(checked.passwords) <= 10
    assert len(refused) == 40 - len(checked.passwords)
    assert all("10.6.0.1" in str(e) for e in refused)
