"""Issue 15 §5: `shoumen --ca FILE` (or the ca_file setting) is the CA every client of the
server trusts, and an unusable CA file ends the start with a message, not a traceback.

The connections themselves (the right CA accepted, another refused in words) are tested through
a real nginx in tests/deploy/test_tls_nginx.py."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from shoumen_gui import app as app_module
from shoumen_gui.paths import AppPaths
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.errors import CaFileError
from shoumen_gui.services.tls import certificate_error, server_verify
from shoumen_gui.settings import Settings
from tests.deploy.front import make_ca

SERVER = "https://shoumen.example.gov.cn"


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    return make_ca("县政务云 CA").write(tmp_path / "county-ca.pem")


def start(tmp_path: Path, *extra: str) -> int:
    """main() as a person starts it (no dialog: --self-check-exit reports on stderr)."""
    argv = ["--data-dir", str(tmp_path / "data"), "--server", SERVER, "--self-check-exit", *extra]
    return app_module.main(argv)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: d / "missing.pem", "找不到证书颁发机构（CA）文件"),
        (lambda d: d, "不是普通文件"),
        (lambda d: _write(d / "not-a-cert.pem", "这不是证书\n"), "没有可用的 PEM 证书"),
    ],
)
def test_an_unusable_ca_file_is_a_start_up_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, words: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    assert start(tmp_path, "--ca", str(path)) == 2
    err = capsys.readouterr().err
    assert words in err and str(path) in err and "--ca" in err
    assert "Traceback" not in err


def test_the_ca_setting_is_checked_like_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = AppPaths.choose(tmp_path / "data").ensure()
    from shoumen_gui.settings import SettingsStore

    SettingsStore(paths.settings_file).save(Settings(ca_file=str(tmp_path / "gone.pem")))
    assert start(tmp_path) == 2
    assert "找不到证书颁发机构（CA）文件" in capsys.readouterr().err


def test_the_option_wins_over_the_setting_and_reaches_the_client(tmp_path: Path, ca_file: Path) -> None:
    args = app_module.parse_args(["--server", SERVER, "--ca", str(ca_file)])
    paths = AppPaths.choose(tmp_path / "data").ensure()
    backend = app_module.choose_backend(args, Settings(ca_file=str(tmp_path / "gone.pem")), paths)
    assert isinstance(backend.verify, ssl.SSLContext)
    # Only the county's CA: the default roots are not loaded next to it.
    assert [c["subject"] for c in backend.verify.get_ca_certs()] == [((("commonName", "县政务云 CA"),),)]
    with ApiClient(SERVER, verify=backend.verify) as api:
        assert api.verify is backend.verify


def test_no_ca_anywhere_keeps_the_default_roots(tmp_path: Path) -> None:
    args = app_module.parse_args(["--server", SERVER])
    paths = AppPaths.choose(tmp_path / "data").ensure()
    assert app_module.choose_backend(args, Settings(), paths).verify is True


def test_a_ca_file_may_hold_a_bundle(tmp_path: Path) -> None:
    """A CA bundle (a root and an intermediate, or two counties' CAs) is one file of PEM blocks."""
    first, second = make_ca("甲"), make_ca("乙")
    path = _write(tmp_path / "bundle.pem", (first.pem() + second.pem()).decode())
    context = server_verify(path)
    assert isinstance(context, ssl.SSLContext) and len(context.get_ca_certs()) == 2


def test_certificate_errors_are_told_apart() -> None:
    def failed(code: int) -> Exception:
        error = ssl.SSLCertVerificationError(1, "certificate verify failed")
        error.verify_code = code
        try:
            raise OSError("connect failed") from error
        except OSError as wrapped:
            return wrapped

    assert (certificate_error(failed(20)) or CaFileError()).code == "certificate_untrusted"
    assert (certificate_error(failed(62)) or CaFileError()).code == "certificate_name_mismatch"
    assert (certificate_error(failed(10)) or CaFileError()).code == "certificate_expired"
    assert certificate_error(OSError("connection refused")) is None


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
