"""Sentences built from the tables: number formats, notebook 04's readings, and the findings
section that notebook 04 and the README (:mod:`workflow.readme`) share.

Nothing here holds a number, a name or a claim of its own, so a new transcript, speaker or
meeting changes the text with the data. A contrast is *called* a difference only when its
row is ``supported`` under the primary measure (the hand coding where both cells have one,
else the lexicon); where the other measure disagrees, the text says so.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown, display

from .parameters import ALPHA
from .sources import meeting_label, order_meetings


# ---- formats shared by every sentence
def format_p(x: float) -> str:
    """'< 0.001', '= 0.004' or '= 0.27': the p-value as the sentences print it."""
    return "< 0.001" if x < 0.001 else f"= {x:.3f}" if x < 0.01 else f"= {x:.2f}"


def format_share(x: float) -> str:
    """A share as a percentage: one decimal below 10%, none above ('4.2%', '23%')."""
    if pd.isna(x):
        return "n/a"
    return f"{x * 100:.1f}%" if x < 0.095 else f"{x * 100:.0f}%"


def format_points(x: float, sign: bool = True) -> str:
    """A difference in shares as percentage points: signed ('+7', '−11', '0') or not."""
    if pd.isna(x):
        return "n/a"
    v = round(x * 100)
    if not sign:
        return f"{abs(v)}"
    return "0" if v == 0 else f"{v:+d}".replace("-", "−")


def share_range(low: float, high: float) -> str:
    """'2.0%–59%'."""
    return f"{format_share(low)}–{format_share(high)}"


def plural(n: int, word: str) -> str:
    """'1 turn', '3 turns'."""
    return f"{n} {word}{'s' if n != 1 else ''}"


def listing(items, k: int | None = None, italic: bool = False) -> str:
    """'a, b and c' (the first ``k`` items, in italics if asked); 'none' when empty."""
    items = [f"*{t}*" if italic else str(t) for t in list(items)[:k]]
    if not items:
        return "none"
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


def say(text: str) -> None:
    """Show a reading computed from the tables (as Markdown, in a notebook)."""
    display(Markdown(text))


# ---- contrasts
def supported(rows: pd.DataFrame) -> pd.Series:
    """The ``supported`` column as booleans (missing: not supported)."""
    return rows["supported"].fillna(False).astype(bool)


def primary_measure(rows: pd.DataFrame) -> str:
    """The measure a claim rests on: hand where the rows have it, else lexicon."""
    return "hand" if (rows["measure"] == "hand").any() else "lexicon"


def by_evidence(rows: pd.DataFrame) -> pd.DataFrame:
    """Contrast rows ordered by evidence: adjusted p, then unadjusted p, then size."""
    return rows.assign(_abs=-rows["estimate"].abs()).sort_values(
        ["p_adjusted", "p_value", "_abs", "issue"], kind="stable").drop(columns="_abs")


def turn_counts(row) -> str:
    """'5 and 9 turns': the earlier meeting's cell first in a change."""
    a, b = row["n_turns"], row["n_turns_compare"]
    return f"{a} and {b} turns" if row["kind"] == "difference" else f"{b} and {a} turns"


def detectable_range(rows: pd.DataFrame) -> str:
    """'only gaps of about 40 to 60 points or more' (the range of ``mde``), or no gap at all."""
    m = rows["mde"].dropna()
    if m.empty:
        return "no gap of any size"
    lo, hi = round(m.min() * 100), round(m.max() * 100)
    span = f"{lo}" if lo == hi else f"{lo} to {hi}"
    none = rows["mde"].isna().sum()
    return (f"only gaps of about {span} points or more"
            + (f" (on {none} of {len(rows)} issues, no gap of any size)" if none else ""))


def comparison_name(r) -> str:
    """'Pompeo vs Lavrov at Sochi, …' or 'Pompeo, Sochi, … to Washington, …'."""
    if r.kind == "difference":
        return f"{r.speaker.title()} vs {r.compare_speaker.title()} at {meeting_label(r.meeting)}"
    return f"{r.speaker.title()}, {meeting_label(r.compare_meeting)} to {meeting_label(r.meeting)}"


