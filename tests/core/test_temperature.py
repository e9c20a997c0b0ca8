"""shoumen_core.temperature: the one range a check or registration may carry (issue 16 §3)."""

from __future__ import annotations

import math

import pytest

from shoumen_core.temperature import (
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    InvalidTemperature,
    TemperatureErrorCode,
    checked_temperature,
    looks_like_reading,
    parse_reading,
    temperature_in_range,
)


@pytest.mark.parametrize(
    ("text", "celsius"),
    [
        ("36.8", 36.8),
        (" 36.8 ", 36.8),
        ("T36.8", 36.8),
        ("t 37.25", 37.25),
        ("36.8C", 36.8),
        ("36.8 °C", 36.8),
        ("36.8℃", 36.8),
        ("37", 37.0),
        ("", None),
    ],
)
def test_accepted_reading_formats(text: str, celsius: float | None) -> None:
    assert parse_reading(text) == celsius


@pytest.mark.parametrize("text", ["368", "36,8", "36.8F", "3.68", "36.812", "abc", "T", "36.8.1", "x" * 40])
def test_other_texts_are_not_readings(text: str) -> None:
    with pytest.raises(InvalidTemperature) as caught:
        parse_reading(text)
    assert caught.value.code is TemperatureErrorCode.NOT_A_READING
    assert caught.value.message == "体温应为数字，例如 36.8"
    assert not looks_like_reading(text)


@pytest.mark.parametrize("text", ["29.9", "T52.0", "45.01", "10"])
def test_readings_out_of_range_are_refused_with_the_range(text: str) -> None:
    assert looks_like_reading(text)  # a thermometer's burst, named as such
    with pytest.raises(InvalidTemperature) as caught:
        parse_reading(text)
    assert caught.value.code is TemperatureErrorCode.OUT_OF_RANGE
    assert caught.value.message == "体温应在 30.0 到 45.0 °C 之间"


@pytest.mark.parametrize("celsius", [math.nan, math.inf, -math.inf, 1e308, TEMPERATURE_MIN - 0.01, 45.1])
def test_the_shared_range_refuses_what_the_server_refuses(celsius: float) -> None:
    assert not temperature_in_range(celsius)
    with pytest.raises(InvalidTemperature):
        checked_temperature(celsius)


@pytest.mark.parametrize("celsius", [None, TEMPERATURE_MIN, 36.8, TEMPERATURE_MAX])
def test_the_shared_range_accepts_its_edges(celsius: float | None) -> None:
    assert checked_temperature(celsius) == celsius
