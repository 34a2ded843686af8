"""The Chinese text of an error, as a page shows it.

The convention of every message in parkrisk (``docs/architecture.md``, "Messages"): the Chinese text comes first and
is complete by itself — it names the layer, row, field, value and the fix; an English gloss for logs and the command
line may follow it after the separator ``" / "`` (:data:`GLOSS_SEPARATOR`), or in brackets at the very end
(``（must be > 0）``, ``(must be finite)``, ``[weather must be …]``). A gloss runs to the end of its sentence; a
Chinese sentence after it (``… / CRS mismatch: A vs B. 请先把…``) is kept. Inline labels may be glossed as
``可选 / allowed: [...]``. The command line prints the whole message; the app's pages show :func:`message_zh`.

Errors raised by the operating system or a library carry no Chinese: :func:`message_zh` says in Chinese what
happened and what to do for the common ones (a file missing, no permission, a full or read-only disk, a locked or
damaged database, a connection refused or timed out, memory exhausted, an undecodable text file), naming the file;
any other is introduced in Chinese with the error's kind, its own text kept as the detail.
"""

from __future__ import annotations

import errno
import re
import sqlite3

__all__ = ["GLOSS_SEPARATOR", "message_zh"]

#: What separates the Chinese text of a message from its English gloss.
GLOSS_SEPARATOR = " / "

_CJK = re.compile(r"[\u3400-\u9fff]")
# An inline label and its gloss: "可选 / allowed: [a, b]" -> "可选：[a, b]".
_LABEL = re.compile(r"([\u3400-\u9fff]{1,6}) / (?:allowed|known|expected|required|editable)\s*:\s*")
# The end of a sentence: after it a Chinese sentence may follow a gloss.
_SENTENCE_END = re.compile(r"(?:[.;](?=\s)|[。；])\s*")
# English prose: a word and a lowercase word in a row ("must be", "CRS mismatch"), or one lowercase word alone.
_PROSE = re.compile(r"\b[A-Za-z][\w'-]*\s+[a-z][a-z0-9'_-]*|^\s*[a-z][a-z'-]+\s*[.;:]?\s*$")
_OPEN, _CLOSE = "（([【", "）)]】"


def _depth(text: str) -> int:
    """How many brackets are open at the end of ``text``."""
    depth = 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
    return depth


def _is_gloss(segment: str) -> bool:
    """An English gloss: English prose with at most as much Chinese as a value named in it."""
    if not _PROSE.search(segment):
        return False
    return len(_CJK.findall(segment)) <= len(re.findall(r"[A-Za-z]", segment)) // 3


def _drop_separated_glosses(text: str) -> str:
    out, rest = [], text
    while True:
        at = rest.find(GLOSS_SEPARATOR)
        while at >= 0 and _depth(rest[:at]):  # "（WindRose / DayNightWindRose）": not a gloss
            at = rest.find(GLOSS_SEPARATOR, at + 1)
        if at < 0:
            out.append(rest)
            return "".join(out)
        after = rest[at + len(GLOSS_SEPARATOR) :]
        end = _SENTENCE_END.search(after)
        segment = after[: end.start()] if end else after
        if not _is_gloss(segment.split(GLOSS_SEPARATOR)[0]):  # "WGS 84 / Pseudo-Mercator": a name
            out.append(rest[: at + len(GLOSS_SEPARATOR)])
            rest = after
            continue
        out.append(rest[:at])
        if end is None or not _CJK.search(after[end.end() :]):
            return "".join(out)
        out.append("。" if after[end.start()] in ".。" else "；")
        rest = after[end.end() :]


def _drop_bracket_gloss(text: str) -> str:
    """``text`` without the bracketed English gloss it ends with (brackets inside the gloss allowed)."""
    text = text.rstrip()
    if not text or text[-1] not in _CLOSE:
        return text
    depth = 0
    for at in range(len(text) - 1, -1, -1):
        if text[at] in _CLOSE:
            depth += 1
        elif text[at] in _OPEN:
            depth -= 1
            if depth == 0:
                return text[:at].rstrip() if _is_gloss(text[at + 1 : -1]) else text
    return text


