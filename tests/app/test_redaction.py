"""What anonymous, viewer and enterprise users see of the demo park (issue 13, findings 3 and 4).

Finding 3: the inventories of major-hazard installations (and S = Σq/Q, R, from which q follows) are hidden from
anonymous users and viewers on every page, table, map and export built from the park — the pages reach the park only
through :func:`app.state.park_view` (the park as the signed-in user may see it; models run on the full park and
their results are redacted in one place, :func:`app.auth.redact_result`).

Finding 4: the maps draw rectification items by the rules of the 一园一策 page (:func:`geodata.store.roles.can_see`):
none for anonymous users, only its own enterprise's for an enterprise user, all for admins, inspectors and viewers.

Each page runs in Streamlit's AppTest; maps are captured by replacing ``streamlit_folium.st_folium``, downloads by
wrapping ``streamlit.download_button``, and the briefing PDF's text by wrapping ``FPDF.cell`` / ``FPDF.multi_cell``
(no PDF text extractor is installed).
"""

from __future__ import annotations

import ast
import html
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ROOT / "app" / "views"
PAGES = ("park_map", "consequence", "emergency", "major_hazard")
PASSWORDS = {"admin": "admin-demo", "viewer": "viewer-demo", "e01": "e01-demo"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_park_path, demo_park):
    """Demo park with its store in a temporary data folder and a session token per demo account."""
    from app.auth import open_park_store, sign_in
    from geodata.store import default_store_path

    mp = pytest.MonkeyPatch()
    mp.delenv("PARKRISK_PARK", raising=False)
    mp.delenv("PARKRISK_STORE", raising=False)
    mp.setenv("PARKRISK_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    mp.setenv("PARKRISK_BCRYPT_ROUNDS", "4")
    mp.setenv("PARKRISK_BASEMAP", "none")
    store = open_park_store(str(demo_park_path), str(default_store_path(demo_park_path)), True, demo_park)
    try:
        tokens = {u: sign_in(store, u, pw, client="test-redaction").token for u, pw in PASSWORDS.items()}
    finally:
        store.close()
    yield demo_park, tokens
    mp.undo()


def _hidden_inventories(park) -> list[float]:
    from analysis.regulation.gb18218 import unit_flags

    inst = park.installations
    major = unit_flags(inst)["is_major"].to_numpy(dtype=bool)
    shown = {
        float(v) for v in inst.loc[~major, "inventory_kg"]
    }  # the same figure may belong to a visible one
    return sorted({float(v) for v in inst.loc[major, "inventory_kg"]} - shown)


def _inventory_needles(values: list[float]) -> list[str]:
    """The inventories as the app writes them (``72,292 kg``, ``72292``, ``72.29 t``)."""
    out = []
    for v in values:
        out += [f"{v:,.0f} kg", f"{v / 1000:,.2f} t"]
        if v >= 10_000:  # bare figures of five digits and more (shorter ones match unrelated numbers)
            out += [f"{v:,.0f}", f"{v:.0f}"]
    return out


def _contains(text: str, needle: str) -> bool:
    """Whether ``needle`` is in ``text`` as written, HTML-escaped or JSON-escaped (folium writes \\uXXXX), not as
    part of a longer number (``2,000 kg`` is not in ``12,000 kg``, ``70469`` not in ``113.704691``)."""
    forms = {needle, html.escape(needle), json.dumps(needle)[1:-1]}
    return any(re.search(rf"(?<![\d,.]){re.escape(form)}(?![\d])", text) for form in forms)


class _Capture:
    """Maps, downloads and PDF text written during one page run."""

    def __init__(self, monkeypatch):
        import streamlit
        import streamlit_folium
        from fpdf import FPDF

        self.maps: list[str] = []
        self.downloads: dict[str, bytes | str] = {}
        self.pdf: list[str] = []
        real_download = streamlit.download_button
        real_cell, real_multi = FPDF.cell, FPDF.multi_cell

        def st_folium(m, *args, **kwargs):
            self.maps.append(m.get_root().render())

        def download_button(label, data=None, *args, **kwargs):
            self.downloads[kwargs.get("file_name", label)] = data
            return real_download(label, data, *args, **kwargs)

        def cell(pdf, *args, **kwargs):
            self.pdf.append(str(kwargs.get("text", args[2] if len(args) > 2 else "")))
            return real_cell(pdf, *args, **kwargs)

        def multi_cell(pdf, *args, **kwargs):
            self.pdf.append(str(kwargs.get("text", args[2] if len(args) > 2 else "")))
            return real_multi(pdf, *args, **kwargs)

        monkeypatch.setattr(streamlit_folium, "st_folium", st_folium)
        from app.mapping import component  # 园区一张图 draws its shared map through component.draw

        real_draw = component.draw

        def draw(args, **kwargs):
            self.maps.append(args["html"])
            return real_draw(args, **kwargs)

        monkeypatch.setattr(component, "draw", draw)
        monkeypatch.setattr(streamlit, "download_button", download_button)
        monkeypatch.setattr(FPDF, "cell", cell)
        monkeypatch.setattr(FPDF, "multi_cell", multi_cell)


def _page_text(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error"):
        parts += [str(el.value) for el in getattr(at, kind)]
    for m in at.metric:
        parts += [str(m.label), str(m.value), str(m.delta)]
    parts += [str(e.label) for e in at.expander]
    parts += [d.value.to_csv() for d in at.dataframe]
    return "\n".join(parts)


def _download_text(data) -> str:
    if isinstance(data, bytes) and data[:2] == b"PK":  # an Excel workbook
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
        return "\n".join(f.to_csv() for f in sheets.values())
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)


def _run(page: str, token: str | None, monkeypatch) -> tuple[AppTest, _Capture, str]:
    """Run one page as the user of ``token`` (None: anonymous); returns the test, the captures and all text."""
    from app.auth import SESSION_TOKEN_KEY

    cap = _Capture(monkeypatch)
    at = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=180)
    if token:
        at.session_state[SESSION_TOKEN_KEY] = token
    at.run()
    assert not at.exception, at.exception
    if page == "consequence":  # the chlorine tank T-3 of E02 (72,292 kg)
        at.selectbox(key="cq_enterprise").select("E02").run()
        at.selectbox(key="cq_unit").select("T-3").run()
    if page == "emergency":  # T-3 by default; the briefing PDF on request
        at.button(key="em_make_pdf").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    text = "\n".join(
        [_page_text(at), *cap.maps, *cap.pdf, *(_download_text(d) for d in cap.downloads.values())]
    )
    return at, cap, text


