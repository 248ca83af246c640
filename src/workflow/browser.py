"""Check the rendered pages in a real browser (Debian's headless Chromium via Playwright).

``python -m workflow.browser ensure`` installs Debian's ``chromium`` if it is missing and we
may (root with apt-get); Playwright's own browser download is never used.
``check_pages(html_dir, screenshot_dir)`` opens every page from disk and returns the
problems found: an image that does not load (natural size 0), error text on the page
(a Python traceback or an error output cell), or any request that leaves the machine.
One screenshot per page is saved (not committed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ERROR_MARKERS = ("Traceback (most recent call last)", "jp-RenderedText\" data-mime-type="
                 "\"application/vnd.jupyter.stderr", "NameError", "ModuleNotFoundError")


def chromium_path() -> str | None:
    """Path of the system Chromium, or None."""
    for p in CHROMIUM_PATHS:
        if os.path.exists(p):
            return p
    return shutil.which("chromium")


def ensure() -> int:
    """Install Debian's chromium if it is missing and we are root with apt-get."""
    if chromium_path():
        print(f"chromium: {chromium_path()}")
        return 0
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("chromium missing: installing Debian's chromium (apt-get) ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
        return 0 if chromium_path() else 1
    print("chromium is not installed and cannot be installed here (needs root and apt-get); "
          "the browser tests will fail in CI", file=sys.stderr)
    return 1


def check_pages(html_dir: Path, screenshot_dir: Path | None = None) -> dict[str, list[str]]:
    """Open each page in headless Chromium; return {page name: [problems]} (empty = fine)."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise RuntimeError("chromium is not installed: run `python -m workflow.browser ensure`")
    results: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=ARGS)
        try:
            for page_path in sorted(Path(html_dir).glob("*.html")):
                problems: list[str] = []
                page = browser.new_page(viewport={"width": 1200, "height": 900})

                def route(r, _request=None, problems=problems):
                    url = r.request.url
                    if url.startswith(("file:", "data:", "about:")):
                        return r.continue_()
                    problems.append(f"network request blocked: {url[:100]}")
                    return r.abort()
                page.route("**/*", route)
                page.goto(page_path.resolve().as_uri(), wait_until="load")
                broken = page.evaluate(
                    "() => Array.from(document.images).filter(i => !i.complete || "
                    "i.naturalWidth === 0 || i.naturalHeight === 0).map(i => "
                    "(i.alt || i.src).slice(0, 80))")
                problems += [f"image did not load: {b}" for b in broken]
                text = page.inner_text("body")
                content = page.content()
                for marker in ERROR_MARKERS:
                    if marker in text or marker in content:
                        problems.append(f"error text on page: {marker.split(chr(34))[0]}")
                if screenshot_dir is not None:
                    Path(screenshot_dir).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(Path(screenshot_dir) / f"{page_path.stem}.png"),
                                    full_page=False)
                page.close()
                results[page_path.name] = problems
        finally:
            browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["ensure"]:
        return ensure()
    from helpers import config

    p = config.paths()
    res = check_pages(p["html"], p["reports"] / "screenshots")
    bad = {k: v for k, v in res.items() if v}
    for k, v in res.items():
        print(f"{k}: {'ok' if not v else '; '.join(v)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
