"""The validation report is generated: docs/validation/*.md tables and docs/validation.md are what
``python docs/build_validation.py`` writes from the cases in docs/validation_cases/ and the code."""

from __future__ import annotations

import difflib
import importlib.util
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _builder():
    spec = importlib.util.spec_from_file_location("build_validation", DOCS / "build_validation.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _diff(path: Path, committed: str, generated: str) -> str:
    lines = difflib.unified_diff(
        committed.splitlines(),
        generated.splitlines(),
        fromfile=f"{path.name} (committed)",
        tofile=f"{path.name} (from the code)",
        lineterm="",
        n=0,
    )
    return "\n".join(lines)


@pytest.mark.slow
def test_validation_report_is_what_the_code_computes():
    mod = _builder()
    topics = mod.render_topics()
    problems = []
    for path, generated in topics.items():
        committed = path.read_text(encoding="utf-8")
        if committed != generated:
            problems.append(_diff(path, committed, generated))
    out = DOCS / "validation.md"
    if out.read_text(encoding="utf-8") != mod.build(topics):
        problems.append(_diff(out, out.read_text(encoding="utf-8"), mod.build(topics)))
    assert not problems, (
        "the validation report is out of date: run python docs/build_validation.py\n" + "\n".join(problems)
    )


def test_every_published_vs_ours_table_is_generated():
    """A table with an "ours" column outside the generated blocks would be typed by hand."""
    block = re.compile(r"<!-- table ([\w-]+) -->\n.*?\n<!-- /table \1 -->", re.S)
    for topic in (DOCS / "validation").glob("*.md"):
        outside = block.sub("", topic.read_text(encoding="utf-8"))
        headers = [line for line in outside.splitlines() if line.startswith("|") and "ours" in line.lower()]
        assert not headers, f"{topic.name}: hand-typed table with computed values: {headers}"


def test_validation_report_covers_every_topic_file():
    text = (DOCS / "validation.md").read_text(encoding="utf-8")
    for topic in (DOCS / "validation").glob("*.md"):
        assert f"(validation/{topic.name})" in text
