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
    monkeypatch.setattr(tokens, "CHUNK", 2)
    pd.testing.assert_frame_equal(tokens.tokenize_sentences(df), whole)


# --------------------------------------------------------------------------- fast = reference
# The tokeniser uses rewritten patterns for speed; these tests hold them to the plain forms.
_TRICKY = [
    "The U.S. and the US, the UN and the UK; USA, UNESCO, UKRAINE, xUS, US_1, 'US', US.",
    "Russia's, Russia’s, its, 's, ’s, can't, Can't, CAN'T, scan't, can'tt, can't't, don't",
    "we'll, I've, they're, he'd, I'm, 'll, n't, 'lln't. x'dn't, n't'll, o'clock, rock'n'roll",
    "s.t.a.r.t. S.T.A.R.T. u.s. a.b. a.b.c xs.t.a.r.t. é.t.a.t. 1.2.3. a.b.c.d.e. .a.b.c.",
    "counter-terrorism co-operation re-elect un-American non-stop self-defence bi-lateral",
    "xco-op co-Op co-1 co--op anti-anti-war 1990-2000 a-b-c x- -y - -- e-é é-e COUNTER-x",
    "newth start, Newth START, newth  start, renewth start, newth started, newth start_x",
    "North Korea, north  korea, north\nkorea, north\tkorea, north_korea, northkorea, "
    "north korean peninsula, new start treaty, the united states' interests, inf treaty",
    "“quoted” ‘single’ – dash — em, café, naïve, İstanbul, ǅemal, straße, ١٢٣,",
    "x\u0301y, \u00a0US\u2028can't\x1cnorth\u00a0korea",
    "3 4 2019 1st 2nd 10-year 5G g20 _x x_ __ a_b",
]


def _reference_normalise(t, mwes=None):
    """The normalisation as a plain sequence of ``re.sub`` passes (before the speed-up)."""
    import re

    t = re.sub(r"\b(US|UN|UK)\b", lambda m: ".".join(m.group(1).lower()) + ".", t)
    t = t.lower()
    t = re.sub(r"(?:'|’)s\b", "", t)
    t = re.sub(r"\bcan't\b", "can", t)
    t = re.sub(r"(?:n't|'(?:ll|ve|re|d|m))\b", "", t)
    t = re.sub(r"\b([a-z])\.([a-z])\.((?:[a-z]\.)+)", lambda m: m.group(0).replace(".", ""), t)
    t = re.sub(r"\bnewth start\b", "new start", t)
    t = re.sub(r"\b(?:counter|non|anti|co|multi|inter|post|pre|re|self|bi|un)-(?=[a-z])",
               lambda m: m.group(0)[:-1], t)
    t = re.sub(r"(?<=[a-z0-9])-(?=[a-z0-9])", " ", t)
    pattern = tokens._mwe_pattern(tokens.curated_mwes() if mwes is None else mwes)
    if pattern is not None:
        t = pattern.sub(lambda m: "_".join(m.group(0).split()), t)
    return t


def _random_texts(n, seed=0):
    import random

    rng = random.Random(seed)
    pieces = [p for s in _TRICKY for p in s.split()] + [
        " ", " ", "  ", "\n", "\t", "-", "'", "’", ".", ",", "\x01", "US", "UN", "can't",
        "n't", "'s", "'ll", "a", "b", "c", "co", "re", "un", "north", "korea", "new", "start",
        "newth", "\u00a0", "\u2028", "\x1c", "_", "1", "é", "\u0301"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 25))) for _ in range(n)]


@pytest.mark.parametrize("mwes", [None, [], ["u.s. sanctions", "x", "'t hooft", "korea.",
                                             "new start treaty", "states"],
                                  ["a b", "b c", "c a", "north korea", "korea north"]])
def test_normalisation_equals_the_plain_sequence_of_substitutions(mwes):
    texts = _TRICKY + _random_texts(3000, seed=len(mwes or ()))
    for t in texts:
        assert tokens._normalise_joined(t, mwes) == _reference_normalise(t, mwes), repr(t)
    joined = "\x01".join(texts)  # as the tokeniser sees them: many sentences at once
    assert tokens._normalise_joined(joined, mwes) == _reference_normalise(joined, mwes)


