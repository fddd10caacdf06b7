"""Take docs/screenshot.png: the contract index as the demo buyer sees it.

    uv run python docs/screenshot.py            # a throw-away demo: SQLite, fixed date, own port
    uv run python docs/screenshot.py --url http://127.0.0.1:8000   # a running bin/demo

Needs Chromium at /usr/bin/chromium (apt-get install chromium), or HUB_CHROMIUM.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshot.png"
CHROMIUM = os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running, seeded hub (default: start a throw-away one)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    if args.url:
        shoot(args.url.rstrip("/"), args.output)
    else:
        with throwaway_demo() as url:
            shoot(url, args.output)
    print(f"Saved {args.output}")


def shoot(url: str, output: Path) -> None:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement_hub.settings")
    from procurement_hub.demo import DEMO_PASSWORD

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(15_000)
        page.goto(f"{url}/accounts/login/")
        page.fill("#id_username", "buyer")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{url}/")
        page.goto(f"{url}/contracts/?expires_within=180&sort=end_date")
        page.locator("table.contract-table tbody tr").first.wait_for()
        page.screenshot(path=str(output), full_page=False)
        browser.close()


@contextmanager
def throwaway_demo():
    """Migrate and seed a scratch SQLite database, serve it, and stop it afterwards."""
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=f"sqlite:///{scratch}/demo.sqlite3",
            DEBUG="1",
            HUB_PUBLIC_INDEX="0",
            MEDIA_ROOT=f"{scratch}/media",
        )
        env.pop("REDIS_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True)
        subprocess.run([*manage, "seed_demo", "--seed", "2026"], env=env, check=True)
        port = free_port()
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{url}/healthz")
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


if __name__ == "__main__":
    main()
