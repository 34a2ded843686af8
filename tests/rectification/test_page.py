"""AppTest of the page 一园一策 (app/views/rectification.py) on the demo park: sign-in, role scoping, handling,
a concurrent edit reported to the second person, and failed sign-ins."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[2] / "app" / "views" / "rectification.py"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv("PARKRISK_PARK", raising=False)
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PARKRISK_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    return tmp_path


def _signed_in(username: str, password: str) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    at.text_input(key="rect_username").input(username)
    at.text_input(key="rect_password").input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_sign_in_form_shows_demo_accounts(env):
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("一园一策")
    assert any("admin-demo" in m.value for m in at.markdown)
    assert any("演示账号" in e.label for e in at.expander)
    assert not at.dataframe  # nothing shown before sign-in


def test_enterprise_user_sees_only_its_own_items(env):
    at = _signed_in("e02", "e02-demo")
    table = at.dataframe[0].value
    assert len(table) == 6 and set(table["责任企业"]) == {"江滨氯碱化工有限公司"}
    assert all(o.startswith("R-2025-00") for o in at.selectbox(key="rect_handle_item").options)
    assert at.metric[0].value == "6 项"
    assert at.selectbox(key="rect_export_scope").options == ["企业：江滨氯碱化工有限公司（E02）"]
    assert not at.get("file_uploader")  # no import for enterprise users


def test_admin_handles_an_item_and_the_history_grows(env):
    at = _signed_in("admin", "admin-demo")
    assert len(at.dataframe[0].value) == 48
    at.selectbox(key="rect_handle_item").select("R-2025-003").run()
    choices = at.radio(key="rect_action_choice").options
    assert choices == ["（仅填报进展）", "开始整改 → 整改中"]
    at.radio(key="rect_action_choice").set_value("开始整改 → 整改中")
    at.text_area(key="rect_action_comment").input("已委托设计院出具抗爆改造方案")
    at.button(key="FormSubmitter:rect_action-提交").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    hist = next(d.value for d in at.dataframe if "操作" in d.value.columns)
    assert (
        hist["操作"].tolist()[-1] == "开始整改"
        and hist["说明"].tolist()[-1] == "已委托设计院出具抗爆改造方案"
    )


def test_second_editor_gets_a_clear_concurrent_edit_message(env):
    a = _signed_in("admin", "admin-demo")
    b = _signed_in("inspector", "inspector-demo")
    for at in (a, b):
        at.selectbox(key="rect_handle_item").select("R-2025-002").run()
        at.text_area(key="rect_action_comment").input("进展说明")
    a.button(key="FormSubmitter:rect_action-提交").click().run()
    assert not a.error, [e.value for e in a.error]
    b.button(key="FormSubmitter:rect_action-提交").click().run()
    assert any("已被他人修改" in e.value for e in b.error)


def test_viewer_cannot_act(env):
    at = _signed_in("viewer", "viewer-demo")
    at.selectbox(key="rect_handle_item").select("R-2025-002").run()
    assert any("没有可办理的操作" in c.value for c in at.caption)
    assert not at.get("file_uploader")


def test_wrong_password_then_rate_limited(env):
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    for _ in range(5):
        at.text_input(key="rect_username").input("admin")
        at.text_input(key="rect_password").input("guess")
        at.button[0].click().run()
        assert any("用户名或密码错误" in e.value for e in at.error)
    at.text_input(key="rect_password").input("admin-demo")
    at.button[0].click().run()
    assert any("登录失败次数过多" in e.value for e in at.error)
    assert not at.dataframe


def test_page_and_cli_give_the_same_findings_on_the_demo_park(env, demo_park, demo_park_path, capsys):
    """One pipeline (analysis.regulation.findings): the page 一园一策, ``parkrisk rect findings`` and
    park_findings propose the same items, in the same order, on the demo park."""
    import re

    import pandas as pd

    from analysis.regulation.findings import park_findings, propose_from_findings
    from app.cli import main

    prop = propose_from_findings(
        park_findings(demo_park), demo_park, links=pd.DataFrame(), items=pd.DataFrame(), today="2026-01-10"
    )
    expected = [p.record["item_id"] for p in prop.proposals]
    assert len(expected) > 100 and len(set(expected)) == len(expected)

    assert main(["rect", "findings", str(demo_park_path), "--today", "2026-01-10"]) == 0
    cli = re.findall(r"^\s*\d+\. \[([^\]]+)\]", capsys.readouterr().out, flags=re.M)
    assert cli == expected

    at = _signed_in("admin", "admin-demo")
    at.button(key="FormSubmitter:rect_fd_form-运行分析（多米诺效应与五室校核）").click().run()
    assert not at.exception, at.exception
    from app.jobs import runner

    # the analyses run in background jobs (app.jobs); their findings show on the next run
    assert runner().wait_idle(600)
    at.run()
    page = next(t.value for t in at.dataframe if "建议措施" in t.value.columns)  # the data editor
    assert page["编号"].tolist() == expected
    assert at.button(key="rect_fd_create").label == f"一键生成（{len(expected)} 项）"


def test_each_change_is_confirmed_and_the_extension_date_is_never_in_the_past(env):
    """Issue 17, item 6: a Chinese success message after each lifecycle transition (shown after the rerun that
    follows it); the proposed new deadline of an extension is not in the past; 按期整改率 beside 整改率."""
    import datetime as dt

    at = _signed_in("admin", "admin-demo")
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["整改事项", "整改率", "按期整改率"]
    assert any("按期整改率 = 在整改期限当日或之前销号的事项数" in c.value for c in at.caption)
    at.selectbox(key="rect_handle_item").select("R-2025-003").run()
    deadline = dt.date.fromisoformat(at.date_input(key="rect_extend_date").value.isoformat())
    assert deadline >= dt.date.today() + dt.timedelta(days=30)  # the demo deadlines are in 2025
    at.radio(key="rect_action_choice").set_value("开始整改 → 整改中")
    at.text_area(key="rect_action_comment").input("已委托设计院出具抗爆改造方案")
    at.button(key="FormSubmitter:rect_action-提交").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        "已提交“开始整改”：事项 R-2025-003 当前状态为“整改中”（第 2 版）。"
    ]
    assert [t.value for t in at.toast] == [at.success[0].value]
    at.text_area(key="rect_plan_measures").input("增设抗爆墙")
    at.number_input(key="rect_plan_funds").set_value(35.5)
    at.button(key="FormSubmitter:rect_plan-保存治理方案").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["治理方案已保存：事项 R-2025-003（第 3 版）。"]
    assert at.number_input(key="rect_plan_funds").value == pytest.approx(35.5)
    at.run()  # the message is shown once
    assert not at.success


def test_a_password_change_signs_out_everywhere(env):
    """Changing one's password on the page ends every session of the user (this one too): sign in again."""
    a = _signed_in("viewer", "viewer-demo")
    b = _signed_in("viewer", "viewer-demo")  # another browser
    a.text_input(key="rect_pw_old").input("viewer-demo")
    a.text_input(key="rect_pw_new").input("viewer-new-pass")
    a.text_input(key="rect_pw_again").input("viewer-new-pass")
    a.button(key="FormSubmitter:rect_password_change-修改密码").click().run()
    assert not a.exception, a.exception
    assert a.text_input(key="rect_username")  # signed out: the sign-in form again
    b.run()
    assert b.text_input(key="rect_username")  # the other browser too
    b.text_input(key="rect_username").input("viewer")
    b.text_input(key="rect_password").input("viewer-new-pass")
    b.button[0].click().run()
    assert not b.error, [e.value for e in b.error]
    assert b.metric  # signed in with the new password
