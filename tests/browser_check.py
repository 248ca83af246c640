"""Check rendered pages and figure files in Debian's headless Chromium (through Playwright).

``python tests/browser_check.py ensure`` (run by ``python3 tasks.py test``) installs Debian's
``chromium`` if it is missing and we may (root with apt-get); Playwright's own browser
download is never used.

``check_pages`` opens every page from disk at 1280 px and at 390 px (a phone) and returns
its problems (see tests/test_browser.py for each one); ``check_figures`` reads each figure's
physical width from its file. Screenshots are written to the folder given (not committed).
"""

from __future__ import annotations

import csv
import html
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ERROR_MARKERS = ("Traceback (most recent call last)", "jp-RenderedText\" data-mime-type="
                 "\"application/vnd.jupyter.stderr", "NameError", "ModuleNotFoundError")
#: Widths checked: a laptop and a phone (CSS px).
DESKTOP, PHONE = 1280, 390
#: Physical widths a figure may have (inches), and CSS px per inch of a preview.
FIGURE_WIDTHS = {"full": 6.5, "column": 3.5}
PREVIEW_CSS_PX_PER_IN = 100
GENERIC_TITLES = {"", "notebook", "untitled"}
DEFAULT_ALT = "No description has been provided for this image"
#: Pages also saved full-length (the ones a reader opens first).
FULL_PAGE = ("index", "04")
#: Longest prose line allowed (characters; the reading column is about 70).
MAX_LINE_CHARS = 90
FILE_NAME = re.compile(r"^\d\d-[\w.-]+$")


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


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


# --------------------------------------------------------------------------- figure files
def width_in(path: Path) -> float | None:
    """Physical width of a PNG (pixels / dpi) or a one-page PDF (MediaBox), in inches."""
    if path.suffix == ".png":
        with Image.open(path) as im:
            dpi = im.info.get("dpi", (0,))[0]
            return im.size[0] / dpi if dpi else None
    m = re.search(rb"/MediaBox\s*\[\s*([-0-9.]+)\s+([-0-9.]+)\s+([-0-9.]+)",
                  path.read_bytes())
    return None if m is None else (float(m.group(3)) - float(m.group(1))) / 72


def check_figures(figures_dir: Path, tolerance: float = 0.01) -> dict[str, list[str]]:
    """{figure file: [problems]}: every PNG and PDF must be 6.5 in wide (3.5 in for
    ``-column``)."""
    out = {}
    for f in sorted(Path(figures_dir).glob("*")):
        if f.suffix not in (".png", ".pdf"):
            continue
        want = FIGURE_WIDTHS["column" if f.stem.endswith("-column") else "full"]
        got = width_in(f)
        out[f.name] = [] if got is not None and abs(got - want) <= tolerance else [
            f"physical width {'unknown' if got is None else f'{got:.2f} in'}, "
            f"not {want} in"]
    return out


# --------------------------------------------------------------------------- pages
_IMAGES_JS = """() => Array.from(document.images).map(i => ({
    alt: i.getAttribute('alt'), src: (i.currentSrc || i.src).slice(0, 80),
    embedded: i.src.startsWith('data:image/png'), loaded: i.complete && i.naturalWidth > 0,
    natural: i.naturalWidth, attr: i.getAttribute('width')}))"""
_OVERFLOW_JS = """() => {
    const w = document.documentElement.clientWidth;
    const over = document.documentElement.scrollWidth - w;
    if (over <= 1) return null;
    const culprits = Array.from(document.querySelectorAll('body *')).filter(e => {
        const r = e.getBoundingClientRect();
        if (r.right <= w + 1) return false;
        for (let p = e.parentElement; p; p = p.parentElement) {
            const s = getComputedStyle(p);
            if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden')
                return p === document.body || p === document.documentElement;
        }
        return true;
    }).slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className && e.className.baseVal
        === undefined ? '.' + String(e.className).split(' ')[0] : ''));
    return {over: over, culprits: culprits};
}"""
_EVIDENCE_LOADED_JS = """() => Array.from(document.querySelectorAll('table[id^="evidence-"]'))
    .every(t => t.classList.contains('dataTable') && t.querySelectorAll('tbody tr').length > 0)"""
#: a search box, or (small tables, shown without controls) filter boxes in the header
_EVIDENCE_SEARCHABLE_JS = """() => Array.from(document.querySelectorAll('.dt-container'))
    .every(c => !!c.querySelector('input'))"""
