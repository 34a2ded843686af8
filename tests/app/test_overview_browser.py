"""The regulator's numbers of 园区一张图 in real headless Chromium (Debian's /usr/bin/chromium via Playwright, no
network): the six numbers are shown as choices, and choosing one opens its table (issue 18, item 5)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location(
        "parkrisk_bench_app_startup_ov", REPO / "bench" / "app_startup.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_a_number_opens_its_table_in_chromium(demo_park_path, demo_park, tmp_path, monkeypatch):
    b = _bench()
    assert b.CHROMIUM.exists(), (
        f"{b.CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`)"
    )
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path))
    ent = demo_park.enterprises
    with sync_playwright() as pw:
        browser = b.launch_browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            with b.running_app(demo_park_path, log_path=tmp_path / "streamlit.log") as (base, _):
                b.wait_healthy(base, timeout=30)
                page.goto(base, wait_until="commit")
                group = page.get_by_role("radiogroup")
                group.wait_for(timeout=60_000)
                labels = group.get_by_role("radio")
                assert labels.count() == 6
                assert page.locator("[data-testid='stDataFrame']").count() == 0
                red = int((ent["risk_color"] == "red").sum())
                page.get_by_text(f"企业风险颜色：红 {red}", exact=False).click()
                table = page.locator("[data-testid='stDataFrame']")
                table.first.wait_for(timeout=30_000)
                assert table.count() == 1
                captions = page.locator("[data-testid='stCaptionContainer']").all_inner_texts()
                assert any("按园区数据中的企业安全风险等级" in t for t in captions)
        finally:
            browser.close()