def contrast_title(rows: pd.DataFrame, labels: dict[str, str]) -> str:
    """A figure title stating what one comparison shows (its supported contrasts, or none)."""
    r0, sup = rows.iloc[0], rows[supported(rows)]
    if r0["kind"] == "difference":
        a, b = r0["speaker"].title(), r0["compare_speaker"].title()
        head = meeting_label(r0["meeting"])
        parts = [f"{a if r.estimate > 0 else b} more on {labels[r.issue]}"
                 for r in sup.itertuples()]
        none = f"no issue difference between {a} and {b} survives the test"
    else:
        head = (f"{r0['speaker'].title()}, {meeting_label(r0['compare_meeting'])} to "
                f"{meeting_label(r0['meeting'])}")
        parts = [f"{labels[r.issue]} {'up' if r.estimate > 0 else 'down'}"
                 for r in sup.itertuples()]
        none = "no issue change survives the test"
    return f"{head}: {'; '.join(parts) or none}"




def _contrast_lines(f: pd.DataFrame, labels: dict[str, str], n_largest: int = 2) -> list[str]:
    """Supported claims of one contrast; or that none is, what it could have detected and
    the gaps nearest to significance."""
    measure = primary_measure(f)
    main = f[f["measure"] == measure].dropna(subset=["estimate"])
    other = f[f["measure"] != measure].set_index("issue")
    lines = []
    for r in by_evidence(main[supported(main)]).itertuples():
        agree = ""
        if r.issue in other.index:
            o = other.loc[r.issue]
            gap = f"{format_points(o['estimate'])} points"
            agree = (f" The {o['measure']} measure agrees ({gap})."
                     if bool(o["supported"]) and (o["estimate"] > 0) == (r.estimate > 0) else
                     f" The {o['measure']} measure does not confirm it ({gap}, adjusted p "
                     f"{format_p(o['p_adjusted'])}).")
        lines.append(f"- {r.text}{agree}" + (f" *Caveat:* {r.caveat}." if r.caveat else ""))
    if lines or main.empty:
        return lines
    r0 = main.iloc[0]
    a = r0["speaker"].title()
    if r0["kind"] == "difference":
        what = (f"At {meeting_label(r0['meeting'])}, no difference between {a} and "
                f"{r0['compare_speaker'].title()}")
        sign = f"positive = more {a}"
    else:
        what = (f"No change in {a}'s agenda from {meeting_label(r0['compare_meeting'])} to "
                f"{meeting_label(r0['meeting'])}")
        sign = "positive = more at the later meeting"
    ranked = by_evidence(main)
    nearest = ranked.head(n_largest)
    gaps = "; ".join(f"{labels[r.issue]} {format_points(r.estimate)} points (95% interval "
                     f"{format_points(r.ci_low)} to {format_points(r.ci_high)}, p "
                     f"{format_p(r.p_value)}, adjusted p {format_p(r.p_adjusted)}; p "
                     f"{format_p(r.p_unclustered)} if every sentence counted as independent "
                     "evidence)" for r in nearest.itertuples())
    tied = (ranked["p_adjusted"] == nearest["p_adjusted"].iloc[-1]).sum()
    tie = (f" {tied} issues tie at that adjusted p, so this order among them is not evidence."
           if tied > n_largest else "")
    caveats = "; ".join(dict.fromkeys(c for r in nearest.itertuples()
                                      for c in r.caveat.split("; ") if c))
    return [f"- {what} was detected on any of the {len(main)} issues ({measure} coding). "
            f"With {turn_counts(r0)}, {detectable_range(main)} could have been detected (80% "
            "power, after Holm's correction over the issues), so this says little about "
            f"smaller gaps. Nearest to significance ({sign}): {gaps}.{tie}"
            + (f" *Caveat:* {caveats}." if caveats else "")]


