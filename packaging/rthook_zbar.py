"""PyInstaller runtime hook: pyzbar finds the libzbar bundled next to it, never the system's.

pyzbar (Linux, macOS) loads ``ctypes.util.find_library("zbar")``, which asks ldconfig and so
finds only a system copy. This hook runs before any application code (so before pyzbar binds
``find_library``) and answers "zbar" with the copy build.spec put in the bundle. With no
bundled copy it answers as before, and the app falls back to zxing when nothing is found.
On Windows pyzbar loads its own DLLs from its package folder and never asks find_library.
"""

from __future__ import annotations

import ctypes.util
import glob
import os
import sys


def _install() -> None:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is None:
        return
    system_find_library = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        if name == "zbar":
            bundled = sorted(glob.glob(os.path.join(bundle, "libzbar.so*")))
            bundled += sorted(glob.glob(os.path.join(bundle, "libzbar*.dylib")))
            if bundled:
                return bundled[0]
        return system_find_library(name)

    ctypes.util.find_library = find_library


_install()
