"""app.present.messages.message_zh: a page shows the Chinese text of an error, every detail kept, no English gloss.

The convention is the one of docs/architecture.md ("Messages"): Chinese first and complete, an English gloss after
" / " or in brackets at the end. The last test walks every ``raise`` of analysis/, geodata/ and app/ and holds each
message with Chinese to it.
"""

from __future__ import annotations

import ast
import errno
import re
import sqlite3
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from analysis.physics.substances import UnknownSubstanceError, get
from analysis.weather import Weather, WeatherClass
from app.present.messages import message_zh
from geodata.crs import CRSError, require_same_crs
from geodata.samples.one_unit import ammonia_unit_park

REPO = Path(__file__).resolve().parents[2]
# English prose: three lowercase words in a row (commands such as `parkrisk weather import` are not prose)
_PROSE = re.compile(r"\b[a-z]{2,} [a-z]{2,} [a-z]{2,}\b")
_COMMANDS = re.compile(r"`[^`]*`|parkrisk [a-z -]+|pip install[^，。；]*|python -c \"[^\"]*\"")


def _english(text: str) -> str | None:
    m = _PROSE.search(_COMMANDS.sub("", text))
    return m.group(0) if m else None


def test_a_check_keeps_parameter_value_and_range_and_drops_the_bracketed_gloss():
    with pytest.raises(ValueError) as exc:
        WeatherClass(0.0, "D")
    assert "must" in str(exc.value)
    assert message_zh(exc.value) == "wind_speed 风速=0.0 超出范围，应 > 0 m/s"
    with pytest.raises(ValueError) as exc:
        Weather(2.0, float("nan"), "D")
    assert message_zh(exc.value) == "wind_from_deg 风向=nan 必须是有限数值（单位 °）"


def test_an_unknown_substance_names_the_value_and_the_closest_names_in_chinese():
    with pytest.raises(UnknownSubstanceError) as exc:
        get("液氯气体")
    text = message_zh(exc.value)
    assert "'液氯气体'" in text and "最接近的已知名称" in text and "液氯" in text and "CAS" in text
    assert "unknown" not in text and _english(text) is None


def test_a_chinese_sentence_after_a_gloss_is_kept():
    a = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=4326)
    with pytest.raises(CRSError) as exc:
        require_same_crs(a, a.to_crs(3857))
    text = message_zh(exc.value)
    assert "坐标系不一致" in text and "EPSG:4326" in text and "EPSG:3857" in text and "请先把" in text
    assert "mismatch" not in text and "reproject" not in text


def test_an_inline_label_keeps_the_allowed_values():
    park = ammonia_unit_park()
    with pytest.raises(ValueError) as exc:
        park.metric("nope")
    text = message_zh(exc.value)
    assert text.startswith("layer='nope' 不是该园区的图层；可选：") and "installations" in text
    assert "not a layer" not in text and "allowed" not in text and not text.startswith('"')


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("用户名 张三 已存在 / user exists", "用户名 张三 已存在"),
        (
            "weather=1 无效：应为风玫瑰（WindRose / DayNightWindRose）或 None [weather must be a wind rose or None]",
            "weather=1 无效：应为风玫瑰（WindRose / DayNightWindRose）或 None",
        ),
        (
            "请使用物质库中的名称（如 氯 / chlorine / 7782-50-5）",
            "请使用物质库中的名称（如 氯 / chlorine / 7782-50-5）",
        ),
        ("参数 x 须 ≤ 1，实际为 2（x must be ≤ 1）", "参数 x 须 ≤ 1，实际为 2"),
        ("min_probability=2 应在 [0, 1) 内 (must be in [0, 1))", "min_probability=2 应在 [0, 1) 内"),
        (
            "by='x' 不是可分组的列 / cannot group by it; 可选 / allowed: ['a', 'b']",
            "by='x' 不是可分组的列；可选：['a', 'b']",
        ),
        (
            "区域计算请检查 --scheduler / DASK_SCHEDULER_ADDRESS 的地址",
            "区域计算请检查 --scheduler / DASK_SCHEDULER_ADDRESS 的地址",
        ),
    ],
)
def test_message_zh_cases(message, shown):
    assert message_zh(ValueError(message)) == shown
    assert message_zh(message) == shown