def _s_and_r_needles(park) -> list[str]:
    from analysis.regulation import gb18218 as mh

    units, ent = mh.enterprise_grades(park)
    s = {f"{v:.2f}" for v in units["S"] if v >= 2}  # (small values would match unrelated figures)
    r = {f"{v:.1f}" for v in list(units["R"]) + list(ent["max_R"]) if v >= 10}
    return sorted(s | r)


# --------------------------------------------------------------------------------------------- finding 3
@pytest.mark.parametrize("who", [None, "viewer"])
@pytest.mark.parametrize("page", PAGES)
def test_hidden_inventories_do_not_leak(demo, monkeypatch, page, who):
    park, tokens = demo
    _, cap, text = _run(page, tokens.get(who), monkeypatch)
    assert cap.maps or page != "park_map", "the overview's map was not captured"
    leaks = [n for n in _inventory_needles(_hidden_inventories(park)) if _contains(text, n)]
    assert not leaks, f"{page} as {who or 'anonymous'} shows inventories {leaks[:5]}"
    assert not re.search(r"存量\s*[\d,.]+\s*(kg|t)", text), (
        f"{page} as {who or 'anonymous'}: 存量 with a figure"
    )
    if page == "emergency":
        assert cap.pdf, "the briefing PDF was not written"
        assert any("主要假设" in t for t in cap.pdf)
    if page == "major_hazard":
        page_and_excel = (
            "\n".join(_download_text(d) for d in cap.downloads.values()) + text.split("<html", 1)[0]
        )
        shown = [n for n in _s_and_r_needles(park) if n in page_and_excel]
        assert not shown, f"S/R values shown to {who or 'anonymous'}: {shown[:5]}"
        assert "major_hazards.xlsx" in cap.downloads
        assert "一级" in page_and_excel and "是" in page_and_excel  # the verdict and grade stay


@pytest.mark.parametrize("page", ["consequence", "emergency", "major_hazard"])
def test_admin_still_sees_inventories_and_s(demo, monkeypatch, page):
    park, tokens = demo
    _, _, text = _run(page, tokens["admin"], monkeypatch)
    assert _contains(text, "72,292"), f"{page}: admin no longer sees the inventory of T-3"
    if page == "major_hazard":
        assert "57.83" in text  # S of E02/pressure_storage


# --------------------------------------------------------------------------------------------- finding 4
@pytest.mark.parametrize("who", [None, "e01"])
@pytest.mark.parametrize("page", PAGES)
def test_maps_show_only_the_rectifications_the_user_may_see(demo, monkeypatch, page, who):
    park, tokens = demo
    _, cap, _ = _run(page, tokens.get(who), monkeypatch)
    assert cap.maps, f"{page} drew no map"
    rect = park.rectifications
    others = rect if who is None else rect[rect["enterprise_id"].astype(str) != "E01"]
    own = rect[rect["enterprise_id"].astype(str) == "E01"]
    maps = "\n".join(cap.maps)
    leaked = [t for t in others["title"] if _contains(maps, t)]
    assert not leaked, (
        f"{page} as {who or 'anonymous'}: {len(leaked)} of {len(others)} other titles on the map"
    )
    if who == "e01" and page == "park_map":
        assert all(_contains(maps, t) for t in own["title"]), "e01 no longer sees its own items"


def test_admin_map_shows_every_rectification(demo, monkeypatch):
    park, tokens = demo
    _, cap, _ = _run("park_map", tokens["admin"], monkeypatch)
    assert all(_contains("\n".join(cap.maps), t) for t in park.rectifications["title"])


# --------------------------------------------------------------------------------------------- by construction
#: Names through which a page could reach the park unredacted.
RAW_ACCESS = {
    "load_park",
    "load_park_cached",
    "_load_park_version",
    "try_get_park",
    "full_park",
    "_full_park",
    "_full",
    "visitor_view",
    "visible_park",
    "redact_park",
    "redact_for",
    "read_park",
}


def test_pages_reach_the_park_only_through_park_view():
    """No module of app/views names the unredacted loader (or a redaction it would have to remember)."""
    bad = []
    for path in sorted(VIEWS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = None
            if isinstance(node, ast.Name):
                name = node.id
            elif isinstance(node, ast.Attribute):
                name = node.attr
            elif isinstance(node, ast.alias):
                name = node.name.rsplit(".", 1)[-1]
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("geodata.io"):
                name = node.module
            if name in RAW_ACCESS or name == "geodata.io":
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert not bad, bad
    uses = [p.name for p in VIEWS.glob("*.py") if "park_view()" in p.read_text(encoding="utf-8")]
    assert {f"{p}.py" for p in ("park_map", "consequence", "emergency", "major_hazard")} <= set(uses)
