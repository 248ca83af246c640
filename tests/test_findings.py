import pandas as pd
import pytest
from conftest import make_sentences

from helpers import coding, story
from helpers import findings as fd
from helpers import salience as sal

M1, M2, M3 = "alpha-2019-01-01", "beta-2019-06-01", "gamma-2019-09-01"


@pytest.fixture
def corpus(lexicon, monkeypatch):
    """Pompeo at two meetings (Syria-heavy, then arms control), Lavrov at the second only."""
    monkeypatch.setattr(fd, "meeting_label", lambda m: m.split("-")[0].title())
    monkeypatch.setattr(story, "meeting_label", lambda m: m.split("-")[0].title())
    rows = []
    for t in range(12):
        rows += [("p1", t, "pompeo", M1, "Syria matters."), ("p1", t, "pompeo", M1, "Hello.")]
    for t in range(12):
        rows += [("p2", t, "pompeo", M2, "New START."), ("p2", t, "pompeo", M2, "Hello.")]
        rows += [("l2", t, "lavrov", M2, "Syria again."), ("l2", t, "lavrov", M2, "Yes.")]
    s = make_sentences(rows)
    s = s.assign(sentence=s.groupby("source").cumcount(), turn_type="statement", question="",
                 translation="original English")
    s["sentence_id"] = s["source"] + ":" + s["sentence"].astype(str)
    return coding.code_sentences(s, lexicon, inherit="none")


def _findings(corpus, lexicon, **kw):
    res = sal.compute_salience(corpus, lexicon, speakers=("pompeo", "lavrov"), n_boot=300)
    return res, fd.compute_findings(corpus, lexicon, res, speakers=("pompeo", "lavrov"),
                                    n_boot=300, n_perm=500, **kw)


def test_comparisons_follow_the_data():
    cells = {(M1, "pompeo"), (M2, "pompeo"), (M2, "lavrov")}
    got = fd.comparisons(cells, ("pompeo", "lavrov"))
    assert [(c["kind"], c["meeting"], c["speaker"], c["compare_meeting"],
             c["compare_speaker"]) for c in got] == [
        ("difference", M2, "pompeo", M2, "lavrov"), ("change", M2, "pompeo", M1, "pompeo")]
    # a second Lavrov meeting gives his change too, ordered by date
    more = fd.comparisons(cells | {(M3, "lavrov")}, ("pompeo", "lavrov"))
    assert ("change", M3, "lavrov", M2, "lavrov") in [
        (c["kind"], c["meeting"], c["speaker"], c["compare_meeting"], c["compare_speaker"])
        for c in more]


def test_findings_table_states_supported_and_unsupported_contrasts(corpus, lexicon):
    res, f = _findings(corpus, lexicon)
    assert f["finding"].is_unique
    assert set(f["kind"]) == {"share", "difference", "change", "overlap"}
    c = f[f["kind"] == "change"].set_index("issue")
    # Pompeo: Syria 50% -> 0%, arms control 0% -> 50%, in 12 independent turns each
    assert c.loc["syria", "estimate"] == pytest.approx(-0.5)
    assert bool(c.loc["syria", "supported"]) and bool(c.loc["arms_control", "supported"])
    assert "fell from 50%" in c.loc["syria", "text"]
    d = f[f["kind"] == "difference"].set_index("issue")
    assert d.loc["syria", "estimate"] == pytest.approx(-0.5)  # Pompeo 0% against Lavrov 50%
    supported = f[f["supported"].fillna(False).astype(bool) & f["kind"].isin(["difference", "change"])]
    assert (supported["p_adjusted"] < 0.05).all()
    assert ((supported["ci_low"] > 0) | (supported["ci_high"] < 0)).all()
    shares = f[f["kind"] == "share"]
    assert len(shares) == len(res) and not ((shares["meeting"] == M1)
                                           & (shares["speaker"] == "lavrov")).any()


def test_no_difference_is_said_plainly(corpus, lexicon):
    same = corpus.copy()
    lav = same["speaker"] == "lavrov"
    same.loc[lav, ["syria", "arms_control"]] = same.loc[
        same["speaker"].eq("pompeo") & same["meeting"].eq(M2), ["syria", "arms_control"]].to_numpy()
    _, f = _findings(same, lexicon)
    d = f[f["kind"] == "difference"]
    assert not d["supported"].any()
    assert d["text"].str.startswith("At Beta, no detectable difference").all()


def test_story_is_built_from_the_tables(corpus, lexicon):
    res, f = _findings(corpus, lexicon)
    quality = dict(f1=0.9, f1_low=0.8, f1_high=0.95, hand_sentences=10, error_mean=1.0,
                   error_max=2.0, error_max_cell="x", alpha_min=0.7, alpha_max=1.0,
                   alpha_sentences=5)
    md = story.findings_markdown(f, res, {"syria": "Syria", "arms_control": "Arms control"},
                                 quality, ("pompeo", "lavrov"))
    assert "Lavrov at Alpha: none of his words are in the sources" in md
    syria = f[(f["kind"] == "change") & (f["issue"] == "syria")].iloc[0]
    assert syria["text"] in md
    assert "![04-pompeo-" in md
    title = story.contrast_title(f[f["kind"] == "change"], {"syria": "Syria",
                                                            "arms_control": "Arms control"})
    assert title == "Pompeo, Alpha to Beta: Arms control up; Syria down"


def test_caveats_name_question_driven_and_small_cells(corpus, lexicon):
    c = corpus.copy()
    c.loc[c["speaker"] == "lavrov", "turn_type"] = "answer"
    c.loc[c["speaker"] == "lavrov", "question"] = "q:1"
    out = fd.cell_caveats(c, M2, "lavrov", "syria", {})
    assert out == ["Lavrov at Beta: only 24 sentences",
                   "Lavrov at Beta: 12 of 12 sentences answer 1 question"]
    small = fd.cell_caveats(c[c.index < 20], M1, "pompeo", None, {"p1": "broadcast captions"})
    assert small == ["Pompeo at Alpha: only 20 sentences",
                     "Pompeo at Alpha: partly from speech-recognition captions"]


def test_the_other_measure_agrees_only_with_the_same_sign(corpus, lexicon):
    res, f = _findings(corpus, lexicon)
    change = f[f["kind"] == "change"].copy()
    hand = change.assign(measure="hand", finding=change["finding"] + ":h")
    lex_rows = change.assign(estimate=-change["estimate"], ci_low=-change["ci_high"],
                             ci_high=-change["ci_low"])  # supported, but the other way
    md = story._contrast_lines(pd.concat([hand, lex_rows]), {"syria": "Syria",
                                                              "arms_control": "Arms control"})
    assert any("does not confirm it" in line for line in md)
    assert not any("agrees" in line for line in md)
