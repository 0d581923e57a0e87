"""Where things are, for every test: the checkout and the shared material beside it."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
REFERENCE = SHARED / "reference"
SEED = SHARED / "seed" / "000_cc67aa65666e1db2.txt"
