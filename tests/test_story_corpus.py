"""Notebook 01's readings, on small fixtures: the sentence, and an edge case."""

from types import SimpleNamespace

import numpy as np
import pandas as pd

from helpers import story_corpus as sc


def test_sources_reading_names_late_publication_only_when_there_is_one():
    t = pd.DataFrame({"meeting": ["Sochi", "Sochi"], "outlet": ["MFA", "State"],
                      "published": ["2019-05-14T10:00", "2019-05-15"],
                      "event": ["2019-05-14", "2019-05-14"]})
    meetings = [{"name": "Sochi"}]
    assert sc.sources_reading(t, meetings) == (
        "2 files, 1 meetings: Sochi: MFA, State. The *rank* orders the sources by authority and "
        "drives the canonical-source policy below. Published later than the event: State "
        "(2019-05-15, event 2019-05-14).")
    assert sc.sources_reading(t.iloc[:1], meetings).endswith("policy below.")


def test_attribution_reading_lists_speakers_per_source():
    s = pd.DataFrame({"source": ["a.txt", "a.txt", "b.txt"],
                      "speaker": ["pompeo", "lavrov", "pompeo"]})
    assert sc.attribution_reading(s, 3) == (
        "All 2 of 3 sources are attributed, 3 sentences in all. Speakers per source: `a.txt`: "
        "lavrov, pompeo; `b.txt`: pompeo.")


def test_dropped_reading_mentions_set_aside_quotes_only_when_there_are_some():
    d = pd.DataFrame({"rule": ["dateline", "dateline", "uncertain quote"]})
    assert sc.dropped_reading(d, {"uncertain quote"}) == (
        "3 spans were dropped, by rule: dateline (2), uncertain quote (1). Only page furniture, "
        "speaker labels and transcript notes are dropped, and 1 quotes whose speaker is "
        "uncertain are set aside with their reason.")
    assert sc.dropped_reading(d.iloc[:2], {"uncertain quote"}).endswith("notes are dropped.")


def test_captions_reading_without_captions():
    s = pd.DataFrame({"source": ["a.txt"], "text": ["Hi."], "speaker": ["pompeo"]})
    anchors = pd.DataFrame({"source": ["c.vtt"]})
    assert sc.captions_reading(s, anchors, []) == "No captions source in this corpus."
    s2 = pd.concat([s, pd.DataFrame({"source": ["c.vtt"] * 2, "text": ["One.", "Two."],
                                     "speaker": ["lavrov"] * 2})])
    assert sc.captions_reading(s2, anchors, ["c.vtt"]) == (
        "`c.vtt`: 1 anchors; the last sentence is “Two.” (Lavrov).")


def test_repeats_reading_notes_sentences_kept_without_a_better_source():
    counts = pd.DataFrame({"canonical": [5, 0, 7], "repeats": [2, 3, 0]},
                          index=pd.MultiIndex.from_tuples(
                              [("a.txt", "lavrov"), ("b.txt", "pompeo"), ("c.txt", "pompeo")],
                              names=["source", "speaker"]))
    assert sc.repeats_reading(counts, []) == (
        "5 sentences repeat a better source: 2 of Lavrov's 7 sentences in a.txt (5 kept: no "
        "better source has them); 3 of Pompeo's 3 sentences in b.txt.")


def test_coverage_reading_names_missing_cells():
    grid = pd.DataFrame({"2019-05-14": [1200.0, np.nan]}, index=["pompeo", "putin"])
    text = sc.coverage_reading(grid, ["pompeo", "putin"])
    assert text.startswith("The canonical corpus has 1,200 words from Pompeo, Putin: Pompeo at ")
    assert "Missing, not zero: Putin at " in text
    assert sc.coverage_reading(grid.iloc[:1], ["pompeo"]).endswith(
        "Every speaker is heard at every meeting.")


def test_source_table_one_row_per_source_with_its_length():
    s = SimpleNamespace(file="a.txt", outlet="MFA", source_kind="official transcript", rank=1,
                        translation="official translation", format="html",
                        meeting="2019-05-14", event_date="2019-05-14", published="2019-05-14")
    t = sc.source_table([s], {"a.txt": "twelve chars"})
    assert t.loc[0, ["file", "kind", "characters"]].tolist() == ["a.txt", "official transcript", 12]
    assert len(t.columns) == 10
