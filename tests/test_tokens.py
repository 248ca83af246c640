import pandas as pd
import pytest

from helpers import tokens
from helpers.io import InputError


def _frame(texts, speakers=None):
    n = len(texts)
    return pd.DataFrame({"text": texts, "sentence_id": [f"s:{i}" for i in range(n)],
                         "speaker": speakers or ["pompeo"] * n, "meeting": ["m"] * n,
                         "source": ["a"] * n, "turn": [0] * n})


def test_acronyms_hyphens_possessives_and_multiword_terms():
    tok = tokens.tokenize_sentences(_frame([
        "The U.S. and Russia's counter-terrorism work; we'll extend New START.",
        "I mean the newth S.T.A.R.T. Treaty on the Korean Peninsula in 2019."]), stem=False)
    assert tok["word"].tolist() == ["u.s.", "russia", "counterterrorism", "work", "extend",
                                    "new_start", "mean", "new_start", "treaty",
                                    "korean_peninsula"]


def test_stop_words_are_removed_and_positions_kept():
    tok = tokens.tokenize_sentences(_frame(["Thank you, Mr. Secretary, for the arms control talks."]))
    assert tok["word"].tolist() == ["arms_control", "talks"]
    assert tok["position"].tolist() == [6, 7]
    assert {"thank", "secretary", "lavrov", "speaking"} <= tokens.stopwords()


def test_stems_display_as_most_frequent_surface_word():
    tok = tokens.tokenize_sentences(_frame(["Nuclear weapons.", "The nuclear treaty.",
                                            "Treaties matter.", "A treaty."]))
    display = tokens.display_forms(tok)
    assert display[tok.loc[tok["word"] == "nuclear", "term"].iloc[0]] == "nuclear"
    assert display["treati"] == "treaty"  # 2 × treaty beats 1 × treaties


def test_domain_stopword_file_validation_names_the_row(tmp_path):
    p = tmp_path / "stop.csv"
    p.write_text("word,category,reason\nthank,courtesy,Courtesy\nminister,title,\n")
    with pytest.raises(InputError, match=r"stop\.csv, row 2: word 'minister' needs a category and a reason"):
        tokens.load_domain_stopwords(p)


def test_every_domain_stopword_has_a_reason():
    d = tokens.load_domain_stopwords()
    assert len(d) > 30 and d["reason"].str.len().min() > 3


def test_collocation_finder_proposes_known_phrases(root):
    from helpers.schemas import read_table

    s = read_table("sentences", root)
    prop = tokens.propose_collocations(s[s["canonical"]], n=20)
    assert {"united states", "arms control", "north korea"} <= set(prop["phrase"])


def test_punkt_tokenizer_works_without_nltk_data():
    p = tokens.punkt_tokenizer()
    assert p.tokenize("Mr. Pompeo met Lavrov. The U.S. side agreed.") == [
        "Mr. Pompeo met Lavrov.", "The U.S. side agreed."]


def test_capital_us_is_the_country_not_the_pronoun():
    tok = tokens.tokenize_sentences(_frame(["The US told us that the UN agreed."]), stem=False)
    assert tok["word"].tolist() == ["u.s.", "told", "u.n.", "agreed"]


def test_sentences_are_tokenised_apart():
    # "north" ends one sentence and "korea" opens the next: no north_korea term across them
    df = pd.DataFrame({"sentence_id": ["a:0", "a:1", "a:2"],
                       "text": ["We spoke of the north", "", "Korea and North Korea."]})
    tok = tokens.tokenize_sentences(df, stem=False)
    assert tok.groupby("sentence_id")["word"].apply(list).to_dict() == {
        "a:0": ["spoke", "north"], "a:2": ["korea", "north_korea"]}
    assert tok["position"].tolist() == [1, 4, 0, 2]
    assert tokens.normalise_texts(df["text"]).tolist() == [
        "we spoke of the north", "", "korea and north_korea."]


def test_a_sentence_with_the_separator_character_is_refused():
    df = pd.DataFrame({"sentence_id": ["a:0"], "text": ["bad \x01 text"]})
    with pytest.raises(ValueError, match="control character"):
        tokens.tokenize_sentences(df)


def test_blocks_of_sentences_give_the_same_table(monkeypatch):
    df = _frame(["The U.S. and North", "Korea talked.", "", "New START expires in 2021.",
                 "We'll see Russia's proposal on arms control."])
    whole = tokens.tokenize_sentences(df)
    monkeypatch.setattr(tokens, "BLOCK", 2)
    pd.testing.assert_frame_equal(tokens.tokenize_sentences(df), whole)
