import matplotlib.pyplot as plt

from helpers import layout
from helpers.figures import use_house_style


# --------------------------------------------------------------------------- report-ready


def test_overlapping_texts_finds_overprinting_and_only_that():

    use_house_style()
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "enforcement")
    ax.text(0.52, 0.5, "fair")
    ax.text(0.1, 0.9, "alone")
    pairs = layout.overlapping_texts(fig)
    assert pairs == [("enforcement", "fair")]
    plt.close(fig)
    fig, ax = plt.subplots()
    ax.set_xlabel("x label")
    fig.draw_without_rendering()
    box = ax.xaxis.label.get_window_extent().transformed(fig.transFigure.inverted())
    fig.text(box.x0, box.y0, "a source note printed over the x label", va="bottom")
    assert layout.overlapping_texts(fig) == [("x label",
                                               "a source note printed over the x label")]
    plt.close(fig)


def test_no_text_under_7_points_and_source_note_inside(tmp_path):
    from helpers import figures

    use_house_style()
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    ax.tick_params(axis="x", labelsize=5)
    ax.text(0, 1, "tiny", fontsize=4)
    figures.add_source_note(fig, "Source: a note.")
    figures.fit_figure(fig)
    assert layout.smallest_font(fig) >= 7
    note = next(t for t in fig.texts if t.get_gid() == figures.NOTE_GID)
    assert note.get_fontsize() >= 7 and layout.texts_outside(fig) == []
    plt.close(fig)


def test_wrap_text_remembers_the_original():

    use_house_style()
    fig = plt.figure()
    t = fig.text(0, 0, "one two three four five six seven eight nine ten")
    layout.wrap_text(t, 0.8)
    assert "\n" in t.get_text()
    layout.wrap_text(t, 20)
    assert t.get_text() == "one two three four five six seven eight nine ten"
    plt.close(fig)
