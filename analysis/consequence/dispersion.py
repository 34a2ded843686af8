"""dispersion models (see the module docstring once written)."""

__all__: list[str] = []
