
import pytest

from helpers import corpus


@pytest.fixture(scope="module")
def built(seed_root):
    return corpus.build_corpus(seed_root)


def test_canonical_policy(built):
    s = built[0]
    def share(prefix, speaker):
        d = s[s["source"].str.startswith(prefix) & (s["speaker"] == speaker)]
        return d["canonical"].mean()
    assert share("002", "lavrov") == 1.0 and share("001", "pompeo") == 1.0
    assert share("000", "lavrov") == 0.0  # the interpreter repeats the MFA text
    assert share("000", "pompeo") == 1.0  # no better source has Pompeo in Washington
    rep = s[~s["canonical"]]
    assert rep["duplicate_of"].notna().all()
    targets = s.set_index("sentence_id").loc[rep["duplicate_of"]]
    assert targets["canonical"].all() and (targets["speaker"].to_numpy() ==
                                           rep["speaker"].to_numpy()).all()
    # Pompeo's quotes from after the captions stop exist nowhere else: kept
    kept = s[s["source"].str.startswith("003") & (s["speaker"] == "pompeo") & s["canonical"]]
    assert any("France and the United Kingdom" in t for t in kept["text"])
    assert not s[(s["meeting"] == "sochi-2019-05-14") & (s["speaker"] == "lavrov")].shape[0]


def test_the_articles_paraphrase_of_the_mfa_text_is_a_repeat(built):
    s = built[0].set_index("sentence_id")
    quote = s.loc["003_9ebc94e3619d2ce7:3"]  # "easier … on paper … formulated"
    assert "formulated" in quote["text"] and not quote["canonical"]
    assert quote["duplicate_of"] == "002_9b2d3718502c6310:159"
    # Every quote of Lavrov in the article repeats the MFA text; the only quotes left are
    # Pompeo's from after the captions stop, which no better source has.
    art = s[s.index.str.startswith("003") & (s["speaker"] != "narrator")]
    assert not art.loc[art["speaker"] == "lavrov", "canonical"].any()
    left = art[art["canonical"]]
    assert set(left["speaker"]) == {"pompeo"} and len(left) == 3


def test_quote_rule_applies_to_articles_only():
    import pandas as pd

    from helpers import repeats

    ref = ("It would be easier for us and other recipients of this idea to consider it if it "
           "were somehow formulated.", "The weather was cold and the talks were long.")
    low = "It will be easier, possibly for others who have in mind, to put this on paper " \
          "for it to be formulated [editor's note] and worded in some way."
    rows = [("ref.txt", 1, 0, t) for t in ref] + [("low.txt", 0, 1, low)]
    for rank, expected in ((4, False), (2, True)):
        df = pd.DataFrame([{"sentence_id": f"{src}:{k}", "source": src, "meeting": "m",
                            "speaker": "lavrov", "turn": turn, "sentence": k, "text": t,
                            "source_rank": 1 if src == "ref.txt" else rank}
                           for k, (src, _, turn, t) in enumerate(rows)])
        out = repeats.mark_repeats(df).set_index("sentence_id")
        assert out.loc["low.txt:2", "canonical"] == expected
        if not expected:
            assert out.loc["low.txt:2", "duplicate_of"] == "ref.txt:0"


def _two_events(events):
    import pandas as pd

    from helpers import repeats

    same = "We discussed arms control, New START and the situation in Venezuela at length."
    rows = [("press.txt", 1, same), ("press.txt", 1, "The weather in Sochi was fine today."),
            ("other.txt", 2, same)]
    df = pd.DataFrame([{"sentence_id": f"{src}:{k}", "source": src, "meeting": "m",
                        "speaker": "pompeo", "turn": 0, "sentence": k, "text": t,
                        "source_rank": rank} for k, (src, rank, t) in enumerate(rows)])
    return repeats.mark_repeats(df, events).set_index("sentence_id")


def test_repeats_are_sought_only_within_one_event():
    """Defect 5 of issue 31: a sentence of another event of the same day is never a repeat,
    however alike; within one event the same sentence is."""
    assert not _two_events(None).loc["other.txt:2", "canonical"]
    assert not _two_events({"other.txt": ""}).loc["other.txt:2", "canonical"]
    apart = _two_events({"other.txt": "press availability"})
    assert apart["canonical"].all() and apart["duplicate_of"].isna().all()


def test_repeat_detection_on_the_seeds_is_exact(built, seed_root):
    """The known repeats of the seeds (by reading): the policy finds all and only them, and
    across events a threshold alone would not separate them."""
    from helpers import repeats, sources

    s = built[0]
    events = {x.file: x.setting for x in sources.load_manifest(seed_root / "data" / "raw")}
    known = repeats.known_repeats(s, seed_root / "data" / "annotations" / "known_repeats.csv")
    assert known.sum() > 100 and (~known).sum() > 50
    table = repeats.repeat_detection(s, known, events)
    run = table.iloc[0]
    assert run["precision"] == 1.0 and run["recall"] == 1.0
    wide = table[(table["rule"] == "best match, same meeting")
                 & (table["threshold"] == repeats.STANDALONE_THRESHOLD)].iloc[0]
    assert wide["precision"] < 1.0


def test_known_repeats_file_errors_name_the_row(tmp_path, built):
    from helpers import repeats
    from helpers.io import InputError

    p = tmp_path / "known_repeats.csv"
    p.write_text("source,speaker,known,sentence_starts,note\n"
                 "003_9ebc94e3619d2ce7.txt,pompeo,new,We,\n")
    with pytest.raises(InputError, match=r"known_repeats\.csv, row 1 \(line 2\): \d+ sentences "
                                         r"of pompeo in 003_9ebc94e3619d2ce7\.txt start with 'We'"):
        repeats.known_repeats(built[0], p)
