"""Cases of the validation report (docs/validation/*.md), one module per topic file; see docs/build_validation.py."""
