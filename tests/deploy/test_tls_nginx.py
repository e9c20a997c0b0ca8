"""Issue 15 §5: TLS end to end. Debian's nginx with the shipped deploy/nginx/shoumen.conf and a
certificate from a CA made here, in front of two `shoumen-server serve` processes on one
PostgreSQL database; the staff app's API client and a station's sync go through it over https
with that CA configured (`--ca FILE` / the ca_file setting); another CA is refused in words.

One deployment per module (starting it costs a seed and two server processes); each test takes
its own phone numbers and client addresses, so the order of the tests does not matter.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

import tests.conftest
from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import DocumentIn, ExportFormat, LookupRequest
from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.services.admin import AdminService
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.checks import CheckContext, CheckService, ResultSource
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.errors import CertificateUntrusted, OfflineError
from shoumen_gui.services.sync import SyncEngine
from shoumen_gui.services.tls import server_verify
from shoumen_server.models import Check
from shoumen_server.seed import DEMO_PATHS_BY_KEY, HOSPITAL_OWNER, HOSPITAL_STAFF
from shoumen_server.settings import ServerSettings
from tests.conftest import postgres_url
from tests.deploy import front
from tests.deploy.front import SITE_TEMPLATE, SMS_PER_CLIENT_HOUR, Deployment, deployment, make_ca

GREEN = DEMO_PATHS_BY_KEY["green_fresh"]
# The first test also pays for the deployment: a seed, two server processes and nginx.
# The lookups here wait this long, not the station's 1 s budget: what is tested is the way through
# nginx and TLS, and a server worker's first lookup, on a machine running the suite in parallel
# workers, has taken longer (the budget itself: tests/gui/services/test_flaky_link.py).
SLOW_MACHINE = 30.0
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    with deployment(tmp_path_factory.mktemp("tls"), postgres_url()) as running:
        yield running


def logged_in(deployed: Deployment, phone: str, **kwargs: object) -> ApiClient:
    """The staff app's login: an SMS code (the `log` gateway's, read from the workers' logs)."""
    api = ApiClient(deployed.url, verify=server_verify(deployed.ca_file), **kwargs)  # type: ignore[arg-type]
    try:
        api.auth.request_sms_code(phone)
        api.auth.login(phone, deployed.sms_code(phone), "tls-test")
    except BaseException:
        api.close()
        raise
    return api


def test_the_staff_app_logs_in_and_looks_up_through_nginx_with_the_county_ca(deployed: Deployment) -> None:
    phone = HOSPITAL_STAFF[0][0]
    with logged_in(deployed, phone) as api:
        me = api.auth.me()
        venue_id = me.venues[0].venue_id
        answer = api.checks.lookup(
            venue_id,
            LookupRequest(document=DocumentIn(kind=GREEN.kind.value, number=GREEN.number)),
            timeout=SLOW_MACHINE,
        )
        assert answer.level is VerdictLevel.PASS
        assert answer.person is not None and answer.person.masked_name.startswith(GREEN.name[0])
    # Both workers answered through the one https address (nginx's round robin).
    assert all(count > 0 for count in deployed.served_by()), deployed.served_by()


def test_a_station_syncs_a_real_check_through_nginx(deployed: Deployment, tmp_path: Path) -> None:
    phone = HOSPITAL_STAFF[1][0]
    api = logged_in(deployed, phone)
    cache = LocalCache.open(tmp_path / "station.db")
    try:
        user_id = api.auth.me().user.id
        venue_id = api.auth.me().venues[0].venue_id
        connectivity = Connectivity()
        engine = SyncEngine(cache, api, connectivity)
        assert engine.sync_now(venue_id, user_id).message == ""  # the first pull: the venue
        venue = cache.venue_config(venue_id)
        assert venue is not None and venue.trust_list is not None
        service = CheckService(
            cache, api, connectivity, lookup_timeout=SLOW_MACHINE, lookup_budget=SLOW_MACHINE
        )
        checkpoint_id = venue.venue.checkpoints[0].id
        service.set_context(CheckContext(venue_id, checkpoint_id, user_id, cache.device_id()))
        result = service.check_document(GREEN.number, GREEN.kind)
        assert (result.source, result.level) == (ResultSource.ONLINE, VerdictLevel.PASS)
        assert cache.pending_count() == 1
        status = engine.sync_now()  # push, then pull
        assert (status.pending, status.message, status.online) == (0, "", True)
        assert _server_has_check(deployed, str(result.record_id))
    finally:
        cache.close()
        api.close()


def test_another_ca_is_refused_in_words_and_never_retried_without_verification(
    deployed: Deployment, tmp_path: Path
) -> None:
    wrong = make_ca("另一个 CA").write(tmp_path / "other-ca.pem")
    before = deployed.nginx.access_log()
    with (
        ApiClient(deployed.url, verify=server_verify(wrong)) as api,
        pytest.raises(CertificateUntrusted) as refused,
    ):
        api.auth.request_sms_code(HOSPITAL_OWNER[0])
    assert refused.value.code == "certificate_untrusted"
    assert isinstance(refused.value, OfflineError)  # a check is judged offline meanwhile
    assert refused.value.message.startswith("服务器证书不受信任")
    # The app's default roots do not know the county's CA either: no CA given is no way around.
    with ApiClient(deployed.url) as api, pytest.raises(CertificateUntrusted):
        api.server.info()
    assert deployed.nginx.access_log() == before  # nothing got past the handshake


