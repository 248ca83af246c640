import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers.figures import OKABE_ITO, save_figure, use_house_style


def _fig():
    use_house_style()
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    ax.set_title("A title with text")
    return fig


def test_save_figure_writes_all_formats_deterministically(tmp_path):
    data = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})
    fig = _fig()
    first = save_figure(fig, "01-test", data=data, folder=tmp_path / "one", caption="Cap.")
    second = save_figure(fig, "01-test", data=data, folder=tmp_path / "two", caption="Cap.")
    plt.close(fig)
    assert set(first) == {"png", "svg", "pdf", "csv", "txt"}
    for ext in first:
        assert first[ext].read_bytes() == second[ext].read_bytes(), ext
    png, pdf, svg = (first[e].read_bytes() for e in ("png", "pdf", "svg"))
    assert png.startswith(b"\x89PNG") and b"Software" not in png
    assert b"CreationDate" not in pdf and b"/FontFile2" in pdf and b"/Type3" not in pdf
    assert b"<dc:date>" not in svg
    assert first["csv"].read_text() == "x,y\na,1\nb,2\n"


def test_png_is_300_dpi(tmp_path):
    fig = _fig()
    out = save_figure(fig, "01-dpi", data=pd.DataFrame({"a": [1]}), folder=tmp_path)
    plt.close(fig)
    from PIL import Image

    with Image.open(out["png"]) as im:
        assert round(im.info["dpi"][0]) == 300


def test_save_figure_requires_number_prefix_and_data(tmp_path):
    fig = _fig()
    with pytest.raises(ValueError, match="notebook number"):
        save_figure(fig, "test", data=pd.DataFrame({"a": [1]}), folder=tmp_path)
    with pytest.raises(ValueError, match="plotted data"):
        save_figure(fig, "01-test", folder=tmp_path)
    plt.close(fig)
    assert not list(tmp_path.iterdir())


def test_house_style_is_colour_blind_palette():
    use_house_style()
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    assert [c.upper() for c in colours] == OKABE_ITO
    assert plt.rcParams["pdf.fonttype"] == 42


def _coverage() -> pd.DataFrame:
    return pd.DataFrame({"corpus": ["canonical", "all"] * 2, "source": ["all"] * 4,
                         "speaker": ["pompeo", "pompeo", "lavrov", "lavrov"],
                         "meeting": ["sochi-2019-05-14"] * 2 + ["washington-2019-12-10"] * 2,
                         "n_words": [10, 12, 20, 30], "n_sentences": [1, 2, 2, 3]})


def test_draw_renders_once_and_saves_the_same_bytes_as_the_figure(tmp_project, tmp_path,
                                                                   cache_on, monkeypatch):
    from helpers import corpus, figures

    use_house_style()
    cov = _coverage()
    drawing = figures.draw(corpus.plot_coverage, cov)

    def no_second_drawing(*args, **kwargs):
        raise AssertionError("drawn again")

    with monkeypatch.context() as m:
        m.setattr(figures.Drawing, "from_figure", no_second_drawing)
        again = figures.draw(corpus.plot_coverage, cov)  # read back from the cache
    assert again == drawing and drawing.preview.startswith(b"\x89PNG")
    png, size = drawing._repr_png_()
    assert png == drawing.preview and size == {"width": 650, "height": round(
        drawing.height * 100)}
    data = pd.DataFrame({"a": [1]})
    from_drawing = save_figure(drawing, "01-drawn", data=data, folder=tmp_path / "a")
    live = corpus.plot_coverage(cov)
    from_figure = save_figure(live, "01-drawn", data=data, folder=tmp_path / "b")
    plt.close(live)
    for ext in ("png", "svg", "pdf"):
        assert from_drawing[ext].read_bytes() == from_figure[ext].read_bytes(), ext


def test_draw_redraws_when_the_style_changes(tmp_project, cache_on):
    from helpers import corpus, figures

    use_house_style()
    cov = _coverage()
    first = figures.draw(corpus.plot_coverage, cov)
    with plt.rc_context({"font.size": 14}):
        bigger = figures.draw(corpus.plot_coverage, cov)
    assert bigger.png != first.png


def test_draw_takes_only_helpers_plot_functions(tmp_project):
    from helpers import figures

    with pytest.raises(TypeError, match="helpers plot function"):
        figures.draw(_fig)


# --------------------------------------------------------------------------- report-ready
def _pdf_width_in(pdf: bytes) -> float:
    import re

    box = re.search(rb"/MediaBox \[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", pdf)
    return float(box.group(1)) / 72