def top_issues(salience: pd.DataFrame, labels: dict[str, str], k: int = 3) -> list[str]:
    """One line per speaker-meeting cell: its ``k`` largest issues with intervals.

    Issues whose shares tie (to the percentage shown) are named together, and a tie at the
    ``k``-th place brings in every issue that shares it. A cell too small to estimate
    (``estimable`` false) says so instead.
    """
    out = []
    for m in order_meetings(salience["meeting"]):
        for sp in sorted(set(salience.loc[salience["meeting"] == m, "speaker"])):
            d = salience[(salience["meeting"] == m) & (salience["speaker"] == sp)]
            measure = primary_measure(d)
            d = d[d["measure"] == measure].sort_values(["share", "issue"],
                                                       ascending=[False, True])
            head = (f"- **{sp.title()}, {meeting_label(m)}** ({d['total_sentences'].iloc[0]} "
                    "sentences")
            if not d["estimable"].iloc[0]:
                out.append(f"{head} in {plural(d['n_turns'].iloc[0], 'turn')}, {measure} "
                           "coding): too small to estimate; its counts are in `salience.csv`.")
                continue
            shown = d["share"].map(format_share)
            cut = min(k, len(d)) - 1
            top = d[(d["share"] >= d["share"].iloc[cut]) | (shown == shown.iloc[cut])]
            items = []
            for pct, g in top.groupby(shown[top.index], sort=False):
                names = listing(labels[i] for i in g["issue"])
                ranges = "; ".join(share_range(r.ci_low, r.ci_high) for r in g.itertuples())
                items.append(f"{names} tied at {pct} each ({ranges})" if len(g) > 1
                             else f"{names} {pct} ({ranges})")
            out.append(f"{head}, {measure} coding): {', '.join(items)}.")
    return out


def missing_cells(salience: pd.DataFrame, speakers) -> list[tuple[str, str]]:
    """(meeting, speaker) of every cell with no rows, meetings in date order."""
    have = set(zip(salience["meeting"], salience["speaker"]))
    return [(m, sp) for m in order_meetings(salience["meeting"]) for sp in speakers
            if (m, sp) not in have]


def primary_overlaps(findings: pd.DataFrame) -> pd.DataFrame:
    """The agenda-overlap rows under each comparison's primary measure."""
    ov = findings[findings["kind"] == "overlap"]
    keys = ["meeting", "speaker", "compare_meeting", "compare_speaker"]
    return ov[ov["measure"] == ov.groupby(keys)["measure"].transform(
        lambda m: "hand" if (m == "hand").any() else "lexicon")]


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
        if not rows.empty:
            out += ["", f"**{title}.**", ""]
        for fig, f in rows.groupby("figure", sort=False):
            out += _contrast_lines(f, labels)
            if figure_dir:
                alt = contrast_title(f[f["measure"] == primary_measure(f)], labels)
                out += ["", f"  ![{alt}]({figure_dir}/{fig}.png)", ""]
    overlaps = primary_overlaps(findings)["text"]
    if len(overlaps):
        out += ["", "**Agenda overlap.**", ""] + [f"- {t}" for t in overlaps]
    missing = missing_cells(salience, speakers)
    if missing:
        out += ["", "**What cannot be measured.**", ""]
    out += [f"- {sp.title()} at {meeting_label(m)}: none of his words are in the sources, so "
            "that cell is missing, not zero, and any comparison with it is left out. Adding a "
            "transcript fills it." for m, sp in missing]
    return "\n".join(out + ["", trust_paragraph(quality)]) + "\n"


def tests_reading(contrasts: pd.DataFrame) -> str:
    """How many contrasts were tested and supported, whether interval and test agree, and
    what each comparison could have detected."""
    c = contrasts.dropna(subset=["estimate"])
    excludes = (c["ci_low"] > 0) | (c["ci_high"] < 0)
    agree = int((excludes == (c["p_value"] < ALPHA)).sum())
    n_sup = int(supported(c).sum())
    detect = "; ".join(f"{comparison_name(g.iloc[0])} ({g.iloc[0].measure}, "
                       f"{turn_counts(g.iloc[0])}): {detectable_range(g)} could have been "
                       "detected" for _, g in c.groupby(["figure", "measure"], sort=False))
    return (f"{len(c)} contrasts were tested ({c['figure'].nunique()} comparisons, each issue, "
            f"each measure both cells have); {n_sup} {'is' if n_sup == 1 else 'are'} supported "
            f"after Holm's correction. Interval and test agree on {agree} of {len(c)}"
            + (" (they are the same test)." if agree == len(c) else
               "; where they do not, the p-value sits on a tie of the relabellings.")
            + " What each comparison could detect, at 80% power after Holm's correction: "
            + detect + ".")