def test_the_station_shows_an_untrusted_certificate_at_once(deployed: Deployment, tmp_path: Path) -> None:
    """A wrong CA is no lost packet the next try may get through: the status says why after the
    first round, not after three failures (sync.py waits out single lost requests)."""
    wrong = make_ca("另一个 CA").write(tmp_path / "other-ca.pem")
    cache = LocalCache.open(tmp_path / "station.db")
    api = ApiClient(deployed.url, verify=server_verify(wrong), token="stale-token")
    try:
        connectivity = Connectivity()
        status = SyncEngine(cache, api, connectivity).sync_now(1, 1)
        assert status.message.startswith("服务器证书不受信任")
    finally:
        cache.close()
        api.close()


def test_an_export_streams_through_nginx_on_the_same_ca(deployed: Deployment, tmp_path: Path) -> None:
    """The export's own streaming client trusts what the app's client trusts (and only that)."""
    owner = logged_in(deployed, HOSPITAL_OWNER[0])
    try:
        venue_id = owner.auth.me().venues[0].venue_id
        today = local_day(utcnow())
        dest = tmp_path / "venue.csv"
        result = AdminService(owner).export_venue(venue_id, today, today, ExportFormat.CSV, dest)
        assert result.bytes > 0 and dest.read_bytes().decode("utf-8-sig").startswith("时间,")
        wrong = make_ca("另一个 CA").write(tmp_path / "other-ca.pem")
        stranger = ApiClient(deployed.url, verify=server_verify(wrong), token=owner.token)
        with stranger, pytest.raises(CertificateUntrusted):
            AdminService(stranger).export_venue(venue_id, today, today, ExportFormat.CSV, tmp_path / "x.csv")
        assert not (tmp_path / "x.csv").exists()
    finally:
        owner.close()


def test_the_client_address_is_the_one_nginx_saw(deployed: Deployment) -> None:
    """SHOUMEN_TRUSTED_PROXIES=127.0.0.1 (nginx): the per-address SMS quota counts the address
    nginx saw the client at (X-Forwarded-For), not nginx's own; an X-Forwarded-For the client
    writes itself changes nothing."""
    phones = iter(f"1370000{n:04d}" for n in range(100))

    def client(source: str) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=source, verify=server_verify(deployed.ca_file))
        return httpx.Client(base_url=deployed.url + "/api/v1", transport=transport, timeout=10)

    def ask(http: httpx.Client, **headers: str) -> int:
        body = {"phone": next(phones)}
        return http.post("/auth/sms-code", json=body, headers=headers).status_code

    with client("127.0.0.2") as first, client("127.0.0.3") as second:
        assert [ask(first) for _ in range(SMS_PER_CLIENT_HOUR)] == [200] * SMS_PER_CLIENT_HOUR
        assert ask(first) == 429
        assert ask(first, **{"X-Forwarded-For": "203.0.113.9"}) == 429  # spoofed: still 127.0.0.2
        assert ask(second) == 200  # another address behind the same nginx


def test_the_shipped_config_sets_hsts_https_only_and_the_servers_body_limit(deployed: Deployment) -> None:
    limit = ServerSettings().max_body_bytes
    configured = re.search(r"client_max_body_size (\d+)m;", SITE_TEMPLATE.read_text(encoding="utf-8"))
    assert configured is not None and int(configured.group(1)) * 1024 * 1024 == limit
    verify = server_verify(deployed.ca_file)
    assert isinstance(verify, ssl.SSLContext)
    with httpx.Client(base_url=deployed.url, verify=verify, timeout=30) as http:
        info = http.get("/api/v1/info")
        assert info.status_code == 200
        assert info.headers["strict-transport-security"] == "max-age=31536000"
        big = http.post(
            "/api/v1/sync/push", content=b"x" * (limit + 1), headers={"Content-Type": "application/json"}
        )
        assert big.status_code == 413 and big.json()["error"]["code"] == "body_too_large"
        assert http.get("/metrics").status_code == 404  # traffic figures are not for the internet
    plain = httpx.get(f"http://127.0.0.1:{deployed.nginx.http_port}/api/v1/info", timeout=10)
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")


def _server_has_check(deployed: Deployment, record_id: str) -> bool:
    import uuid

    engine = create_engine(deployed.database_url)
    try:
        with engine.connect() as conn:
            found = conn.scalar(
                select(func.count()).select_from(Check).where(Check.id == uuid.UUID(record_id))
            )
    finally:
        engine.dispose()
    return found == 1


def test_a_missing_nginx_fails_in_ci_and_is_skipped_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Like PostgreSQL (tests/conftest.py): in CI the TLS tests must not quietly disappear."""
    monkeypatch.setattr(front.shutil, "which", lambda _name: None)
    monkeypatch.setattr(front.os, "access", lambda _path, _mode: False)
    monkeypatch.setattr(tests.conftest, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="nginx is not installed"):
        front.nginx_binary()
    monkeypatch.setattr(tests.conftest, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception):
        front.nginx_binary()


def test_deploy_md_fills_in_every_placeholder_of_the_shipped_config() -> None:
    """docs/DEPLOY.md's sed line and deploy/nginx/shoumen.conf name the same placeholders, so
    a person following it gets the configuration this module tests."""
    deploy_md = (front.REPO / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    filled = set(re.findall(r"-e 's\|(@[A-Z_]+@)\|", deploy_md))
    config_lines = [
        line
        for line in SITE_TEMPLATE.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    wanted = set(re.findall(r"@[A-Z_]+@", "\n".join(config_lines)))
    assert wanted and filled == wanted
