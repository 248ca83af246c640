"""Findings: every claim the project makes, as an estimate with an interval and a test.

``compute_findings`` writes one row per estimated quantity (``data/processed/findings.csv``):

- ``share``: a speaker's share of sentences on an issue at a meeting (from ``salience.csv``);
- ``difference``: two speakers at one meeting, for every pair of speakers who both speak;
- ``change``: one speaker between two meetings (later minus earlier), for every pair of
  meetings at which the speaker speaks;
- ``overlap``: the similarity of two agendas, set against what two samples of one agenda
  score at the same sample sizes (the ceiling).

Contrasts are computed for each measure (``lexicon``, ``hand``) that both cells have; within
one contrast and measure, p-values are adjusted over the issues (Holm), and ``supported`` is
true when the adjusted p-value is below ``ALPHA`` and the interval excludes zero. For an
overlap, ``p_value`` tests whether two samples of one agenda would score as low, and
``supported`` means the agendas differ by more than sampling noise. The comparisons follow the data: whoever
is in the corpus, at whichever meetings. ``text`` states each row in plain words; the
narrative built from these rows is in :mod:`helpers.story`.
"""

from __future__ import annotations

import pandas as pd

from . import cache, config, inference
from .lexicon import Issue, issue_ids
from .salience import MEASURES, measure_cells
from .sources import meeting_label, order_meetings

ALPHA = 0.05
MULTIPLICITY = "holm"
COLUMNS = ["finding", "kind", "meeting", "speaker", "issue", "compare_meeting",
           "compare_speaker", "measure", "estimate", "ci_low", "ci_high", "p_value",
           "p_adjusted", "supported", "p_unclustered", "ceiling", "ceiling_low",
           "ceiling_high", "figure", "caveat", "text"]


def comparisons(cells, speakers) -> list[dict]:
    """Every pair of speakers at each meeting and every speaker across each pair of meetings.

    ``cells`` holds (meeting, speaker) keys. Speakers are paired in the order given; a change
    compares the later meeting (by event date) with the earlier one.
    """
    cells = set(cells)
    meetings = order_meetings({m for m, _ in cells})
    out = []
    for m in meetings:
        present = [sp for sp in speakers if (m, sp) in cells]
        for i, a in enumerate(present):
            for b in present[i + 1:]:
                out.append({"kind": "difference", "meeting": m, "speaker": a,
                            "compare_meeting": m, "compare_speaker": b})
    for sp in speakers:
        ms = [m for m in meetings if (m, sp) in cells]
        for i, early in enumerate(ms):
            for late in ms[i + 1:]:
                out.append({"kind": "change", "meeting": late, "speaker": sp,
                            "compare_meeting": early, "compare_speaker": sp})
    return out


def figure_name(c: dict) -> str:
    """The file stem of the figure that shows a comparison (drawn by notebook 04)."""
    if c["kind"] == "difference":
        return f"04-{c['meeting']}-{c['speaker']}-vs-{c['compare_speaker']}"
    return f"04-{c['speaker']}-{c['compare_meeting']}-to-{c['meeting']}"


def cell_caveats(coded: pd.DataFrame, meeting: str, speaker: str, issue: str | None,
                 manifest_kinds: dict[str, str], label: str | None = None) -> list[str]:
    """Plain-words caveats of one cell: small n, question-driven, captions, translation."""
    d = coded[(coded["meeting"] == meeting) & (coded["speaker"] == speaker)]
    who = f"{speaker.title()} at {meeting_label(meeting).split(',')[0]}"
    out = []
    if len(d) < 30:
        out.append(f"{who}: only {len(d)} sentences")
    if issue is not None and issue in d:
        on = d[d[issue]]
        answers = on[on["turn_type"] == "answer"]
        if len(on) >= 3 and len(answers) / len(on) > 0.5:
            q = answers["question"].nunique()
            out.append(f"{who}: {len(answers)} of {len(on)} sentences"
                       + (f" on {label}" if label else "")
                       + f" answer {q} question{'s' if q > 1 else ''}")
    kinds = {manifest_kinds.get(s, "") for s in d["source"].unique()}
    if "broadcast captions" in kinds:
        out.append(f"{who}: partly from speech-recognition captions")
    tr = sorted(set(d["translation"]) - {"original English"})
    if tr:
        out.append(f"{who}: in translation ({', '.join(tr)})")
    return out


