"""The story, computed: Markdown built from the findings, salience and reliability tables.

Nothing here holds a number, a name or a claim of its own: every sentence is assembled from
table rows, so a new transcript, speaker or meeting changes the text with the data. The
same functions write notebook 04's closing section and the README's findings section
(:mod:`workflow.readme`).

A contrast is *called* a difference only when its row is ``supported`` under the primary
measure: the hand coding where both cells have one, else the lexicon. Where the other
measure disagrees, the text says so.
"""

from __future__ import annotations

import pandas as pd

from .findings import format_p as _p
from .findings import format_points as _pts
from .findings import format_share as _pct
from .sources import meeting_label, order_meetings




def primary_measure(rows: pd.DataFrame) -> str:
    """The measure a claim rests on: hand where the rows have it, else lexicon."""
    return "hand" if (rows["measure"] == "hand").any() else "lexicon"


def top_issues(salience: pd.DataFrame, labels: dict[str, str], k: int = 3) -> list[str]:
    """One line per speaker-meeting cell: its ``k`` largest issues with intervals.

    Issues whose shares tie (to the percentage shown) are named together as a tie, and a
    tie at the ``k``-th place brings in every issue that shares it. A cell too small to
    estimate (``estimable`` false) says so instead.
    """
    out = []
    order = {m: i for i, m in enumerate(order_meetings(salience["meeting"]))}
    cells = salience[["meeting", "speaker"]].drop_duplicates()
    cells = cells.assign(_o=cells["meeting"].map(order)).sort_values(["_o", "speaker"])
    for m, sp in zip(cells["meeting"], cells["speaker"]):
        d = salience[(salience["meeting"] == m) & (salience["speaker"] == sp)]
        measure = primary_measure(d)
        d = d[d["measure"] == measure].sort_values(["share", "issue"], ascending=[False, True])
        if not d["estimable"].iloc[0]:
            t = d["n_turns"].iloc[0]
            out.append(f"- **{sp.title()}, {meeting_label(m)}** ({d['total_sentences'].iloc[0]} "
                       f"sentences in {t} turn{'s' if t != 1 else ''}, {measure} coding): too "
                       "small to estimate; its counts are in `salience.csv`.")
            continue
        shown = d["share"].map(_pct)
        cut = shown.iloc[min(k, len(d)) - 1]
        top = d[(d["share"] >= d["share"].iloc[min(k, len(d)) - 1]) | (shown == cut)]
        groups = top.groupby(shown.loc[top.index], sort=False)
        items = []
        for pct, g in groups:
            if len(g) > 1:
                names = listing(labels[i] for i in g["issue"])
                items.append(f"{names} tied at {pct} each ("
                             + "; ".join(f"{_pct(r.ci_low)}–{_pct(r.ci_high)}"
                                         for r in g.itertuples()) + ")")
            else:
                r = next(g.itertuples())
                items.append(f"{labels[r.issue]} {pct} ({_pct(r.ci_low)}–{_pct(r.ci_high)})")
        out.append(f"- **{sp.title()}, {meeting_label(m)}** ({d['total_sentences'].iloc[0]} "
                   f"sentences, {measure} coding): {', '.join(items)}.")
    return out


def by_evidence(rows: pd.DataFrame) -> pd.DataFrame:
    """Contrast rows ordered by evidence: adjusted p, then unadjusted p, then size."""
    return rows.assign(_abs=-rows["estimate"].abs()).sort_values(
        ["p_adjusted", "p_value", "_abs", "issue"], kind="stable").drop(columns="_abs")


def detectable_range(rows: pd.DataFrame) -> str:
    """'about 40 to 60 points' (the range of ``mde`` over rows), or the words for none."""
    m = rows["mde"].dropna()
    if m.empty:
        return "no gap of any size"
    lo, hi = round(m.min() * 100), round(m.max() * 100)
    span = f"about {lo} points" if lo == hi else f"about {lo} to {hi} points"
    none = rows["mde"].isna().sum()
    return (f"only gaps of {span} or more" +
            (f" (on {none} of {len(rows)} issues, no gap of any size)" if none else ""))


