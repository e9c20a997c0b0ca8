"""`shoumen --reset-trust-root`: the one deliberate way to drop a server's pinned trust-list root
(issue 13 §3, docs/SECURITY.md); it opens no window."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from shoumen_core.codes import SigningKey, TrustList, generate_sealing_keypair
from shoumen_gui.app import main
from shoumen_gui.paths import AppPaths
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.session import BackendChoice
from tests.gui.services.conftest import NOW, VENUE_ID, Issuer, pull_response

URL = "https://shoumen.example.gov.cn"


def test_reset_trust_root_forgets_the_pin_of_that_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = SigningKey.generate("k1")
    trust = TrustList(
        keys=(key.trusted_key(NOW, NOW + timedelta(days=30)),),
        issued_at=NOW,
        valid_until=NOW + timedelta(days=7),
    )
    issuer = Issuer(key, trust, *generate_sealing_keypair())
    paths = AppPaths.in_folder(tmp_path).ensure()
    cache = LocalCache.open(paths.cache_db(BackendChoice.remote(URL).key))
    cache.apply_pull(VENUE_ID, pull_response(issuer), NOW)
    pin = cache.root_pin()
    cache.close()
    assert pin is not None
    assert main(["--data-dir", str(tmp_path), "--server", URL, "--reset-trust-root"]) == 0
    assert pin.root_id in capsys.readouterr().out
    cache = LocalCache.open(paths.cache_db(BackendChoice.remote(URL).key))
    try:
        assert cache.root_pin() is None
    finally:
        cache.close()
    assert main(["--data-dir", str(tmp_path), "--server", URL, "--reset-trust-root"]) == 0
    assert "无需重置" in capsys.readouterr().out
