"""The ``parkrisk`` command line: batch commands on the same functions the app uses.

Each subcommand lives in its own module under :mod:`app.commands` (found by name, so adding a command touches no
other file); a module exposes ``register(subparsers)``, which adds its parser and sets ``func`` (a callable taking
the parsed ``argparse.Namespace`` and returning the exit code). Modules are registered in name order. Bad user data
ends in a Chinese report and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import app.commands


def command_modules() -> list[str]:
    """Names of the subcommand modules under :mod:`app.commands`, in name order."""
    return sorted(
        f"app.commands.{m.name}"
        for m in pkgutil.iter_modules(app.commands.__path__)
        if not m.name.startswith("_")
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parkrisk",
        description="化工园区风险一张图 parkrisk：园区图层校验、后果分析、风险计算与一园一策管理。",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令")
    for name in command_modules():
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
