"""Rendered pages load in a real browser: images show, no error text, nothing from a network,
titles, viewport, alt text, no horizontal overflow on a phone, evidence tables work offline,
and figures have their physical width."""

import os

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest

from workflow import browser, render
from workflow.notebooks import execute_notebook

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def need_chromium():
    if browser.chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: `python -m workflow.browser ensure` must run")
        pytest.skip("chromium not installed (run `python -m workflow.browser ensure`)")


def test_a_rendered_notebook_with_a_figure_passes(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A question\n\nOne line of summary."),
                nbformat.v4.new_code_cell(
                    "import matplotlib.pyplot as plt\nfrom helpers import figures\n"
                    "figures.use_house_style()\nfig, ax = plt.subplots()\n"
                    "ax.plot([1, 2], [3, 4])\nax.set_title('A line')\n"
                    "figures.Drawing.from_figure(fig)")]
    path = tmp_path / "01-test-page.ipynb"
    nbformat.write(nb, path)
    execute_notebook(path)
    html = render.render_notebook(path, tmp_path)
    assert 'src="https://' not in html
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "01-test-page.html").write_text(html)
    res = browser.check_pages(tmp_path / "out", tmp_path / "shots")
    assert res == {"01-test-page.html": []}
    assert 'width="650"' in html  # the 2x preview is shown at 6.5 in
    for width in (1280, 390):
        assert (tmp_path / "shots" / f"01-test-page-{width}.png").stat().st_size > 0


def test_broken_image_and_network_request_are_caught(tmp_path):
    (tmp_path / "bad.html").write_text(
        '<html><body><img src="missing.png" alt="gone">'
        '<img src="https://example.invalid/x.png" alt="remote"></body></html>')
    problems = browser.check_pages(tmp_path)["bad.html"]
    assert any("image did not load: gone" in p for p in problems)
    assert any("network request blocked" in p for p in problems)


def test_title_viewport_alt_text_and_phone_overflow_are_checked(tmp_path):
    from PIL import Image

    Image.new("RGB", (10, 10), "white").save(tmp_path / "x.png")
    (tmp_path / "bad.html").write_text(
        "<html><head><title>Notebook</title></head><body>"
        f'<img src="x.png" alt="{browser.DEFAULT_ALT}"><img src="x.png">'
        '<div style="width:900px">wide</div>'
        '<div style="overflow-x:auto"><table style="width:2000px"><tr><td>ok</td></tr>'
        "</table></div></body></html>")
    problems = browser.check_pages(tmp_path)["bad.html"]
    assert any("generic or missing <title>" in p for p in problems)
    assert any("no viewport" in p for p in problems)
    assert sum("without alt text" in p for p in problems) == 2
    overflow = [p for p in problems if "horizontal overflow at 390" in p]
    assert overflow and "div" in overflow[0] and "table" not in overflow[0]
    (tmp_path / "bad.html").unlink()
    (tmp_path / "good.html").write_text(
        '<html><head><meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>A real title</title></head><body><img src="x.png" alt="A caption.">'
        '<div style="overflow-x:auto"><table style="width:2000px"><tr><td>ok</td></tr>'
        "</table></div></body></html>")
    assert browser.check_pages(tmp_path) == {"good.html": []}


def _evidence():
    return pd.DataFrame({
        "meeting": ["sochi-2019-05-14", "washington-2019-12-10"],
        "speaker": ["pompeo", "lavrov"], "issue": ["arms_control", "north_korea"],
        "sentence_id": ["a:1", "b:2"], "source": ["a.txt", "b.txt"], "char_start": [1, 2],
        "char_end": [3, 4], "via": ["direct", "inherited"],
        "text": ["Arms control matters.", "Korea too."]})


def test_an_evidence_table_loads_offline_and_a_broken_one_is_caught(tmp_path):
    from helpers import tables

    head = ('<html><head><meta name="viewport" content="width=device-width">'
            "<title>Evidence</title></head><body>")
    ok = tables.evidence_table(_evidence(), include_library=True).to_html()
    (tmp_path / "ok.html").write_text(head + ok + "</body></html>")
    broken = tables.evidence_table(_evidence(), include_library=False).to_html()
    (tmp_path / "broken.html").write_text(head + broken + "</body></html>")
    res = browser.check_pages(tmp_path)
    assert res["ok.html"] == []
    assert any("evidence table did not load" in p for p in res["broken.html"])


def test_figure_files_have_their_physical_width(tmp_path):
    from helpers import figures

    figures.use_house_style()
    fig, ax = plt.subplots()
    ax.set_title("A title much wider than the figure would be if it were not wrapped, "
                 "since it just goes on and on and on")
    figures.save_figure(fig, "04-good", data=pd.DataFrame({"a": [1]}), folder=tmp_path)
    fig.savefig(tmp_path / "04-bad.png", dpi=300, bbox_inches="tight")
    plt.close(fig)
    res = browser.check_figures(tmp_path)
    assert res["04-good.png"] == res["04-good.pdf"] == res["04-good-column.png"] == []
    assert res["04-good-column.pdf"] == []
    assert "not 6.5 in" in res["04-bad.png"][0]
    shot = browser.screenshot_figure_at_column(tmp_path / "04-good.png",
                                               tmp_path / "shots" / "04-good-3.5in.png")
    from PIL import Image

    with Image.open(shot) as im:
        assert abs(im.size[0] - 3.5 * 96 * 2) <= 2  # 3.5 CSS inches at 2x


def test_the_projects_rendered_pages(root):
    pages = sorted((root / "reports" / "html").glob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "figures.html"} | {
        f"{p.stem}.html" for p in (root / "notebooks").glob("*.ipynb")}
    shots = root / "reports" / "screenshots"
    res = browser.check_pages(root / "reports" / "html", shots)
    assert {k: v for k, v in res.items() if v} == {}
    for name in ("index", "04-measure-issue-salience"):
        for width in (1280, 390):
            assert (shots / f"{name}-{width}.png").exists()


def test_the_projects_figures_have_their_physical_width(root):
    figs = root / "reports" / "figures"
    res = browser.check_figures(figs)
    assert {k: v for k, v in res.items() if v} == {}
    head = browser.headline_figure(figs, root / "data" / "processed" / "findings.csv")
    shot = browser.screenshot_figure_at_column(
        head, root / "reports" / "screenshots" / f"{head.stem}-3.5in.png")
    assert shot.stat().st_size > 0