def format_p(x: float) -> str:
    """'< 0.001', '= 0.004' or '= 0.27': the p-value as the sentences print it."""
    return "< 0.001" if x < 0.001 else f"= {x:.3f}" if x < 0.01 else f"= {x:.2f}"


def format_share(x: float) -> str:
    """A share as a percentage: one decimal below 10%, none above ('4.2%', '23%')."""
    if pd.isna(x):
        return "n/a"
    return f"{x * 100:.1f}%" if x < 0.095 else f"{x * 100:.0f}%"


def format_points(x: float) -> str:
    """A difference in shares as signed percentage points ('+7', '−11', '0')."""
    if pd.isna(x):
        return "n/a"
    v = round(x * 100)
    return "0" if v == 0 else f"{v:+d}".replace("-", "−")




def finding_text(row: dict, labels: dict[str, str], a_share: float, b_share: float) -> str:
    """One plain-words sentence for a difference or change row (supported or not)."""
    issue = labels[row["issue"]]
    ci = f"{format_points(row['ci_low'])} to {format_points(row['ci_high'])} points"
    p = f"adjusted p {format_p(row['p_adjusted'])}"
    stats = f"difference {format_points(row['estimate'])} points, 95% interval {ci}, {p}"
    if row["kind"] == "difference":
        a, b = row["speaker"].title(), row["compare_speaker"].title()
        where = meeting_label(row["meeting"])
        if row["supported"]:
            more, less = (a, b) if row["estimate"] > 0 else (b, a)
            return (f"At {where}, {more} gave more of his sentences to {issue} than {less} "
                    f"({a} {format_share(a_share)}, {b} {format_share(b_share)}; {stats}).")
        return (f"At {where}, no detectable difference between {a} and {b} on {issue} "
                f"({a} {format_share(a_share)}, {b} {format_share(b_share)}; {stats}).")
    who = row["speaker"].title()
    frm, to = meeting_label(row["compare_meeting"]), meeting_label(row["meeting"])
    if row["supported"]:
        verb = "rose" if row["estimate"] > 0 else "fell"
        return (f"{who}'s share of sentences on {issue} {verb} from {format_share(b_share)} at {frm} "
                f"to {format_share(a_share)} at {to} ({stats}).")
    return (f"No detectable change in {who}'s attention to {issue} from {frm} to {to} "
            f"({format_share(b_share)} and {format_share(a_share)}; {stats}).")


def overlap_text(row: dict) -> str:
    """One sentence for an agenda-overlap row."""
    if row["kind_of"] == "difference":
        what = (f"{row['speaker'].title()}'s and {row['compare_speaker'].title()}'s agendas "
                f"at {meeting_label(row['meeting'])}")
    else:
        what = (f"{row['speaker'].title()}'s agendas at {meeting_label(row['compare_meeting'])} "
                f"and {meeting_label(row['meeting'])}")
    if pd.isna(row["estimate"]):
        return f"{what} cannot be compared: one of them mentions no issue at all."
    verdict = ("differ by more than sampling noise" if row["supported"] else
               "cannot be told apart from two samples of one agenda")
    return (f"{what} {verdict}: their similarity (1 − Jensen–Shannon distance) is "
            f"{row['estimate']:.2f} (95% interval {row['ci_low']:.2f}–{row['ci_high']:.2f}), "
            f"where two samples of one agenda of these sizes score {row['ceiling']:.2f} "
            f"(95% of draws {row['ceiling_low']:.2f}–{row['ceiling_high']:.2f}; "
            f"p {format_p(row['p_value'])}).")


