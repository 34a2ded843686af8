"""Links from a map's popups to the page that explains a feature (the pages of ``app/views``).

A link leaves the map's iframe (``<base>/component/streamlit_folium…/index.html``) for ``<base>/<page>``: two
levels up keeps any ``server.baseUrlPath``; ``target="_top"`` opens the page in the whole window.
"""

from __future__ import annotations

from app.mapping.text import html_attr, html_text

__all__ = ["PAGE_LINK_BASE", "LAYER_PAGES", "page_link_html"]

PAGE_LINK_BASE = "../../"

#: The page that explains each park layer: (file stem in ``app/views`` = the page's URL path, the page's TITLE).
LAYER_PAGES: dict[str, tuple[str, str]] = {
    "enterprises": ("enterprise_risk", "企业安全风险分级"),
    "installations": ("consequence", "后果分析"),
    "pipelines": ("pipelines", "管道"),
    "sensitive_targets": ("siting", "选址与防护距离"),
    "buildings": ("siting", "选址与防护距离"),
    "rectifications": ("rectification", "一园一策"),
    "assembly_points": ("emergency", "应急疏散"),
}


def page_link_html(stem: str, title: str) -> str:
    """A link (HTML) to the page ``stem`` whose title is ``title``, for a popup."""
    return f'<a href="{html_attr(PAGE_LINK_BASE + stem)}" target="_top">在“{html_text(title)}”页面查看 →</a>'
