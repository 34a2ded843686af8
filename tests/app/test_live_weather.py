"""Live wind input: parsing (analysis/emergency/observations.py), a local file and a URL served by a local
http.server thread on 127.0.0.1 (app/live_weather.py) — fresh, stale, future, missing and malformed readings, all
said in Chinese; no external network."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import threading
from zoneinfo import ZoneInfo

import pytest

from analysis.emergency.observations import latest_observation, parse_observations
from app.live_weather import load_observations, observations_from_bytes

BJ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 7, 22, 0, tzinfo=BJ)

CSV = """time,direction,speed,cloud_cover
2026-12-07T21:30,30,1.5,4
2026-12-07T21:50,45,2.0,6
2026-12-07T21:40,40,1.8,
"""


def test_parse_csv_newest_fills_the_form():
    obs = parse_observations(CSV, source="站.csv")
    assert list(obs["wind_from_deg"]) == [30.0, 40.0, 45.0]  # sorted by time
    chk = latest_observation(obs, now=NOW)
    assert chk.status == "ok" and chk.usable
    o = chk.observation
    assert (o.wind_from_deg, o.wind_speed, o.cloud_oktas) == (45.0, 2.0, 6.0)
    assert o.cloud_fraction == pytest.approx(0.75)  # 6 oktas / 8
    assert o.time == dt.datetime(2026, 12, 7, 21, 50, tzinfo=BJ)
    assert chk.age_s == pytest.approx(600.0)
    assert "2026-12-07 21:50 北京时间" in chk.message_zh


def test_parse_json_offsets_and_aliases():
    data = {
        "observations": [
            {
                "时间": "2026-12-07T13:45:00Z",
                "风向": 360,
                "风速": "3.5",
            },  # UTC -> 21:45 Beijing; 360° = north
        ]
    }
    obs = parse_observations(json.dumps(data, ensure_ascii=False))
    chk = latest_observation(obs, now=NOW)
    assert chk.observation.time == dt.datetime(2026, 12, 7, 21, 45, tzinfo=BJ)
    assert chk.observation.wind_from_deg == 0.0 and chk.observation.wind_speed == 3.5
    assert chk.observation.cloud_oktas is None


def test_stale_reading_is_said_not_used():
    obs = parse_observations("time,direction,speed\n2026-12-07T21:00,45,2\n")
    chk = latest_observation(obs, now=NOW, max_age_s=30 * 60)
    assert chk.status == "stale" and not chk.usable
    assert chk.age_s == pytest.approx(3600.0)
    assert "已过去 60 min" in chk.message_zh and "超过设定时效 30 min" in chk.message_zh
    assert "未采用" in chk.message_zh
    # a longer limit set by the user accepts it
    assert latest_observation(obs, now=NOW, max_age_s=90 * 60).usable


def test_future_and_missing_readings():
    obs = parse_observations("time,direction,speed\n2026-12-07T23:00,45,2\n")
    chk = latest_observation(obs, now=NOW)
    assert chk.status == "future" and "晚于当前时间" in chk.message_zh
    none = latest_observation(None, now=NOW)
    assert none.status == "missing" and "没有气象观测数据" in none.message_zh


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("time,direction,speed\n2026-12-07T21:50,45,fast\n", ["第 2 行", "风速", "'fast'", "不是数字"]),
        ("time,direction,speed\n2026-12-07T21:50,400,2\n", ["第 2 行", "风向", "'400'", "超出范围"]),
        ("time,direction,speed,cloud_cover\n2026-12-07T21:50,45,2,9\n", ["云量", "'9'", "0–8"]),
        ("time,direction,speed\nyesterday,45,2\n", ["第 2 行", "时间", "'yesterday'", "ISO 8601"]),
        ("time,dir,speed\n2026-12-07T21:50,45,2\n", ["缺少列", "风向"]),
        ("[1, 2]", ["JSON", "列表"]),
        ('{"observations": [', ["不是有效的 JSON"]),
        ("", ["为空"]),
    ],
)
def test_malformed_readings_chinese_messages(text, words):
    with pytest.raises(ValueError) as exc:
        parse_observations(text, source="站.csv")
    for w in words:
        assert w in str(exc.value), (w, str(exc.value))


def test_bad_age_limit():
    with pytest.raises(ValueError, match="观测时效"):
        latest_observation(None, max_age_s=0)


def test_local_file_and_upload(tmp_path):
    f = tmp_path / "station.csv"
    f.write_text(CSV, encoding="utf-8")
    assert latest_observation(load_observations(f), now=NOW).observation.wind_from_deg == 45.0
    up = observations_from_bytes(CSV.encode("utf-8-sig"), "upload.csv")
    assert len(up) == 3
    with pytest.raises(ValueError, match="不存在"):
        load_observations(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="UTF-8"):
        observations_from_bytes("time,风向\n".encode("gbk"), "gbk.csv")


@pytest.fixture()
def station(tmp_path):
    """A weather station on the loopback interface serving files of tmp_path; yields its base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None  # quiet
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", tmp_path
    srv.shutdown()
    srv.server_close()
    th.join(5)


def test_url_csv_and_json(station):
    base, root = station
    (root / "obs.csv").write_text(CSV, encoding="utf-8")
    (root / "obs.json").write_text(
        json.dumps([{"time": "2026-12-07T21:55+08:00", "direction": 90, "speed": 4.0, "cloud_cover": 8}]),
        encoding="utf-8",
    )
    chk = latest_observation(load_observations(f"{base}/obs.csv"), now=NOW)
    assert chk.usable and chk.observation.wind_from_deg == 45.0
    chk = latest_observation(load_observations(f"{base}/obs.json"), now=NOW)
    assert (chk.observation.wind_from_deg, chk.observation.wind_speed, chk.observation.cloud_oktas) == (
        90,
        4,
        8,
    )


def test_url_errors(station):
    base, root = station
    (root / "bad.csv").write_text("time,direction,speed\n2026-12-07T21:50,45,-1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="HTTP 404"):
        load_observations(f"{base}/none.csv")
    with pytest.raises(ValueError, match="超出范围"):
        load_observations(f"{base}/bad.csv")
    # a public address is not on the local network: refused before any connection
    with pytest.raises(ValueError, match="不在本地网络内"):
        load_observations("http://8.8.8.8/obs.csv")
    # nothing listens on this port: a plain message, no traceback
    with pytest.raises(ValueError, match="无法读取"):
        load_observations("http://127.0.0.1:9/obs.csv", timeout_s=2.0)
