"""What both of the app's processes (the GUI and the embedded backend) switch off first thing:
imports and scans that cost start-up time and that neither of them uses (issue 18 §3)."""

from __future__ import annotations

import os
import sys


def skip_unused_imports() -> None:
    # httpx imports its command-line client on import (rich, click, pygments: ~0.2 s of a ~1 s
    # start, measured with -X importtime); neither process runs it. A None entry makes that
    # import fail, which httpx handles (its CLI then says it is not installed).
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    # pydantic looks for plugins among every installed package's entry points the first time a
    # model is built (~0.1 s of CPU at start, measured side by side); the app uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # FastAPI imports pydantic's v1 compatibility package (20–30 ms) at its first route only to
    # refuse v1 models (fastapi._compat.shared: an ImportError there means "not a v1 model").
    # Nothing installed uses v1: a v1 model class cannot exist without that package imported.
    sys.modules.setdefault("pydantic.v1", None)  # type: ignore[arg-type]
