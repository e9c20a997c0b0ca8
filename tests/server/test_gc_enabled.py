"""The GUI tests turn Python's automatic garbage collection off for their package (their
collector runs on the GUI thread, tests/gui/conftest.py); the server tests, which run after them
in ./test and spin no Qt event loop, must get it back."""

from __future__ import annotations

import gc


def test_automatic_garbage_collection_is_on_for_the_server_tests() -> None:
    assert gc.isenabled()
