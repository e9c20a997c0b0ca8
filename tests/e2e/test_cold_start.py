"""Start-up order (issue 18 §3), in a real process: a station on a remote server never imports
the server, and with the embedded backend its process is started before the GUI's imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shoumen_server.app import START_ROUTERS
from tests.gui.conftest import LiveBackend

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SERVER_MODULES = ("shoumen_server", "fastapi", "sqlalchemy", "uvicorn", "starlette", "alembic")
# Loaded after the workbench is ready (the camera's decoders), when a venue code is first drawn,
# or when an owner's or supervisor's page is first shown (MainWindow.lazy).
LATER_MODULES = (
    "cv2",
    "qrcode",
    "PIL",
    "shoumen_gui.ui.venue.register",
    "shoumen_gui.ui.venue.admin_page",
    "shoumen_gui.ui.supervisor.region_view",
)

# main() as `shoumen` runs it, then what was imported; spawn() recorded whether Qt was loaded.
SCRIPT = """
import gc, json, sys
from shoumen_gui import app, embedded

spawned = []
original = embedded.EmbeddedProcess.spawn

def spawn(self):
    spawned.append("PySide6.QtWidgets" in sys.modules)
    original(self)

embedded.EmbeddedProcess.spawn = spawn

at_ready = []
frozen_at_ready = []
arm = app._arm_self_check

def arm_and_watch(boot, wanted):
    boot.flow.ready.connect(lambda page: at_ready.append(sorted(set(LATER_MODULES) & set(sys.modules))))
    boot.flow.ready.connect(lambda page: frozen_at_ready.append(gc.get_freeze_count() > 0))
    return arm(boot, wanted)

app._arm_self_check = arm_and_watch
code = app.main(sys.argv[1:])
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(SERVER_MODULES))
result = {
    "code": code, "loaded": loaded, "spawned": spawned, "later_at_ready": at_ready,
    "frozen_at_ready": frozen_at_ready,
}
print("RESULT " + json.dumps(result), flush=True)
"""


def run_main(data_dir: Path, *args: str) -> tuple[str, dict[str, object]]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SHOUMEN_LOG_TO_STDERR": "0",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONPATH": str(ROOT),
    }
    constants = f"SERVER_MODULES = {SERVER_MODULES!r}\nLATER_MODULES = {LATER_MODULES!r}\n"
    command = [sys.executable, "-c", constants + SCRIPT]
    command += ["--data-dir", str(data_dir), "--self-check-exit", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    ready = [line.split()[1] for line in lines if line.startswith("SHOUMEN_READY")]
    [answer] = [json.loads(line.removeprefix("RESULT ")) for line in lines if line.startswith("RESULT ")]
    return (ready[0] if ready else ""), answer


def test_a_station_on_a_remote_server_imports_no_server_module(tmp_path: Path, embedded: LiveBackend) -> None:
    # A real (demo) server elsewhere: log in, sync, reach the workbench.
    page, answer = run_main(tmp_path / "station", "--server", embedded.url, "--demo-login")
    assert page == "workbench"
    # OpenCV (the camera's decoders) loads after the workbench is ready, not during start-up;
    # qrcode and Pillow only when a venue code is drawn; the owner's and supervisor's pages when
    # first shown.
    # Start-up's objects are frozen out of the GUI-thread collector's passes once it is ready.
    assert answer == {
        "code": 0,
        "loaded": [],
        "spawned": [],
        "later_at_ready": [[]],
        "frozen_at_ready": [True],
    }


def _run_fresh(script: str) -> str:
    """`script` in a fresh interpreter on this tree; its stdout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    return result.stdout


def test_the_scanning_package_loads_opencv_only_when_a_decoder_is_used() -> None:
    # The wedge filter and the thermometer input come up with the workbench; OpenCV need not.
    script = (
        "import sys\n"
        "import shoumen_gui.scanning.wedge, shoumen_gui.scanning.stabiliser, shoumen_gui.scanning.thermometer\n"
        "from shoumen_gui.scanning import ENTER, ReadStabiliser\n"
        "before = 'cv2' in sys.modules\n"
        "from shoumen_gui.scanning import ZxingDecoder, ScanPipeline\n"
        "import shoumen_gui.scanning as scanning\n"
        "print(before, 'cv2' in sys.modules, scanning.make_decoder is not None)\n"
    )
    assert _run_fresh(script).split() == ["False", "True", "True"]


