"""Sign-in, sessions and sign-in rate limiting for the 一园一策 pages, on the rectification store.

- Passwords are stored only as salted bcrypt hashes (the maintained ``bcrypt`` package; the salt is in the hash).
- A session is a random token given to the browser session; the store keeps only its SHA-256, with an expiry time
  (:attr:`AuthConfig.session_ttl_s`).
- Sign-in limits (:func:`sign_in`; every attempt is recorded in the store, so a restart does not reset them):

  * per account, whatever the client: after 5 failures (:attr:`AuthConfig.max_failures`) since the last success
    and within 24 h (:attr:`AuthConfig.window_s`) the account is locked for 60 s (:attr:`AuthConfig.lock_base_s`),
    doubled at each further failure and never more than 15 min (:attr:`AuthConfig.lock_max_s`): a stranger who
    guesses can lock a real user out for at most 15 min at a time; a successful sign-in resets the count;
  * per client address, whatever the account: after 30 failures within 15 min (:attr:`AuthConfig.ip_max_failures`,
    :attr:`AuthConfig.ip_window_s`) the address is locked with the same back-off; a success does not reset it;
  * one password check at a time per account: an attempt while another one on the same account is being checked
    is refused (:class:`SignInBusyError`), and the checks in flight from an address count against its limit, so
    parallel attempts cannot check more passwords than the limits allow. The check-and-reserve step runs under a
    process-wide lock; the app serves a store from one process (``parkrisk serve``);
  * an unknown user name costs the same bcrypt check (against a dummy hash of the configured cost) and is counted
    and locked like a real account, so user names cannot be found by timing or by the lock.
- Roles and what they may do: :mod:`geodata.store.roles` (enforced by every store call).
- App-wide policy: :func:`open_park_store` (a park's store, with the demo accounts for the demo park),
  :func:`may_read_sensitive`, and :func:`redact_for` / :func:`redact_park`, which hide the sensitive details of
  major-hazard installations from viewers and anonymous users — every page that shows installations calls them.
  The session side (the open park's shared store, the user signed in in this browser session, the park as that
  user may see it) is in :mod:`app.state`, which builds on this module; this module imports nothing of the app.

Demo accounts (for the bundled fictional demo park only — **never use them for a real park**):
``admin`` / ``admin-demo`` (园区管理员), ``inspector`` / ``inspector-demo`` (验收人员), ``viewer`` / ``viewer-demo``
(只读用户), and one enterprise user per demo enterprise: user name = the enterprise id in lower case, password
``<user name>-demo`` (企业用户). See :func:`create_demo_users`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import math
import os
import secrets
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import bcrypt
import pandas as pd

from geodata.store import RectificationStore, User, redact_installations
from geodata.store.base import utcnow
from geodata.store.roles import PERMISSIONS, SENSITIVE_INSTALLATION_COLUMNS

__all__ = [
    "AuthConfig",
    "AuthError",
    "InvalidCredentialsError",
    "RateLimitedError",
    "SignInBusyError",
    "Session",
    "hash_password",
    "verify_password",
    "sign_in",
    "resolve_session",
    "sign_out",
    "create_demo_users",
    "DEMO_ACCOUNTS",
    "redact_installations",
    "SESSION_TOKEN_KEY",
    "auth_config",
    "open_park_store",
    "may_read_sensitive",
    "redact_for",
    "redact_park",
]

#: Browser-session key (``st.session_state``) of the sign-in token.
SESSION_TOKEN_KEY = "rect_session_token"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthConfig:
    """Sign-in policy.

    Attributes
    ----------
    session_ttl_s : float
        Session lifetime after sign-in. [s]
    max_failures : int
        Failed sign-ins of one account (from any client, since its last success, within ``window_s``) after which
        the account is locked. [-]
    window_s : float
        How long a failed sign-in counts against its account. [s]
    bcrypt_rounds : int
        bcrypt cost (log2 of the iterations); 12 is the library default. Unknown user names are checked against
        a dummy hash of this cost, so it should be the cost of the stored hashes.
    lock_base_s : float
        First lock of an account or address, doubled at each further failure. [s]
    lock_max_s : float
        Longest lock. [s]
    ip_max_failures : int
        Failed sign-ins from one client address (any account) within ``ip_window_s`` after which it is locked. [-]
    ip_window_s : float
        How long a failed sign-in counts against its address. [s]
    """

    session_ttl_s: float = 8 * 3600.0
    max_failures: int = 5
    window_s: float = 24 * 3600.0
    bcrypt_rounds: int = 12
    lock_base_s: float = 60.0
    lock_max_s: float = 15 * 60.0
    ip_max_failures: int = 30
    ip_window_s: float = 15 * 60.0

    def __post_init__(self) -> None:
        if self.session_ttl_s <= 0:
            raise ValueError(f"session_ttl_s={self.session_ttl_s} 必须 > 0 s / must be positive")
        if self.max_failures < 1:
            raise ValueError(f"max_failures={self.max_failures} 必须 ≥ 1 / must be at least 1")
        if self.window_s <= 0:
            raise ValueError(f"window_s={self.window_s} 必须 > 0 s / must be positive")
        if not 4 <= self.bcrypt_rounds <= 31:
            raise ValueError(f"bcrypt_rounds={self.bcrypt_rounds} 必须在 4–31 / must be within 4..31")
        if self.lock_base_s <= 0:
            raise ValueError(f"lock_base_s={self.lock_base_s} 必须 > 0 s / must be positive")
        if self.lock_max_s < self.lock_base_s:
            raise ValueError(
                f"lock_max_s={self.lock_max_s} 必须 ≥ lock_base_s={self.lock_base_s} / must be at least lock_base_s"
            )
        if self.ip_max_failures < 1:
            raise ValueError(f"ip_max_failures={self.ip_max_failures} 必须 ≥ 1 / must be at least 1")
        if self.ip_window_s <= 0:
            raise ValueError(f"ip_window_s={self.ip_window_s} 必须 > 0 s / must be positive")

    def lock_s(self, failures: int, limit: int) -> float:
        """Lock after ``failures`` failures against a limit of ``limit``: 0 below it, then ``lock_base_s``
        doubled per further failure, at most ``lock_max_s``. [s]"""
        if failures < limit:
            return 0.0
        return min(self.lock_max_s, self.lock_base_s * 2.0 ** min(failures - limit, 64))

    def policy_zh(self) -> str:
        """The lock policy in Chinese, for messages."""
        return (
            f"连续失败 {self.max_failures} 次锁定 {self.lock_base_s:g} 秒，此后每再失败一次锁定时间加倍，"
            f"最长 {self.lock_max_s / 60:g} 分钟"
        )


class AuthError(Exception):
    """Sign-in failed."""


class InvalidCredentialsError(AuthError):
    """Wrong user name or password (deliberately not saying which)."""

    def __init__(self, remaining: int) -> None:
        self.remaining = remaining
        super().__init__(f"用户名或密码错误（还可尝试 {remaining} 次） / wrong user name or password")


def _wait_zh(seconds: float) -> str:
    s = max(1, math.ceil(seconds))
    return f"{s} 秒" if s < 60 else f"{math.ceil(s / 60)} 分钟"


class RateLimitedError(AuthError):
    """Too many failed sign-ins; ``retry_after_s`` until the next attempt is accepted. [s]"""

    def __init__(self, retry_after_s: float, message: str | None = None) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(
            message
            or f"登录失败次数过多，请 {_wait_zh(retry_after_s)}后再试 / too many failed sign-ins; "
            f"retry in {math.ceil(retry_after_s)} s"
        )


class SignInBusyError(RateLimitedError):
    """Another sign-in of the same account (or the last ones allowed from the address) is being checked."""


@dataclass(frozen=True)
class Session:
    """A signed-in session: keep ``token`` in the browser session; the store holds only its hash."""

    token: str
    user: User
    expires_at: dt.datetime


def _check_password_text(password: str) -> bytes:
    raw = password.encode("utf-8")
    if len(raw) > 72:  # bcrypt uses only the first 72 bytes; refuse rather than silently truncate
        raise ValueError(f"密码过长（{len(raw)} 字节，最多 72 字节） / password longer than 72 bytes")
    return raw


def hash_password(password: str, *, config: AuthConfig = AuthConfig()) -> str:
    """Salted bcrypt hash of ``password`` (at least 8 characters)."""
    if len(password) < 8:
        raise ValueError("密码至少 8 个字符 / password must have at least 8 characters")
    return bcrypt.hashpw(_check_password_text(password), bcrypt.gensalt(rounds=config.bcrypt_rounds)).decode(
        "ascii"
    )


def verify_password(password: str, password_hash: str) -> bool:
    """Whether ``password`` matches the bcrypt ``password_hash`` (constant-time in the library)."""
    try:
        raw = _check_password_text(password)
    except ValueError:
        return False
    return bool(bcrypt.checkpw(raw, password_hash.encode("ascii")))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@functools.lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> str:
    """A valid hash of cost ``rounds`` to check against when the user does not exist (same time as a real one)."""
    return bcrypt.hashpw(b"parkrisk-no-such-user", bcrypt.gensalt(rounds=rounds)).decode("ascii")


class _InFlight:
    """Password checks running in this process: accounts (at most one each) and addresses (a count each), keyed
    by the store (``repr``) so that two connection-sets on one store share them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accounts: set[tuple[str, str]] = set()
        self.clients: Counter[tuple[str, str]] = Counter()


