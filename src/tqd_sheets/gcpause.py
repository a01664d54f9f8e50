"""The cyclic garbage collector paused while one output file is built.

A writer makes hundreds of thousands of small objects (cells, XML strings, formats) that die by
reference counting; a consolidation keeps every workbook's frames alive meanwhile, so each
automatic collection the allocations trigger walks all of them, again and again, for nothing.
The collector runs as before once the file is written (and any cycle left is collected then).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic collection inside the block; the collector's state is restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