def test_overlapping_multiword_expressions_join_as_the_plain_pattern_does():
    mwes = ["a b", "b c", "c a"]
    assert tokens._join_mwes("a b c a b", mwes) == "a_b c_a b"
    assert tokens._join_mwes("a  b\x01b c,c a", mwes) == "a_b\x01b_c,c_a"
    assert tokens._join_mwes("xa b a bx", mwes) == "xa b a bx"
    # "\b" before a phrase that starts with an apostrophe needs a word character before it
    assert tokens._join_mwes("'t hooft, x't hooft", ["'t hooft"]) == "'t hooft, x't_hooft"


def test_fast_tokeniser_gives_nltk_regexp_tokenizer_tokens():
    from nltk.tokenize import RegexpTokenizer

    nltk_tokenizer = RegexpTokenizer(f"{tokens.TOKEN}|\x01")
    texts = _TRICKY + [tokens._normalise_joined(t) for t in _TRICKY] + _random_texts(2000)
    texts.append("\x01".join(texts))
    for t in texts:
        for case in (t, t.lower()):
            assert tokens._TOKEN_OR_SEP.findall(case) == nltk_tokenizer.tokenize(case), case
    assert tokens._TOKEN_OR_SEP.findall("u.s. a.b.c. x1_y 2019 \x01 é") == [
        "u.s.", "a.b.", "c", "x1_y", "2019", "\x01"]


def test_token_table_positions_and_words_match_a_per_sentence_tokenisation():
    texts = _TRICKY + _random_texts(300, seed=7) + ["", "   ", "US"]
    texts = [t.replace("\x01", " ") for t in texts]
    df = _frame(texts)
    tok = tokens.tokenize_sentences(df, stem=False, stop=frozenset({"the", "and"}))
    expected = []
    for i, t in enumerate(texts):
        words = tokens.word_tokenizer().tokenize(tokens._normalise_joined(t))
        expected += [(f"s:{i}", p, w) for p, w in enumerate(words)
                     if w not in {"the", "and"} and not w.isdigit()]
    assert list(zip(tok["sentence_id"], tok["position"], tok["word"])) == expected


@pytest.mark.parametrize("codes", [[], [0], [2, 0, 2, 1]])
def test_columns_taken_from_the_word_types_are_typed_as_pandas_types_the_words(codes):
    import numpy as np

    values = np.array(["a", "north_korea", "u.s."], dtype=object)
    codes = np.array(codes, dtype=np.intp)
    frame, expected = pd.DataFrame(index=range(len(codes))), pd.DataFrame(index=range(len(codes)))
    frame["word"], expected["word"] = tokens._take(values, codes), values[codes]
    pd.testing.assert_frame_equal(frame, expected)


def test_a_table_with_no_kept_token_keeps_its_columns():
    tok = tokens.tokenize_sentences(_frame(["The and of.", "2019 1", ""]))
    assert tok.empty and list(tok.columns) == [
        "sentence_id", "source", "meeting", "speaker", "turn", "position", "word", "term"]


def test_word_types_are_the_distinct_pairs_in_order_of_first_use_with_counts():
    tok = pd.DataFrame({"term": ["run", "walk", "run", "run", "walk"],
                        "word": ["running", "walk", "runs", "running", "walk"]})
    got = tokens.word_types(tok)
    assert got.values.tolist() == [["run", "running", 2], ["walk", "walk", 2], ["run", "runs", 1]]
    odd = tok.assign(term=["run", "walk", "run", "x", "walk"])  # 'running' under two terms
    got = tokens.word_types(odd)
    assert got.values.tolist() == [["run", "running", 1], ["walk", "walk", 2],
                                   ["run", "runs", 1], ["x", "running", 1]]
    assert got[["term", "word"]].values.tolist() == \
        odd.drop_duplicates(["term", "word"]).values.tolist()
