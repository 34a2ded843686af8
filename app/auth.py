"""Sign-in, sessions and sign-in rate limiting for the 一园一策 pages, on the rectification store.

- Passwords are stored only as salted bcrypt hashes (the maintained ``bcrypt`` package; the salt is in the hash).
- A session is a random token given to the browser session; the store keeps only its SHA-256, with an expiry time.
  It ends after :attr:`AuthConfig.session_idle_s` without use (the expiry slides with each use) and at the latest
  :attr:`AuthConfig.session_ttl_s` after sign-in, whatever the use — the idle and absolute timeouts of the OWASP
  Session Management Cheat Sheet [1]_ (defaults 30 min and 8 h: its range for low-risk applications, and a working
  day). Signing out (:func:`sign_out`) and a password change (:func:`change_password`) end it in the store; the
  browser keeps it across a reload in a signed cookie (:mod:`app.session_cookie`).
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
  major-hazard installations from viewers and anonymous users; :func:`visible_rectifications` (the 一园一策 rule
  for rectification items) and :func:`redact_result` (model results computed on the full park, redacted once before
  any page draws or exports them) — pages get all of this through :func:`app.state.park_view`.
  The session side (the open park's shared store, the user signed in in this browser session, the park as that
  user may see it) is in :mod:`app.state`, which builds on this module; this module imports nothing of the app.

References
----------
.. [1] OWASP Foundation. Session Management Cheat Sheet, section "Session Expiration" (idle timeout: 15–30 min for
   low-risk applications; absolute timeout for an office worker's full day: 4–8 h), OWASP Cheat Sheet Series.
   https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html

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
import re
import secrets
import threading
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import bcrypt
import numpy as np
import pandas as pd

from geodata.store import RectificationStore, User, redact_installations
from geodata.store.base import utcnow
from geodata.store.roles import PERMISSIONS, SENSITIVE_INSTALLATION_COLUMNS, can_see

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
    "change_password",
    "create_demo_users",
    "DEMO_ACCOUNTS",
    "redact_installations",
    "SESSION_TOKEN_KEY",
    "auth_config",
    "open_park_store",
    "may_read_sensitive",
    "redact_for",
    "redact_park",
    "visible_rectifications",
    "redact_text",
    "redact_result",
    "HIDDEN_ZH",
    "SENSITIVE_RESULT_COLUMNS",
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
        Absolute session lifetime after sign-in, however much the session is used. [s]
    session_idle_s : float
        Idle timeout: a session not used for this long ends (each use moves its end, never past
        ``session_ttl_s``). [s]
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
    session_idle_s: float = 30 * 60.0
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
        if not self.session_idle_s > 0:
            raise ValueError(f"session_idle_s={self.session_idle_s} 必须 > 0 s / must be positive")
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
    expires = now + dt.timedelta(seconds=min(config.session_idle_s, config.session_ttl_s))
    store.create_session(_token_hash(token), username, client=client, created_at=now, expires_at=expires)
    return Session(token, user, expires)


def resolve_session(
    store: RectificationStore,
    token: str | None,
    *,
    config: AuthConfig = AuthConfig(),
    now: dt.datetime | None = None,
) -> User | None:
    """The user of a live session token, or None (no token, unknown, idle for ``config.session_idle_s``, or older
    than ``config.session_ttl_s`` — an expired one is deleted). A live session's end moves to
    ``min(now + session_idle_s, sign-in + session_ttl_s)`` (written when it moves by more than a minute, or a tenth of
    the idle timeout when that is shorter)."""
    if not token:
        return None
    now = now or utcnow()
    rec = store.session_record(_token_hash(token))
    if rec is None:
        return None
    absolute = rec["created_at"] + dt.timedelta(seconds=config.session_ttl_s)
    if rec["expires_at"] <= now or absolute <= now:
        store.delete_session(rec["token_hash"])
        return None
    u = store.user_record(rec["username"])
    if u is None:
        return None
    new_end = min(now + dt.timedelta(seconds=config.session_idle_s), absolute)
    if abs((new_end - rec["expires_at"]).total_seconds()) > min(60.0, config.session_idle_s / 10):
        store.touch_session(rec["token_hash"], new_end)
    return User(u["username"], u["role"], u["enterprise_id"], u["display_name"] or "")


def sign_out(store: RectificationStore, token: str | None) -> None:
    """End a session (no error when it does not exist)."""
    if token:
        store.delete_session(_token_hash(token))


def change_password(
    store: RectificationStore,
    username: str,
    old_password: str,
    new_password: str,
    *,
    client: str,
    config: AuthConfig = AuthConfig(),
) -> int:
    """Change a user's own password and end every session of that user, this one included: every browser signed
    in with the old password must sign in again. The old password is checked by :func:`sign_in` (same limits, the
    attempt recorded), so a left-open session cannot be used to guess it. Returns the sessions ended.

    Raises
    ------
    AuthError
        The old password is wrong, or the account or address is locked (:func:`sign_in`).
    ValueError
        The new password is too short or too long, or equals the old one (Chinese message).
    """
    if new_password == old_password:
        raise ValueError("新密码不能与原密码相同 / the new password must differ from the old one")
    # the new password's length is checked before the old one is tried
    new_hash = hash_password(new_password, config=config)
    sign_in(store, username, old_password, client=client, config=config)
    return store.set_password_hash(str(username).strip(), new_hash)


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
    """Policy from the environment: ``PARKRISK_SESSION_TTL_S`` (absolute) [s], ``PARKRISK_SESSION_IDLE_S`` [s],
    ``PARKRISK_BCRYPT_ROUNDS``."""
    return AuthConfig(
        session_ttl_s=float(os.environ.get("PARKRISK_SESSION_TTL_S", 8 * 3600)),
        session_idle_s=float(os.environ.get("PARKRISK_SESSION_IDLE_S", 30 * 60)),
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


#: Parks made by :func:`redact_park` -> whether their inventories are hidden (so a second pass does not identify the
#: major hazards again on blanked inventories).
_REDACTED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def visible_rectifications(user: User | None, rectifications: pd.DataFrame) -> pd.DataFrame:
    """The rows of a rectifications layer that ``user`` may see, by the rule of the 一园一策 page and store
    (:func:`geodata.store.roles.can_see`): none when not signed in, only its own enterprise's items for an enterprise
    user, every item for admins, inspectors and viewers. A copy when rows are dropped."""
    if user is None:
        return rectifications.iloc[0:0].copy()
    if "enterprise_id" not in rectifications.columns:
        return rectifications if user.role != "enterprise" else rectifications.iloc[0:0].copy()
    keep = [can_see(user, None if pd.isna(e) else str(e)) for e in rectifications["enterprise_id"]]
    return rectifications if all(keep) else rectifications[np.asarray(keep, dtype=bool)].copy()


def redact_park(user: User | None, park: Any) -> Any:
    """The park as ``user`` may see it: :func:`redact_for` applied to its installations and
    :func:`visible_rectifications` to its rectifications layer (the same object when nothing is hidden)."""
    from geodata import Park

    hide = not _may_read_sensitive(user) and not park.installations.empty and not _REDACTED.get(park, False)
    layers = park.layers
    rect = layers.get("rectifications")
    shown_rect = None if rect is None else visible_rectifications(user, rect)
    if not hide and (rect is None or shown_rect is rect):
        return park
    if hide:
        layers["installations"] = redact_for(user, park.installations)
    if rect is not None:
        layers["rectifications"] = shown_rect
    out = Park(layers, report=park.report, source=park.source)
    _REDACTED[out] = hide or _REDACTED.get(park, False)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Results of models run on the full park, as a user without read_sensitive may see them
# ---------------------------------------------------------------------------------------------------------------
#: What replaces a hidden figure in a text.
HIDDEN_ZH = "（已隐藏）"

#: Result columns, dict keys and dataclass fields blanked for users without ``read_sensitive``: inventory, volume,
#: release mass, and the GB 18218 ratios S = Σq/Q and R = α Σβq/Q (and the largest R of an enterprise), from which
#: q follows. (Pressure and temperature are blank in the user's park, with the volume that would turn them into a
#: mass; in results they are also the weather's and stay.)
SENSITIVE_RESULT_COLUMNS: frozenset[str] = frozenset(
    {
        *("inventory_kg", "volume_m3", "mass_kg", "inventory_t", "S", "R", "max_R"),
        # the same columns in the Chinese tables of app.commands.risk (page tables and Excel sheets)
        *("S（-）", "S = Σq/Q（-）", "R（-）", "最大 R（-）"),
    }
)

_NUM = r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?"
#: A figure with a unit of mass or volume (kg, kg/s, kg/m³, t, 吨, m³).
_MASS_OR_VOLUME = re.compile(rf"{_NUM}(\s*)(kg|t(?![A-Za-z])|吨|m³)")
#: S = 57.83, R = 115.7 (GB 18218 ratios written out).
_RATIO = re.compile(rf"\b([SR])(\s*=\s*){_NUM}")
_FIGURE = re.compile(_NUM)
#: A clause about the stored amount: every figure in it is hidden (a liquid level or volume gives the mass back).
_CLAUSE = re.compile(r"[^，；。;,\n]*(?:存量|液位|容积|管存)[^，；。;\n]*")
#: Frame columns never rewritten as text (identifiers and names).
_ID_COLUMNS = frozenset({"name", "unit", "substance", "title", "geometry"})


def redact_text(user: User | None, text: str) -> str:
    """A text from a model as ``user`` may read it: for users without ``read_sensitive`` every figure with a unit of
    mass or volume, the GB 18218 ratios S and R, and every figure in a clause about the stored amount (存量, 液位,
    容积, 管存) become :data:`HIDDEN_ZH`; the wording and the model citations stay. Fails closed: a mass the user
    typed (a point release) is hidden too."""
    if _may_read_sensitive(user) or not isinstance(text, str) or not any(c.isdigit() for c in text):
        return text
    out = _CLAUSE.sub(lambda m: _FIGURE.sub(HIDDEN_ZH, m.group(0)), text)
    out = _MASS_OR_VOLUME.sub(lambda m: f"{HIDDEN_ZH}{m.group(1)}{m.group(2)}", out)
    return _RATIO.sub(lambda m: f"{m.group(1)}{m.group(2)}{HIDDEN_ZH}", out)


def _redact_frame(user: User | None, frame: pd.DataFrame, memo: dict) -> pd.DataFrame:
    out = None
    for col in frame.columns:
        values = frame[col]
        if str(col) in SENSITIVE_RESULT_COLUMNS and values.notna().any():
            out = frame.copy() if out is None else out
            out[col] = np.nan if pd.api.types.is_numeric_dtype(values) else None
        elif (
            (values.dtype == object or pd.api.types.is_string_dtype(values.dtype))
            and str(col) not in _ID_COLUMNS
            and not str(col).endswith(("_id", "_ids"))
            and col != getattr(frame, "_geometry_column_name", None)
        ):
            new = [redact_text(user, v) if isinstance(v, str) else v for v in values]
            if any(a is not b for a, b in zip(new, values, strict=True)):
                out = frame.copy() if out is None else out
                out[col] = pd.Series(new, index=frame.index, dtype=object)
    attrs = _redact(user, dict(frame.attrs), memo) if frame.attrs else frame.attrs
    if attrs is not frame.attrs and attrs != frame.attrs:
        out = frame.copy() if out is None else out
        out.attrs = attrs
    return frame if out is None else out


def _redact(user: User | None, obj: Any, memo: dict) -> Any:
    import dataclasses

    from geodata import Park

    key = id(obj)
    if key in memo:
        return memo[key]
    if isinstance(obj, str):
        out: Any = redact_text(user, obj)
    elif isinstance(obj, Park):
        out = redact_park(user, obj)
    elif isinstance(obj, pd.DataFrame):
        out = _redact_frame(user, obj, memo)
    elif isinstance(obj, pd.Series):
        frame = _redact_frame(user, obj.to_frame(), memo)
        out = obj if frame is not None and frame.iloc[:, 0] is obj else frame.iloc[:, 0].rename(obj.name)
        if out is not obj and out.equals(obj) and obj.name not in SENSITIVE_RESULT_COLUMNS:
            out = obj
    elif isinstance(obj, dict):
        new = {
            k: (None if str(k) in SENSITIVE_RESULT_COLUMNS else _redact(user, v, memo))
            for k, v in obj.items()
        }
        out = obj if all(new[k] is v for k, v in obj.items()) else new
    elif isinstance(obj, list | tuple) and not hasattr(obj, "_fields"):
        new_seq = [_redact(user, v, memo) for v in obj]
        out = obj if all(a is b for a, b in zip(new_seq, obj, strict=True)) else type(obj)(new_seq)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changed = {}
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name, None)
            nv = None if f.name in SENSITIVE_RESULT_COLUMNS and v is not None else _redact(user, v, memo)
            if nv is not v:
                changed[f.name] = nv
        out = obj
        if changed:
            import copy

            out = copy.copy(obj)
            for name, v in changed.items():
                object.__setattr__(out, name, v)
    else:
        out = obj
    memo[key] = out
    return out


def redact_result(user: User | None, result: Any) -> Any:
    """A model result (computed on the full park) as ``user`` may see it — the one place where results are
    redacted before anything is drawn, tabulated or exported from them.

    For users without ``read_sensitive`` (viewers, anonymous users): texts through :func:`redact_text` (in lists,
    tuples, dicts, dataclass fields, frame ``attrs`` and the text columns of frames — not identifiers or names);
    columns and dict keys of :data:`SENSITIVE_RESULT_COLUMNS` blanked; a :class:`geodata.Park` replaced by
    :func:`redact_park`. Everything else (geometries, arrays, distances, probabilities) is returned as is: the
    zones themselves are shown to everyone. Containers are copied only where something changes; the input is never
    modified. Admins, inspectors and enterprise users get ``result`` itself.
    """
    if _may_read_sensitive(user):
        return result
    return _redact(user, result, {})
