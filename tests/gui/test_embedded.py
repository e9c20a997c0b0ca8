"""The embedded backend: the real server in a thread, on an ephemeral 127.0.0.1 port."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from shoumen_gui.embedded import EmbeddedBackend, EmbeddedBackendError
from tests.gui.conftest import LiveBackend, copy_embedded


def test_serves_the_demo_api_and_comes_back_on_the_same_port(embedded: LiveBackend) -> None:
    backend = embedded.backend
    assert backend.url.startswith("http://127.0.0.1:") and backend.port > 0
    info = httpx.get(f"{backend.url}/api/v1/info").json()
    assert info["demo_mode"] is True
    sms = httpx.post(f"{backend.url}/api/v1/auth/sms-code", json={"phone": "13900000002"}).json()
    assert sms["demo_code"] is not None and len(sms["demo_code"]) == 6

    port = backend.port
    backend.stop()
    assert not backend.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{backend.url}/api/v1/info")

    assert backend.start() == f"http://127.0.0.1:{port}"
    assert httpx.get(f"{backend.url}/api/v1/info").status_code == 200


def test_first_run_seeds_later_runs_do_not(tmp_path: Path, embedded_template: Path) -> None:
    path = tmp_path / "db" / "embedded-server.db"
    path.parent.mkdir()
    copy_embedded(embedded_template, path)
    again = EmbeddedBackend(path)
    again.prepare_database()
    assert again.first_run is False  # the template was seeded already

    fresh = EmbeddedBackend(tmp_path / "fresh" / "embedded-server.db", seed=False)
    fresh.start()
    try:
        venues = httpx.get(f"{fresh.url}/api/v1/info").json()
        assert venues["demo_mode"] is True
    finally:
        fresh.close()


def test_a_taken_port_is_a_clear_error(
    embedded: LiveBackend, tmp_path: Path, embedded_template: Path
) -> None:
    path = tmp_path / "other.db"
    copy_embedded(embedded_template, path)
    other = EmbeddedBackend(path, port=embedded.backend.port)
    # SO_REUSEADDR does not allow two listeners on one port.
    with pytest.raises(EmbeddedBackendError, match="cannot listen"):
        other.start()
    other.close()
