"""Links from a map's popups to the page that explains a feature (the pages of ``app/views``).

The maps that carry such links (园区一张图's and a stored result's, :mod:`app.mapping.component`) are ``<iframe
srcdoc>`` documents, which resolve a relative link against the app page's address (``<base>/`` or
``<base>/<page>``): the bare page name leads to ``<base>/<page>`` and keeps any ``server.baseUrlPath``.
The page opens in a new tab (``target="_blank"``): Streamlit sandboxes the iframe without ``allow-top-navigation``,
so a link aimed at the whole window (``target="_top"``) did nothing when clicked (Chromium: "Unsafe attempt to
initiate navigation … sandboxed"); ``allow-popups-to-escape-sandbox`` lets the new tab open unsandboxed, signed in
as before (the sign-in cookie).
"""

from __future__ import annotations

import branca.element

from app.mapping.text import html_attr, html_text, js_string

__all__ = ["LAYER_PAGES", "page_link_html", "PopupFooter"]

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
    return f'<a href="{html_attr(stem)}" target="_blank" rel="noopener">在“{html_text(title)}”页面查看 →</a>'


class PopupFooter(branca.element.MacroElement):
    """One link written under every popup of a GeoJSON layer (add it to the layer), instead of the same link as a
    property of each feature: 0.5 MB of the large park's overview page was that one link 4,500 times over.

    ``html`` is the app's own markup (:func:`page_link_html`: a constant, no text from data), written once into the
    layer's script as a string literal (:func:`app.mapping.text.js_string`). The link is appended, with the class
    ``pr-page-link``, when a popup opens; the popup grows upwards from its tip (Leaflet positions it by its bottom),
    so it needs no ``update()``, which would write the content again without the link.
    """

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.on("popupopen", function (e) {
            var content = e.popup.getElement() && e.popup.getElement().querySelector(".leaflet-popup-content");
            if (!content || content.querySelector(".pr-page-link")) { return; }
            var footer = document.createElement("div");
            footer.className = "pr-page-link";
            footer.innerHTML = {{ this.html_js }};
            content.appendChild(footer);  // no popup.update(): it would run the content function again
        });
        {% endmacro %}
        """
    )

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "PopupFooter"
        self.html = str(html)
        self.html_js = js_string(self.html)
