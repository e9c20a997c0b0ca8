# mypy: allow-untyped-calls
"""代为注册: the supervisor registers a venue for an owner without a smartphone, prints the poster
for them, and the owner takes the venue over at their first login."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QTabWidget
from pytestqt.qtbot import QtBot

from shoumen_core.schemas import Role
from tests.gui.conftest import LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find, log_in, wait_for_page
from tests.gui.supervisor.test_region import open_region
from tests.gui.venue.drive import audit_rows, choose_tab, decode_qr, render_pdf_page, type_text
from tests.gui.venue.test_register import fill, pick_unit_type

OWNER_WITHOUT_PHONE_APP = "13955556666"


def test_supervisor_registers_on_behalf_and_the_owner_takes_over(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    app = make_station_app()
    app.window.login.resend_seconds = 0  # two people log in one after the other on this station
    open_region(qtbot, app)
    window = app.window
    view = window.region_view
    choose_tab(qtbot, find(view, QTabWidget, "regionTabs"), "代为注册")
    panel = view.on_behalf
    form = panel.form
    assert form.region.text() == "330624" and form.region.isReadOnly()  # the supervisor's own region
    message = find(panel, QLabel, "onBehalfMessage")

    click(qtbot, panel, "onBehalfSubmit")
    assert message.text() == "请按提示修改标红的内容"
    assert find(panel, QLabel, "onBehalfOwnerNameError").text() == "请填写负责人姓名"
    assert find(panel, QLabel, "onBehalfOwnerPhoneError").text() == "负责人手机号应为 11 位大陆手机号"

    type_text(qtbot, panel.owner_name, "孙大爷")
    type_text(qtbot, panel.owner_phone, OWNER_WITHOUT_PHONE_APP)
    fill(
        qtbot,
        form,
        name="孙记理发店",
        address="新昌县南明街道东街 12 号",
        township="南明街道",
        contact_phone=OWNER_WITHOUT_PHONE_APP,
    )
    pick_unit_type(qtbot, form, "美发", "美容美发/洗浴足浴")
    with qtbot.waitSignal(view.loaded, timeout=15_000):  # the region table refreshes with it
        click(qtbot, panel, "onBehalfSubmit")
    qtbot.waitUntil(lambda: message.text().startswith("已为"), timeout=10_000)
    assert (
        message.text()
        == "已为 孙大爷 注册“孙记理发店”。负责人用手机号 139****6666 登录即可接管。可在下方为其打印场所码海报。"
    )
    assert "孙记理发店" in [view.model.rows[r].name for r in range(len(view.model.rows))]
    [audited] = audit_rows(embedded, "venue_on_behalf")
    assert audited.region_code == "330624"

    # The poster for the owner, straight from here.
    code = panel.code
    url = find(code, QLabel, "onBehalfCodeUrl")
    qtbot.waitUntil(lambda: "/v/" in url.text(), timeout=10_000)
    poster = tmp_path / "poster.pdf"
    code.ask_save_path = lambda *_args: poster
    with qtbot.waitSignal(code.saved, timeout=10_000):
        click(qtbot, code, "onBehalfCodePoster")
    image, _pages = render_pdf_page(poster)
    assert decode_qr(image) == [url.text()]

    # The supervisor logs out; nothing of the region stays on screen.
    click(qtbot, view, "regionLogout")
    wait_for_page(qtbot, window, "loginPage")
    assert view.model.rowCount() == 0 and view.abnormal.model.rowCount() == 0

    # The owner's first login: straight to the workbench of the venue, as 初始管理员.
    with qtbot.waitSignal(app.flow.ready, timeout=20_000) as ready:
        log_in(qtbot, window, OWNER_WITHOUT_PHONE_APP)
    assert ready.args == ["workbench"]
    post = app.station.post
    assert (post.venue.venue_name, post.venue.role, post.user.name) == ("孙记理发店", Role.OWNER, "孙大爷")
    assert find(window, QLabel, "workbenchTitle").text() == "孙记理发店 · 大门"
    assert find(window, type(view.logout), "venueAdminButton").isVisible()
