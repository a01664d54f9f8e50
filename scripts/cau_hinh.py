"""Write the shipped configurations (`cau-hinh/`) from the official unit lists.

python scripts/cau_hinh.py [FOLDER]        # FOLDER: cau-hinh by default
"""

from __future__ import annotations

import sys
from pathlib import Path

from tqd_sheets.cau_hinh import write_all

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "cau-hinh"
    for path in write_all(folder):
        print(path)
