# mypy: allow-untyped-calls
"""Issue 16 §3 as a guard meets it, on the live embedded backend: a temperature joins the check,
typed beside the ID pad or sent by a thermometer that types like a scanner gun; a fever gives the
policy's verdict and pre-fills 核查登记; a bad reading is named and never committed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, select

from shoumen_core.schemas import AnomalyType
from shoumen_gui.paths import AppPaths
from shoumen_gui.settings import SettingsStore
from shoumen_server.models import Check
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring, StationApp
from tests.gui.helpers import click, find, type_id, verdict

GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number


def start_guard(make_station_app: MakeApp) -> StationApp:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    assert app.window.current_page is app.window.workbench
    return app


def thermometer(qtbot: QtBot, target: QWidget, reading: str) -> None:
    """What a USB thermometer does: its reading as fast key presses, then Enter."""
    qtbot.keyClicks(target, reading)
    qtbot.keyClick(target, Qt.Key.Key_Return)


def server_temperature(embedded: LiveBackend, check_id: object) -> float | None:
    engine = create_engine(embedded.backend.database_url)
    try:
        with engine.connect() as conn:
            value = conn.scalar(select(Check.temperature).where(Check.id == check_id))
    finally:
        engine.dispose()
    return None if value is None else float(value)


def test_a_thermometer_reading_joins_the_check_and_a_fever_prefills_the_registration(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    app = start_guard(make_station_app)
    workbench = app.window.workbench
    field = find(workbench, QLineEdit, "idInput")
    temperature = find(workbench, QLineEdit, "temperatureInput")
    assert not temperature.isVisible()  # the venue does not require it (the default)

    thermometer(qtbot, field, "T38.2")
    qtbot.waitUntil(lambda: temperature.text() == "T38.2", timeout=5_000)
    assert temperature.isVisible()
    assert field.text() == ""  # the reading never reached the ID field
    assert find(workbench, QLabel, "temperatureMessage").text() == "体温 38.2 °C，随下一次核验记录"

    type_id(qtbot, app.window, GREEN)
    assert verdict(app.window) == "禁止通行"  # the policy's fever verdict (37.3 °C)
    row = find(workbench, QWidget, "rowTemperature")
    assert row.isVisible() and "38.2" in find(row, QLabel, "rowTemperatureReason").text()
    assert temperature.text() == "" and not temperature.isVisible()  # used once
    panel = workbench.result_panel
    assert panel.result is not None and panel.result.temperature == 38.2
    check_id = panel.result.record_id

    click(qtbot, app.window, "registerAnomaly")
    form = workbench.anomaly_form
    assert workbench.tabs.currentWidget() is form
    assert form.fields.anomaly_type is AnomalyType.FEVER
    assert form.fields.temperature.text() == "38.2"

    qtbot.waitUntil(lambda: check_id in embedded.server_checks(), timeout=15_000)
    assert server_temperature(embedded, check_id) == 38.2


@pytest.mark.parametrize(
    ("reading", "message"),
    [("T52.0", "体温应在 30.0 到 45.0 °C 之间"), ("36,8C", "体温应为数字，例如 36.8")],
)
def test_a_bad_reading_is_named_and_nothing_is_checked(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring, reading: str, message: str
) -> None:
    app = start_guard(make_station_app)
    workbench = app.window.workbench
    temperature = find(workbench, QLineEdit, "temperatureInput")
    field = find(workbench, QLineEdit, "idInput")
    if reading == "T52.0":
        thermometer(qtbot, field, reading)  # in the reading's shape, out of range
    else:
        click(qtbot, app.window, "kindResidentId")
        workbench.id_pad.set_temperature_required(True)
        temperature.setFocus()
        qtbot.keyClicks(temperature, reading)  # typed by hand
    qtbot.waitUntil(lambda: temperature.text() == reading, timeout=5_000)
    assert find(workbench, QLabel, "temperatureMessage").text() == message

    qtbot.keyClicks(field, GREEN)
    qtbot.waitUntil(lambda: field.text() == GREEN, timeout=5_000)
    count = app.cache.pending_count()
    click(qtbot, app.window, "idSubmit")
    assert field.text() == GREEN  # kept: the guard corrects the reading first
    assert not workbench.result_panel.showing_result
    assert app.cache.pending_count() == count

    temperature.clear()
    with qtbot.waitSignal(workbench.check_finished, timeout=15_000):
        click(qtbot, app.window, "idSubmit")
    assert verdict(app.window) == "通行"


def test_the_venue_setting_keeps_the_temperature_field_for_every_visitor(
    qtbot: QtBot,
    make_station_app: MakeApp,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
) -> None:
    store = SettingsStore(app_paths.settings_file)
    store.save(replace(store.load(), temperature_entry=True))
    app = start_guard(make_station_app)
    workbench = app.window.workbench
    temperature = find(workbench, QLineEdit, "temperatureInput")
    assert temperature.isVisible()
    temperature.setText("36.6")
    type_id(qtbot, app.window, GREEN)
    assert verdict(app.window) == "通行"
    assert workbench.result_panel.result is not None and workbench.result_panel.result.temperature == 36.6
    assert temperature.isVisible() and temperature.text() == ""  # stays, empty for the next visitor