def robustness_reading(table: pd.DataFrame, labels: dict[str, str]) -> str:
    """Which conclusions move when the unit, the context rule or a setting changes."""
    rule = table["rule"].iloc[0]
    head = table[(table["unit"] == "turn") & (table["without"] == "") & (table["rule"] == rule)]
    out = [f"The headline (whole turns, context rule `{rule}`) supports "
           f"{plural(int(supported(head).sum()), 'contrast')}."]
    for (unit, r, without), g in table.groupby(["unit", "rule", "without"], sort=False):
        if unit == "turn" and r == rule and not without:
            continue
        if without:
            name = f"Without the {without}"
        elif unit == "sentence":
            name = "With single sentences as units"
        elif unit != "turn":  # 'block of 5'
            name = f"With {unit.replace('block', 'blocks')} sentences as units"
        else:
            name = f"With context rule `{r}`"
        moved = g[g["moved"]]
        if moved.empty:
            out.append(f"{name}: no conclusion moves.")
            continue
        items = [f"{labels[m.issue]} ({comparison_name(m)}, {m.measure}) "
                 + ("becomes supported" if gained else "is no longer supported")
                 for gained in (True, False)
                 for m in moved[supported(moved) == gained].itertuples()]
        more = f" and {len(items) - 4} more" if len(items) > 4 else ""
        out.append(f"{name}: {len(moved)} conclusion{'s move' if len(moved) != 1 else ' moves'}: "
                   f"{listing(items, 4)}{more}.")
    return " ".join(out)


# ---- how far to trust the lexicon (notebook 04, README)
def quality_summary(reliability: pd.DataFrame, salience: pd.DataFrame,
                    labels: dict[str, str]) -> dict:
    """The numbers of :func:`trust_paragraph`: the micro-averaged row of each sample of
    ``reliability.csv`` (``in``, ``out``, and ``held`` once a coding sheet is scored), coder
    agreement, and the cells whose lexicon shares are ``unvalidated`` (no hand codes)."""
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


def f1_range(r: dict) -> str:
    """'0.85 (0.75–0.90)': a micro-F1 and its interval."""
    return f"{r['f1']:.2f} ({r['f1_low']:.2f}–{r['f1_high']:.2f})"


def trust_paragraph(q: dict) -> str:
    """The "how far to trust this" paragraph: in-sample and out-of-sample accuracy apart,
    the held-out score of any completed coding sheet, and the unvalidated cells."""
    i, o, h = q["in"], q.get("out"), q.get("held")
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
                 f"other sources), micro-F1 is {f1_range(o)}, {o['gain']:+.2f} against no "
                 f"inheritance (95% interval {o['gain_low']:+.2f} to {o['gain_high']:+.2f}), "
                 f"{used}.")
        if pd.notna(o.get("error_mean")):
            text += (f" Corrected shares are {o['error_mean']:.1f} points from the hand coding "
                     f"on average and {o['error_max']:.1f} at most ({o['error_max_cell']}).")
    text += (" Neither figure tests the lexicon on words its author had not read: expect "
             "lower accuracy on a new transcript.")
    text += (f" *Held out*: on {int(h['sentences'])} sentences of new sources, coded on coding "
             "sheets after the lexicon was fixed and never used to tune it, micro-F1 is "
             f"{f1_range(h)}." if h else
             " No new source has been coded on a coding sheet yet, so there is no held-out score.")
    if q["unvalidated"]:
        text += (f" The lexicon shares of {listing(q['unvalidated'])} rest on sources "
                 "without hand codes and are **unvalidated**; a coding sheet for each such "
                 "source is in `data/validation/`, and once it is filled in, the next run "
                 "scores the lexicon on it as held-out data.")
    if pd.notna(q["alpha_sentences"]):
        text += (" A second coder, working from the coding guide alone, coded "
                 f"{int(q['alpha_sentences'])} sentences: Krippendorff's alpha per issue ranges "
                 f"from {q['alpha_min']:.2f} to {q['alpha_max']:.2f}.")
    return text
