# mypy: allow-untyped-calls
"""核查登记: the rules (Qt-free) and the form on the real embedded backend — prefilled from a
check, FAQ 6 by hand, saved locally then synced, and an edit that conflicts is shown."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from shoumen_core.codes import generate_sealing_keypair
from shoumen_core.policy import Finding, FindingState, Source, VenuePolicy
from shoumen_core.schemas import AnomalyAction, AnomalyIn, AnomalyOut, AnomalyType
from shoumen_gui.services import anomalies as edit
from shoumen_gui.services.anomalies import Base, Draft, EditMode
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.session import login_with_demo_code
from shoumen_gui.ui.anomaly_form import AnomalyForm
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring, StationApp
from tests.gui.helpers import click, find, type_id, verdict

RED = DEMO_PATHS_BY_KEY["red"].number
GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number
OTHER_GUARD = "13900000003"  # 赵保安, the same hospital
TODAY = date(2024, 3, 1)
NOW = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)


def base(**changes: object) -> Base:
    values: dict[str, object] = {
        "anomaly_id": uuid.uuid4(),
        "venue_id": 1,
        "checkpoint_id": None,
        "created_at": NOW,
        **changes,
    }
    return Base(**values)  # type: ignore[arg-type]


# --- the rules ----------------------------------------------------------------------------------


def test_required_fields_follow_the_type_and_the_link() -> None:
    unlinked, linked = base(), base(check_id=uuid.uuid4(), masked_id="330624********1012")
    assert edit.required_fields(AnomalyType.RED_CODE, unlinked) == {"type", "action", "document"}
    assert edit.required_fields(AnomalyType.RED_CODE, linked) == {"type", "action"}
    # FAQ 6: the phone is optional; without one, why there is none.
    assert edit.required_fields(AnomalyType.NO_PHONE_NO_ID, unlinked) == {
        "type",
        "action",
        "name",
        "no_phone_reason",
        "notes",
    }
    assert edit.required_fields(AnomalyType.NO_PHONE_NO_ID, unlinked, phone_typed=True) == {
        "type",
        "action",
        "name",
        "notes",
    }


def test_validation_says_what_is_wrong() -> None:
    def messages(draft: Draft, on: Base | None = None) -> dict[str, str]:
        return {p.field: p.message for p in edit.validate(draft, on or base(), TODAY)}

    assert messages(Draft()) == {
        "type": "请选择异常类型",
        "action": "请选择处置方式",
        "document": "请录入证件号码，或先扫码关联核验记录",
    }
    faq6 = Draft(anomaly_type=AnomalyType.NO_PHONE_NO_ID, action=AnomalyAction.TURN_AWAY)
    assert set(messages(faq6)) == {"name", "no_phone_reason", "notes"}
    paper = Draft(AnomalyType.NO_PHONE_NO_ID, AnomalyAction.ADMIT_PAPER, name="王奶奶", notes="纸质登记")
    assert messages(paper, base()) == {"no_phone_reason": "请填写联系电话，或说明无法留电话的原因"}
    assert messages(replace(paper, no_phone_reason="无手机"), base()) == {}
    assert messages(Draft(AnomalyType.FEVER, AnomalyAction.ADMIT_PAPER), base(check_id=uuid.uuid4())) == {
        "action": "“放行（已做传统纸质登记）”只用于无智能手机且无证件号码的访客"
    }
    wrong = Draft(
        anomaly_type=AnomalyType.FEVER,
        action=AnomalyAction.ISOLATION_POINT,
        phone="1380013",
        document_number=GREEN[:-1] + "9",
        temperature="46",
    )
    assert messages(wrong) == {
        "phone": "手机号码格式不正确",
        "document": "身份证号码校验位错误，请核对后重新输入",
        "temperature": "体温应在 30.0 到 45.0 °C 之间",
    }
    assert messages(
        Draft(AnomalyType.FEVER, AnomalyAction.OTHER, temperature="hot"), base(check_id=uuid.uuid4())
    ) == {"temperature": "体温应为数字，例如 36.8"}
    fine = Draft(AnomalyType.FEVER, AnomalyAction.OTHER, phone="+86 138-0013-8000", temperature="37.8 ℃")
    assert messages(fine, base(check_id=uuid.uuid4())) == {}


def test_a_typed_document_is_sealed_and_masked_never_kept_in_clear() -> None:
    _private, public = generate_sealing_keypair()
    draft = Draft(
        anomaly_type=AnomalyType.OTHER,
        action=AnomalyAction.TURN_AWAY,
        name=" 陈小明 ",
        phone="+86 138-0013-8000",
        document_number=GREEN,
        reported_to="南明街道社区",
    )
    anomaly = edit.build_anomaly(base(), draft, NOW, sealing_key=public, policy=VenuePolicy())
    assert anomaly.document_number is None and anomaly.sealed_document
    assert GREEN not in anomaly.model_dump_json()
    assert anomaly.masked_id == "330624********1012" and anomaly.document_kind == "resident_id"
    assert (anomaly.name, anomaly.phone) == ("", "")  # sealed, like the document
    assert (anomaly.masked_name, anomaly.phone_masked) == ("陈**", "138****8000")
    assert anomaly.sealed_name and anomaly.sealed_phone
    assert "陈小明" not in anomaly.model_dump_json() and "13800138000" not in anomaly.model_dump_json()
    assert anomaly.reported_at == NOW and anomaly.base_version == 0
    no_contact = replace(draft, name="", phone="")
    without_key = edit.build_anomaly(base(), no_contact, NOW, sealing_key=None, policy=VenuePolicy())
    assert without_key.sealed_document is None and without_key.masked_id == "330624********1012"
    with pytest.raises(edit.NoSealingKey):  # never kept in clear for want of a key
        edit.build_anomaly(base(), draft, NOW, sealing_key=None, policy=VenuePolicy())


def test_an_edit_of_the_server_version_carries_that_version_and_keeps_what_is_not_retyped() -> None:
    out = AnomalyOut(
        id=uuid.uuid4(), venue_id=1, checkpoint_id=2, check_id=None, document_kind="resident_id",
        masked_id="330624********1012", masked_name="陈*", phone_masked="138****8000", temperature=None,
        snapshot=None, origin="", arrival_at=None, transport="", anomaly_type=AnomalyType.OTHER,
        action=AnomalyAction.TURN_AWAY, reported_to="", reported_at=None, notes="first",
        staff_user_id=3, created_at=NOW, updated_at=NOW, version=4,
    )  # fmt: skip
    loaded = edit.from_server(out)
    assert loaded.base.mode is EditMode.SERVER and loaded.draft.notes == "first"
    assert edit.required_fields(AnomalyType.OTHER, loaded.base) == {"type", "action"}  # the document is kept
    anomaly = edit.build_anomaly(loaded.base, loaded.draft, NOW, sealing_key=None, policy=VenuePolicy())
    assert anomaly.base_version == 4
    assert (anomaly.name, anomaly.phone, anomaly.masked_id) == ("", "", "330624********1012")
    assert edit.as_resend(anomaly).base_version == 0


def test_the_check_suggests_the_type() -> None:
    def finding(reason: str, state: FindingState) -> Finding:
        return Finding(source=Source.HEALTH_CODE, state=state, reason=reason, message="")

    assert edit.type_for(
        [finding("code_green", FindingState.OK), finding("nat_none", FindingState.REVIEW)]
    ) is (AnomalyType.NAT_EXPIRED)
    assert edit.type_for(
        [finding("code_red", FindingState.FAIL), finding("temperature_fever", FindingState.FAIL)]
    ) is (AnomalyType.RED_CODE)
    assert edit.type_for([finding("code_green", FindingState.OK)]) is None


# --- the form on a live backend -----------------------------------------------------------------


def server_anomaly(app: StationApp, anomaly_id: uuid.UUID) -> AnomalyOut | None:
    venue_id = app.station.post.venue_id
    try:
        return edit.fetch_server(app.api, venue_id, anomaly_id)
    except Exception:
        return None


def save(qtbot: QtBot, form: AnomalyForm) -> AnomalyIn:
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        click(qtbot, form, "anomalySave")
    anomaly: AnomalyIn = saved.args[0]
    return anomaly


def message(form: AnomalyForm) -> str:
    text: str = find(form, QLabel, "anomalyMessage").text()
    return text


def test_registration_from_the_result_panel_is_prefilled_validated_and_synced(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    type_id(qtbot, app.window, RED)
    assert verdict(app.window) == "禁止通行"
    checked = workbench.result_panel.result
    assert checked is not None
    click(qtbot, app.window, "registerAnomaly")
    form = workbench.anomaly_form
    assert workbench.tabs.currentWidget() is form
    assert find(form, QLabel, "anomalyLink").text() == "已关联核验记录：黄** 330624********1789 禁止通行"
    assert form.fields.type_box.currentText() == "红码" and form.fields.action_box.currentText() == "报告社区"
    assert form.fields.field_labels["document"].text() == "证件号码"  # the check identifies the visitor
    assert form.fields.field_labels["type"].text() == "异常类型 *"

    qtbot.keyClicks(form.fields.phone, "1380013")
    click(qtbot, form, "anomalySave")
    assert message(form) == "手机号码格式不正确"
    assert form.fields.phone.property("state") == "invalid"
    form.fields.phone.setText("13800138000")
    form.fields.temperature.setText("36.5")
    form.fields.reported_to.setText("南明街道社区")
    anomaly = save(qtbot, form)
    assert message(form) == "登记已保存，将自动同步到服务器"
    assert (
        form.fields.phone.text() == "" and form.fields.type_box.currentIndex() == 0
    )  # nothing left on screen
    assert anomaly.check_id == checked.record_id and anomaly.anomaly_type is AnomalyType.RED_CODE

    qtbot.waitUntil(lambda: server_anomaly(app, anomaly.id) is not None, timeout=15_000)
    stored = server_anomaly(app, anomaly.id)
    assert stored is not None
    assert (stored.phone_masked, stored.temperature, stored.reported_to) == (
        "138****8000",
        36.5,
        "南明街道社区",
    )
    assert stored.check_id == checked.record_id and stored.version == 1
    qtbot.waitUntil(
        lambda: (a := app.cache.anomaly(anomaly.id)) is not None and a.state == "synced", timeout=10_000
    )


def test_a_visitor_without_phone_or_id_is_registered_by_hand(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    workbench.tabs.setCurrentWidget(workbench.anomaly_form)
    form = workbench.anomaly_form
    assert form.wants_visitor
    form.fields.type_box.setCurrentIndex(form.fields.type_box.findData(AnomalyType.NO_PHONE_NO_ID.value))
    labels = {key: label.text() for key, label in form.fields.field_labels.items()}
    assert labels["name"] == "姓名 *" and labels["phone"] == "联系电话"
    assert labels["no_phone_reason"] == "无电话原因 *"
    assert labels["notes"] == "来访事由 / 情况说明 *" and labels["document"] == "证件号码"
    assert form.fields.action_box.currentText() == "劝返"
    click(qtbot, form, "anomalySave")
    assert (
        message(form)
        == "请填写姓名；请填写情况说明（核验了什么、如何处置）；请填写联系电话，或说明无法留电话的原因"
    )
    form.fields.name.setText("王大爷")  # typed with an input method, not key by key
    qtbot.keyClicks(form.fields.phone, "13700000099")  # a relative's phone
    qtbot.waitUntil(lambda: form.fields.phone.text() == "13700000099")  # the wedge filter holds a burst
    assert form.fields.field_labels["no_phone_reason"].text() == "无电话原因"  # a phone: no reason needed
    form.fields.notes.setPlainText("看望住院的老伴，无智能手机，未带身份证")
    anomaly = save(qtbot, form)
    assert anomaly.masked_id == "" and anomaly.sealed_document is None
    assert anomaly.check_id is not None  # the paper check, recorded so the visitor counts
    qtbot.waitUntil(lambda: server_anomaly(app, anomaly.id) is not None, timeout=15_000)
    stored = server_anomaly(app, anomaly.id)
    assert stored is not None
    assert (stored.masked_name, stored.phone_masked, stored.anomaly_type) == (
        "王**",
        "137****0099",
        AnomalyType.NO_PHONE_NO_ID,
    )


def test_a_registrations_name_and_phone_are_sealed_on_the_device_and_reopen_masked(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    """Issue 13 §6: the cache never holds them in clear; the server gets them."""
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    workbench.tabs.setCurrentWidget(workbench.anomaly_form)
    form = workbench.anomaly_form
    form.fields.type_box.setCurrentIndex(form.fields.type_box.findData(AnomalyType.NO_PHONE_NO_ID.value))
    form.fields.name.setText("欧阳大爷")
    qtbot.keyClicks(form.fields.phone, "13700000077")
    form.fields.notes.setPlainText("无智能手机")
    anomaly = save(qtbot, form)
    qtbot.waitUntil(
        lambda: (a := app.cache.anomaly(anomaly.id)) is not None and a.state == "synced", timeout=15_000
    )
    raw = b"".join(p.read_bytes() for p in app.cache.path.parent.glob(app.cache.path.name + "*"))
    assert "欧阳大爷".encode() not in raw and b"13700000077" not in raw
    stored = server_anomaly(app, anomaly.id)
    assert stored is not None and (stored.masked_name, stored.phone_masked) == ("欧阳**", "137****0077")

    form.open_registration(anomaly.id)
    qtbot.waitUntil(lambda: form.base.mode is EditMode.LOCAL, timeout=10_000)
    assert (form.fields.name.text(), form.fields.phone.text()) == ("", "")  # never read back
    assert form.fields.name.placeholderText() == "留空则保持：欧阳**"
    assert form.fields.phone.placeholderText() == "留空则保持：137****0077"
    form.fields.notes.setPlainText("无智能手机，已劝返")
    save(qtbot, form)  # the kept name and phone need no retyping
    qtbot.waitUntil(
        lambda: (s := server_anomaly(app, anomaly.id)) is not None and s.notes == "无智能手机，已劝返",
        timeout=15_000,
    )
    stored = server_anomaly(app, anomaly.id)
    assert stored is not None and (stored.masked_name, stored.phone_masked) == ("欧阳**", "137****0077")


def test_an_edit_that_conflicts_is_shown_and_redone_on_the_server_version(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    form = workbench.anomaly_form
    workbench.open_registration()
    # Identify the visitor on the form: type the ID and check it.
    qtbot.keyClicks(form.fields.document, GREEN)
    with qtbot.waitSignal(form.checked, timeout=15_000):
        click(qtbot, form, "anomalyCheck")
    assert "陈** 330624********1012 通行" in find(form, QLabel, "anomalyLink").text()
    form.fields.type_box.setCurrentIndex(form.fields.type_box.findData(AnomalyType.OTHER.value))
    form.fields.notes.setPlainText("first")
    anomaly = save(qtbot, form)
    qtbot.waitUntil(
        lambda: (a := app.cache.anomaly(anomaly.id)) is not None and a.state == "synced", timeout=15_000
    )

    # Another guard of the venue changes it on the server (version 2).
    other = ApiClient(embedded.url)
    other.token = login_with_demo_code(other, OTHER_GUARD).token
    theirs = anomaly.model_copy(update={"notes": "second, by 赵保安", "base_version": 1})
    assert edit.put_online(other, theirs).version == 2

    # This device edits its copy of version 1: the push is refused, the edit is kept, not forced.
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.open_registration(anomaly.id)
        qtbot.waitUntil(lambda: form.fields.notes.toPlainText() == "first", timeout=10_000)
        assert form.base.mode is EditMode.LOCAL
        form.fields.notes.setPlainText("third, by 李保安")
        click(qtbot, form, "anomalySave")
    qtbot.waitUntil(
        lambda: (a := app.cache.anomaly(anomaly.id)) is not None and a.state == "conflict", timeout=15_000
    )
    stored = server_anomaly(app, anomaly.id)
    assert stored is not None and stored.notes == "second, by 赵保安" and stored.version == 2

    # Opened again: the conflict is shown, with the server's version to edit.
    form.open_registration(anomaly.id)
    banner = find(form, QLabel, "anomalyBanner")
    qtbot.waitUntil(lambda: form.base.mode is EditMode.SERVER, timeout=10_000)
    assert (
        banner.isVisible() and "本机的修改与服务器冲突（登记已被他人修改（服务器版本 2））" in banner.text()
    )
    assert form.fields.notes.toPlainText() == "second, by 赵保安"
    assert find(form, QPushButton, "anomalyReload").isVisible()

    # Meanwhile the other guard edits again: this online edit is refused too, and kept on screen.
    edit.put_online(other, theirs.model_copy(update={"notes": "fourth, by 赵保安", "base_version": 2}))
    form.fields.notes.setPlainText("second; third, by 李保安")
    click(qtbot, form, "anomalySave")
    qtbot.waitUntil(lambda: banner.text().startswith("登记已被他人修改（服务器版本 3）"), timeout=10_000)
    assert form.fields.notes.toPlainText() == "second; third, by 李保安"

    # 载入服务器版本, edit that, save: it is stored as version 4.
    click(qtbot, form, "anomalyReload")
    qtbot.waitUntil(lambda: form.fields.notes.toPlainText() == "fourth, by 赵保安", timeout=10_000)
    assert form.base.server_version == 3 and not banner.isVisible()
    form.fields.notes.setPlainText("fourth, by 赵保安; third, by 李保安")
    save(qtbot, form)
    stored = server_anomaly(app, anomaly.id)
    assert stored is not None and stored.version == 4
    assert stored.notes == "fourth, by 赵保安; third, by 李保安"
    # The local copy is confirmed by the next push (a resend of what the server holds).
    qtbot.waitUntil(
        lambda: (a := app.cache.anomaly(anomaly.id)) is not None and a.state == "synced" and a.version == 4,
        timeout=15_000,
    )
    other.close()


@pytest.mark.parametrize("text", ["29.9", "45.1", "体温"])
def test_the_form_refuses_an_implausible_temperature(qtbot: QtBot, text: str) -> None:
    form = AnomalyForm()
    qtbot.addWidget(form)
    form.fields.temperature.setText(text)
    problems = edit.validate(form.fields.draft(), form.base, TODAY)
    assert [p.field for p in problems if p.field == "temperature"] == ["temperature"]


def test_faq6_paper_check_admit_is_registered_and_counts_in_the_days_figures(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    """Issue 16 §4 (the seed's FAQ 6): no smartphone, no ID, no phone: the name, a free
    description and why there is no phone suffice, and 放行 after the paper check is a
    disposition; the visitor counts among the day's checks."""
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    checked = find(workbench.stats_view, QLabel, "countChecked")
    workbench.tabs.setCurrentWidget(workbench.stats_view)
    qtbot.waitUntil(lambda: checked.text().isdigit(), timeout=15_000)
    before = int(checked.text())

    workbench.tabs.setCurrentWidget(workbench.anomaly_form)
    form = workbench.anomaly_form
    fields = form.fields
    fields.type_box.setCurrentIndex(fields.type_box.findData(AnomalyType.NO_PHONE_NO_ID.value))
    assert find(form, QLineEdit, "anomalyNoPhoneReason").isVisible()
    fields.action_box.setCurrentIndex(fields.action_box.findData(AnomalyAction.ADMIT_PAPER.value))
    assert fields.action_box.currentText() == "放行（已做传统纸质登记）"
    fields.name.setText("王奶奶")  # as an input method commits it
    fields.notes.setPlainText("无智能手机、未带身份证；已按传统方式纸质登记，体温正常")
    fields.no_phone_reason.setText("老人独居，无手机")
    anomaly = save(qtbot, form)
    assert anomaly.action is AnomalyAction.ADMIT_PAPER and anomaly.phone_masked == ""
    check_id = anomaly.check_id
    assert check_id is not None

    qtbot.waitUntil(lambda: server_anomaly(app, anomaly.id) is not None, timeout=15_000)
    stored = server_anomaly(app, anomaly.id)
    assert stored is not None
    assert (stored.masked_name, stored.action, stored.no_phone_reason) == (
        "王**",
        AnomalyAction.ADMIT_PAPER,
        "老人独居，无手机",
    )
    qtbot.waitUntil(lambda: check_id in embedded.server_checks(), timeout=15_000)
    assert embedded.server_checks()[check_id].manual_decision == "admit"

    workbench.tabs.setCurrentWidget(workbench.stats_view)
    workbench.stats_view.refresh()
    qtbot.waitUntil(lambda: checked.text() == str(before + 1), timeout=15_000)
