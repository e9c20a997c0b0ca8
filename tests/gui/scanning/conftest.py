"""Fixtures for the scanning tests: real decoders, generated frames, a settable clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from shoumen_gui.scanning.decoders import Decoder, PyzbarDecoder, ZxingDecoder
from shoumen_gui.scanning.testframes import sample_personal_code
from tests.gui.scanning.fakes import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def zxing() -> ZxingDecoder:
    return ZxingDecoder()


@pytest.fixture(scope="session")
def pyzbar() -> PyzbarDecoder:
    return PyzbarDecoder()


@pytest.fixture(params=["zxing", "pyzbar"])
def decoder(request: pytest.FixtureRequest, zxing: ZxingDecoder, pyzbar: PyzbarDecoder) -> Decoder:
    return zxing if request.param == "zxing" else pyzbar


@pytest.fixture(scope="session")
def codes() -> list[str]:
    """Three real personal codes (ASCII, ~320 characters)."""
    return [sample_personal_code(i) for i in range(3)]


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")
