import io
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from helpers import corpus, features, figures, legibility
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
    assert set(first) == {"png", "svg", "pdf", "csv", "txt", "column-png", "column-pdf"}
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
    use_house_style()
    cov = _coverage()
    drawing = figures.draw(corpus.plot_coverage, cov)

    def no_second_drawing(*args, **kwargs):
        raise AssertionError("drawn again")

    with monkeypatch.context() as m:
        m.setattr(figures.Drawing, "from_figure", no_second_drawing)
        again = figures.draw(corpus.plot_coverage, cov)  # read back from the cache
    assert again == drawing and drawing.full.preview.startswith(b"\x89PNG")
    png, size = drawing._repr_png_()
    assert png == drawing.full.preview and size == {"width": 650, "height": round(
        drawing.full.height * 100)}
    data = pd.DataFrame({"a": [1]})
    from_drawing = save_figure(drawing, "01-drawn", data=data, folder=tmp_path / "a")
    live = corpus.plot_coverage(cov)
    from_figure = save_figure(live, "01-drawn", data=data, folder=tmp_path / "b")
    plt.close(live)
    for ext in ("png", "svg", "pdf"):
        assert from_drawing[ext].read_bytes() == from_figure[ext].read_bytes(), ext
    # plot_coverage takes a width: draw() redraws it for the column, as a live figure does
    # when it is given its column figure (otherwise the live figure is resized)
    live = figures.Drawing.from_figure(corpus.plot_coverage(cov),
                                       column_fig=corpus.plot_coverage(cov, width=3.5))
    from_figure = save_figure(live, "01-drawn", data=data, folder=tmp_path / "c")
    for ext in ("column-png", "column-pdf"):
        assert from_drawing[ext].read_bytes() == from_figure[ext].read_bytes(), ext


def test_draw_redraws_when_the_style_changes(tmp_project, cache_on):
    use_house_style()
    cov = _coverage()
    first = figures.draw(corpus.plot_coverage, cov)
    with plt.rc_context({"figure.titlesize": 14}):
        bigger = figures.draw(corpus.plot_coverage, cov)
    assert bigger.full.files["png"] != first.full.files["png"]


def test_draw_takes_only_helpers_plot_functions(tmp_project):
    with pytest.raises(TypeError, match="helpers plot function"):
        figures.draw(_fig)


# --------------------------------------------------------------------------- report-ready
def _pdf_width_in(pdf: bytes) -> float:
    box = re.search(rb"/MediaBox \[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", pdf)
    return float(box.group(1)) / 72


def _png_width_in(png: bytes) -> float:
    with Image.open(io.BytesIO(png)) as im:
        return im.size[0] / im.info["dpi"][0]


def test_every_figure_is_exported_at_both_report_widths_without_printing(tmp_path):
    use_house_style()
    fig, ax = plt.subplots(figsize=(6.5, 3))
    ax.set_yticks([0, 1], ["a label far wider than anything sensible would be, really", "b"])
    figures.figure_title(fig, "A title that is much longer than the figure is wide, so that "
                         "it must be wrapped onto a second line instead of growing the canvas")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing printed into a notebook
        out = save_figure(fig, "04-wide", data=pd.DataFrame({"a": [1]}), folder=tmp_path)
    plt.close(fig)
    assert abs(_png_width_in(out["png"].read_bytes()) - 6.5) < 0.01
    assert abs(_pdf_width_in(out["pdf"].read_bytes()) - 6.5) < 0.01
    assert abs(_png_width_in(out["column-png"].read_bytes()) - 3.5) < 0.01
    assert abs(_pdf_width_in(out["column-pdf"].read_bytes()) - 3.5) < 0.01
    assert not (tmp_path / "04-wide-column.svg").exists()
    table = legibility.table(tmp_path)
    assert list(table["width_in"]) == [3.5, 6.5] and (table["problems"] == "").all()


def test_titles_and_notes_wrap_to_the_column_width():
    use_house_style()
    title = ("In Washington, Lavrov stressed arms control and election interference; "
             "Pompeo, North Korea")
    fig, ax = plt.subplots()
    figures.figure_title(fig, title)
    figures.add_source_note(fig, "Source: " + "a long note about the sources " * 4)
    r = figures.Rendering.of(fig, figures.COLUMN_WIDTH, 3.0)
    assert r.problems == () and r.smallest_font >= 6
    assert fig.get_suptitle() == title  # wrapped when drawn, the text itself is whole
    assert fig.get_suptitle() in fig._suptitle._get_wrapped_text().replace("\n", " ")
    plt.close(fig)


def _problems(fig):
    fig.set_layout_engine("constrained")
    return legibility.layout_problems(fig)