def _templates():
    """(place, text, placeholders) of every raise with a literal message in analysis/, geodata/ and app/: each
    placeholder of an f-string replaced by a token (the same expression, the same token)."""
    out = []
    for root in ("analysis", "geodata", "app"):
        for path in sorted((REPO / root).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                    continue
                tokens: dict[str, str] = {}
                text = _literal(node.exc.args[0], tokens)
                if text and re.search(r"[\u4e00-\u9fff]", text):
                    out.append((f"{path.relative_to(REPO)}:{node.lineno}", text, tokens))
    return out


def _literal(node, tokens: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            else:
                parts.append(tokens.setdefault(ast.unparse(v.value), f"V{len(tokens)}X"))
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        a, b = _literal(node.left, tokens), _literal(node.right, tokens)
        return None if a is None or b is None else a + b
    return None


# Placeholders only the English gloss shows, with the Chinese part naming the same thing another way.
_SAID_IN_CHINESE = {
    "name.split()[0]": "the Chinese part shows the whole name",
    "action": "the Chinese part shows the action's Chinese label",
    "user.role": "the Chinese part shows user.role_zh",
    "enterprise_id": "the Chinese part shows enterprise_id or 园区",
    "list(BASEMAP_KINDS)": "the Chinese part lists the same kinds",
    "'integer' if whole else 'number'": "the Chinese part says which kind of number",
    "kinds": "the Chinese part names each geometry kind with an example",
}


def _english_twin(expr: str) -> bool:
    """``sub.name_en``, ``fix_en``: the English twin of a value the Chinese part names in Chinese."""
    return bool(re.search(r"_en\b", expr))


def test_every_message_keeps_its_details_in_chinese_and_shows_no_english_gloss():
    bad = []
    for place, text, tokens in _templates():
        shown = message_zh(text)
        lost = [
            e
            for e, t in tokens.items()
            if t not in shown and not _english_twin(e) and e not in _SAID_IN_CHINESE
        ]
        english = _english(shown)
        if lost or english:
            bad.append(f"{place}: {shown!r} (lost {lost}, English {english!r})")
    assert not bad, "消息的中文部分须含全部细节且不含英文说明：\n" + "\n".join(bad)


@pytest.mark.parametrize(
    "error, shown",
    [  # the errno of each is defined by POSIX (IEEE Std 1003.1, <errno.h>); the texts are the operating system's
        (
            FileNotFoundError(errno.ENOENT, "No such file or directory", "/data/park.gpkg"),
            "文件或文件夹不存在（/data/park.gpkg）：请检查路径是否正确，或先创建/上传该文件。",
        ),
        (
            PermissionError(errno.EACCES, "Permission denied", "/srv/ro"),
            "没有读写权限（/srv/ro）：请检查该文件或文件夹的权限，或换一个可写的位置（如 PARKRISK_DATA_DIR）。",
        ),
        (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间不足：请清理磁盘空间后重试。"),
        (
            sqlite3.OperationalError("database is locked"),
            "数据库文件正被其他程序占用（如 QGIS 正在编辑）：请关闭后重试。",
        ),
        (
            sqlite3.DatabaseError("file is not a database"),
            "文件不是有效的 GeoPackage/SQLite 数据库或已损坏：请从备份恢复，或重新导出该文件。",
        ),
        (
            UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
            "文件的文字编码无法识别：请把文件另存为 UTF-8 编码后重试。",
        ),
        (KeyError("unit_id"), "缺少键（KeyError）：unit_id"),
        (ValueError(""), "数值错误（ValueError）"),
        (LookupError("no codec"), "程序出错（LookupError）：no codec"),
    ],
)
def test_an_error_of_the_system_or_a_library_is_said_in_chinese(error, shown):
    """A message without Chinese is said in Chinese when it is an exception's; a plain string stays whole."""
    assert message_zh("plain English only") == "plain English only"
    assert message_zh(error) == shown
    assert re.search(r"[\u4e00-\u9fff]", message_zh(error))


def test_a_real_missing_file_and_a_damaged_geopackage_are_said_in_chinese(tmp_path):
    missing = tmp_path / "nowhere.gpkg"
    with pytest.raises(OSError) as caught:
        missing.open("rb")
    assert (
        message_zh(caught.value)
        == f"文件或文件夹不存在（{missing}）：请检查路径是否正确，或先创建/上传该文件。"
    )
    damaged = tmp_path / "damaged.gpkg"
    damaged.write_bytes(b"this is not a database" * 100)
    with pytest.raises(sqlite3.DatabaseError) as caught:
        sqlite3.connect(damaged).execute("SELECT * FROM gpkg_contents").fetchall()
    assert message_zh(caught.value).startswith("文件不是有效的 GeoPackage/SQLite 数据库或已损坏")
