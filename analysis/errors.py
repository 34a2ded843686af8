"""The analysis layer's errors: one small hierarchy, caught by type, never by message text.

Every error is a :class:`ValueError` (bad input is a value problem), so callers that catch ``ValueError`` keep
working; callers that need to tell the cases apart catch the subclass. Messages name the parameter, the value,
what is allowed and the fix, in Chinese first with the English in brackets.
"""

from __future__ import annotations

__all__ = [
    "AnalysisInputError",
    "MissingWeatherError",
    "OutsideModelRangeError",
    "ScenarioNotApplicableError",
    "UnknownSubstanceError",
]


class AnalysisInputError(ValueError):
    """An input to a model is invalid: not a number, not finite, out of its allowed range, or not a known key."""


class UnknownSubstanceError(AnalysisInputError):
    """A substance name or CAS number that parkrisk does not know."""


class ScenarioNotApplicableError(AnalysisInputError):
    """The accident scenario cannot happen at this source (e.g. a pool fire of a gas, a toxic cloud of water)."""


class OutsideModelRangeError(AnalysisInputError):
    """The inputs are valid numbers but outside the range where the model was fitted or validated."""


class MissingWeatherError(AnalysisInputError):
    """A risk run needs the park's wind rose and the park has none (and no rose was chosen explicitly)."""