_IN_FLIGHT = _InFlight()


def _account_failures(store: RectificationStore, username: str, config: AuthConfig, now: dt.datetime):
    """(failures since the last success within the window, time of the last one or None)."""
    n, last = 0, None
    for at, ok in store.login_attempts_since(now - dt.timedelta(seconds=config.window_s), username=username):
        n, last = (0, None) if ok else (n + 1, at)
    return n, last


def _check_limits(
    store: RectificationStore, username: str, client: str, config: AuthConfig, now: dt.datetime, scope: str
) -> int:
    """Raise :class:`RateLimitedError` when the account or the address may not try now; else the account's
    failures so far. Called with ``_IN_FLIGHT.lock`` held."""
    if (scope, username) in _IN_FLIGHT.accounts:
        raise SignInBusyError(
            1.0,
            f"账户“{username}”的另一次登录正在验证，请 1 秒后再试 / another sign-in of this account is being "
            "checked; retry in 1 s",
        )
    n, last = _account_failures(store, username, config, now)
    wait = (
        (last + dt.timedelta(seconds=config.lock_s(n, config.max_failures)) - now).total_seconds()
        if last
        else 0
    )
    if wait > 0:
        log.warning("sign-in refused: account %r locked for %.0f s (%d failures)", username, wait, n)
        raise RateLimitedError(
            wait,
            f"账户“{username}”登录失败次数过多（连续 {n} 次），已暂时锁定，请 {_wait_zh(wait)}后再试"
            f"（{config.policy_zh()}） / too many failed sign-ins for this account; retry in {math.ceil(wait)} s",
        )
    ip_window = dt.timedelta(seconds=config.ip_window_s)
    ip_fails = [at for at, ok in store.login_attempts_since(now - ip_window, client=client) if not ok]
    lock = config.lock_s(len(ip_fails), config.ip_max_failures)
    wait = (ip_fails[-1] + dt.timedelta(seconds=lock) - now).total_seconds() if ip_fails else 0
    policy = (
        f"每个地址 {config.ip_window_s / 60:g} 分钟内最多失败 {config.ip_max_failures} 次，此后锁定 "
        f"{config.lock_base_s:g} 秒起、每次加倍、最长 {config.lock_max_s / 60:g} 分钟"
    )
    if wait > 0:
        log.warning(
            "sign-in refused: address %r locked for %.0f s (%d failures)", client, wait, len(ip_fails)
        )
        raise RateLimitedError(
            wait,
            f"来自地址 {client} 的登录失败次数过多（{config.ip_window_s / 60:g} 分钟内 {len(ip_fails)} 次），"
            f"请 {_wait_zh(wait)}后再试（{policy}） / too many failed sign-ins from this address; retry in "
            f"{math.ceil(wait)} s",
        )
    busy = _IN_FLIGHT.clients[(scope, client)]
    if busy and len(ip_fails) + busy >= config.ip_max_failures:  # the last allowed checks are running
        raise SignInBusyError(
            1.0,
            f"来自地址 {client} 已失败 {len(ip_fails)} 次、另有 {busy} 次登录正在验证，请 1 秒后再试（{policy}） / "
            "the last sign-ins allowed from this address are being checked; retry in 1 s",
        )
    return n


