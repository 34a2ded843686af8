"""What every ``parkrisk`` command shares: the Chinese error line, finding and loading the park, ``--coords``,
numeric options with limits, and safe outputs.

A command's ``run`` is wrapped in :func:`reports_errors`; inside, :func:`park_path` and :func:`load_park_or_fail`
raise :class:`CommandError` with the Chinese message (for bad data: the full validation report), which ends as
``错误：…`` on stderr and exit code 1 — never a traceback.

Outputs: :func:`check_outputs` refuses, before any computation, an output whose folder is missing or not writable,
that is a folder, or that is one of the inputs (the same file after resolving ``~``, ``..``, symlinks and hard
links, or a file inside an input folder of layers). :func:`safe_output` then hands the writer a temporary path in
a private folder beside the output and moves the finished file into place with :func:`os.replace` (atomic on one
file system), so a crash, a full disk or a failing writer never leaves a half-written output and never touches an
existing one.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "CommandError",
    "add_coords_argument",
    "check_outputs",
    "count_option",
    "fail",
    "load_park_or_fail",
    "park_path",
    "reports_errors",
    "safe_output",
]


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


def add_coords_argument(parser: argparse.ArgumentParser) -> None:
    """``--coords``: the coordinate system of the park file's coordinates (tables from Chinese web maps are GCJ-02 or
    BD-09 and are corrected to WGS84 on loading, see :data:`geodata.crs.COORD_SYSTEMS`)."""
    from geodata import COORD_SYSTEMS

    parser.add_argument(
        "--coords",
        default="WGS84",
        choices=list(COORD_SYSTEMS),
        help="园区文件坐标所属坐标系（默认 WGS84）："
        + "；".join(f"{k}={v}" for k, v in COORD_SYSTEMS.items()),
    )


def load_park_or_fail(path: str | Path, *, coords: str = "WGS84") -> Any:
    """Load the park at ``path`` (see :func:`geodata.load_park`); ``coords`` is the file's coordinate system.

    Raises
    ------
    CommandError
        The file is missing, or its data are not usable (the message is the full Chinese validation report).
    """
    from app.substance_check import substance_lookup
    from geodata import load_park

    path = park_path(str(path))
    try:
        return load_park(path, coords=coords, known_substance=substance_lookup())
    except ValueError as exc:  # ParkDataError carries the full report
        report = getattr(exc, "report", None)
        raise CommandError(report.to_text_zh() if report is not None else str(exc)) from None
    except OSError as exc:
        raise CommandError(
            f"无法读取园区文件 {path}：{exc.strerror or exc}。请检查文件是否完整、是否有读取权限。"
        ) from None


def count_option(
    value: Any, option: str, *, low: int = 1, high: int | None = None, raise_with: str = ""
) -> int:
    """An integer command-line option (``4000``, ``1e4``) checked against ``[low, high]``.

    Parameters
    ----------
    value : str or int
        The option's text as given.
    option : str
        Its name, e.g. ``"--samples"``, for the message.
    low, high : int
        Allowed range; ``high=None`` for no upper limit.
    raise_with : str
        How the user may raise ``high`` (e.g. ``"--max-samples"``), said in the message.

    Raises
    ------
    CommandError
        Not a whole number, or outside the range (the message names the option, the value, the limit and the fix).
    """
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not number.is_integer():
        raise CommandError(f"{option} {text!r} 无效：应为整数（如 4000 或 1e4）。")
    n = int(number)
    if n < low:
        raise CommandError(f"{option}={n} 无效：应为 ≥ {low} 的整数。")
    if high is not None and n > high:
        how = f"如确需更多，请同时给出 {raise_with} {n}（内存与计算时间随之增加）。" if raise_with else ""
        raise CommandError(f"{option}={n} 超过上限 {high}。{how}")
    return n


# ----------------------------------------------------------------------------------------------------------------
# Outputs
# ----------------------------------------------------------------------------------------------------------------
def _is_same(target: Path, source: Path) -> bool:
    """Whether writing ``target`` would write ``source`` (same path after resolving, or the same file)."""
    if target.resolve() == source.resolve():
        return True
    try:
        return target.exists() and source.exists() and os.path.samefile(target, source)
    except OSError:
        return False


def _check_output(target: Path, inputs: Iterable[str | Path]) -> None:
    folder = target.absolute().parent
    if not folder.exists():
        raise CommandError(
            f"输出文件夹 {folder} 不存在，无法写出 {target.name}。请先创建该文件夹（mkdir -p {folder}），"
            "或把输出改到已有的文件夹。"
        )
    if not folder.is_dir():
        raise CommandError(f"输出路径 {target} 无效：{folder} 不是文件夹。")
    if target.is_dir():
        raise CommandError(
            f"输出 {target} 是一个文件夹：请给出文件名，例如 {target / ('结果' + target.suffix)}。"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CommandError(
            f"没有写入权限：无法在文件夹 {folder} 中写出 {target.name}。请换一个可写的文件夹，或修改该文件夹的权限。"
        )
    for item in inputs:
        source = Path(item).expanduser()
        if _is_same(target, source):
            raise CommandError(
                f"输出文件 {target} 就是输入的园区数据 {source}：写出会覆盖园区数据，已拒绝（园区文件未改动）。"
                f"请换一个输出文件名，例如 {target.with_name(target.stem + '_结果' + target.suffix)}。"
            )
        if source.is_dir() and source.resolve() in target.resolve().parents:
            raise CommandError(
                f"输出文件 {target} 位于输入的园区数据文件夹 {source} 中：该文件夹中的文件就是园区图层，写出会改变"
                "园区数据，已拒绝（园区数据未改动）。请把输出写到园区数据文件夹之外。"
            )


def check_outputs(outputs: Iterable[str | Path | None], inputs: Iterable[str | Path] = ()) -> None:
    """Check every output a command will write, before it computes anything (``None`` entries are skipped).

    Raises
    ------
    CommandError
        An output's folder is missing or not writable, the output is a folder, or it is (inside) an input.
    """
    inputs = list(inputs)
    for out in outputs:
        if out is not None and str(out) != "":
            _check_output(Path(out).expanduser(), inputs)


def _disk_full(target: Path) -> bool:
    """Whether the output's file system is (almost) full: less than 1 MiB free (GDAL's errors often lose errno)."""
    try:
        return shutil.disk_usage(target.absolute().parent).free < 1 << 20
    except OSError:
        return False


def write_error_zh(target: Path, exc: BaseException) -> str:
    """The Chinese message for a failed write of ``target``."""
    chain, e = [], exc
    while e is not None and len(chain) < 8:  # GDAL writers chain the OS error ("See previous exception")
        chain.append(e)
        e = e.__cause__ or e.__context__
    code = next((c.errno for c in chain if getattr(c, "errno", None)), None)
    text = getattr(exc, "strerror", None) or str(exc)
    kept = f"未完成的临时文件已删除，原有的 {target.name}（如有）和园区数据均未改动。"
    if (
        code in (errno.ENOSPC, errno.EDQUOT)
        or any("No space left" in str(c) for c in chain)
        or _disk_full(target)
    ):
        return f"磁盘空间不足，无法写出 {target}。{kept}请清理磁盘空间，或把输出写到其他磁盘后重试。"
    if code == errno.EROFS:
        return f"文件夹 {target.parent} 所在的文件系统是只读的，无法写出 {target}。{kept}请写到可写的磁盘。"
    if code in (errno.EACCES, errno.EPERM):
        return f"没有写入权限，无法写出 {target}（{text}）。{kept}请换一个可写的文件夹，或修改权限。"
    return f"无法写出 {target}：{text}。{kept}"


@contextlib.contextmanager
def safe_output(path: str | Path, inputs: Iterable[str | Path] = ()) -> Iterator[Path]:
    """A temporary path to write ``path`` to; on success the file is moved into place atomically.

    The temporary file has the output's name (writers choose formats and layer names by it) inside a private
    folder ``.parkrisk-*`` beside the output, removed afterwards with anything the writer left there.

    Raises
    ------
    CommandError
        See :func:`check_outputs`; or the write failed (full disk, no permission, read-only file system, a
        writer's error): the message says so, and the existing output is unchanged.
    """
    target = Path(path).expanduser()
    _check_output(target, inputs)
    if target.is_symlink():
        target = target.resolve()  # replace the file the link points to, keep the link
    tmpdir: Path | None = None
    try:
        tmpdir = Path(tempfile.mkdtemp(prefix=".parkrisk-", dir=target.absolute().parent))
        tmp = tmpdir / target.name
        yield tmp
        if not tmp.exists():
            raise CommandError(
                f"未能写出 {target}：写出程序没有生成文件。原有的 {target.name}（如有）未改动。"
            )
        os.replace(tmp, target)
    except (OSError, RuntimeError) as exc:  # RuntimeError: pyogrio's DataSourceError/DataLayerError
        raise CommandError(write_error_zh(target, exc)) from None
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


def reports_errors(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Wrap a command's ``run``: a :class:`CommandError` becomes ``错误：…`` on stderr and exit code 1.

    The last resort for what no check foresaw: running out of memory, Ctrl+C, and any other exception (a defect)
    also end in a Chinese message (exit code 1; 130 for Ctrl+C) instead of a traceback; ``PARKRISK_DEBUG=1``
    lets the exception through for a developer. Outputs are written through :func:`safe_output`, so none of these
    leaves a half-written file.
    """

    @functools.wraps(run)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except CommandError as exc:
            return fail(str(exc))
        except KeyboardInterrupt:
            print("\n已中断（Ctrl+C）：未完成的输出已删除，原有文件未改动。", file=sys.stderr)
            return 130
        except Exception as exc:  # noqa: BLE001 - the last resort: a message instead of a traceback
            if os.environ.get("PARKRISK_DEBUG", "").strip() not in ("", "0"):
                raise
            return fail(unforeseen_error_zh(exc))  # MemoryError included: it is an Exception

    return wrapper


def unforeseen_error_zh(exc: BaseException) -> str:
    """The Chinese message for an exception no check foresaw (out of memory, or a defect)."""
    debug = "设置环境变量 PARKRISK_DEBUG=1 后重新运行可显示详细的出错位置。"
    if isinstance(exc, MemoryError):
        return (
            "内存不足，计算无法完成（园区数据和原有输出均未改动）。请减小计算规模（如加大 --resolution、减小 --margin"
            f"、--samples），或在内存更大的计算机上运行。{debug}"
        )
    text = str(exc)[:300]
    return (
        f"程序内部错误（{type(exc).__name__}: {text}），计算未完成（园区数据和原有输出均未改动）。这很可能是 parkrisk "
        f"的缺陷：请把所用命令和园区文件报告给维护者。{debug}"
    )
