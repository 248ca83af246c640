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
    assert d["text"].str.startswith("At Beta, no difference between Pompeo and Lavrov").all()
    # beside every "no difference": what these turns could have detected, in its own numbers
    for r in d.itertuples():
        assert r.n_turns == 12 and r.n_turns_compare == 12
        assert f"With 12 and 12 turns, only gaps of about {round(r.mde * 100)} points" in r.text
        assert 0 < r.mde_unadjusted <= r.mde <= 1


def test_interval_is_the_test_inverted(corpus, lexicon):
    """Every contrast's interval excludes zero exactly when its unadjusted p < 0.05."""
    _, f = _findings(corpus, lexicon)
    c = f[f["kind"].isin(["difference", "change"])].dropna(subset=["estimate"])
    excludes = (c["ci_low"] > 0) | (c["ci_high"] < 0)
    assert (excludes == (c["p_value"] < 0.05)).all()
    assert ((c["ci_low"] <= c["estimate"]) & (c["estimate"] <= c["ci_high"])).all()


def test_caveat_counts_come_from_the_measure_they_go_with(corpus, lexicon):
    """A hand-coded row's caveat counts the hand codes, not the lexicon's labels."""
    c = corpus.copy()
    c.loc[c["speaker"] == "lavrov", ["turn_type", "question"]] = ["answer", "q:1"]
    gold = c.set_index("sentence_id")[["arms_control", "syria"]].copy()
    lav = c.loc[c["speaker"] == "lavrov", "sentence_id"]
    gold.loc[lav, "syria"] = True  # the hand coder puts every Lavrov sentence on Syria
    res = sal.compute_salience(c, lexicon, gold, speakers=("pompeo", "lavrov"), n_boot=200)
    f = fd.compute_findings(c, lexicon, res, gold, speakers=("pompeo", "lavrov"), n_perm=300)
    rows = f[(f["kind"] == "difference") & (f["issue"] == "syria")].set_index("measure")
    assert "12 of 12 sentences on Syria" in rows.loc["lexicon", "caveat"]
    assert "24 of 24 sentences on Syria" in rows.loc["hand", "caveat"]
    assert "12 of 12" not in rows.loc["hand", "caveat"]


def test_robustness_reruns_each_choice_and_flags_what_moves(corpus, lexicon):
    res, f = _findings(corpus, lexicon)
    mixed = corpus.copy()
    manifest = {"p1": {"setting": "press conference"}, "p2": {"setting": "press conference"},
                "l2": {"setting": "press conference"}}
    table = fd.robustness({"none": mixed}, "none", lexicon, res, None, ("pompeo", "lavrov"),
                          n_perm=300, manifest=manifest, headline=f)
    assert set(table["unit"]) == {"turn", "block of 5", "sentence"}
    assert set(table["without"]) == {""}  # no cell mixes settings: nothing to leave out
    head = table[table["unit"] == "turn"]
    assert not head["moved"].any() and len(table) == 3 * len(head)
    # Pompeo's later turns come from a meeting with the president: that setting is left out
    mixed.loc[(mixed["source"] == "p2") & (mixed["turn"] >= 6), "source"] = "p3"
    manifest["p3"] = {"setting": "meeting with the president"}
    table = fd.robustness({"none": mixed}, "none", lexicon, res, None, ("pompeo", "lavrov"),
                          n_perm=300, manifest=manifest)
    assert set(table["without"]) == {"", "meeting with the president"}


def _quality(**out):
    return {"in": dict(rule="previous", f1=0.9, f1_low=0.8, f1_high=0.95, sentences=10),
            "out": {**dict(rule="previous", f1=0.85, f1_low=0.75, f1_high=0.9, gain=0.1,
                           gain_low=0.04, gain_high=0.15, error_mean=1.0, error_max=2.0,
                           error_max_cell="Syria, Pompeo at Beta"), **out},
            "unvalidated": [], "alpha_min": 0.7, "alpha_max": 1.0, "alpha_sentences": 5}


def test_trust_paragraph_states_in_sample_and_out_of_sample_accuracy_apart():
    text = story.trust_paragraph(_quality())
    assert ("*In sample*, the lexicon (context rule `previous`) reaches micro-F1 0.90 (95% "
            "interval 0.80–0.95) against the hand coding of 10 sentences") in text
    assert ("*Out of sample, for the choices made from the data only*" in text
            and "micro-F1 is 0.85 (0.75–0.90), +0.10 against no inheritance (95% interval "
                "+0.04 to +0.15), so the rule `previous` is used" in text)
    assert "2.0 at most (Syria, Pompeo at Beta)" in text and "no held-out score" in text
    # kept at none: the gain is not more than its interval; folds that differ are named
    q = _quality(gain_low=-0.02)
    q["in"]["rule"], q["out"]["rule"] = "none", "anaphora;previous"
    text = story.trust_paragraph(q)
    assert "not more than its interval, so no inheritance (`none`) is used" in text
    assert "which was `anaphora` or `previous` depending on the source" in text
    q = {**_quality(), "held": dict(f1=0.7, f1_low=0.5, f1_high=0.8, sentences=40),
         "unvalidated": ["Lavrov at Gamma"]}
    text = story.trust_paragraph(q)
    assert "*Held out*: on 40 sentences of new sources" in text and "0.70 (0.50–0.80)" in text
    assert "The lexicon shares of Lavrov at Gamma rest on sources without hand codes" in text


