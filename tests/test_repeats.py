
import pytest

from helpers import corpus


@pytest.fixture(scope="module")
def built(root):
    return corpus.build_corpus(root)


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
