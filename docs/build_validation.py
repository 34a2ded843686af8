"""Write the validation report: the tables of docs/validation/*.md from the code, then docs/validation.md.

Every table between ``<!-- table NAME -->`` and ``<!-- /table NAME -->`` in a topic file is generated: the cases
(inputs, published values, sources, tolerances) are held once, in ``docs/validation_cases/<topic>.py``, and the
"ours" and error cells are computed there by calling parkrisk's public functions. The prose around the tables is
written by hand in the topic files. ``docs/validation.md`` assembles the topic files.

Run ``python docs/build_validation.py`` after changing a case, a model or a topic file; tests/test_docs.py fails
(with a diff) when the committed files differ from what this script writes.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
TOPICS = DOCS / "validation"
OUT = DOCS / "validation.md"

#: Topic files in reading order (layers first, then the models in the order they build on each other).
ORDER = (
    "geodata.md",
    "fire-source-substances.md",
    "explosion-dispersion-vulnerability.md",
    "vce.md",
    "bleve-vessel-burst.md",
    "zones.md",
    "domino.md",
    "regulatory.md",
    "risk.md",
    "emergency.md",
    "pipelines.md",
)

HEADER = """# parkrisk 模型验证报告 / Validation report

每个物理模型与法规规则都对照已发表的算例、标准条文或同类开源工具（HyRAM+）的验证结果进行了测试。下表逐项列出
算例来源、输入、发表值、本程序计算值、相对误差与容差；对应的测试文件在各节开头注明。无法核对原文的数值在各节中
明确标注为“未核对”。

Every physical model and regulatory rule is tested against published worked examples, the standards' own tables,
or a peer's validated output (HyRAM+). Each section below names its tests; values that could not be checked against
the source text are marked as such.

This file is assembled from `docs/validation/*.md` by `python docs/build_validation.py`; the "ours" and error
cells of their tables are computed by `docs/validation_cases/`.
"""

_TABLE = re.compile(r"(<!-- table (?P<name>[\w-]+) -->\n)(?P<body>.*?)(\n<!-- /table (?P=name) -->)", re.S)


def _cases_module(topic: Path):
    """The module of ``docs/validation_cases`` holding the cases of a topic file (``vce.md`` → ``vce``)."""
    if str(DOCS) not in sys.path:
        sys.path.insert(0, str(DOCS))
    name = "validation_cases." + topic.stem.replace("-", "_")
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def topic_files() -> list[Path]:
    present = {p.name: p for p in TOPICS.glob("*.md")}
    ordered = [present.pop(name) for name in ORDER if name in present]
    return ordered + [present[k] for k in sorted(present)]


def render_topic(path: Path) -> str:
    """The topic file with each marked table regenerated from its cases."""
    text = path.read_text(encoding="utf-8")
    module = _cases_module(path)
    tables = getattr(module, "TABLES", {}) if module else {}
    seen = set()

    def fill(m: re.Match) -> str:
        name = m.group("name")
        if name not in tables:
            raise KeyError(f"{path.name}: no cases for table {name!r} in docs/validation_cases")
        seen.add(name)
        return m.group(1) + tables[name].render() + m.group(4)

    out = _TABLE.sub(fill, text)
    missing = set(tables) - seen
    if missing:
        raise KeyError(f"{path.name}: tables {sorted(missing)} have cases but no markers")
    return out


def render_topics() -> dict[Path, str]:
    """Every topic file as this script writes it."""
    return {path: render_topic(path) for path in topic_files()}


def build(topics: dict[Path, str] | None = None) -> str:
    """docs/validation.md assembled from the (regenerated) topic files."""
    topics = render_topics() if topics is None else topics
    parts = [HEADER.rstrip(), ""]
    toc = []
    bodies = []
    for path, raw in topics.items():
        text = raw.strip()
        title = re.match(r"#\s+(.*)", text)
        name = title.group(1) if title else path.stem
        toc.append(f"- [{name}](validation/{path.name})")
        # demote the topic's headings by one level so the report has a single title
        bodies.append(re.sub(r"^(#+)", r"#\1", text, flags=re.M))
    parts += ["## 目录 / Contents", "", *toc, ""]
    parts += ["\n\n".join(bodies), ""]
    return "\n".join(parts)


def main() -> None:
    topics = render_topics()
    for path, text in topics.items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    OUT.write_text(build(topics), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