def test_quality_summary_reads_each_sample_from_the_reliability_table(corpus, lexicon):
    from helpers import reliability as rel

    res = sal.compute_salience(corpus, lexicon, speakers=("pompeo", "lavrov"), n_boot=100)
    gold = corpus.set_index("sentence_id")[["arms_control", "syria"]]
    groups = corpus.set_index("sentence_id")["turn"].astype(str)
    scores = rel.score_with_intervals(gold, gold, groups, n_boot=50)
    errors = pd.DataFrame({"meeting": [M1], "speaker": ["pompeo"], "issue": ["syria"],
                           "error_corrected": [3.0], "error_uncorrected": [4.0]})
    table = pd.concat([rel.reliability_rows(scores, "in-sample", "none", 96),
                       rel.reliability_rows(scores, "out-of-sample", "none", 96, errors,
                                            gain={"gain": 0, "gain_low": 0, "gain_high": 0})])
    q = story.quality_summary(table, res, {"syria": "Syria", "arms_control": "Arms control"})
    assert q["in"]["f1"] == 1.0 and q["out"]["error_max"] == 3.0 and "held" not in q
    assert q["out"]["error_max_cell"] == "Syria, Pompeo at Alpha"
    assert q["unvalidated"] == ["Pompeo at Alpha", "Lavrov at Beta", "Pompeo at Beta"]


def test_story_is_built_from_the_tables(corpus, lexicon):
    res, f = _findings(corpus, lexicon)
    quality = _quality()
    md = story.findings_markdown(f, res, {"syria": "Syria", "arms_control": "Arms control"},
                                 quality, ("pompeo", "lavrov"))
    assert "Lavrov at Alpha: none of his words are in the sources" in md
    syria = f[(f["kind"] == "change") & (f["issue"] == "syria")].iloc[0]
    assert syria["text"] in md
    title = story.contrast_title(f[f["kind"] == "change"], {"syria": "Syria",
                                                            "arms_control": "Arms control"})
    assert title == "Pompeo, Alpha to Beta: Arms control up; Syria down"
    # each figure's alt text is its title, not its file name
    assert f"![{title}](reports/figures/04-pompeo-" in md and "![04-" not in md
    assert "`reliability.csv`" in md  # the trust paragraph's numbers are rows of that table


def test_caveats_name_question_driven_and_small_cells(corpus, lexicon):
    c = corpus.copy()
    c.loc[c["speaker"] == "lavrov", "turn_type"] = "answer"
    c.loc[c["speaker"] == "lavrov", "question"] = "q:1"
    out = fd.cell_caveats(c, M2, "lavrov", "syria", {})
    assert out == ["Lavrov at Beta: only 24 sentences",
                   "Lavrov at Beta: 12 of 12 sentences answer 1 question"]
    small = fd.cell_caveats(c[c.index < 20], M1, "pompeo", None,
                            {"p1": {"source_kind": "broadcast captions"}})
    assert small == ["Pompeo at Alpha: only 20 sentences",
                     "Pompeo at Alpha: partly from speech-recognition captions"]


def test_caveats_name_mixed_settings_and_incomplete_records(corpus):
    manifest = {"p1": {"setting": "press conference", "outlet": "TV",
                       "incomplete": "the captions stop mid-answer"},
                "x": {"setting": "meeting with the president"}}
    c = pd.concat([corpus, corpus[corpus["source"] == "p1"].head(2).assign(source="x")])
    out = fd.cell_caveats(c, M1, "pompeo", None, manifest)
    assert "Pompeo at Alpha: mixes settings (meeting with the president, press conference)" in out
    n_words = int(c[(c["meeting"] == M1) & (c["speaker"] == "pompeo")]["n_words"].sum())
    assert (f"Pompeo at Alpha: TV: the captions stop mid-answer, so the sources hold only 13 "
            f"turns ({n_words} words) of his appearance") in out


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


def test_each_row_names_its_sources_outlets(corpus, lexicon):
    """findings.csv carries n, method and the outlets of the sources behind each row."""
    manifest = {"p1": {"outlet": "State Department", "setting": "press conference"},
                "p2": {"outlet": "C-SPAN", "setting": "press conference"},
                "l2": {"outlet": "Russian MFA", "setting": "press conference"}}
    _, f = _findings(corpus, lexicon, manifest=manifest)
    share = f[(f["kind"] == "share") & (f["meeting"] == M1)].iloc[0]
    assert share["sources"] == "State Department" and share["n_sentences"] == 24
    diff = f[f["kind"] == "difference"].iloc[0]
    assert diff["sources"] == "C-SPAN vs Russian MFA" and diff["method"]
    assert (f.loc[f["kind"] == "overlap", "sources"] != "").all()
    _, bare = _findings(corpus, lexicon)  # no manifest: the file names
    assert bare.loc[bare["kind"] == "change", "sources"].iloc[0] == "p2 vs p1"