_SENTENCE_COLUMN_JS = """() => Array.from(document.querySelectorAll(
        'table[id^="evidence-"]')).map(t => {
    const heads = Array.from(t.querySelectorAll('thead tr:first-child th'));
    const rows = Array.from(t.querySelectorAll('tbody tr'));
    const len = k => rows.reduce((a, r) => a + ((r.cells[k] || {}).innerText || '').length, 0);
    let k = heads.findIndex(h => h.innerText.trim() === 'Sentence');
    if (k < 0) { k = 0; heads.forEach((_, j) => { if (len(j) > len(k)) k = j; }); }
    const r = heads[k].getBoundingClientRect();
    return {unlabelled: heads.filter(h => !h.innerText.trim()).length, n: heads.length,
            left: r.left, width: r.width, label: heads[k].innerText.trim()};
})"""
_LINE_CHARS_JS = """() => {
    const ctx = document.createElement('canvas').getContext('2d');
    const sample = 'The quick brown fox jumps over the lazy dog, and so on. ';
    return Math.max(0, ...Array.from(document.querySelectorAll(
            '.jp-RenderedMarkdown p, .jp-RenderedMarkdown li, body > p')).map(p => {
        const s = getComputedStyle(p);
        ctx.font = s.fontSize + ' ' + s.fontFamily;
        return Math.round(p.clientWidth / (ctx.measureText(sample).width / sample.length));
    }));
}"""


def _column_widths(figures_dir: Path) -> list[tuple[str, str, int]]:
    """(caption, text drawn in the figure, pixel width of its -column.png) of every figure
    that has a column version."""
    out = []
    for col in sorted(figures_dir.glob("*-column.png")):
        cap, svg = (col.with_name(col.name.replace("-column.png", ext))
                    for ext in (".txt", ".svg"))
        drawn = " ".join(re.findall(r"<!-- (.*?) -->", svg.read_text(encoding="utf-8"))) \
            if svg.exists() else ""
        out.append((cap.read_text(encoding="utf-8").strip() if cap.exists() else "",
                    " ".join(html.unescape(drawn).split()),
                    struct.unpack(">I", col.read_bytes()[16:20])[0]))
    return out


def _column_width(alt: str, columns) -> int | None:
    """The column version's width of the figure an image shows: the one whose caption is
    its alt text, or whose drawn text (its title) contains it."""
    alt = " ".join((alt or "").split())
    return next((w for cap, drawn, w in columns if alt and (alt == cap or alt in drawn)),
                None)


def _evidence_problems(page, width: int) -> list[str]:
    if not page.evaluate("() => !!document.querySelector('table[id^=\"evidence-\"]')"):
        return []
    try:
        page.wait_for_function(_EVIDENCE_LOADED_JS, timeout=8000)
    except Exception:  # noqa: BLE001 (a timeout is the finding)
        return ["evidence table did not load (DataTables not initialised offline)"]
    if not page.evaluate(_EVIDENCE_SEARCHABLE_JS):
        return ["evidence table has no search box"]
    problems = []
    for t in page.evaluate(_SENTENCE_COLUMN_JS):
        if t["unlabelled"]:
            problems.append(f"evidence table: {t['unlabelled']} of {t['n']} columns "
                            "without a visible label")
        if t["left"] > width / 2 or t["width"] < min(0.5 * width, 300):
            problems.append(f"evidence table at {width} px: the sentence column "
                            f"({t['label'] or 'unlabelled'}) starts at {t['left']:.0f} px "
                            f"and is {t['width']:.0f} px wide")
    return problems


def _phone_problems(page, images, width: int, columns) -> list[str]:
    problems = [f"phone shows the 6.5-in figure ({i['natural']} px) though a 3.5-in "
                f"version exists: {i['alt'][:60]}" for i in images
                if i["loaded"] and (w := _column_width(i["alt"], columns))
                and i["natural"] != w]
    overflow = page.evaluate(_OVERFLOW_JS)
    if overflow:
        problems.append(f"horizontal overflow at {width} px: {overflow['over']} px too wide "
                        f"({', '.join(overflow['culprits'])})")
    return problems


def _desktop_problems(page, images) -> list[str]:
    problems = [f"image did not load: {(i['alt'] or i['src'])[:80]}"
                for i in images if not i["loaded"]]
    problems += [f"image without alt text: {i['src']}" for i in images
                 if not (i["alt"] or "").strip() or i["alt"] == DEFAULT_ALT]
    problems += [f"alt text is a file name: {i['alt']}" for i in images
                 if FILE_NAME.match(i["alt"] or "")]
    alts = [i["alt"].strip() for i in images if (i["alt"] or "").strip()]
    problems += [f"{alts.count(a)} images share the alt text: {a[:60]}"
                 for a in dict.fromkeys(alts) if alts.count(a) > 1]
    for i in images:
        if not i["embedded"] or not i["loaded"] or not i["attr"]:
            continue
        shown_in = float(i["attr"]) / PREVIEW_CSS_PX_PER_IN
        if not any(abs(shown_in - w) < 0.02 for w in FIGURE_WIDTHS.values()):
            problems.append(f"figure preview shown {shown_in:.2f} in wide, not 6.5 or "
                            f"3.5 in: {(i['alt'] or '')[:60]}")
        elif i["natural"] < 1.9 * float(i["attr"]):
            problems.append(f"figure preview not 2x ({i['natural']} px for "
                            f"{i['attr']} CSS px): {(i['alt'] or '')[:60]}")
    title = page.title().strip()
    if title.lower() in GENERIC_TITLES:
        problems.append(f"generic or missing <title>: {title!r}")
    if not page.evaluate("() => !!document.querySelector('meta[name=viewport]')"):
        problems.append("no viewport meta tag")
    text, content = page.inner_text("body"), page.content()
    problems += [f"error text on page: {marker.split(chr(34))[0]}" for marker in ERROR_MARKERS
                 if marker in text or marker in content]
    return problems


