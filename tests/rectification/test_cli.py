"""``parkrisk rect ...`` on a copy-free demo store (the store lives in PARKRISK_DATA_DIR)."""

from __future__ import annotations

import pandas as pd
import pytest

from app.cli import main
from geodata.store import User


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    return tmp_path


def test_stats_and_import(data_dir, demo_park_path, capsys):
    assert main(["rect", "stats", str(demo_park_path), "--by", "hazard_level", "--today", "2026-06-30"]) == 0
    out = capsys.readouterr().out
    assert "整改率" in out and "major" in out
    bad = data_dir / "bad.xlsx"
    pd.DataFrame(
        {
            "事项编号": ["N-1"],
            "隐患/问题描述": ["x"],
            "类别": ["不存在"],
            "隐患等级": ["一般隐患"],
            "发现日期": ["2026-01-01"],
            "整改期限": ["2026-02-01"],
            "责任人": ["甲"],
            "责任企业": ["E02"],
            "来源": ["监督检查"],
        }
    ).to_excel(bad, index=False)
    assert main(["rect", "import", str(demo_park_path), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "第 2 行，列「类别」，值「不存在」" in out and "未导入任何事项" in out
    good = data_dir / "good.xlsx"
    pd.DataFrame(
        {
            "事项编号": ["N-1"],
            "隐患/问题描述": ["储罐区可燃气体探测器失效"],
            "类别": ["仪表与自动化控制"],
            "隐患等级": ["一般隐患"],
            "发现日期": ["2026-01-01"],
            "整改期限": ["2026-02-01"],
            "责任人": ["甲"],
            "责任企业": ["江滨氯碱化工有限公司"],
            "来源": ["监督检查"],
        }
    ).to_excel(good, index=False)
    assert main(["rect", "import", str(demo_park_path), str(good)]) == 0
    assert "已导入 1 项：N-1" in capsys.readouterr().out


# -- issue 13: findings 7, 8, 9 for the rectification commands ------------------------------------------------------
def _good_xlsx(path, item_id="N-9", title="储罐区可燃气体探测器失效"):
    pd.DataFrame(
        {
            "事项编号": [item_id],
            "隐患/问题描述": [title],
            "类别": ["仪表与自动化控制"],
            "隐患等级": ["一般隐患"],
            "发现日期": ["2026-01-01"],
            "整改期限": ["2026-02-01"],
            "责任人": ["甲"],
            "责任企业": ["江滨氯碱化工有限公司"],
            "来源": ["监督检查"],
        }
    ).to_excel(path, index=False)
    return path


@pytest.fixture
def park_copy(tmp_path, demo_park_path):
    import shutil

    p = tmp_path / "park" / "园区.gpkg"
    p.parent.mkdir()
    shutil.copy(demo_park_path, p)
    return p


@pytest.mark.parametrize("how", ["same", "relative", "symlink", "hardlink"])
def test_rect_init_refuses_the_park_file_as_store(data_dir, park_copy, capsys, monkeypatch, how):
    import hashlib
    import os

    before = hashlib.sha256(park_copy.read_bytes()).hexdigest()
    target = park_copy
    if how == "relative":
        monkeypatch.chdir(park_copy.parent.parent)
        target = "park/../park/园区.gpkg"
    elif how == "symlink":
        target = data_dir / "link.gpkg"
        os.symlink(park_copy, target)
    elif how == "hardlink":
        target = data_dir / "hard.gpkg"
        os.link(park_copy, target)
    assert main(["rect", "init", str(park_copy), "--store", str(target)]) == 1
    out = capsys.readouterr().out
    assert "园区文件本身" in out and "园区.gpkg" in out and "--store" in out
    assert hashlib.sha256(park_copy.read_bytes()).hexdigest() == before
    monkeypatch.setenv("PARKRISK_STORE", str(target))  # the same through the environment
    assert main(["rect", "stats", str(park_copy)]) == 1
    assert "园区文件本身" in capsys.readouterr().out
    assert hashlib.sha256(park_copy.read_bytes()).hexdigest() == before


def test_rect_verify_reports_ok_and_a_break(data_dir, park_copy, capsys):
    import sqlite3

    store = data_dir / "s.gpkg"
    assert main(["rect", "init", str(park_copy), "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["rect", "verify", str(park_copy), "--store", str(store)]) == 0
    assert "审计链完整" in capsys.readouterr().out
    con = sqlite3.connect(store, isolation_level=None)
    con.execute("DROP TRIGGER history_no_delete")
    con.execute("DELETE FROM history WHERE hist_id = 2")
    con.close()
    assert main(["rect", "verify", str(park_copy), "--store", str(store)]) == 1
    out = capsys.readouterr().out
    assert "审计链被破坏" in out and "第 3 条历史记录" in out


def test_rect_import_on_a_full_disk(data_dir, park_copy, capsys, monkeypatch):
    import errno

    from geodata.store import GpkgStore

    store = data_dir / "s.gpkg"
    assert main(["rect", "init", str(park_copy), "--store", str(store)]) == 0
    capsys.readouterr()
    n = GpkgStore(store).count_items()

    def full(self, conn, rec, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(GpkgStore, "_insert_item", full)
    xlsx = _good_xlsx(data_dir / "good.xlsx")
    assert main(["rect", "import", str(park_copy), str(xlsx), "--store", str(store)]) == 1
    out = capsys.readouterr().out
    assert "磁盘空间已满" in out and str(store) in out and "Traceback" not in out
    monkeypatch.undo()
    s = GpkgStore(store)
    assert s.count_items() == n and s.verify(User("t", "admin")).ok


def test_rect_stats_and_import_on_a_read_only_store(data_dir, park_copy, capsys, monkeypatch):
    import sqlite3

    store = data_dir / "s.gpkg"
    assert main(["rect", "init", str(park_copy), "--store", str(store)]) == 0
    capsys.readouterr()
    before = store.read_bytes()
    real = sqlite3.connect

    def ro(path, *a, **kw):
        kw.pop("uri", None)
        return real(f"file:{path}?mode=ro", *a, uri=True, **kw)

    monkeypatch.setattr("geodata.store.gpkg.sqlite3.connect", ro)
    assert main(["rect", "stats", str(park_copy), "--store", str(store), "--today", "2026-06-30"]) == 0
    assert "整改率" in capsys.readouterr().out
    xlsx = _good_xlsx(data_dir / "good.xlsx")
    assert main(["rect", "import", str(park_copy), str(xlsx), "--store", str(store)]) == 1
    out = capsys.readouterr().out
    assert "只读" in out and str(store) in out
    assert store.read_bytes() == before


@pytest.mark.postgis
def test_rect_init_on_postgis_sets_up_the_app_role(data_dir, park_copy, pg_server, capsys):
    """``init`` runs as the owner and grants the application's role; the other commands run as that role and
    refuse the owner's connection with a message (no traceback)."""
    owner = pg_server.dsn
    assert main(["rect", "init", str(park_copy), "--store", owner, "--app-role", "parkrisk_cli"]) == 0
    out = capsys.readouterr().out
    assert "已创建并授权应用角色 parkrisk_cli" in out and "PARKRISK_STORE" in out
    app = pg_server.app_dsn("parkrisk_cli")
    assert main(["rect", "stats", str(park_copy), "--store", app, "--today", "2026-06-30"]) == 0
    assert "整改率" in capsys.readouterr().out
    assert main(["rect", "verify", str(park_copy), "--store", app]) == 0
    assert "审计链完整" in capsys.readouterr().out
    assert main(["rect", "stats", str(park_copy), "--store", owner]) == 1
    out = capsys.readouterr().out
    assert "所有者或超级用户" in out and "--app-role" in out and "Traceback" not in out


def test_user_passwd_resets_a_password_and_ends_the_users_sessions(
    data_dir, demo_park_path, capsys, monkeypatch
):
    from app.auth import AuthConfig, AuthError, resolve_session, sign_in
    from geodata.store import default_store_path, open_store

    monkeypatch.setenv("PARKRISK_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("NEW_PW", "new-secret-123")
    monkeypatch.setenv("FIRST_PW", "first-secret-1")
    assert main(["rect", "user-add", str(demo_park_path), "--username", "chief", "--role", "admin",
                 "--password-env", "FIRST_PW"]) == 0  # fmt: skip
    cfg = AuthConfig(bcrypt_rounds=4)
    store = open_store(default_store_path(demo_park_path))
    try:
        s = sign_in(store, "chief", "first-secret-1", client="c", config=cfg)
        assert (
            main(
                [
                    "rect",
                    "user-passwd",
                    str(demo_park_path),
                    "--username",
                    "chief",
                    "--password-env",
                    "NEW_PW",
                ]
            )
            == 0
        )
        assert "结束其 1 个登录会话" in capsys.readouterr().out
        assert resolve_session(store, s.token, config=cfg) is None
        with pytest.raises(AuthError):
            sign_in(store, "chief", "first-secret-1", client="c", config=cfg)
        assert sign_in(store, "chief", "new-secret-123", client="c", config=cfg).user.username == "chief"
        assert (
            main(
                [
                    "rect",
                    "user-passwd",
                    str(demo_park_path),
                    "--username",
                    "nobody",
                    "--password-env",
                    "NEW_PW",
                ]
            )
            == 1
        )
        assert "用户 'nobody' 不存在" in capsys.readouterr().out
    finally:
        store.close()
