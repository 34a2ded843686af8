"""docs/validation.md is the assembly of docs/validation/*.md (python docs/build_validation.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _builder():
    spec = importlib.util.spec_from_file_location("build_validation", DOCS / "build_validation.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_validation_report_is_up_to_date():
    mod = _builder()
    assert (DOCS / "validation.md").read_text(encoding="utf-8") == mod.build(), (
        "docs/validation.md is out of date: run python docs/build_validation.py"
    )


def test_validation_report_covers_every_topic_file():
    text = (DOCS / "validation.md").read_text(encoding="utf-8")
    for topic in (DOCS / "validation").glob("*.md"):
        assert f"(validation/{topic.name})" in text
