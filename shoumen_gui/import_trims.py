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


def skip_pyside_source_scans() -> None:
    """The GUI process, right after its first PySide6 import: PySide6's `__feature__` hook reads
    and tokenises the source file of every module imported after it (shibokensupport/feature.py,
    `_mod_uses_pyside`: `"PySide6" in inspect.getsource(module)`) to give modules that use Qt
    the feature set "none" and the others "ignore". The app selects no feature (`from __feature__
    import snake_case, true_property`) anywhere, so the two mean the same here; and the bundle
    already answers "ignore" for every module (its modules carry no source). Measured: ~9 % of
    the GUI thread's start (NumPy, OpenCV, httpx, pydantic and the app's own ~150 modules)."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and hasattr(feature, "_mod_uses_pyside"):
        setattr(feature, "_mod_uses_pyside", _uses_no_feature)  # noqa: B010 (a module mypy cannot see)


def _uses_no_feature(module: object) -> bool:
    return False


def defer_model_builds() -> None:
    """The embedded backend process, first thing: every pydantic model builds its validator and
    serializer at its first use instead of at its class statement (pydantic's `defer_build`).

    A start defines ~100 models (counted at the announcement: FastAPI's OpenAPI document 41,
    ours 64) and a station's start uses a few dozen of them: measured side by side, the backend
    announces itself ~0.15 s sooner (~1.1 -> ~0.9 s of CPU), the start's first requests ~10 ms
    slower (their models built then). Models defined before this call are not affected. Not in the GUI
    process: there PySide6's import hook meets pydantic's lazy submodules (a circular import
    when pydantic.main is loaded before Qt).

    FastAPI builds each body's adapter under a filter for pydantic's UnsupportedFieldAttributeWarning
    (the `alias="body"` it gives a body has no effect there, fastapi/_compat/v2.py); deferred, that
    build happens at the first request, outside its filter, so the filter is set here for the
    process (the backend's stderr lines are logged as errors in the app's log)."""
    import warnings

    from pydantic.main import BaseModel
    from pydantic.warnings import UnsupportedFieldAttributeWarning

    BaseModel.model_config["defer_build"] = True
    warnings.filterwarnings("ignore", category=UnsupportedFieldAttributeWarning)
