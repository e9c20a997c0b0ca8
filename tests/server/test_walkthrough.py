"""docs/API_WALKTHROUGH.md, run as written: the doc cannot rot.

The page's `<!-- walkthrough: NAME -->` shell blocks run in order in one bash session (`set -euo
pipefail`) against a real `shoumen-server serve --demo` subprocess on a free port with its own
SQLite file; the page's `$API` points at it. Where a ```json block follows a command, the
command's output must match it (`"…"` matches anything). A visitor then checks in on the new
venue's code page. The server's log (uvicorn's access log included) must not carry the personal
data the walkthrough and the visitor send.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "API_WALKTHROUGH.md"
BLOCK_RE = re.compile(
    r"<!-- walkthrough: (?P<name>[\w-]+) -->\n```sh\n(?P<code>.*?)```\n(?:\n```json\n(?P<answer>.*?)```\n)?",
    re.DOTALL,
)
ANY = "…"
SERVING_RE = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:(\d+))")
STEPS = (
    "info",
    "sms-code",
    "login",
    "register-venue",
    "add-staff",
    "lookup-pending",
    "pending-venues",
    "approve-venue",
    "lookup-code",
    "lookup-document",
    "lookup-typo",
    "push",
    "stats",
    "abnormal",
)
# The personal data the walkthrough sends: it must stay out of the server's log.
VISITOR_PHONE = "13700000001"  # 陈建国 of docs/DEMO.md, green
PERSONAL = (
    "13812345678",
    "13812345679",
    "周门卫",
    "330624198503121012",
    "330624196904181789",
    "黄金龙",
    VISITOR_PHONE,
    "陈建国",
)
PHONE_OR_ID_RE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d{9}|\d{17}[\dX])(?![0-9A-Za-z])")
START_TIMEOUT = 60.0
STEP_TIMEOUT = 60.0


@dataclass(frozen=True)
class Block:
    name: str
    code: str
    answer: Any  # the parsed ```json answer shown after the command, None when there is none


def walkthrough_blocks() -> list[Block]:
    return [
        Block(m["name"], m["code"], json.loads(m["answer"]) if m["answer"] else None)
        for m in BLOCK_RE.finditer(DOC.read_text(encoding="utf-8"))
    ]


def matches(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Where `actual` differs from the documented answer; `"…"` stands for any value."""
    if expected == ANY:
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) != set(expected):
            return [f"{where}: keys {sorted(actual) if isinstance(actual, dict) else actual!r}"]
        return [err for key in expected for err in matches(expected[key], actual[key], f"{where}.{key}")]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: {actual!r}"]
        return [err for i, item in enumerate(expected) for err in matches(item, actual[i], f"{where}[{i}]")]
    return [] if expected == actual and type(expected) is type(actual) else [f"{where}: {actual!r}"]


