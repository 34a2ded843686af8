"""The overview's shared map (app.one_map.overview_map, app.mapping.component): one HTML page of the map drawn in
an iframe, built once per park view and options, and never served to another kind of user."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PARK_MAP = ROOT / "app" / "views" / "park_map.py"
# E01-T101, a major-hazard crude-oil tank of the demo park: its inventory as the popup writes it (admins only)
T101_INVENTORY = "15,983,669 kg"


def _layers(park) -> list[str]:
    from geodata import schema

    return [n for n in park.layers if n in schema.LAYERS and not park.layers[n].empty]


def _ids_blank(text: str) -> str:
    return re.sub(r"[0-9a-f]{32}", "ID", str(text))  # folium's random element ids


def test_component_args_are_the_whole_map_page(demo_park):
    """The overview's map goes to the browser as one HTML page (st.components.v1.html): folium's own page of the
    map, with the app's local Leaflet and nothing of streamlit-folium."""
    from app.mapping import finish_map, park_map
    from app.mapping.component import component_args

    def build():
        m = park_map(demo_park, layers=["enterprises", "installations"], legends=False, page_links=True)
        return finish_map(m)

    args = component_args(build())
    assert set(args) == {"html"}
    html = args["html"]
    assert _ids_blank(html) == _ids_blank(build().get_root().render())
    assert html.lstrip().startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert '<script src="/app/static/vendor/leaflet/leaflet.js">' in html
    assert "streamlit_folium" not in html and "cdn" not in html.lower()
    # every enterprise and installation of the park is in the page, its links relative to the app page
    for name in demo_park.layers["enterprises"]["name"]:
        assert name in html
    assert html.count('"type":"Feature"') + html.count('"type": "Feature"') >= len(
        demo_park.layers["enterprises"]
    ) + len(demo_park.layers["installations"])
    assert 'href=\\"enterprise_risk\\"' in html or 'href="enterprise_risk"' in html


def test_draw_shows_the_page_in_an_iframe_and_imports_no_streamlit_folium():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        'at = AppTest.from_string("from app.mapping.component import draw\\n'
        "draw({'html': '<!DOCTYPE html><html><body>地图</body></html>'}, key='m', height=321)\")\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        "frames = at.get('iframe')\n"
        "print(len(frames), frames[0].proto.srcdoc)\n"
        "print('streamlit_folium' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    lines = out.stdout.strip().splitlines()
    assert lines[-2] == "1 <!DOCTYPE html><html><body>地图</body></html>", out.stdout + out.stderr
    assert lines[-1] == "False", out.stdout + out.stderr


def test_component_args_compile_no_template_per_element(demo_park, monkeypatch):
    """Rendering a map compiles no Jinja template per layer or marker (markers' icons and layers' addTo, added while
    the map renders, are made literal; only folium's own GeoJSON tooltip/popup table style is compiled, and its
    text, per tooltip or popup), and each marker's icon is set once."""
    import jinja2

    from app.mapping import finish_map, park_map
    from app.mapping.component import component_args

    layers = _layers(demo_park)
    m = finish_map(park_map(demo_park, layers=layers, legends=False, page_links=True))
    compiled = []
    from_string = jinja2.Environment.from_string

    def counted(self, *args, **kwargs):
        compiled.append(args[0] if args else kwargs.get("source"))
        return from_string(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "from_string", counted)
    script = component_args(m)["html"]
    markers = re.findall(r"var (marker_\w+) = L\.marker\(", script)
    assert len(layers) >= 7 and len(markers) >= 10
    details = script.count("bindPopup(") + script.count(
        "bindTooltip("
    )  # folium compiles its style, then its text
    assert details >= 10 and len(compiled) <= 2 * details + 3, compiled
    for marker in markers:
        assert script.count(f"{marker}.setIcon(") == 1


def test_overview_map_is_built_once_per_view_and_never_crosses_kinds_of_users(demo_park):
    from app.auth import redact_park
    from app.one_map import overview_map

    visitor = redact_park(None, demo_park)  # what an anonymous visitor's pages get
    layers = [n for n in _layers(demo_park) if n != "rectifications"]
    # an admin's map first (the full park), then a visitor's
    _, admin = overview_map(demo_park, {}, stale={}, sensitive=True, layers=layers)
    _, shown = overview_map(visitor, {}, stale={}, sensitive=False, layers=layers)
    assert T101_INVENTORY in admin["html"]
    assert shown is not admin and T101_INVENTORY not in shown["html"] and "存量" in shown["html"]
    # the same view and options: the same prepared map; other options: another map
    assert overview_map(visitor, {}, stale={}, sensitive=False, layers=layers)[1] is shown
    assert overview_map(visitor, {}, stale={}, sensitive=False, layers=layers[:2])[1] is not shown
    # a visitor's view rebuilt (a new object, e.g. after the park file changed) never gets the old map
    again = redact_park(None, demo_park)
    assert overview_map(again, {}, stale={}, sensitive=False, layers=layers)[1] is not shown


@pytest.fixture
def admin_token(tmp_path, demo_park_path, demo_park, monkeypatch):
    from app.auth import open_park_store, sign_in
    from geodata.store import default_store_path

    monkeypatch.delenv("PARKRISK_PARK", raising=False)
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PARKRISK_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    store = open_park_store(str(demo_park_path), str(default_store_path(demo_park_path)), True, demo_park)
    try:
        return sign_in(store, "admin", "admin-demo", client="test-map-component").token
    finally:
        store.close()


def test_page_serves_an_anonymous_visitor_no_map_built_for_an_admin(admin_token, monkeypatch):
    from app.auth import SESSION_TOKEN_KEY
    from app.mapping import component

    drawn: list[str] = []
    real_draw = component.draw

    def draw(args, **kwargs):
        drawn.append(args["html"])
        return real_draw(args, **kwargs)

    monkeypatch.setattr(component, "draw", draw)
    admin = AppTest.from_file(str(PARK_MAP), default_timeout=180)
    admin.session_state[SESSION_TOKEN_KEY] = admin_token
    admin.run()
    assert not admin.exception, admin.exception
    assert len(drawn) == 1 and T101_INVENTORY in drawn[0]
    anonymous = AppTest.from_file(str(PARK_MAP), default_timeout=180)
    anonymous.run()
    assert not anonymous.exception, anonymous.exception
    assert len(drawn) == 2 and T101_INVENTORY not in drawn[1]


def test_rendered_map_parts_are_written_as_they_are(demo_park, monkeypatch):
    # branca compiled every rendered layer script again as a Jinja template: a name "{{ 7*7 }}" was drawn as 49
    import app.mapping.base as base
    from app.mapping import finish_map, park_map

    def build(park):
        return finish_map(park_map(park, legends=True, page_links=True))

    from geodata import Park

    ent = demo_park.layers["enterprises"].copy()
    ent.loc[ent.index[0], "name"] = "{{ 7*7 }}甲"
    injected = Park(dict(demo_park.layers, enterprises=ent))
    html = build(injected).get_root().render()
    assert "{{ 7*7 }}甲" in html and "49甲" not in html
    # everything else as before: the same page with branca's own rendering, ids aside
    new = build(demo_park).get_root().render()
    monkeypatch.setattr(base, "make_literal", lambda m: m)
    old = build(demo_park).get_root().render()
    assert _ids_blank(new) == _ids_blank(old)
