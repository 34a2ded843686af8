"""What every ``parkrisk`` command shares: the Chinese error line, finding the park file and loading it.

A command's ``run`` is wrapped in :func:`reports_errors`; inside, :func:`park_path` and :func:`load_park_or_fail`
raise :class:`CommandError` with the Chinese message (for bad data: the full validation report), which ends as
``错误：…`` on stderr and exit code 1 — never a traceback.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["CommandError", "fail", "park_path", "load_park_or_fail", "reports_errors"]


class CommandError(Exception):
    """A problem with the user's input, said in Chinese; :func:`reports_errors` prints it and returns 1."""


def fail(msg: str) -> int:
    """Print ``错误：msg`` on stderr; returns the exit code 1."""
    print(f"错误：{msg}", file=sys.stderr)
    return 1


def park_path(arg: str) -> Path:
    """The park file named on the command line.

    Raises
    ------
    CommandError
        The path does not exist.
    """
    path = Path(arg).expanduser()
    if not path.exists():
        raise CommandError(f"找不到园区文件 {path}，请检查路径。")
    return path


def load_park_or_fail(path: str | Path, *, coords: str = "WGS84") -> Any:
    """Load the park at ``path`` (see :func:`geodata.load_park`).

    Raises
    ------
    CommandError
        The file is missing, or its data are not usable (the message is the full Chinese validation report).
    """
    from geodata import load_park

    path = park_path(str(path))
    try:
        return load_park(path, coords=coords)
    except ValueError as exc:  # ParkDataError carries the full report
        report = getattr(exc, "report", None)
        raise CommandError(report.to_text_zh() if report is not None else str(exc)) from None


def reports_errors(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Wrap a command's ``run``: a :class:`CommandError` becomes ``错误：…`` on stderr and exit code 1."""

    @functools.wraps(run)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except CommandError as exc:
            return fail(str(exc))

    return wrapper
