"""Consequence models (compatibility path): the models live in :mod:`analysis.physics`.

``analysis.consequence.*`` and the module paths ``analysis.consequence.source``, ``.fire``, ``.explosion``,
``.vce`` and ``.dispersion`` stay importable with the same names and units; code in the project imports
:mod:`analysis.physics` directly.
"""

# ``analysis.consequence.dispersion`` etc. as attributes are the physics modules themselves.
from analysis.physics import dispersion, explosion, fire, source, vce  # noqa: E402, F401
from analysis.physics.bleve_blast import *  # noqa: F403
from analysis.physics.dispersion import *  # noqa: F403
from analysis.physics.explosion import *  # noqa: F403
from analysis.physics.explosion_cn import *  # noqa: F403
from analysis.physics.fire import *  # noqa: F403
from analysis.physics.source import *  # noqa: F403
from analysis.physics.vce import *  # noqa: F403
