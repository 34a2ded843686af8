"""Reading weather-station observations for the emergency page and ``parkrisk evacuate``: a local file, an uploaded
file, or a CSV/JSON URL on the local network.

Parsing and the age check are pure (:mod:`analysis.emergency.observations`); this module does the I/O:

- a file is read whole up to :data:`MAX_BYTES`;
- a URL must be ``http``/``https`` and its host must resolve only to loopback, private or link-local addresses
  (a station on the park's network): the app server does not fetch pages of the internet on a user's request.
  Redirects are refused (a redirect could lead off the local network), the answer is limited to
  :data:`MAX_BYTES` and :data:`TIMEOUT_S`.

Every failure raises ``ValueError`` with a Chinese message naming the file or URL.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from analysis.emergency.observations import parse_observations

__all__ = ["MAX_BYTES", "TIMEOUT_S", "is_url", "load_observations", "observations_from_bytes"]

#: Largest observation file or answer read. [bytes]
MAX_BYTES = 2_000_000
#: Time allowed for a station URL to answer. [s]
TIMEOUT_S = 5.0


def is_url(source: str) -> bool:
    return urlsplit(str(source)).scheme.lower() in ("http", "https")


def _fmt_from_name(name: str, content_type: str = "") -> str | None:
    low = name.lower().split("?", 1)[0]
    if low.endswith(".json") or "json" in content_type.lower():
        return "json"
    if low.endswith((".csv", ".txt")) or "csv" in content_type.lower():
        return "csv"
    return None


def observations_from_bytes(data: bytes, name: str) -> pd.DataFrame:
    """Observations from the bytes of an uploaded file called ``name`` (format from its extension, else sniffed)."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"气象观测文件 {name} 过大（{len(data):,} 字节，上限 {MAX_BYTES:,}）")
    return parse_observations(data, fmt=_fmt_from_name(name), source=name)


def _check_local_host(url: str) -> None:
    host = urlsplit(url).hostname
    if not host:
        raise ValueError(f"气象观测 URL {url} 没有主机名")
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        raise ValueError(f"气象观测 URL {url}：无法解析主机名 {host}") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not (ip.is_loopback or ip.is_private or ip.is_link_local):
            raise ValueError(
                f"气象观测 URL {url}：主机 {host}（{ip}）不在本地网络内；只读取园区局域网内气象站的地址"
                "（回环、私有或链路本地地址）"
            )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib's hook
        raise ValueError(f"气象观测 URL {req.full_url} 重定向到 {newurl}：不跟随重定向，请直接给出最终地址")


def _fetch(url: str, timeout_s: float) -> tuple[bytes, str]:
    _check_local_host(url)
    opener = urllib.request.build_opener(_NoRedirect)
    req = urllib.request.Request(url, headers={"Accept": "text/csv, application/json;q=0.9, */*;q=0.1"})
    try:
        with opener.open(req, timeout=timeout_s) as resp:
            data = resp.read(MAX_BYTES + 1)
            ctype = resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        raise ValueError(f"气象观测 URL {url} 返回 HTTP {exc.code}（{exc.reason}）") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ValueError(
            f"气象观测 URL {url} 无法读取（{reason}），{timeout_s:g} s 内无应答或连接被拒绝"
        ) from None
    if len(data) > MAX_BYTES:
        raise ValueError(f"气象观测 URL {url} 的内容过大（超过 {MAX_BYTES:,} 字节）")
    return data, ctype


def load_observations(source: str | Path, *, timeout_s: float = TIMEOUT_S) -> pd.DataFrame:
    """Observations from a file path or a local-network URL (see module).

    Returns
    -------
    pandas.DataFrame
        :func:`analysis.emergency.observations.parse_observations`.

    Raises
    ------
    ValueError
        Missing or unreadable file, a URL off the local network, no answer, or malformed content (Chinese).
    """
    s = str(source)
    if is_url(s):
        data, ctype = _fetch(s, timeout_s)
        return parse_observations(data, fmt=_fmt_from_name(urlsplit(s).path, ctype), source=s)
    p = Path(s).expanduser()
    if not p.is_file():
        raise ValueError(f"气象观测文件 {s} 不存在或不是文件")
    if p.stat().st_size > MAX_BYTES:
        raise ValueError(f"气象观测文件 {s} 过大（{p.stat().st_size:,} 字节，上限 {MAX_BYTES:,}）")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ValueError(f"气象观测文件 {s} 无法读取（{exc.strerror}）") from None
    return parse_observations(data, fmt=_fmt_from_name(p.name), source=s)