def _notebook_page_problems(page, width: int, neighbours: tuple[bool, bool]) -> list[str]:
    """A numbered page needs prev/next links at top and bottom, and a reading column."""
    problems = []
    for rel, wanted in zip(("prev", "next"), neighbours):
        n = page.evaluate(f"() => document.querySelectorAll('a[rel={rel}]').length")
        if wanted and n < 2:
            problems.append(f"no '{rel}' link at top and bottom ({n} found)")
    if width > 600 and (chars := page.evaluate(_LINE_CHARS_JS)) > MAX_LINE_CHARS:
        problems.append(f"prose lines of about {chars} characters at {width} px "
                        f"(more than {MAX_LINE_CHARS})")
    return problems


def _check_page(browser, page_path: Path, width: int, screenshot_dir: Path | None,
                columns: list, neighbours: tuple[bool, bool]) -> list[str]:
    problems: list[str] = []
    phone = width <= 600
    page = browser.new_page(viewport={"width": width, "height": 844 if phone else 900},
                            device_scale_factor=2 if phone else 1)

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "about:", "blob:")):
            return r.continue_()
        problems.append(f"network request blocked: {url[:100]}")
        return r.abort()
    page.route("**/*", route)
    page.goto(page_path.resolve().as_uri(), wait_until="load")
    images = page.evaluate(_IMAGES_JS)
    problems += _evidence_problems(page, width)
    if page_path.stem[:2].isdigit():
        problems += _notebook_page_problems(page, width, neighbours)
    problems += (_phone_problems(page, images, width, columns) if phone
                 else _desktop_problems(page, images))
    if screenshot_dir is not None:
        screenshot_dir.mkdir(parents=True, exist_ok=True)
        stem = page_path.stem
        page.screenshot(path=str(screenshot_dir / f"{stem}-{width}.png"))
        if stem.startswith(FULL_PAGE):
            page.screenshot(path=str(screenshot_dir / f"{stem}-{width}-full.png"),
                            full_page=True)
    page.close()
    return problems


def _launch(p):
    exe = chromium_path()
    if exe is None:
        raise RuntimeError("chromium is not installed: run `python tests/browser_check.py "
                           "ensure`")
    return p.chromium.launch(executable_path=exe, args=ARGS)


def check_pages(html_dir: Path, screenshot_dir: Path | None = None,
                widths: tuple[int, ...] = (DESKTOP, PHONE)) -> dict[str, list[str]]:
    """Open each page in headless Chromium; return {page name: [problems]} (empty = fine).
    The captions and column versions of the figures are read from ``figures/`` beside
    ``html_dir``."""
    figures_dir = Path(html_dir).parent / "figures"
    columns = _column_widths(figures_dir) if figures_dir.is_dir() else []
    pages = sorted(Path(html_dir).glob("*.html"))
    numbered = [p for p in pages if p.stem[:2].isdigit()]
    results: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = _launch(p)
        try:
            for page_path in pages:
                k = numbered.index(page_path) if page_path in numbered else -1
                neighbours = (k > 0, -1 < k < len(numbered) - 1)
                results[page_path.name] = [
                    problem for width in widths for problem in _check_page(
                        browser, page_path, width,
                        Path(screenshot_dir) if screenshot_dir else None, columns, neighbours)]
        finally:
            browser.close()
    return results


def headline_figure(figures_dir: Path, findings: Path) -> Path:
    """The figure of the first supported finding in ``findings.csv``, else the first figure
    that has a single-column version."""
    with open(findings, encoding="utf-8", newline="") as fh:
        stems = [row["figure"] for row in csv.DictReader(fh)
                 if row["supported"].strip().lower() == "true" and row["figure"].strip()]
    columns = sorted(figures_dir.glob("*-column.png"))
    return next(p for p in [figures_dir / f"{s}.png" for s in stems]
                + [c.with_name(c.name.replace("-column", "")) for c in columns] if p.exists())


def screenshot_figure_at_column(png: Path, out: Path, inches: float = 3.5) -> Path:
    """Screenshot ``png`` as printed in a ``inches``-wide column (its ``-column`` variant
    if there is one), at 2x device pixels, and return the screenshot's path."""
    column = png.with_name(png.stem + "-column.png")
    src = column if column.exists() else png
    page_html = (f'<html><body style="margin:0;background:#fff"><img src="{src.resolve().as_uri()}"'
                 f' style="width:{inches}in;display:block"></body></html>')
    tmp = Path(out).with_suffix(".html")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(page_html, encoding="utf-8")
    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport={"width": int(inches * 96) + 2, "height": 400},
                                    device_scale_factor=2)
            page.goto(tmp.resolve().as_uri(), wait_until="load")
            page.locator("img").screenshot(path=str(out))
        finally:
            browser.close()
    tmp.unlink()
    return Path(out)


if __name__ == "__main__":
    if sys.argv[1:] != ["ensure"]:
        sys.exit("usage: python tests/browser_check.py ensure")
    sys.exit(ensure())