class Lines:
    """A pipe read line by line on a thread, so the test can wait for a line with a timeout."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
        while True:
            line = self._queue.get(timeout=timeout)
            if line is None:
                raise AssertionError("the server stopped:\n" + "".join(self.seen))
            self.seen.append(line)
            if match := pattern.search(line):
                return match

    def rest(self, timeout: float) -> str:
        self._thread.join(timeout)
        while not self._queue.empty():
            line = self._queue.get()
            if line is not None:
                self.seen.append(line)
        return "".join(self.seen)


def clean_env(folder: Path) -> dict[str, str]:
    """The environment of a person who activated the venv, with no SHOUMEN_* settings of ours."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SHOUMEN_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["SHOUMEN_DATABASE_URL"] = f"sqlite:///{folder / 'shoumen.db'}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class DemoServer:
    api: str
    log: Lines
    process: subprocess.Popen[str]


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[DemoServer]:
    """The walkthrough's own `serve` command on port 0 (uvicorn names the port it got)."""
    [serve] = [block for block in walkthrough_blocks() if block.name == "serve"]
    command = shlex.split(serve.code.strip())
    assert command[:2] == ["shoumen-server", "serve"], serve.code
    process = subprocess.Popen(
        [*command, "--port", "0"],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # uvicorn writes its access log to stdout, the rest to stderr
        text=True,
        encoding="utf-8",
    )
    assert process.stdout is not None
    log = Lines(process.stdout)
    try:
        url = log.wait_for(SERVING_RE, START_TIMEOUT).group(1)
        yield DemoServer(f"{url}/api/v1", log, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.rest(timeout=15)
        process.stdout.close()


def run_steps(blocks: list[Block], server: DemoServer, folder: Path) -> dict[str, str]:
    """All steps in one bash session; each step's output, by name. Fails at the first step
    that exits non-zero, naming it."""
    script = ["set -euo pipefail"]
    for block in blocks:
        script += [f"printf '\\n@@step {block.name}\\n'", block.code.rstrip("\n")]
    script.append("printf '\\n@@done\\n'")
    env = clean_env(folder) | {"API": server.api}
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=STEP_TIMEOUT * len(blocks),
    )
    parts = re.split(r"\n@@step ([\w-]+)\n", done.stdout)
    outputs = dict(zip(parts[1::2], parts[2::2], strict=True))
    last = list(outputs)[-1] if outputs else None
    assert done.returncode == 0 and "\n@@done\n" in done.stdout, (
        f"step {last!r} failed (exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    )
    outputs[blocks[-1].name] = outputs[blocks[-1].name].split("\n@@done\n")[0]
    return outputs


def test_the_walkthrough_runs_as_written(demo_server: DemoServer, tmp_path: Path) -> None:
    blocks = [block for block in walkthrough_blocks() if block.name != "serve"]
    assert [block.name for block in blocks] == list(STEPS)
    outputs = run_steps(blocks, demo_server, tmp_path)
    for block in blocks:
        output = outputs[block.name].strip()
        assert output, f"step {block.name} printed nothing"
        answer = json.loads(output)  # every step ends by printing one JSON value
        if block.answer is not None:
            assert matches(block.answer, answer) == [], (block.name, output)
    assert json.loads(outputs["sms-code"])["demo_code"].isdigit()
    assert json.loads(outputs["lookup-code"])["level"] == "pass"
    assert json.loads(outputs["lookup-document"])["level"] == "deny"

    visit_the_venue_page(demo_server, tmp_path)

    demo_server.process.terminate()
    log = demo_server.log.rest(timeout=15)
    assert '"POST /api/v1/sync/push HTTP/1.1" 200' in log  # uvicorn's access log is in there
    assert '/verify HTTP/1.1" 303' in log and "/r/" in log  # and the venue page's requests
    assert [secret for secret in PERSONAL if secret in log] == []
    assert PHONE_OR_ID_RE.findall(log) == []


def visit_the_venue_page(server: DemoServer, folder: Path) -> None:
    """A visitor checks in on the new venue's code page, on the real server: phone number,
    SMS code (shown by the demo server), the result page."""
    owner = {"Authorization": f"Bearer {json.loads((folder / 'login.json').read_text())['token']}"}
    venue = json.loads((folder / "venue.json").read_text())["id"]
    root = server.api.removesuffix("/api/v1")
    with httpx.Client(base_url=root, timeout=30) as browser:
        r = browser.get(f"/api/v1/venues/{venue}/code", headers=owner)
        assert r.status_code == 200, r.text
        page = "/" + r.json()["url"].split("/", 3)[3]
        r = browser.post(f"{page}/sms", data={"csrf": csrf_of(browser.get(page)), "phone": VISITOR_PHONE})
        assert r.status_code == 303, r.text
        code_page = browser.get(page)
        demo_code = re.search(r'id="demo-code">[^<]*<strong>(\d{6})<', code_page.text)
        assert demo_code, code_page.text
        r = browser.post(f"{page}/verify", data={"csrf": csrf_of(code_page), "code": demo_code.group(1)})
        assert r.status_code == 303 and "/r/" in r.headers["location"], r.text
        result = browser.get(r.headers["location"])
        assert result.status_code == 200 and 'data-level="pass"' in result.text


def csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def test_the_documented_answers_are_checked() -> None:
    """Every step shows its answer, and the matching is strict where no "…" stands."""
    blocks = {block.name: block for block in walkthrough_blocks()}
    assert set(STEPS) | {"serve"} == set(blocks)
    assert all(blocks[name].answer is not None for name in STEPS)
    shown = blocks["stats"].answer
    assert matches(shown, {**shown, "day": "2026-11-20"}) == []
    assert matches(shown, {**shown, "checked": 3}) == ["$.checked: 3"]
    assert matches(shown, {**shown, "checked": 2.0}) == ["$.checked: 2.0"]
    assert matches(shown, {key: value for key, value in shown.items() if key != "persons"}) != []