def sign_in(
    store: RectificationStore,
    username: str,
    password: str,
    *,
    client: str,
    config: AuthConfig = AuthConfig(),
    now: dt.datetime | None = None,
) -> Session:
    """Check the password and open a session.

    Parameters
    ----------
    client : str
        The client address (e.g. the remote IP), for the per-address limit.
    now : datetime, optional
        The time of the attempt (tests); by default the clock is read under the limiter's lock.

    Raises
    ------
    SignInBusyError
        Another sign-in of the account is being checked (nothing recorded; retry in a second).
    RateLimitedError
        The account or the address is locked (see the module docstring; checked before the password, the refused
        attempt is not recorded so it does not lengthen the lock).
    InvalidCredentialsError
        Wrong user name or password (the attempt is recorded).
    """
    username = str(username).strip()
    client = str(client)
    account_key, client_key = (repr(store), username), (repr(store), client)
    with _IN_FLIGHT.lock:  # check and reserve atomically
        now = now or utcnow()
        failures = _check_limits(store, username, client, config, now, repr(store))
        _IN_FLIGHT.accounts.add(account_key)
        _IN_FLIGHT.clients[client_key] += 1
    try:
        rec = store.user_record(username)
        hashed = rec["password_hash"] if rec else _dummy_hash(config.bcrypt_rounds)
        ok = verify_password(password, hashed) and rec is not None
        store.record_login_attempt(username, client, success=ok, at=now)
    finally:
        with _IN_FLIGHT.lock:
            _IN_FLIGHT.accounts.discard(account_key)
            _IN_FLIGHT.clients[client_key] -= 1
            if _IN_FLIGHT.clients[client_key] <= 0:
                del _IN_FLIGHT.clients[client_key]
    if not ok:
        log.info("failed sign-in for %r from %r", username, client)
        raise InvalidCredentialsError(max(0, config.max_failures - failures - 1))
    user = User(rec["username"], rec["role"], rec["enterprise_id"], rec["display_name"] or "")
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(seconds=config.session_ttl_s)
    store.create_session(_token_hash(token), username, client=client, created_at=now, expires_at=expires)
    return Session(token, user, expires)