def _contrast_lines(f: pd.DataFrame, labels: dict[str, str], n_largest: int = 2) -> list[str]:
    """Supported claims of one contrast, or a plain statement that none is supported, with
    what the contrast could have detected and the gaps nearest to significance."""
    measure = primary_measure(f)
    main = f[f["measure"] == measure].dropna(subset=["estimate"])
    other = f[f["measure"] != measure].set_index("issue")
    lines = []
    for r in by_evidence(main[main["supported"].fillna(False).astype(bool)]).itertuples():
        agree = ""
        if r.issue in other.index:
            o = other.loc[r.issue]
            same_sign = (o["estimate"] > 0) == (r.estimate > 0)
            agree = (f" The {o['measure']} measure agrees ({_pts(o['estimate'])} points)."
                     if bool(o["supported"]) and same_sign else
                     f" The {o['measure']} measure does not confirm it "
                     f"({_pts(o['estimate'])} points, adjusted p {_p(o['p_adjusted'])}).")
        caveat = f" *Caveat:* {r.caveat}." if r.caveat else ""
        lines.append(f"- {r.text}{agree}{caveat}")
    if lines or main.empty:
        return lines
    r0 = main.iloc[0]
    if r0["kind"] == "difference":
        what = (f"At {meeting_label(r0['meeting'])}, no difference between "
                f"{r0['speaker'].title()} and {r0['compare_speaker'].title()}")
        turns = f"{r0['n_turns']} and {r0['n_turns_compare']} turns"
    else:
        what = (f"No change in {r0['speaker'].title()}'s agenda from "
                f"{meeting_label(r0['compare_meeting'])} to {meeting_label(r0['meeting'])}")
        turns = f"{r0['n_turns_compare']} and {r0['n_turns']} turns"
    ranked = by_evidence(main)
    nearest = ranked.head(n_largest)
    gaps = "; ".join(f"{labels[r.issue]} {_pts(r.estimate)} points (95% interval "
                     f"{_pts(r.ci_low)} to {_pts(r.ci_high)}, p {_p(r.p_value)}, adjusted p "
                     f"{_p(r.p_adjusted)}; p {_p(r.p_unclustered)} if every sentence counted "
                     "as independent evidence)"
                     for r in nearest.itertuples())
    tied = ranked[ranked["p_adjusted"] == nearest["p_adjusted"].iloc[-1]]
    tie = (f" {len(tied)} issues tie at that adjusted p, so this order among them is not "
           "evidence." if len(tied) > n_largest else "")
    sign = (f"positive = more {r0['speaker'].title()}" if r0["kind"] == "difference"
            else "positive = more at the later meeting")
    caveats = "; ".join(dict.fromkeys(c for r in nearest.itertuples()
                                      for c in r.caveat.split("; ") if c))
    lines.append(f"- {what} was detected on any of the {len(main)} issues ({measure} coding). "
                 f"With {turns}, {detectable_range(main)} could have been detected (80% "
                 "power, after Holm's correction over the issues), so this says little about "
                 f"smaller gaps. Nearest to significance ({sign}): {gaps}.{tie}"
                 + (f" *Caveat:* {caveats}." if caveats else ""))
    return lines


