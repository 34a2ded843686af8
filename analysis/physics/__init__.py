"""Physics: substances and their properties, source terms, fires, explosions, dispersion and vulnerability (probits).

The lowest layer of :mod:`analysis`: pure, vectorised functions in SI units, each citing its source. Nothing here
knows about installations, parks or weather records; the layers above call these functions.
"""