def _png_width_in(png: bytes) -> float:
    from PIL import Image

    with Image.open(__import__("io").BytesIO(png)) as im:
        return im.size[0] / im.info["dpi"][0]


def test_figures_are_exported_at_a_fixed_physical_width(tmp_path):
    use_house_style()
    fig, ax = plt.subplots(figsize=(6.5, 3))
    ax.set_yticks([0, 1], ["a label far wider than anything sensible would be, really", "b"])
    ax.set_title("A title that is much longer than the figure is wide, so that it must be "
                 "wrapped onto a second line instead of growing the canvas to the right")
    out = save_figure(fig, "04-wide", data=pd.DataFrame({"a": [1]}), folder=tmp_path,
                      column=True)
    plt.close(fig)
    assert abs(_png_width_in(out["png"].read_bytes()) - 6.5) < 0.01
    assert abs(_pdf_width_in(out["pdf"].read_bytes()) - 6.5) < 0.01
    assert abs(_png_width_in(out["column-png"].read_bytes()) - 3.5) < 0.01
    assert abs(_pdf_width_in(out["column-pdf"].read_bytes()) - 3.5) < 0.01
    assert out["column-svg"].name == "04-wide-column.svg"
    assert b'width="252pt"' in out["column-svg"].read_bytes()  # 3.5 in


def test_titles_are_wrapped_to_the_width_without_cutting_words():
    from helpers import figures

    use_house_style()
    title = ("In Washington, Lavrov stressed arms control and election interference; "
             "Pompeo, North Korea")
    fig, ax = plt.subplots()
    ax.set_title(title)
    figures.fit_figure(fig, figures.COLUMN_WIDTH)
    t = next(t for t in fig.texts if t.get_gid() == figures.TITLE_GID)
    lines = t.get_text().split("\n")
    assert len(lines) >= 3 and " ".join(lines) == title  # whole words, in order
    renderer = fig.canvas.get_renderer()
    assert t.get_window_extent(renderer).width <= (3.5 - 2 * figures.MARGIN_IN) * fig.dpi
    assert figures.layout_problems(fig) == []
    plt.close(fig)


def test_save_figure_warns_or_raises_on_overprinting(tmp_path):
    from helpers import figures

    use_house_style()
    fig, ax = plt.subplots()
    ax.set_xticks([0, 1], ["left", "right"])
    ax.text(0, 0, "clash", transform=ax.transAxes, rotation=90)
    ax.text(0, 0, "clash too", transform=ax.transAxes, rotation=90)  # rotated: not moved
    with pytest.warns(figures.FigureLayoutWarning, match="overprinted"):
        save_figure(fig, "01-clash", data=pd.DataFrame({"a": [1]}), folder=tmp_path)
    with pytest.raises(ValueError, match="overprinted"):
        save_figure(fig, "01-clash", data=pd.DataFrame({"a": [1]}), folder=tmp_path,
                    strict=True)
    plt.close(fig)


def test_lines_that_look_alike_get_distinct_markers_and_styles():
    from helpers import figures

    use_house_style()
    fig, ax = plt.subplots()
    for name in ("lda", "nmf"):
        ax.plot([1, 2, 3], [1, 2, 3], marker="o", color="#0072B2", label=name)
    ax.legend()
    figures.fit_figure(fig)
    styles = {(ln.get_marker(), ln.get_linestyle()) for ln in ax.get_lines()}
    assert len(styles) == 2
    legend_styles = {(h.get_marker(), h.get_linestyle()) for h in ax.get_legend().legend_handles}
    assert legend_styles == styles
    plt.close(fig)


def test_heatmap_shows_n_and_marks_wide_intervals(tmp_project):
    from helpers import figures

    use_house_style()
    cols = pd.MultiIndex.from_tuples([("pompeo", "sochi-2019-05-14"),
                                      ("lavrov", "sochi-2019-05-14")])
    grid = pd.DataFrame([[0.1, float("nan")], [0.5, float("nan")]], index=["a", "b"],
                        columns=cols)
    low = grid - 0.02
    high = grid + pd.DataFrame([[0.02, 0], [0.3, 0]], index=grid.index, columns=cols)
    fig = figures.plot_share_heatmap(grid, ["A", "B"], "T", totals=[40, float("nan")],
                                     ci_low=low, ci_high=high)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "50†" in texts and "10" in texts
    assert any("n = 40" in t.get_text() for t in fig.axes[0].get_xticklabels())
    assert "†" in fig.axes[0].get_xlabel()
    plt.close(fig)