def quality_summary(reliability: pd.DataFrame, salience: pd.DataFrame,
                    labels: dict[str, str]) -> dict:
    """The numbers of the "how far to trust this" paragraph, from the two tables: the
    micro-averaged row of each sample of ``reliability.csv`` (``in``, ``out``, and ``held``
    when a coding sheet has been scored), coder agreement, and the cells whose lexicon
    shares rest on sources without hand codes (``unvalidated``)."""
    micro = reliability[reliability["issue"] == "micro avg"].set_index("sample")
    rows = {key: micro.loc[name].to_dict() for key, name in
            (("in", "in-sample"), ("out", "out-of-sample"), ("held", "held-out"))
            if name in micro.index}
    out = rows.get("out", {})
    if pd.notna(out.get("error_max_issue")):
        out["error_max_cell"] = (f"{labels[out['error_max_issue']]}, "
                                 f"{out['error_max_speaker'].title()} at "
                                 f"{meeting_label(out['error_max_meeting'])}")
    lex = salience[(salience["measure"] == "lexicon") & ~salience["validated"].astype(bool)]
    cells = lex[["meeting", "speaker"]].drop_duplicates()
    inside = reliability[reliability["sample"] == "in-sample"]
    return {**rows, "unvalidated": [f"{sp.title()} at {meeting_label(m)}"
                                    for m, sp in zip(cells["meeting"], cells["speaker"])],
            "alpha_min": inside["alpha"].min(), "alpha_max": inside["alpha"].max(),
            "alpha_sentences": inside["alpha_sentences"].max()}


def findings_markdown(findings: pd.DataFrame, salience: pd.DataFrame, labels: dict[str, str],
                      quality: dict, speakers, heading: str = "##",
                      figure_dir: str | None = "reports/figures") -> str:
    """The findings section: agendas, differences, changes, overlap, gaps and trust.

    ``quality`` is :func:`quality_summary` of the reliability and salience tables.
    """
    out = [f"{heading} Headline findings", "",
           "Generated by notebook `04-measure-issue-salience` from `data/processed/"
           "findings.csv`, `salience.csv` and (for how far to trust it) `reliability.csv`: "
           "every number below is a row of those tables. "
           "Shares are of each speaker's canonical sentences at a meeting, with 95% "
           "intervals from resampling whole turns (answers, statements, quoted passages). "
           "The unit of evidence is the turn: contrasts are tested by exchanging whole "
           "turns between the two cells, and each interval is its test inverted, so the two "
           "agree. Holm's correction runs over the issues of one contrast and measure, "
           "because each contrast asks one question of the two agendas.", "",
           "**What each man stressed** (largest three issues per speaker and meeting):", ""]
    out += top_issues(salience[salience["speaker"].isin(speakers)], labels)
    for kind, title in (("difference", "How they differ"), ("change", "How it changed")):
        rows = findings[findings["kind"] == kind]
        if rows.empty:
            continue
        out += ["", f"**{title}.**", ""]
        for fig, f in rows.groupby("figure", sort=False):
            out += _contrast_lines(f, labels)
            if figure_dir:
                alt = contrast_title(f[f["measure"] == primary_measure(f)], labels)
                out += ["", f"  ![{alt}]({figure_dir}/{fig}.png)", ""]
    ov = findings[findings["kind"] == "overlap"]
    if not ov.empty:
        out += ["", "**Agenda overlap.**", ""]
        for _, f in ov.groupby(["meeting", "speaker", "compare_meeting", "compare_speaker"],
                               sort=False):
            out.append(f"- {f[f['measure'] == primary_measure(f)]['text'].iloc[0]}")
    meetings = order_meetings(salience["meeting"])
    have = set(zip(salience["meeting"], salience["speaker"]))
    missing = [(m, sp) for m in meetings for sp in speakers if (m, sp) not in have]
    if missing:
        out += ["", "**What cannot be measured.**", ""]
        for m, sp in missing:
            out.append(f"- {sp.title()} at {meeting_label(m)}: none of his words are in the "
                       "sources, so that cell is missing, not zero, and any comparison "
                       "with it is left out. Adding a transcript fills it.")
    out += ["", trust_paragraph(quality)]
    return "\n".join(out) + "\n"


