"""The README's screenshots: the example site in Chromium, wide and on a phone,
light and dark (run by ``scripts/screenshots``).

    python docs/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]

The site is built into a temporary folder and served from it by Python's own
HTTP server, at a sub-path, as a static host would serve it. Each shot is the
first screen of a page (not the whole page), so the images stay small and show
what a reader meets first.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
# (file name, page, viewport, colour scheme)
SHOTS = (
    ("briefing-wide-light.png", "briefings/2022-04-11-biden-modi-virtual-meeting/",
     (1400, 900), "light"),
    ("briefing-wide-dark.png", "briefings/2022-01-10-putin-csto-kazakhstan/", (1400, 900), "dark"),
    ("speaker-phone-light.png", "speakers/vladimir-putin/", (390, 844), "light"),
    ("transcript-phone-dark.png", "briefings/2022-04-14-jean-pierre-gaggle-greensboro/#turn-2",
     (390, 844), "dark"),
    ("dates-wide-light.png", "dates/", (1400, 900), "light"),
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "host"
        built = subprocess.run([sys.executable, "-m", "builder", "build", "--site", str(ROOT),
                                "--out", str(site / "briefings")], cwd=ROOT, check=False)
        if built.returncode:
            return built.returncode
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/briefings/"
        args.out.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=args.chromium)
                for name, path, (width, height), scheme in SHOTS:
                    context = browser.new_context(viewport={"width": width, "height": height},
                                                  color_scheme=scheme,
                                                  is_mobile=width < 600, device_scale_factor=1)
                    page = context.new_page()
                    page.goto(base + path)
                    page.evaluate("document.fonts.ready")
                    page.screenshot(path=str(args.out / name))
                    context.close()
                    print(args.out / name)
                browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
