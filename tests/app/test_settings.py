"""app.settings: environment variables and secrets → frozen settings; bad values end in Chinese errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.settings import DEMO_PARK_PATH, AppSettings, Basemap, load_settings


def test_defaults_open_the_demo_park_offline():
    s = load_settings({}, {})
    assert s == AppSettings()
    assert s.park_path == DEMO_PARK_PATH and not s.park_from_env
    assert s.basemap.kind == "none" and s.basemap.offline and s.basemap.tile_sources() == ()


def test_env_wins_over_secrets():
    s = load_settings(
        {"PARKRISK_PARK": "/data/a.gpkg", "PARKRISK_BASEMAP": "osm"},
        {"park": "/data/b.gpkg", "basemap": "tianditu", "tianditu_token": "t"},
    )
    assert s.park_path == Path("/data/a.gpkg") and s.park_from_env
    assert s.basemap.kind == "osm" and not s.basemap.offline


def test_tianditu_from_secrets_builds_two_tile_layers_with_the_token():
    s = load_settings({}, {"basemap": "TianDiTu", "tianditu_token": "k123"})
    vec, cva = s.basemap.tile_sources()
    assert "LAYER=vec" in vec.url and "LAYER=cva" in cva.url and cva.overlay
    assert vec.url.endswith("tk=k123") and vec.subdomains == "01234567"
    assert "k123" not in repr(s.basemap)  # the token is not printed in logs


def test_bad_basemap_settings_raise_in_chinese():
    with pytest.raises(ValueError, match="底图设置 basemap='bing' 无效"):
        load_settings({"PARKRISK_BASEMAP": "bing"}, {})
    with pytest.raises(ValueError, match="PARKRISK_TIANDITU_TOKEN"):
        load_settings({"PARKRISK_BASEMAP": "tianditu", "PARKRISK_TIANDITU_TOKEN": "  "}, {})


def test_settings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Basemap().kind = "osm"  # type: ignore[misc]


def test_upload_limits_default_and_from_the_environment(tmp_path):
    from app.settings import UploadLimits, load_upload_limits

    default = load_settings({}, {}).uploads
    assert default == UploadLimits()
    assert (default.max_mb, default.max_files, default.max_rows) == (200.0, 2000, 200_000)
    assert (default.quota_mb, default.max_age_hours) == (1024.0, 24.0)
    assert default.max_bytes == 200 * 1024 * 1024
    env = {
        "PARKRISK_UPLOAD_MAX_MB": "50",
        "PARKRISK_UPLOAD_MAX_FILES": "10",
        "PARKRISK_UPLOAD_MAX_ROWS": "1000",
        "PARKRISK_UPLOAD_QUOTA_MB": "0.5",
        "PARKRISK_UPLOAD_MAX_AGE_HOURS": "1.5",
        "PARKRISK_UPLOAD_DIR": str(tmp_path),
    }
    limits = load_settings(env, {}).uploads
    assert limits == UploadLimits(50.0, 10, 1000, 0.5, 1.5, tmp_path)
    assert load_upload_limits({"PARKRISK_UPLOAD_MAX_ROWS": " "}) == UploadLimits()


@pytest.mark.parametrize(
    ("key", "value", "kind"),
    [
        ("PARKRISK_UPLOAD_MAX_ROWS", "1e5", "正整数"),
        ("PARKRISK_UPLOAD_MAX_FILES", "0", "正整数"),
        ("PARKRISK_UPLOAD_MAX_MB", "-1", "正数"),
        ("PARKRISK_UPLOAD_QUOTA_MB", "nan", "正数"),
        ("PARKRISK_UPLOAD_MAX_AGE_HOURS", "一天", "正数"),
    ],
)
def test_bad_upload_limits_raise_in_chinese_naming_the_variable(key, value, kind):
    with pytest.raises(ValueError, match=f"环境变量 {key}={value!r} 无效：应为{kind}"):
        load_settings({key: value}, {})