def contrast_title(rows: pd.DataFrame, labels: dict[str, str]) -> str:
    """A figure title stating what one comparison shows (its supported contrasts, or none)."""
    r0 = rows.iloc[0]
    sup = rows[rows["supported"].fillna(False).astype(bool)]
    if r0["kind"] == "difference":
        where = meeting_label(r0["meeting"])
        a, b = r0["speaker"].title(), r0["compare_speaker"].title()
        if sup.empty:
            return f"{where}: no issue difference between {a} and {b} survives the test"
        parts = [f"{(a if r.estimate > 0 else b)} more on {labels[r.issue]}"
                 for r in sup.itertuples()]
        return f"{where}: " + "; ".join(parts)
    who = r0["speaker"].title()
    span = f"{meeting_label(r0['compare_meeting'])} to {meeting_label(r0['meeting'])}"
    if sup.empty:
        return f"{who}, {span}: no issue change survives the test"
    return f"{who}, {span}: " + "; ".join(
        f"{labels[r.issue]} {'up' if r.estimate > 0 else 'down'}" for r in sup.itertuples())


def listing(items, k: int | None = None, italic: bool = False) -> str:
    """'a, b and c' (the first ``k`` items, in italics if asked); 'none' when empty."""
    items = [f"*{t}*" if italic else str(t) for t in list(items)[:k]]
    if not items:
        return "none"
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