def test_the_check_finds_overprinting_legends_over_data_cut_off_and_small_text():
    use_house_style()
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "enforcement")
    ax.text(0.52, 0.5, "fair")
    ax.text(0.1, 0.9, "alone")
    assert _problems(fig) == ["overprinted: 'enforcement' and 'fair'"]
    plt.close(fig)
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [0, 1, 2], "o-", label="rising")
    ax.set_xlim(-0.1, 2.1)
    ax.legend(loc="upper left")
    assert _problems(fig) == []
    ax.plot([2.05], [-0.05], "s", label="a point")  # in the corner the legend takes
    ax.legend(loc="lower right")
    assert _problems(fig) == ["legend over data: 'rising, a point'"]
    figures.figure_title(fig, "A title as wide as the figure, with many words in it")
    fig.legend(loc="upper left")
    assert "legend over text: 'A title as wide as the figure, with many'" in _problems(fig)
    plt.close(fig)
    fig, ax = plt.subplots()
    ax.text(1.5, 0.5, "past the edge", transform=ax.transAxes)
    ax.set_xlabel("tiny", fontsize=5)
    assert _problems(fig) == ["cut off by the canvas: 'past the edge'",
                              "5 pt, under 6 pt: 'tiny'"]
    plt.close(fig)


def test_every_saved_figure_is_legible_at_both_sizes(root):
    """The measurement each committed PNG carries (taken when it was saved): both sizes
    exist, and none has text under 6 pt, overprinting, a legend over data or a cut."""
    folder = root / "reports" / "figures"
    table = legibility.table(folder)
    names = {f.removesuffix("-column.png").removesuffix(".png") for f in table["file"]}
    assert names and {f"{n}{s}.png" for n in names for s in ("", "-column")} == set(
        table["file"])
    bad = table[(table["problems"] != "") | (table["smallest_font_pt"] < 6)]
    assert bad.empty, "\n".join(f"{r.file}: {r.problems}" for r in bad.itertuples())
    assert (root / "docs" / "figures.md").read_text(encoding="utf-8") == \
        legibility.markdown(folder), "docs/figures.md is stale: rerun python3 tasks.py reproduce"


def test_top_terms_of_eight_sources_lay_out_at_both_widths():
    use_house_style()
    speakers = ["pompeo", "lavrov", "putin", "journalist"]
    rows = [{"speaker": sp, "meeting": m, "term": f"{word}{k}", "tfidf": 1 / (k + 1),
             "rank": k + 1}
            for sp in speakers for m in ("sochi-2019-05-14", "washington-2019-12-10")
            for k, word in enumerate(["relationship", "ballistic missiles", "sovereignty",
                                      "sanctions", "cooperation", "interference", "treaty",
                                      "nonproliferation"])]
    table = pd.DataFrame(rows)
    d = figures.Drawing.from_figure(features.plot_top_terms(table, title="Top words"),
                                    features.plot_top_terms(table, title="Top words",
                                                            width=figures.COLUMN_WIDTH))
    for key, r in d.sizes.items():
        assert r.problems == () and r.smallest_font >= 6, (key, r.problems)


def _coverage_grid():
    cols = pd.MultiIndex.from_tuples([("pompeo", "sochi-2019-05-14"),
                                      ("lavrov", "sochi-2019-05-14"),
                                      ("lavrov", "washington-2019-12-10"),
                                      ("putin", "sochi-2019-05-14")])
    return pd.DataFrame([[0.10, np.nan, 0.25, 0.52], [0.05, np.nan, 0.20, 0.10]],
                        index=["a", "b"], columns=cols)


def test_heatmap_scale_is_set_by_the_principals_and_empty_columns_take_no_width(tmp_project):
    use_house_style()
    grid = _coverage_grid()
    low = grid - 0.02
    high = grid + 0.02
    high.iloc[1, 0] = 0.4  # a wide interval
    fig = figures.plot_share_heatmap(grid, ["A", "B"], "T", totals=[40, 0, 50, 18],
                                     ci_low=low, ci_high=high)
    ax = fig.axes[0]
    assert ax.images[0].get_clim() == (0, pytest.approx(25))  # not Putin's 52
    texts = [t.get_text() for t in ax.texts]
    assert "52▲" in texts and "5†" in texts and "25" in texts
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(labels) == 3 and not any(lab.startswith("Lavrov\nSochi") for lab in labels)
    assert "n = 40" in labels[0]
    note = ax.get_xlabel()
    assert "Lavrov at Sochi" in note and "not zero" in note and "†" in note and "▲" in note
    assert "0" not in texts  # missing is never drawn as zero
    plt.close(fig)


def test_coverage_of_four_meetings_is_legible_at_both_widths(tmp_project):
    """With a third meeting the column version overprinted its meeting labels."""
    use_house_style()
    cov = pd.concat([_coverage().assign(meeting=m) for m in (
        "sochi-2019-05-14", "osaka-2019-06-28", "washington-2019-12-10", "moscow-2020-06-01")])
    for width in (6.5, 3.5):
        fig = corpus.plot_coverage(cov, width=width)
        assert figures.Rendering.of(fig, width, fig.get_figheight()).problems == (), width
        plt.close(fig)


def test_coverage_panels_share_one_scale():
    use_house_style()
    fig = corpus.plot_coverage(_coverage())
    assert fig.axes[0].images[0].get_clim() == fig.axes[1].images[0].get_clim()
    plt.close(fig)
