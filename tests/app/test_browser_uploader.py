"""The file uploader's drop zone in Chinese (app/main.py ``_uploader_css``) in real headless Chromium (Debian's
/usr/bin/chromium driven by Playwright, as tests/app/test_browser.py).

Streamlit 1.67 has no parameter for the drop zone's texts ("Upload", "200MB per file • GPKG, XLSX, ZIP", "Drag and
drop a file here"); the page CSS sets them to font size 0 and writes Chinese with ``::after``. The test reads what the
browser lays out: the English text has size 0, the Chinese pseudo-element has the size of Streamlit's text and takes
room, also on the overlay shown while a file is dragged over the zone.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: font size, ::after content, ::after font size, width and height of the element [px]
_LAYOUT = """e => { const a = getComputedStyle(e, '::after'); const r = e.getBoundingClientRect();
  return [getComputedStyle(e).fontSize, a.content, a.fontSize, r.width, r.height] }"""


def _bench():
    spec = importlib.util.spec_from_file_location(
        "parkrisk_bench_app_startup", REPO / "bench" / "app_startup.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _shown(locator) -> tuple[str, float]:
    """The Chinese text the browser lays out instead of the English one, and its font size [px]."""
    size, content, after_size, width, height = locator.evaluate(_LAYOUT)
    assert size == "0px", f"the English text is still drawn ({size}): {locator.text_content()!r}"
    assert width > 20 and height > 10, (width, height)
    return content.strip('"'), float(after_size.removesuffix("px"))


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_file_uploader_drop_zone_speaks_chinese(demo_park_path):
    b = _bench()
    assert b.CHROMIUM.exists(), (
        f"{b.CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`)"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = b.launch_browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            with b.running_app(
                demo_park_path, log_path=REPO / "test-artifacts" / "streamlit_uploader.log"
            ) as (
                base,
                _,
            ):
                b.wait_healthy(base, timeout=30)
                page.goto(base, wait_until="commit")
                zones = page.locator("[data-testid='stFileUploaderDropzone']")
                zones.first.wait_for(state="attached", timeout=90_000)
                zone = zones.first  # the sidebar's 上传园区数据, inside a collapsed expander
                if not zone.is_visible():
                    zone.locator("xpath=ancestor::details/summary").first.click()
                zone.wait_for(state="visible", timeout=10_000)
                button = zone.locator("button [data-testid='stMarkdownContainer'] p").first
                assert button.text_content() == "Upload"  # what Streamlit writes; the browser shows …
                assert _shown(button) == ("选择文件", 14.0)
                limit = zone.locator("[data-testid='stFileUploaderDropzoneInstructions'] span").first
                assert "per file" in limit.text_content()
                assert _shown(limit) == ("单个文件不超过 200 MB", 14.0)
                # a file dragged over the zone: Streamlit's overlay "Drag and drop a file here"
                drag = page.evaluate_handle(
                    "() => { const d = new DataTransfer(); d.items.add(new File(['x'], 'park.gpkg')); return d; }"
                )
                zone.dispatch_event("dragenter", {"dataTransfer": drag})
                overlay = zone.locator(":scope > div:not([data-testid]) > span")
                overlay.first.wait_for(state="attached", timeout=5_000)
                assert "Drag and drop" in overlay.first.text_content()
                assert _shown(overlay.first) == ("将文件拖放到此处", 14.0)
                zone.dispatch_event("dragleave", {"dataTransfer": drag})
        finally:
            browser.close()
