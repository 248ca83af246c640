"""Rendered pages load in a real browser: images show, no error text, nothing from a network."""

import os

import nbformat
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
                    "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
                    "ax.plot([1, 2], [3, 4])\nplt.show()")]
    path = tmp_path / "01-test-page.ipynb"
    nbformat.write(nb, path)
    execute_notebook(path)
    html = render.render_notebook(path)
    assert "https://" not in html.split("<body", 1)[0] or "src=\"https://" not in html
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "01-test-page.html").write_text(html)
    res = browser.check_pages(tmp_path / "out", tmp_path / "shots")
    assert res == {"01-test-page.html": []}
    assert (tmp_path / "shots" / "01-test-page.png").stat().st_size > 0


def test_broken_image_and_network_request_are_caught(tmp_path):
    (tmp_path / "bad.html").write_text(
        '<html><body><img src="missing.png" alt="gone">'
        '<img src="https://example.invalid/x.png" alt="remote"></body></html>')
    problems = browser.check_pages(tmp_path)["bad.html"]
    assert any("image did not load: gone" in p for p in problems)
    assert any("network request blocked" in p for p in problems)


def test_the_projects_rendered_pages(root):
    pages = sorted((root / "reports" / "html").glob("*.html"))
    assert {p.name for p in pages} >= {"index.html"} | {
        f"{p.stem}.html" for p in (root / "notebooks").glob("*.ipynb")}
    res = browser.check_pages(root / "reports" / "html", root / "reports" / "screenshots")
    assert {k: v for k, v in res.items() if v} == {}
