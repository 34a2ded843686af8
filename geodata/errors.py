"""Error hierarchy of :mod:`geodata`.

Every problem with user data ends in a :class:`ParkDataError` (a :class:`ValueError`), which carries the complete
:class:`~geodata.validate.ValidationReport` when one was built, so that a caller (the CLI, the app) can show every
problem at once instead of a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from geodata.validate import ValidationReport

__all__ = ["ParkDataError", "CRSError"]


class ParkDataError(ValueError):
    """The park data are not usable; ``report`` holds every problem found (or ``None``).

    Parameters
    ----------
    message : str
        Human-readable message (Chinese first).
    report : ValidationReport or None
        The full validation report, when the error comes from validation.
    """

    def __init__(self, message: str, *, report: ValidationReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class CRSError(ParkDataError):
    """A coordinate reference system is missing, geographic where metres are needed, or mismatched."""
