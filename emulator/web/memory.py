"""Give large blocks back to the operating system as soon as a request frees them.

glibc serves an allocation above its mmap threshold with its own mapping, freed back to the
system at once; but after the first large block is freed it raises that threshold (up to 32 MiB)
so later large blocks come from the thread's heap, which keeps them. A server whose requests
carry bodies of a few MB then keeps the high-water mark of every worker thread: measured with
`scripts/bench.py hostile`, 80 requests of 5 MB left 390 MB resident, against 181 MB with the
threshold fixed. Fixing it (which also turns the adjustment off) is what this module does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger("emulator.web")

M_MMAP_THRESHOLD = -3  # mallopt's parameter number in glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's initial value, kept fixed


def return_large_blocks_to_the_os() -> bool:
    """Fix glibc's mmap threshold at 128 KiB; return whether it was set (False off glibc)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # not glibc (musl, macOS): nothing to tune
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    done = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    if not done:
        log.debug("mallopt(M_MMAP_THRESHOLD) refused; large blocks may stay resident")
    return done
