"""Notebook 01's readings of the corpus, one function per reading."""

from __future__ import annotations

import pandas as pd

from .corpus import heard_where
from .sources import meeting_label
from .tables import source_label


def source_table(manifest, texts: dict[str, str]) -> pd.DataFrame:
    """One row per manifest source: outlet, kind, rank, translation, meeting, dates, length."""
    return pd.DataFrame([{"file": s.file, "outlet": s.outlet, "kind": s.source_kind,
                          "rank": s.rank, "translation": s.translation, "format": s.format,
                          "meeting": meeting_label(s.meeting), "event": s.event_date,
                          "published": s.published, "characters": len(texts[s.file])}
                         for s in manifest])


def sources_reading(source_table: pd.DataFrame, meetings: list[dict]) -> str:
    """Files per meeting by outlet, and the sources published after their event."""
    late = source_table[source_table["published"].str[:10] != source_table["event"]]
    return (f"{len(source_table)} files, {len(meetings)} meetings: "
            + "; ".join(f"{m['name']}: " + ", ".join(source_table.loc[
                source_table["meeting"] == m["name"], "outlet"]) for m in meetings)
            + ". The *rank* orders the sources by authority and drives the canonical-source "
              "policy below."
            + (" Published later than the event: " + "; ".join(
                f"{r.outlet} ({r.published}, event {r.event})" for r in late.itertuples()) + "."
               if len(late) else ""))


def attribution_reading(sentences: pd.DataFrame, n_sources: int) -> str:
    """How many sources are attributed, and the speakers of each."""
    who = sentences.groupby("source")["speaker"].agg(lambda s: ", ".join(sorted(set(s))))
    return (f"All {sentences['source'].nunique()} of {n_sources} sources are attributed, "
            f"{len(sentences)} sentences in all. Speakers per source: "
            + "; ".join(f"`{f}`: {w}" for f, w in who.items()) + ".")


def _set_aside(dropped: pd.DataFrame, set_aside_rules, lead: str) -> str:
    """'{lead} 2 quotes whose speaker is uncertain are set aside with their reason', or ''."""
    n = int(dropped["rule"].isin(set_aside_rules).sum())
    return (f"{lead} {n} quotes whose speaker is uncertain are set aside with their reason"
            if n else "")


def dropped_reading(dropped: pd.DataFrame, set_aside_rules) -> str:
    """The dropped spans by rule, and the quotes set aside."""
    return (f"{len(dropped)} spans were dropped, by rule: "
            + ", ".join(f"{rule} ({n})" for rule, n in dropped["rule"].value_counts().items())
            + ". Only page furniture, speaker labels and transcript notes are dropped"
            + _set_aside(dropped, set_aside_rules, ", and") + ".")


def captions_reading(sentences: pd.DataFrame, anchors: pd.DataFrame, captioned: list[str]) -> str:
    """Anchors per captions source and its last sentence, to check the split ends right."""
    last = sentences[sentences["source"].isin(captioned)].groupby("source").last()
    if not len(last):
        return "No captions source in this corpus."
    return "; ".join(f"`{f}`: {int((anchors['source'] == f).sum())} anchors; the last sentence "
                     f"is “{r.text}” ({r.speaker.title()})" for f, r in last.iterrows()) + "."


def repeats_reading(repeat_counts: pd.DataFrame, manifest) -> str:
    """How many sentences repeat a better source, per source and speaker."""
    multi = repeat_counts[repeat_counts["repeats"] > 0]
    return (f"{int(repeat_counts['repeats'].sum())} sentences repeat a better source: "
            + "; ".join(f"{r.repeats} of {sp.title()}'s {r.repeats + r.canonical} sentences in "
                        f"{source_label(f, manifest)}"
                        + (f" ({r.canonical} kept: no better source has them)" if r.canonical
                           else "")
                        for (f, sp), r in multi.iterrows()) + ".")


def detection_reading(detection: pd.DataFrame, new_scores: pd.DataFrame, threshold: float) -> str:
    """The repeat policy's precision and recall on known repeats, against the best match."""
    run = detection.iloc[0]
    at = detection[detection["threshold"] == threshold].set_index("rule")
    return (f"Against {run.sentences} sentences whose status is known by reading "
            f"({run.known_repeats} repeats, {run.sentences - run.known_repeats} new), the policy "
            f"finds {run.found} repeats, {run.found_correctly} of them correctly: **precision "
            f"{run.precision:.0%}, recall {run.recall:.0%}**. The best match alone would not do: "
            f"at the stand-alone threshold ({threshold}) it finds "
            f"{at.loc['best match, same event', 'recall']:.0%} of the known repeats within their "
            "event, since captions and paraphrased quotes match weakly sentence by sentence (the "
            "passage alignment finds the rest). Across every event of a meeting day, sentences "
            "known to be new reach match scores up to "
            f"{new_scores['same_meeting'].max():.2f} (within their own event at most "
            f"{new_scores['same_event'].max():.2f}), and the precision of that threshold falls "
            f"to {at.loc['best match, same meeting', 'precision']:.0%}: hence repeats are sought "
            "only within one event.")


def coverage_reading(grid: pd.DataFrame, speakers) -> str:
    """Canonical words per speaker and meeting (``grid``), and the cells missing."""
    missing = [(sp, m) for sp in grid.index for m in grid.columns if pd.isna(grid.loc[sp, m])]
    return (f"The canonical corpus has {int(grid.sum().sum()):,} words from "
            + ", ".join(s.title() for s in speakers) + ": "
            + "; ".join(f"{sp.title()} at {meeting_label(m)} {int(v):,}"
                        for sp, row in grid.iterrows() for m, v in row.items() if pd.notna(v))
            + ". " + (("Missing, not zero: " + "; ".join(
                f"{sp.title()} at {meeting_label(m)}" for sp, m in missing) + ".")
                      if missing else "Every speaker is heard at every meeting."))


def corpus_findings(sentences: pd.DataFrame, dropped: pd.DataFrame, set_aside_rules,
                    repeat_counts: pd.DataFrame, grid: pd.DataFrame, cov: pd.DataFrame,
                    manifest, speakers) -> str:
    """Notebook 01's closing section: attribution, corpus size, repeats."""
    kept = repeat_counts[(repeat_counts["repeats"] > 0) & (repeat_counts["canonical"] > 0)]
    return "\n".join([
        f"- **Every sentence of the {len(manifest)} sources is attributed** to one of "
        f"{sentences['speaker'].nunique()} speakers and to its meeting, with exact raw offsets. "
        f"The only text dropped ({len(dropped)} spans) is page furniture, speaker labels and "
        "transcript notes, each logged with its rule in `dropped_spans.csv`"
        + _set_aside(dropped, set_aside_rules, ";") + ".",
        f"- **The canonical corpus is small:** {int(grid.sum().sum()):,} words from the "
        f"principals. {heard_where(cov, speakers).split(': ', 1)[1]}.",
        f"- **Repeats are marked, not deleted:** {int(repeat_counts['repeats'].sum())} sentences "
        "point to the canonical sentences they repeat, and stay available for the translation "
        "robustness checks of later notebooks"
        + ("; " + ", ".join(f"{r.canonical} of {sp.title()}'s sentences in "
                            f"{source_label(f, manifest)}" for (f, sp), r in kept.iterrows())
           + " have no match in a better source and are kept" if len(kept) else "") + ".",
    ])
