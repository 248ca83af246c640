"""The salience charts follow the data: any speakers, any number of meetings, no overprinting."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers import figures, salience_charts as charts
from helpers.lexicon import load_lexicon

MEETINGS = [f"{place}-2019-{m:02d}-01" for place, m in
            zip(("sochi", "washington", "rovaniemi", "osaka", "new-york", "moscow"), range(1, 7))]


@pytest.fixture(scope="module")
def lexicon(root):
    figures.use_house_style()
    return load_lexicon(root / "data" / "lexicons" / "issues.yml")


def _salience(lexicon, meetings, speakers=("pompeo", "lavrov", "putin")):
    rng = np.random.default_rng(0)
    rows = []
    for m in meetings:
        for sp in speakers:
            for i in lexicon:
                share = float(rng.uniform(0, 0.3))
                rows.append({"meeting": m, "speaker": sp, "issue": i.id, "measure": "lexicon",
                             "share": share, "ci_low": share / 2, "ci_high": share + 0.05,
                             "total_sentences": 40, "n_sentences": int(share * 40)})
    return pd.DataFrame(rows)


def _legible(fig, column=None):
    d = figures.Drawing.from_figure(fig, column)
    assert {k: r.problems for k, r in d.sizes.items()} == {"": (), "column": ()}
    assert min(r.smallest_font for r in d.sizes.values()) >= 6


def test_heatmap_of_four_meetings_has_no_overprinted_or_cut_off_text(lexicon):
    sal = _salience(lexicon, MEETINGS[:4])
    speakers = ("pompeo", "lavrov", "putin")
    _legible(charts.plot_salience_heatmap(sal, lexicon, speakers),
             charts.plot_salience_heatmap(sal, lexicon, speakers, width=figures.COLUMN_WIDTH))


def test_dot_plot_and_change_chart_name_whoever_is_in_the_data(lexicon):
    sal = _salience(lexicon, MEETINGS[:2], speakers=("lavrov", "putin"))
    fig = charts.plot_salience_dots(sal, lexicon, MEETINGS[1], ["lavrov", "putin"],
                                    measure="lexicon")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["Lavrov", "Putin"]
    plt.close(fig)
    fig = charts.plot_change(sal, lexicon, "lavrov", (MEETINGS[0], MEETINGS[1]),
                             measure="lexicon")
    assert "Lavrov" in fig.get_suptitle()
    _legible(fig)


def test_change_chart_legend_does_not_cover_the_largest_change(lexicon):
    """The largest rise is drawn in the top row, at the right, where a legend inside the
    axes would sit (#30: it covered "Iran and the Gulf")."""
    sal = _salience(lexicon, MEETINGS[:2], speakers=("pompeo",))
    top = lexicon[0].id
    late = (sal["meeting"] == MEETINGS[1]) & (sal["issue"] == top)
    sal.loc[late, ["share", "ci_low", "ci_high"]] = [0.6, 0.5, 0.7]
    _legible(charts.plot_change(sal, lexicon, "pompeo", (MEETINGS[0], MEETINGS[1]),
                                measure="lexicon"))
