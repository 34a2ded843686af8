"""Physics: substances and their properties, source terms, fires, explosions, dispersion and vulnerability (probits).

The lowest layer of :mod:`analysis`: pure, vectorised functions in SI units, each citing its source. Nothing here
knows about installations, parks or weather records; the layers above call these functions. Modules: substances,
source; fire (re-exports transmissivity, view_factor, pool_fire, jet_fire, fireball, and defines the flash fire);
explosion, vce; dispersion (re-exports dense_gas); vulnerability. Inputs are checked with :mod:`analysis._checks`
and the physical constants come from :mod:`analysis.constants`.
"""
