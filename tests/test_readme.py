"""README.md keeps its promises: two quick-start commands and the layer table of geodata/schema.py."""

from __future__ import annotations

import re
from pathlib import Path

from geodata.schema import layer_table_markdown

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CI = Path(__file__).resolve().parents[1] / ".ci" / "run"


def _quick_start_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## 快速开始", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [ln for ln in block.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def test_quick_start_has_exactly_two_commands():
    cmds = _quick_start_commands()
    assert len(cmds) == 2, cmds
    assert "parkrisk app" in cmds[0]
    assert "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command():
    test_cmd = _quick_start_commands()[1].strip()
    assert test_cmd in CI.read_text(encoding="utf-8")


def test_layer_table_matches_schema():
    text = README.read_text(encoding="utf-8")
    a = text.index("<!-- layer-table:start")
    a = text.index("-->", a) + 3
    b = text.index("<!-- layer-table:end -->")
    assert text[a:b].strip() == layer_table_markdown().strip(), (
        "README layer table is out of date: regenerate it from geodata.schema.layer_table_markdown()"
    )


def test_project_structure_names_every_folder():
    # README's 项目结构 block names every package folder of analysis/ and app/ (docs/architecture.md explains them)
    text = README.read_text(encoding="utf-8")
    block = text[text.index("## 项目结构") :]
    block = block[: block.index("```", block.index("```") + 3)]
    missing = [
        f"{pkg}/{d.name}/"
        for pkg in ("analysis", "app")
        for d in sorted((ROOT / pkg).iterdir())
        if d.is_dir() and (d / "__init__.py").exists() and f"{d.name}/" not in block
    ]
    assert not missing, f"README 项目结构缺少目录: {missing}"
    assert (ROOT / "docs" / "architecture.md").exists()
