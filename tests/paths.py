"""Where the shared development data lives: ``../shared`` beside the checkout (as on developer machines and CI)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REAL_DEV = Path(os.environ.get("SOHOA_REAL_DEV", REPO.parent / "shared" / "real-dev"))
