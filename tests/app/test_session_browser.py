"""A sign-in survives a browser reload (signed HttpOnly SameSite=Strict cookie, app/session_cookie.py) and ends
after the idle timeout, with the Chinese notice; sign-out clears it. Real headless Chromium (Debian's, as in
test_browser.py), the demo park, a private data folder (store and key file)."""

from __future__ import annotations

import importlib.util
import stat
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IDLE_S = 25  # PARKRISK_SESSION_IDLE_S of the server under test [s]


def _bench():
    spec = importlib.util.spec_from_file_location(
        "parkrisk_bench_app_startup_session", REPO / "bench" / "app_startup.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/rectification", wait_until="commit")
    page.get_by_label("用户名").fill(username, timeout=40000)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=30000)


def _open_overview(page, base: str) -> None:
    """The overview (园区一张图) through the navigation: its URL depends on which page is the default one."""
    page.goto(base, wait_until="commit")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("园区一张图").click(timeout=40000)


def _session_cookie(context):
    return next((c for c in context.cookies() if c["name"] == "parkrisk_session"), None)


def _wait_cookie(context, present: bool, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        c = _session_cookie(context)
        if (c is not None) == present:
            return c
        time.sleep(0.1)
    raise AssertionError(f"cookie {'not set' if present else 'not cleared'} within {timeout} s")


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_sign_in_survives_a_reload_and_ends_after_the_idle_timeout(
    demo_park_path, demo_park, tmp_path, monkeypatch
):
    b = _bench()
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    monkeypatch.delenv("PARKRISK_SESSION_KEY", raising=False)
    monkeypatch.setenv("PARKRISK_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("PARKRISK_SESSION_IDLE_S", str(IDLE_S))
    from app.auth import AuthConfig, create_demo_users
    from geodata.store import default_store_path, store_for_park

    # PARKRISK_PARK names the park, so the app adds no demo accounts: make them in the park's store first
    store = store_for_park(demo_park_path, demo_park.rectifications)
    assert Path(default_store_path(demo_park_path)).parent == tmp_path
    create_demo_users(store, list(demo_park.enterprises["enterprise_id"]), config=AuthConfig(bcrypt_rounds=4))
    store.close()
    with sync_playwright() as pw:
        browser = b.launch_browser(pw)
        try:
            with b.running_app(
                demo_park_path, log_path=REPO / "test-artifacts" / "streamlit-session.log"
            ) as (
                base,
                _,
            ):
                b.wait_healthy(base, timeout=30)
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                page = context.new_page()
                _sign_in(page, base, "admin", "admin-demo")
                cookie = _wait_cookie(context, True)
                assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
                assert "admin-demo" not in cookie["value"]
                assert (
                    cookie["expires"] > time.time() + 7 * 3600
                )  # the absolute end (8 h), the idle end is kept
                assert (
                    page.evaluate("document.cookie").find("parkrisk_session") < 0
                )  # JavaScript cannot read it
                assert "token" not in page.url and "admin-demo" not in page.url
                keys = list(tmp_path.glob("*.session-key"))
                assert len(keys) == 1 and stat.S_IMODE(keys[0].stat().st_mode) == 0o600

                # a reload (a new Streamlit session) is still signed in, on the same page
                page.reload(wait_until="commit")
                page.get_by_role("button", name="退出登录").wait_for(timeout=30000)
                assert page.url.endswith("/rectification")
                assert "演示园区管理员" in page.locator('[data-testid="stSidebar"]').inner_text()
                # another page of the same browser knows the user too (after a reload there)
                _open_overview(page, base)
                page.get_by_role("heading", name="园区一张图 · 江滨化工园区（虚构示例）").wait_for(
                    timeout=40000
                )
                assert page.get_by_text("登录已过期").count() == 0

                # idle longer than the timeout: the next reload is signed out, with the Chinese notice
                time.sleep(IDLE_S + 2)
                page.goto(f"{base}/rectification", wait_until="commit")
                page.get_by_text("登录已过期，请重新登录").wait_for(timeout=30000)
                page.get_by_role("button", name="登录", exact=True).wait_for(timeout=10000)
                assert page.get_by_role("button", name="退出登录").count() == 0
                _wait_cookie(context, False)  # the refused cookie is cleared

                # sign-out ends the session and clears the cookie: a reload is anonymous, without the notice
                _sign_in(page, base, "inspector", "inspector-demo")
                _wait_cookie(context, True)
                page.get_by_role("button", name="退出登录").click()
                page.get_by_role("button", name="登录", exact=True).wait_for(timeout=30000)
                _wait_cookie(context, False)
                page.reload(wait_until="commit")
                page.get_by_role("button", name="登录", exact=True).wait_for(timeout=30000)
                assert page.get_by_text("登录已过期").count() == 0
                context.close()
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.timeout(150)
def test_an_uploaded_park_survives_a_reload_until_it_is_closed(
    demo_park_path, small_park_path, tmp_path, monkeypatch
):
    b = _bench()
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PARKRISK_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.delenv("PARKRISK_SESSION_KEY", raising=False)
    small = "园区一张图 · 测试化工园区"
    demo = "园区一张图 · 江滨化工园区（虚构示例）"
    with sync_playwright() as pw:
        browser = b.launch_browser(pw)
        try:
            log = REPO / "test-artifacts" / "streamlit-session-park.log"
            with b.running_app(demo_park_path, log_path=log) as (base, _):
                b.wait_healthy(base, timeout=30)
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                page = context.new_page()
                _open_overview(page, base)
                page.get_by_role("heading", name=demo).wait_for(timeout=40000)
                page.get_by_text("更换园区数据").click()
                page.locator('input[type="file"]').set_input_files(str(small_park_path))
                page.get_by_role("heading", name=small).wait_for(timeout=30000)
                cookie = None
                deadline = time.monotonic() + 10
                while cookie is None and time.monotonic() < deadline:
                    cookie = next((c for c in context.cookies() if c["name"] == "parkrisk_park"), None)
                    time.sleep(0.1)
                assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
                assert str(tmp_path) not in cookie["value"]  # signed base64, not a readable path in the clear

                page.reload(wait_until="commit")
                page.get_by_role("heading", name=small).wait_for(timeout=40000)
                assert "上传文件" in page.locator('[data-testid="stSidebar"]').inner_text()

                # closing it returns to the default park, also after a reload (the expander is open on an upload)
                page.get_by_role("button", name="关闭上传的园区，回到默认园区").click()
                page.get_by_role("heading", name=demo).wait_for(timeout=40000)
                page.reload(wait_until="commit")
                page.get_by_role("heading", name=demo).wait_for(timeout=40000)
                assert not [c for c in context.cookies() if c["name"] == "parkrisk_park"]
                context.close()
        finally:
            browser.close()