def test_the_backend_process_starts_before_qt_is_imported(tmp_path: Path) -> None:
    page, answer = run_main(tmp_path / "station")
    assert page == "login"
    # The GUI process itself never imports the server: the backend runs in its own process.
    assert answer["code"] == 0 and answer["loaded"] == []
    spawned = answer["spawned"]
    assert isinstance(spawned, list) and spawned[0] is False  # later calls (start()) find it running


# The embedded backend as its process runs it (embedded.serve_main trims first and defers
# pydantic's model builds): a station's start against it (the code, the login, /me, the first
# pull, the trust list, a lookup), then a body that fails validation: FastAPI still refuses it,
# without pydantic's v1 package; and a SQLite-only backend never imports PostgreSQL's dialect,
# nor routers the start does not ask, nor builds models nobody used (FastAPI's OpenAPI ones).
BACKEND_SCRIPT = """
import json, sys
from pathlib import Path
from shoumen_gui.import_trims import defer_model_builds, skip_unused_imports
skip_unused_imports()
defer_model_builds()
from shoumen_gui.embedded import EmbeddedBackend, demo_accounts
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.session import login_with_demo_code
from shoumen_core.schemas import DocumentIn, LookupRequest
import httpx
backend = EmbeddedBackend(Path(sys.argv[1]))
backend.start()
try:
    phone = demo_accounts()[0][0]
    with ApiClient(backend.url) as api:
        api.server.info()
        api.token = login_with_demo_code(api, phone).token
        venue_id = api.auth.me().venues[0].venue_id
        api.sync.pull(venue_id, "")
        api.trust.trust_list()
        looked_up = api.checks.lookup(venue_id, LookupRequest(document=DocumentIn(number="330624198503121020")))
    answer = httpx.post(backend.url + "/api/v1/auth/sms-code", json={"phone": ["not", "a", "phone"]})
    print("RESULT " + json.dumps({
        "status": answer.status_code,
        "code": answer.json()["error"]["code"],
        "looked_up": looked_up is not None,
        "v1_loaded": sys.modules.get("pydantic.v1") is not None,
        "httpx_cli_loaded": sys.modules.get("httpx._main") is not None,
        "postgresql_loaded": "sqlalchemy.dialects.postgresql" in sys.modules,
        "routers": sorted(m.split(".")[2] for m in sys.modules if m.startswith("shoumen_server.routers.")),
        "visitor_loaded": "shoumen_server.visitor" in sys.modules,
        "openapi_models_built": sys.modules["fastapi.openapi.models"].OpenAPI.__pydantic_complete__,
    }), flush=True)
finally:
    backend.close()
"""


def test_the_backend_process_serves_a_start_without_the_imports_it_skips(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SHOUMEN_LOG_TO_STDERR": "0"}
    result = subprocess.run(
        [sys.executable, "-c", BACKEND_SCRIPT, str(tmp_path / "server.db")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Warning" not in result.stderr, result.stderr[-2000:]  # the app would log it as an error
    [line] = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert json.loads(line.removeprefix("RESULT ")) == {
        "status": 422,
        "code": "invalid_request",
        "looked_up": True,
        "v1_loaded": False,
        "httpx_cli_loaded": False,
        "postgresql_loaded": False,
        "routers": sorted(START_ROUTERS),  # the others come in at their first request
        "visitor_loaded": False,
        "openapi_models_built": False,  # pydantic models are built at their first use
    }


def test_the_gui_process_does_not_read_the_source_of_every_module_it_imports() -> None:
    # PySide6's __feature__ hook reads each module's source after PySide6 is in
    # (import_trims.skip_pyside_source_scans says why the app needs none of it).
    script = (
        "import inspect, json\n"
        "import PySide6.QtCore\n"
        "from shoumen_gui.import_trims import skip_pyside_source_scans\n"
        "read = []\n"
        "original = inspect.getsource\n"
        "inspect.getsource = lambda obj: (read.append(obj.__name__), original(obj))[1]\n"
        "import colorsys\n"
        "before = list(read)\n"
        "skip_pyside_source_scans()\n"
        "import sched\n"
        "print(json.dumps([before, read[len(before):]]))\n"
    )
    assert json.loads(_run_fresh(script)) == [["colorsys"], []]