# errno -> (what happened, what to do), in Chinese.
_OS_ERRORS_ZH = {
    errno.ENOENT: ("文件或文件夹不存在", "请检查路径是否正确，或先创建/上传该文件"),
    errno.EACCES: ("没有读写权限", "请检查该文件或文件夹的权限，或换一个可写的位置（如 PARKRISK_DATA_DIR）"),
    errno.EPERM: ("操作不被允许", "请检查该文件或文件夹的权限，或换一个可写的位置（如 PARKRISK_DATA_DIR）"),
    errno.ENOSPC: ("磁盘空间不足", "请清理磁盘空间后重试"),
    errno.EROFS: ("文件系统为只读", "请换一个可写的位置（如 PARKRISK_DATA_DIR）"),
    errno.EISDIR: ("需要文件，但给出的是文件夹", "请给出文件的路径"),
    errno.ENOTDIR: ("路径中的某一级不是文件夹", "请检查路径是否正确"),
    errno.EEXIST: ("文件或文件夹已存在", "请换一个名称，或先删除已有的文件"),
    errno.EADDRINUSE: ("端口已被占用", "请关闭占用该端口的程序，或换一个端口（parkrisk app --port）"),
    errno.ECONNREFUSED: ("连接被拒绝：对方服务未启动或地址、端口有误", "请检查服务是否运行以及地址和端口"),
    errno.ETIMEDOUT: ("连接超时", "请检查网络和地址后重试"),
    errno.EHOSTUNREACH: ("无法到达对方主机", "请检查网络和地址后重试"),
    errno.ENETUNREACH: ("网络不可达", "请检查网络后重试"),
    errno.EMFILE: ("同时打开的文件过多", "请关闭不用的程序后重试"),
}
_ERROR_KINDS_ZH = {
    "TimeoutError": "操作超时",
    "ConnectionError": "连接出错",
    "MemoryError": "内存不足",
    "KeyError": "缺少键",
    "TypeError": "数据类型错误",
    "ValueError": "数值错误",
    "ZeroDivisionError": "除以零",
    "RuntimeError": "运行出错",
}


def _named_file(error: OSError) -> str:
    names = [n for n in (error.filename, error.filename2) if n not in (None, "")]
    return "（" + " → ".join(str(n) for n in names) + "）" if names else ""


def _foreign_zh(error: BaseException, text: str) -> str:
    """The Chinese text of an error raised by the operating system or a library (its own text has no Chinese)."""
    if isinstance(error, OSError) and error.errno in _OS_ERRORS_ZH:
        what, fix = _OS_ERRORS_ZH[error.errno]
        return f"{what}{_named_file(error)}：{fix}。"
    if isinstance(error, sqlite3.Error):
        low = text.lower()
        if "locked" in low or "busy" in low:
            return "数据库文件正被其他程序占用（如 QGIS 正在编辑）：请关闭后重试。"
        if "not a database" in low or "malformed" in low or "corrupt" in low:
            return "文件不是有效的 GeoPackage/SQLite 数据库或已损坏：请从备份恢复，或重新导出该文件。"
        if "readonly" in low or "read-only" in low:
            return "数据库文件只读：请检查文件权限，或另存到可写的位置。"
        return f"数据库出错：{text}"
    if isinstance(error, UnicodeError):
        return "文件的文字编码无法识别：请把文件另存为 UTF-8 编码后重试。"
    if isinstance(error, MemoryError):
        return "内存不足：请缩小计算范围（如放大网格分辨率）或关闭其他程序后重试。"
    if isinstance(error, OSError):
        return f"文件或系统操作出错{_named_file(error)}：{error.strerror or text}"
    if "not recognized as a supported file format" in text or "not recognised as a supported" in text:
        return "文件格式无法识别：请提供 GeoPackage（.gpkg）、Shapefile（.shp 及其附属文件）或 GeoJSON 文件。"
    kind = next((zh for cls in type(error).__mro__ if (zh := _ERROR_KINDS_ZH.get(cls.__name__))), "程序出错")
    name = type(error).__name__
    return f"{kind}（{name}）" + (f"：{text}" if text and text != name else "")


def message_zh(error: BaseException | str) -> str:
    """The user-facing Chinese text of an error: the message without its English gloss.

    Parameters
    ----------
    error : BaseException or str
        An exception (its message; a ``KeyError``'s without the quotes ``str`` adds) or a message.

    Returns
    -------
    str
        The Chinese text with every detail it names (field, row, value, fix). An exception whose message has no
        Chinese (raised by the operating system or a library) is said in Chinese: what happened and the fix for
        the common ones, else its kind with its own text as the detail; a plain string without Chinese is
        returned whole.
    """
    if isinstance(error, BaseException):
        args = error.args
        text = args[0] if len(args) == 1 and isinstance(args[0], str) else str(error)
        text = text.strip()
        if not _CJK.search(text):
            return _foreign_zh(error, text)
    else:
        text = str(error).strip()
    if not _CJK.search(text):
        return text
    text = _LABEL.sub(r"\1：", text)
    text = _drop_bracket_gloss(_drop_separated_glosses(text))
    return text.strip().rstrip(";；,，:：").strip()
