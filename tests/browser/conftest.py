"""Browser tests: a real server on a free localhost port over a seeded SQLite file, driven by
Debian's Chromium through Playwright (never a downloaded browser)."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from healthhub.core.migrations import upgrade
from healthhub.identity.seed import DEMO_PASSWORD

CHROMIUM = os.environ.get("HEALTHHUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seeded_database(directory: Path) -> dict[str, str]:
    """The environment of a server over a new SQLite file in `directory` with `seed --scale small` loaded."""
    env = {**os.environ, "HEALTHHUB_DATABASE_URL": f"sqlite:///{directory / 'live.db'}", "HEALTHHUB_ENV": "test",
           "HEALTHHUB_LOG_JSON": "false", "HEALTHHUB_LOG_LEVEL": "WARNING"}
    upgrade(env["HEALTHHUB_DATABASE_URL"])
    subprocess.run([sys.executable, "-m", "healthhub.cli", "seed", "--scale", "small"], env=env, check=True,
                   capture_output=True)
    return env


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL of a running app with `seed --scale small` loaded."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # public_url: where the sandbox provider sends its payment callbacks (our own origin, nothing else).
    env = {**seeded_database(tmp_path_factory.mktemp("live")), "HEALTHHUB_PUBLIC_URL": base_url}
    server = subprocess.Popen([sys.executable, "-m", "healthhub.cli", "serve", "--port", str(port)], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("live server did not start")
    yield base_url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: install Debian's chromium (make test does)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser, live_server):
    """Opens pages in fresh contexts (one per simulated person); all are closed after the test, which fails
    if any page reported a Content-Security-Policy violation (an inline script or handler left somewhere)."""
    contexts = []
    violations: list[str] = []

    def factory(viewport=(1280, 900)):
        context = browser.new_context(base_url=live_server, locale="zh-CN",
                                      viewport={"width": viewport[0], "height": viewport[1]})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        return page

    yield factory
    for context in contexts:
        context.close()
    assert violations == [], "pages broke the Content-Security-Policy"


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/home")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