def resolve_session(
    store: RectificationStore, token: str | None, *, now: dt.datetime | None = None
) -> User | None:
    """The user of a live session token, or None (no token, unknown, or expired — an expired one is deleted)."""
    if not token:
        return None
    now = now or utcnow()
    rec = store.session_record(_token_hash(token))
    if rec is None:
        return None
    if rec["expires_at"] <= now:
        store.delete_session(rec["token_hash"])
        return None
    u = store.user_record(rec["username"])
    if u is None:
        return None
    return User(u["username"], u["role"], u["enterprise_id"], u["display_name"] or "")


def sign_out(store: RectificationStore, token: str | None) -> None:
    """End a session (no error when it does not exist)."""
    if token:
        store.delete_session(_token_hash(token))


#: (username, password, role, display name) of the fixed demo accounts; enterprise accounts are added per
#: enterprise by :func:`create_demo_users`.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("admin", "admin-demo", "admin", "演示园区管理员"),
    ("inspector", "inspector-demo", "inspector", "演示验收人员"),
    ("viewer", "viewer-demo", "viewer", "演示只读用户"),
)


def create_demo_users(
    store: RectificationStore,
    enterprise_ids: Iterable[str],
    *,
    config: AuthConfig = AuthConfig(),
    now: dt.datetime | None = None,
) -> list[tuple[str, str, str]]:
    """Create the demo accounts when the store has no users yet (first run of the demo); otherwise do nothing.

    Returns
    -------
    list of (username, password, role)
        The accounts created (empty when the store already had users).
    """
    if store.count_users():
        return []
    enterprise_ids = [str(e) for e in enterprise_ids]
    accounts = list(DEMO_ACCOUNTS) + [
        (str(e).lower(), f"{str(e).lower()}-demo", "enterprise", f"演示企业用户（{e}）")
        for e in enterprise_ids
    ]
    created = []
    actor: User | None = None
    for username, password, role, name in accounts:
        ent = None
        if role == "enterprise":
            ent = next(e for e in enterprise_ids if e.lower() == username)
        store.add_user(
            actor,
            username,
            password_hash=hash_password(password, config=config),
            role=role,
            enterprise_id=ent,
            display_name=name,
            now=now,
        )
        if actor is None:
            actor = User(username, role)
        created.append((username, password, role))
    return created