def say(text: str) -> None:
    """Show a reading computed from the tables (as Markdown, in a notebook)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


# ---- tests, power and robustness (notebook 04)
def _comparison(r) -> str:
    if r.kind == "difference":
        return (f"{r.speaker.title()} vs {r.compare_speaker.title()} at "
                f"{meeting_label(r.meeting)}")
    return (f"{r.speaker.title()}, {meeting_label(r.compare_meeting)} to "
            f"{meeting_label(r.meeting)}")


def tests_reading(contrasts: pd.DataFrame) -> str:
    """How many contrasts were tested and supported, whether interval and test agree, and
    what each comparison could have detected."""
    c = contrasts.dropna(subset=["estimate"])
    excludes = (c["ci_low"] > 0) | (c["ci_high"] < 0)
    agree = int((excludes == (c["p_value"] < 0.05)).sum())
    sup = c["supported"].fillna(False).astype(bool)
    parts = [f"{len(c)} contrasts were tested ({c['figure'].nunique()} comparisons, each "
             "issue, each measure both cells have); "
             f"{int(sup.sum())} {'is' if sup.sum() == 1 else 'are'} supported after Holm's "
             f"correction. Interval and test agree on {agree} of {len(c)}"
             + (" (they are the same test)." if agree == len(c) else
                "; where they do not, the p-value sits on a tie of the relabellings.")]
    for _, g in c.groupby(["figure", "measure"], sort=False):
        r = g.iloc[0]
        a, b = ((r.n_turns, r.n_turns_compare) if r.kind == "difference"
                else (r.n_turns_compare, r.n_turns))
        parts.append(f"{_comparison(r)} ({r.measure}, {a} and {b} turns): "
                     f"{detectable_range(g)} could have been detected")
    return parts[0] + " What each comparison could detect, at 80% power after Holm's " \
        "correction: " + "; ".join(parts[1:]) + "."


def robustness_reading(table: pd.DataFrame, labels: dict[str, str]) -> str:
    """Which conclusions move when the unit, the context rule or a setting changes."""
    head = table[(table["unit"] == "turn") & (table["without"] == "")
                 & (table["rule"] == table["rule"].iloc[0])]
    n_sup = int(head["supported"].fillna(False).astype(bool).sum())
    out = [f"The headline (whole turns, context rule `{head['rule'].iloc[0]}`) supports "
           f"{n_sup} contrast{'s' if n_sup != 1 else ''}."]
    for (unit, rule, without), g in table.groupby(["unit", "rule", "without"], sort=False):
        if g.equals(head) or (unit == "turn" and rule == head["rule"].iloc[0] and not without):
            continue
        name = (f"without the {without}" if without else
                f"with {'single sentences' if unit == 'sentence' else 'blocks of 5 sentences'}"
                " as units" if unit != "turn" else f"with context rule `{rule}`")
        moved = g[g["moved"]]
        if moved.empty:
            out.append(f"{name.capitalize()}: no conclusion moves.")
            continue
        gained = moved[moved["supported"].fillna(False).astype(bool)]
        lost = moved[~moved["supported"].fillna(False).astype(bool)]
        items = ([f"{labels[r.issue]} ({_comparison(r)}, {r.measure}) becomes supported"
                  for r in gained.itertuples()]
                 + [f"{labels[r.issue]} ({_comparison(r)}, {r.measure}) is no longer supported"
                    for r in lost.itertuples()])
        out.append(f"{name.capitalize()}: {len(moved)} conclusion"
                   f"{'s move' if len(moved) != 1 else ' moves'}: {listing(items, 4)}"
                   + (f" and {len(items) - 4} more" if len(items) > 4 else "") + ".")
    return " ".join(out)


# ---- how far to trust the lexicon (notebook 04, README)
def trust_paragraph(q: dict) -> str:
    """The "how far to trust this" paragraph: in-sample and out-of-sample accuracy apart,
    the held-out score of any completed coding sheet, and the unvalidated cells."""
    i, o = q["in"], q.get("out")
    text = ("**How far to trust this.** *In sample*, the lexicon (context rule "
            f"`{i['rule']}`) reaches micro-F1 {i['f1']:.2f} (95% interval {i['f1_low']:.2f}–"
            f"{i['f1_high']:.2f}) against the hand coding of {int(i['sentences'])} sentences; "
            "it was written after those sentences were read, so this figure flatters it.")
    if o:
        rules = [f"`{r}`" for r in o["rule"].split(";")]
        used = (f"so the rule `{i['rule']}` is used" if i["rule"] != "none" else
                "not more than its interval, so no inheritance (`none`) is used")
        text += (" *Out of sample, for the choices made from the data only* (each source "
                 "coded with the context rule chosen on the other sources"
                 + (f", which was {', '.join(rules[:-1])} or {rules[-1]} depending on the "
                    "source" if len(rules) > 1 else "")
                 + ", and each cell's shares corrected with coding rates estimated on the "
                 f"other sources), micro-F1 is {o['f1']:.2f} ({o['f1_low']:.2f}–"
                 f"{o['f1_high']:.2f}), {o['gain']:+.2f} against no inheritance (95% interval "
                 f"{o['gain_low']:+.2f} to {o['gain_high']:+.2f}), {used}.")
        if pd.notna(o.get("error_mean")):
            text += (f" Corrected shares are {o['error_mean']:.1f} points from the hand coding "
                     f"on average and {o['error_max']:.1f} at most ({o['error_max_cell']}).")
    text += (" Neither figure tests the lexicon on words its author had not read: expect "
             "lower accuracy on a new transcript.")
    h = q.get("held")
    if h:
        text += (f" *Held out*: on {int(h['sentences'])} sentences of new sources, coded on "
                 "coding sheets after the lexicon was fixed and never used to tune it, "
                 f"micro-F1 is {h['f1']:.2f} ({h['f1_low']:.2f}–{h['f1_high']:.2f}).")
    else:
        text += (" No new source has been coded on a coding sheet yet, so there is no "
                 "held-out score.")
    if q["unvalidated"]:
        text += (f" The lexicon shares of {listing(q['unvalidated'])} rest on sources "
                 "without hand codes and are **unvalidated**; a coding sheet for each such "
                 "source is in `data/validation/`, and once it is filled in, the next run "
                 "scores the lexicon on it as held-out data.")
    if pd.notna(q["alpha_sentences"]):
        text += (f" A second coder, working from the coding guide alone, coded "
                 f"{int(q['alpha_sentences'])} sentences: Krippendorff's alpha per issue ranges "
                 f"from {q['alpha_min']:.2f} to {q['alpha_max']:.2f}.")
    return text
