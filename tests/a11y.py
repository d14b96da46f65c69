"""A real browser for the accessibility tests: headless Chromium driven over the DevTools protocol.

:func:`axe_violations` opens an HTML file in headless Chromium (Debian's ``chromium``), injects
axe-core (npm ``axe-core``, installed by ``.ci/run`` into ``.cache/axe``) and runs it with the
WCAG 2.2 A and AA rules; :func:`screenshot` writes a PNG of the page. Chromium is driven through
``--remote-debugging-pipe`` (DevTools protocol messages on file descriptors 3 and 4, each ended by
a NUL byte), so no port is opened and no Python browser package is needed. Every run has a fresh
profile folder and the flags that stop Chromium fetching anything of its own.

:func:`need_browser` skips a test, saying what is missing, when Chromium or axe-core cannot be
found; under CI (``CI=true``) it fails instead, so the checks cannot silently not run.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
#: The rule tags axe-core runs: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--remote-debugging-pipe",
)
TIMEOUT = 60.0


def chromium_path() -> str | None:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def axe_path() -> Path | None:
    candidates = [
        os.environ.get("AXE_CORE_JS"),
        REPO / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def need_browser() -> None:
    """Skip (or, under CI, fail) unless both Chromium and axe-core are here."""
    missing = []
    if chromium_path() is None:
        missing.append("Chromium (apt-get install chromium)")
    if axe_path() is None:
        missing.append("axe-core (npm install --prefix .cache/axe axe-core)")
    if not missing:
        return
    message = "browser accessibility checks need " + " and ".join(missing)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " — CI must run them, not skip them")
    pytest.skip(message)


class DevTools:
    """One Chromium process and a page in it, spoken to over the DevTools pipe."""

    def __init__(self) -> None:
        browser = chromium_path()
        assert browser is not None
        self.profile = tempfile.mkdtemp(prefix="commission-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # The child reads commands from fd 3 and writes replies to fd 4.
        self.process = subprocess.Popen(
            [browser, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=_dup_to(to_child_r, from_child_w),
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable", session=True)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer over the DevTools pipe")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == ident:
                if "error" in reply:
                    raise RuntimeError(f"DevTools {method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, event: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        for i, seen in enumerate(self.events):
            if seen.get("method") == event:
                return self.events.pop(i)
        while True:
            message = self._read_message(deadline)
            if message.get("method") == event:
                return message
            self.events.append(message)

    def open(self, path: Path, width: int = 1000, height: int = 1400) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.events.clear()
        self.call("Page.navigate", session=True, url=Path(path).resolve().as_uri())
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str, *, wait: bool = False) -> Any:
        result = self.call(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            awaitPromise=wait,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed in the page: {result['exceptionDetails']}")
        return result["result"].get("value")

    def requested_urls(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_child)
        os.close(self._from_child)
        shutil.rmtree(self.profile, ignore_errors=True)


def _dup_to(read_fd: int, write_fd: int) -> Any:
    def setup() -> None:
        os.dup2(read_fd, 3)
        os.dup2(write_fd, 4)

    return setup


@contextmanager
def browser() -> Iterator[DevTools]:
    need_browser()
    tools = DevTools()
    try:
        yield tools
    finally:
        tools.close()


def run_axe(tools: DevTools) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 A/AA violations on the page open in ``tools``."""
    axe = axe_path()
    assert axe is not None
    tools.evaluate(axe.read_text(encoding="utf-8"))
    options = json.dumps(
        {"runOnly": {"type": "tag", "values": list(WCAG_TAGS)}, "resultTypes": ["violations"]}
    )
    raw = tools.evaluate(
        f"axe.run(document, {options}).then(r => JSON.stringify(r.violations))", wait=True
    )
    violations: list[dict[str, Any]] = json.loads(raw)
    return violations


def axe_violations(path: Path) -> list[dict[str, Any]]:
    """Open ``path`` in headless Chromium and return axe-core's WCAG 2.2 A/AA violations."""
    with browser() as tools:
        tools.open(path)
        return run_axe(tools)


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations in a form a failing assertion can show."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v.get('impact')}): {v['help']}")
        for node in v.get("nodes", [])[:5]:
            lines.append(f"    {node.get('target')}: {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


def screenshot(
    path: Path, png: Path, width: int = 1000, height: int = 1400, *, full_page: bool = False
) -> Path:
    """Write a PNG of the page at ``path`` as Chromium shows it."""
    with browser() as tools:
        tools.open(path, width, height)
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = tools.call("Page.captureScreenshot", session=True, **params)["data"]
    png.write_bytes(base64.b64decode(data))
    return png


__all__ = [
    "WCAG_TAGS",
    "axe_violations",
    "browser",
    "describe",
    "need_browser",
    "run_axe",
    "screenshot",
]
