"""Map parts rendered once and added verbatim, never compiled and rendered again as Jinja templates.

branca's ``MacroElement.render`` (every folium layer, control, tooltip and popup) wraps the header, HTML and
script it renders in ``Element(text)``, which compiles that text as a Jinja template and renders it a second time
when the page is written. That costs seconds on a large park — a GeoJSON layer's script holds every feature, and
compiling the 4.4 MB of the synthetic large park's overview took 1.9 s plus 1 s of template lexing — and it is a
template injection: a park attribute such as ``{{ 7*7 }}`` was drawn as ``49``, and Jinja (not sandboxed) runs
what such an expression asks for, on the server.

:func:`make_literal` turns every ``MacroElement`` of a map into a subclass of its own class that adds what it
renders as :class:`LiteralText` (the same text, written as it is). :func:`app.mapping.new_map` maps do it when they
are rendered (:class:`app.mapping.base._Map`), after :func:`app.mapping.text.seal`; elements that folium adds while
a map renders (a marker's icon, a layer's ``addTo``) are made literal before they render.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import branca.element

__all__ = ["LiteralText", "LiteralMacro", "make_literal"]


class LiteralText(branca.element.Element):
    """Text that renders as itself (no template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "LiteralText"
        self.text = str(text)

    def render(self, **kwargs: Any) -> str:
        return self.text


class LiteralMacro(branca.element.MacroElement):
    """``MacroElement.render`` with the rendered header, HTML and script added as :class:`LiteralText`."""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if not isinstance(figure, branca.element.Figure):
            raise TypeError(f"{type(self).__name__} 只能在 Figure 中渲染（未加入地图）")
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(LiteralText(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            make_literal(element)  # added while rendering (folium's SetIcon, ElementAddToElement)
            element.render(**kwargs)


_CLASSES: dict[type, type] = {}
_LOCK = threading.Lock()


def _literal_class(cls: type) -> type:
    """``cls`` with :class:`LiteralMacro` before ``MacroElement`` in its method order (same name and module)."""
    with _LOCK:
        new = _CLASSES.get(cls)
        if new is None:
            attrs = {"__module__": cls.__module__, "__doc__": cls.__doc__, "__qualname__": cls.__qualname__}
            new = _CLASSES[cls] = type(cls.__name__, (cls, LiteralMacro), attrs)
        return new


def _elements(element: Any) -> Iterable[Any]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _elements(child)


def make_literal(m: Any) -> Any:
    """Make every ``MacroElement`` under ``m`` (``m`` included) render through :class:`LiteralMacro`; returns ``m``.
    Idempotent."""
    for element in _elements(m):
        cls = type(element)
        if isinstance(element, branca.element.MacroElement) and not issubclass(cls, LiteralMacro):
            element.__class__ = _literal_class(cls)
    return m
