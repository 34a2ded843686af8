"""Rows and tables of the validation report, and the number formats its cells use.

A :class:`Row` holds the hand-kept cells of one case (what it is, its source, its inputs, the published value and
the tolerance) and marks with :data:`CALC` the cells the code fills in ("ours", the error, …). ``compute`` returns
those cells as strings, in order, by calling the public functions of parkrisk on the case's inputs. A row the code
cannot fill (a comparison with a peer tool that is not installed, a bound over many random cases asserted in a
test, a statement about a text) keeps hand-written cells and says why in ``why``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

#: Placeholder for a cell filled in by the row's ``compute``.
CALC = object()


@dataclass(frozen=True)
class Row:
    """One table row: fixed cells, cells marked :data:`CALC`, and the function that fills them."""

    cells: tuple
    compute: Callable[[], tuple[str, ...]] | None = None
    why: str = ""

    def __post_init__(self) -> None:
        n = sum(c is CALC for c in self.cells)
        if (n > 0) != (self.compute is not None):
            raise ValueError(f"row {self.cells[0]!r}: CALC cells need a compute function and vice versa")
        if self.compute is None and not self.why:
            raise ValueError(f"row {self.cells[0]!r}: a hand-written row must say why it is not computed")

    def render(self) -> str:
        filled = iter(self.compute() if self.compute else ())
        out = [next(filled) if c is CALC else c for c in self.cells]
        rest = list(filled)
        if rest:
            raise ValueError(f"row {self.cells[0]!r}: compute returned {len(rest)} cells too many")
        return "|" + "|".join(f" {c} " if c else " " for c in out) + "|"


@dataclass(frozen=True)
class Table:
    """A markdown table: header cells and rows."""

    header: tuple[str, ...]
    rows: tuple[Row, ...]

    def render(self) -> str:
        lines = ["| " + " | ".join(self.header) + " |", "|" + "---|" * len(self.header)]
        for row in self.rows:
            if len(row.cells) != len(self.header):
                raise ValueError(
                    f"row {row.cells[0]!r} has {len(row.cells)} cells, header {len(self.header)}"
                )
            lines.append(row.render())
        return "\n".join(lines)


# --------------------------------------------------------------------------- number formats
def sig(x: float, n: int = 6) -> str:
    """``x`` to ``n`` significant figures, no exponent for ordinary magnitudes (``1.48235``, ``58``)."""
    return f"{float(x):.{n}g}"


def grouped(x: float, decimals: int = 0) -> str:
    """Thousands separated by spaces, as the report writes them (``89 099``)."""
    return f"{float(x):,.{decimals}f}".replace(",", " ")


def commas(x: float, decimals: int = 1) -> str:
    """Thousands separated by commas (``1,358.6``)."""
    return f"{float(x):,.{decimals}f}"


def sci(x: float, n: int = 6, exponent: int | None = None) -> str:
    """``x`` as mantissa × 10^e written ``7.98539e6`` (``n`` significant figures; ``exponent`` fixes e)."""
    x = float(x)
    e = int(math.floor(math.log10(abs(x)))) if exponent is None else exponent
    return f"{x / 10.0**e:.{n}g}e{e}"


def sci_short(x: float, decimals: int = 4) -> str:
    """``9.5704e-06`` style (Python's own exponent form)."""
    return f"{float(x):.{decimals}e}"


def rel(ours: float, published: float) -> float:
    """Signed relative difference ours / published − 1."""
    return float(ours) / float(published) - 1.0


def pct(x: float, decimals: int = 2, *, sign: bool = False, space: bool = True, minus: str = "-") -> str:
    """A fraction as a percentage: ``0.16 %``, ``+0.01 %`` (sign), ``0.05%`` (no space); ``minus`` is the
    character written for a negative sign (``-`` or ``−``)."""
    text = f"{100.0 * float(x):{'+' if sign else ''}.{decimals}f}".replace("-", minus)
    return text + (" %" if space else "%")


def abs_pct(ours: float, published: float, decimals: int = 2, *, space: bool = True) -> str:
    """|ours / published − 1| as a percentage."""
    return pct(abs(rel(ours, published)), decimals, space=space)


def e(x: float, decimals: int = 1) -> str:
    """Exponent form without padding: ``1.6e-10``, ``5.7e-7``."""
    mantissa, exponent = f"{float(x):.{decimals}e}".split("e")
    return f"{mantissa}e{int(exponent)}"