@cache.memoize
def compute_findings(coded: pd.DataFrame, lexicon: list[Issue], salience: pd.DataFrame,
                     gold: pd.DataFrame | None = None, speakers=config.PRINCIPALS,
                     seed: int = config.SEED, n_boot: int = inference.N_BOOT,
                     n_perm: int = inference.N_PERM,
                     manifest_kinds: dict[str, str] | None = None,
                     block: int = inference.BLOCK) -> pd.DataFrame:
    """Return the findings table (see the module docstring); ``salience`` gives the shares.

    ``block`` is the resampling block (sentences within a turn; a large number resamples
    whole turns): the notebook varies it to show how the tests depend on it.
    """
    from statsmodels.stats.multitest import multipletests

    ids = issue_ids(lexicon)
    labels = {i.id: i.label for i in lexicon}
    kinds = manifest_kinds or {}
    share = salience.set_index(["measure", "meeting", "speaker", "issue"])
    rows = []
    for r in salience.itertuples():
        rows.append({"finding": f"share:{r.measure}:{r.meeting}:{r.speaker}:{r.issue}",
                     "kind": "share", "meeting": r.meeting, "speaker": r.speaker,
                     "issue": r.issue, "measure": r.measure, "estimate": r.share,
                     "ci_low": r.ci_low, "ci_high": r.ci_high,
                     "text": (f"{r.speaker.title()} at {meeting_label(r.meeting)}: "
                              f"{labels[r.issue]}, {format_share(r.share)} of his sentences "
                              f"(95% interval {format_share(r.ci_low)}–"
                              f"{format_share(r.ci_high)}; {r.measure} measure, "
                              f"n = {r.total_sentences}).")})
    cells = measure_cells(coded, ids, gold, speakers, block=block)
    for c in comparisons(cells["lexicon"], speakers):
        a_key, b_key = (c["meeting"], c["speaker"]), (c["compare_meeting"], c["compare_speaker"])
        caveat = "; ".join(cell_caveats(coded, *a_key, None, kinds)
                           + cell_caveats(coded, *b_key, None, kinds))
        for measure in MEASURES:
            if a_key not in cells.get(measure, {}) or b_key not in cells[measure]:
                continue
            (a, ra), (b, rb) = cells[measure][a_key], cells[measure][b_key]
            res = inference.compare_cells(a, b, seed, measure, (ra, rb), n_boot, n_perm)
            usable = res["estimate"].notna()  # the lexicon may be unable to separate an issue
            res.loc[~usable, ["p_value", "p_unclustered"]] = float("nan")
            res["p_adjusted"] = float("nan")
            if usable.any():
                res.loc[usable, "p_adjusted"] = multipletests(res.loc[usable, "p_value"],
                                                              method=MULTIPLICITY)[1]
            tag = (f"{c['meeting']}:{c['speaker']}-vs-{c['compare_speaker']}"
                   if c["kind"] == "difference" else
                   f"{c['speaker']}:{c['compare_meeting']}-to-{c['meeting']}")
            for k, issue in enumerate(ids):
                row = {**c, "issue": issue, "measure": measure, "figure": figure_name(c),
                       **res.iloc[k].to_dict()}
                extra = (cell_caveats(coded, *a_key, issue, kinds, labels[issue])
                         + cell_caveats(coded, *b_key, issue, kinds, labels[issue]))
                if measure == "lexicon" and (ra is None or rb is None):
                    extra.append("lexicon shares not corrected for coding error (no hand "
                                 "codes in other sources to estimate it from)")
                row["caveat"] = "; ".join(dict.fromkeys(extra))
                row["supported"] = bool(row["p_adjusted"] < ALPHA
                                        and (row["ci_low"] > 0 or row["ci_high"] < 0))
                if pd.isna(row["estimate"]):
                    row["text"] = (f"{labels[issue]}: the {measure} measure cannot separate "
                                   "this issue in these cells, so there is no estimate.")
                    rows.append(row)
                    continue
                row["finding"] = f"{c['kind']}:{measure}:{tag}:{issue}"
                row["text"] = finding_text(row, labels,
                                           share.loc[(measure, *a_key, issue), "share"],
                                           share.loc[(measure, *b_key, issue), "share"])
                rows.append(row)
            ov = inference.agenda_overlap(a, b, seed, n_boot, measure=measure)
            o = {**c, "kind": "overlap", "kind_of": c["kind"], "measure": measure,
                 "finding": f"overlap:{measure}:{tag}", "figure": "04-agenda-overlap",
                 **{k: ov[k] for k in ("estimate", "ci_low", "ci_high", "ceiling",
                                       "ceiling_low", "ceiling_high")},
                 "p_value": ov["p_identical"], "p_adjusted": ov["p_identical"],
                 "supported": bool(ov["p_identical"] < ALPHA), "caveat": caveat}
            o["text"] = overlap_text(o)
            rows.append(o)
    out = pd.DataFrame(rows).reindex(columns=COLUMNS)
    out["supported"] = out["supported"].astype("boolean")
    return out.fillna({c: "" for c in ("compare_meeting", "compare_speaker", "issue", "figure",
                                       "caveat")})
