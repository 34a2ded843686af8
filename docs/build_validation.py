"""Assemble docs/validation.md from the per-topic validation write-ups in docs/validation/.

Run ``python docs/build_validation.py`` after changing a topic file; tests/test_docs.py checks the two agree.
"""

from __future__ import annotations

import re
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

This file is assembled from `docs/validation/*.md` by `python docs/build_validation.py`.
"""


def topic_files() -> list[Path]:
    present = {p.name: p for p in TOPICS.glob("*.md")}
    ordered = [present.pop(name) for name in ORDER if name in present]
    return ordered + [present[k] for k in sorted(present)]


def build() -> str:
    parts = [HEADER.rstrip(), ""]
    toc = []
    bodies = []
    for path in topic_files():
        text = path.read_text(encoding="utf-8").strip()
        title = re.match(r"#\s+(.*)", text)
        name = title.group(1) if title else path.stem
        toc.append(f"- [{name}](validation/{path.name})")
        # demote the topic's headings by one level so the report has a single title
        bodies.append(re.sub(r"^(#+)", r"#\1", text, flags=re.M))
    parts += ["## 目录 / Contents", "", *toc, ""]
    parts += ["\n\n".join(bodies), ""]
    return "\n".join(parts)


if __name__ == "__main__":
    OUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUT}")
