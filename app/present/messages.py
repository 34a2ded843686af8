"""The Chinese text of an error, as a page shows it.

The convention of every message in parkrisk (``docs/architecture.md``, "Messages"): the Chinese text comes first and
is complete by itself — it names the layer, row, field, value and the fix; an English gloss for logs and the command
line may follow it after the separator ``" / "`` (:data:`GLOSS_SEPARATOR`), or in brackets at the very end
(``（must be > 0）``, ``(must be finite)``, ``[weather must be …]``). A gloss runs to the end of its sentence; a
Chinese sentence after it (``… / CRS mismatch: A vs B. 请先把…``) is kept. Inline labels may be glossed as
``可选 / allowed: [...]``. The command line prints the whole message; the app's pages show :func:`message_zh`.
"""

from __future__ import annotations

import re

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


def message_zh(error: BaseException | str) -> str:
    """The user-facing Chinese text of an error: the message without its English gloss.

    Parameters
    ----------
    error : BaseException or str
        An exception (its message; a ``KeyError``'s without the quotes ``str`` adds) or a message.

    Returns
    -------
    str
        The Chinese text with every detail it names (field, row, value, fix); a message without any Chinese is
        returned whole, and an empty one as the exception's type name.
    """
    if isinstance(error, BaseException):
        args = error.args
        text = args[0] if len(args) == 1 and isinstance(args[0], str) else str(error)
        text = text.strip() or type(error).__name__
    else:
        text = str(error).strip()
    if not _CJK.search(text):
        return text
    text = _LABEL.sub(r"\1：", text)
    text = _drop_bracket_gloss(_drop_separated_glosses(text))
    return text.strip().rstrip(";；,，:：").strip()
