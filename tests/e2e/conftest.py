"""End-to-end tests reuse the Qt tests' fixtures: the embedded backend, keyrings, the app."""

from __future__ import annotations

from tests.gui.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    app_paths,
    embedded,
    embedded_template,
    make_station_app,
    memory_keyring,
)
