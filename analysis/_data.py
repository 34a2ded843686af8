"""Where the bundled tables live: ``analysis/data/``, one CSV or JSON file named after its source."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