# ---------------------------------------------------------------------------------------------------------------
# App-wide policy: the store of a park, who may read sensitive details, redaction
# ---------------------------------------------------------------------------------------------------------------
def auth_config() -> AuthConfig:
    """Policy from the environment: ``PARKRISK_SESSION_TTL_S`` [s], ``PARKRISK_BCRYPT_ROUNDS``."""
    return AuthConfig(
        session_ttl_s=float(os.environ.get("PARKRISK_SESSION_TTL_S", 8 * 3600)),
        bcrypt_rounds=int(os.environ.get("PARKRISK_BCRYPT_ROUNDS", 12)),
    )


def open_park_store(park_path: str, store_target: str, demo: bool, park: Any) -> RectificationStore:
    """The rectification store of a park, initialised from the park's rectifications layer on first use (with the
    demo accounts for the demo park). :func:`app.state.park_store` shares one per park file and store target.

    Raises
    ------
    StoreError, ValueError, OSError
        When the store cannot be opened.
    """
    from geodata.store import store_for_park

    store = store_for_park(park_path, park.rectifications, store=store_target)
    if demo:
        created = create_demo_users(store, list(park.enterprises["enterprise_id"]), config=auth_config())
        if created:
            log.info("demo accounts created: %s", [c[0] for c in created])
    return store


def may_read_sensitive(user: User | None) -> bool:
    """Whether ``user`` may see sensitive details (inventories of major hazards); False when not signed in."""
    return user is not None and "read_sensitive" in PERMISSIONS[user.role]


_may_read_sensitive = may_read_sensitive


def redact_for(user: User | None, installations: pd.DataFrame) -> pd.DataFrame:
    """The installations layer as ``user`` may see it.

    For viewers and anonymous users (``user`` None) the columns of
    :data:`geodata.store.roles.SENSITIVE_INSTALLATION_COLUMNS` — inventory ``inventory_kg``, volume
    ``volume_m3``, pressure ``pressure_pa`` and temperature ``temperature_k`` — are blanked on the installations
    that belong to a GB 18218-2018 major hazard (重大危险源: S ≥ 1 of their hazard unit, see
    :func:`analysis.regulation.gb18218.unit_flags`; a unit whose substance cannot be classified is treated as major,
    so unknown data fail closed). Volume, pressure and temperature are hidden with the inventory because they give
    it back: a liquid's inventory is about volume × density, and a gas's m = pVM/(RT). Name, kind, substance and
    location stay visible (they are needed to read the map and are visible on site).
    Admins, inspectors and enterprise users see everything.

    Returns
    -------
    DataFrame
        A copy (the input is never modified), same index and columns.
    """
    out = installations.copy()
    if _may_read_sensitive(user) or len(out) == 0:
        return out
    from analysis.regulation.gb18218 import unit_flags

    try:
        major = unit_flags(out)["is_major"].to_numpy(dtype=bool)
    except (ValueError, KeyError) as exc:  # cannot identify: hide everywhere
        log.warning("redact_for: major hazards not identified (%s); all inventories hidden", exc)
        major = pd.Series(True, index=out.index).to_numpy(dtype=bool)
    hide = pd.Series(major, index=out.index)
    for col in SENSITIVE_INSTALLATION_COLUMNS:
        if col in out.columns:
            out[col] = out[col].where(~hide)
    return out


def redact_park(user: User | None, park: Any) -> Any:
    """The park with :func:`redact_for` applied to its installations (the same object when nothing is hidden)."""
    if _may_read_sensitive(user) or park.installations.empty:
        return park
    from geodata import Park

    layers = park.layers
    layers["installations"] = redact_for(user, park.installations)
    return Park(layers, report=park.report, source=park.source)
