"""Findings: every claim the project makes, as an estimate with an interval and a test.

``compute_findings`` writes one row per estimated quantity (``data/processed/findings.csv``):
``share`` (a speaker's share of sentences on an issue at a meeting, from ``salience.csv``),
``difference`` (two speakers at one meeting), ``change`` (one speaker between two meetings,
later minus earlier) and ``overlap`` (the similarity of two agendas, set against the
``ceiling`` that two samples of one agenda score at the same sizes). The comparisons follow
the data: whoever is in the corpus, at whichever meetings.

Contrasts are computed for each measure that both cells have, with the turn as the unit of
evidence (:mod:`helpers.contrasts`), so the interval is the test inverted. p-values are
adjusted over the issues of one contrast and measure (Holm), because each contrast asks its
own question; ``supported`` means the adjusted p is below ``ALPHA`` and the interval excludes
zero. ``mde`` is the smallest difference detected with 80% power at Holm's first threshold
(empty: no split of the turns can reach it), ``mde_unadjusted`` the same for one issue alone.
For an overlap, ``supported`` means the agendas differ by more than sampling noise.
``text`` states each row in plain words; :mod:`helpers.story` builds the narrative from them.
"""

from __future__ import annotations

import pandas as pd
from statsmodels.stats.multitest import multipletests

from . import cache, config, contrasts, inference
from .lexicon import Issue, issue_ids
from .parameters import ALPHA, MULTIPLICITY, N_PERM, UNITS
from .salience import MEASURES, measure_cells
from .sources import meeting_label, order_meetings
from .story import format_p, format_points, format_share, plural, share_range, turn_counts

COLUMNS = ["finding", "kind", "meeting", "speaker", "issue", "compare_meeting",
           "compare_speaker", "measure", "estimate", "ci_low", "ci_high", "p_value",
           "p_adjusted", "supported", "n_sentences", "n_sentences_compare", "n_turns",
           "n_turns_compare", "mde", "mde_unadjusted", "smallest_p", "p_unclustered",
           "ceiling", "ceiling_low", "ceiling_high", "setting", "sources", "method", "figure",
           "caveat", "text"]
METHOD = {"share": "share of sentences; 95% percentile interval from resampling whole turns",
          "contrast": "difference of shares; studentised permutation test exchanging whole "
                      "turns, Holm over issues; 95% interval = the test inverted",
          "overlap": "1 − Jensen–Shannon distance; 95% interval from resampling whole turns; "
                     "p from two samples of the pooled agenda"}


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


def cell_caveats(frame: pd.DataFrame, meeting: str, speaker: str, issue: str | None,
                 manifest: dict[str, dict], label: str | None = None) -> list[str]:
    """Plain-words caveats of one cell: small n, question-driven, captions, translation,
    mixed settings and records that lack part of their event.

    ``frame`` holds the cell's sentences with the issue labels *of the measure the caveat
    goes with* (the hand codes for a hand-coded contrast), so counts match that measure.
    ``manifest`` maps a source file to its manifest row (``source_kind``, ``setting``,
    ``incomplete``, ``outlet``).
    """
    d = frame[(frame["meeting"] == meeting) & (frame["speaker"] == speaker)]
    who, out = f"{speaker.title()} at {meeting_label(meeting).split(',')[0]}", []
    if len(d) < 30:
        out.append(f"{who}: only {len(d)} sentences")
    if issue is not None and issue in d:
        on = d[d[issue].astype(bool)]
        answers = on[on["turn_type"] == "answer"]
        if len(on) >= 3 and len(answers) / len(on) > 0.5:
            q = answers["question"].nunique()
            out.append(f"{who}: {len(answers)} of {len(on)} sentences"
                       + (f" on {label}" if label else "") + f" answer {plural(q, 'question')}")
    rows = [manifest.get(s, {}) for s in sorted(d["source"].unique())]
    if any(r.get("source_kind") == "broadcast captions" for r in rows):
        out.append(f"{who}: partly from speech-recognition captions")
    tr = sorted(set(d["translation"]) - {"original English"})
    if tr:
        out.append(f"{who}: in translation ({', '.join(tr)})")
    settings = sorted({r.get("setting", "") for r in rows} - {""})
    if len(settings) > 1:
        out.append(f"{who}: mixes settings ({', '.join(settings)})")
    for r in rows:
        if r.get("incomplete"):
            out.append(f"{who}: {r.get('outlet') or r.get('file')}: {r['incomplete']}, so the "
                       f"sources hold only {d.groupby(['source', 'turn']).ngroups} turns "
                       f"({int(d['n_words'].sum())} words) of his appearance")
    return out


def detectable_text(row: dict) -> str:
    """What the contrast could have detected, from its turns and ``mde`` columns."""
    alone = ("" if pd.isna(row["mde_unadjusted"]) else
             f"; for this issue alone, about {format_points(row['mde_unadjusted'], sign=False)}")
    if pd.isna(row["mde"]):
        return (f"With {turn_counts(row)}, no gap on this issue is detectable at any size after "
                f"Holm's correction{alone or ' or for this issue alone'}.")
    return (f"With {turn_counts(row)}, only gaps of about {format_points(row['mde'], sign=False)}"
            f" points or more could be detected (80% power, after Holm's correction{alone}).")


def finding_text(row: dict, labels: dict[str, str], a_share: float, b_share: float) -> str:
    """One plain-words sentence for a difference or change row; one not supported says what
    could have been detected."""
    issue = labels[row["issue"]]
    stats = (f"difference {format_points(row['estimate'])} points, 95% interval "
             f"{format_points(row['ci_low'])} to {format_points(row['ci_high'])} points, "
             f"adjusted p {format_p(row['p_adjusted'])}")
    a, b = row["speaker"].title(), row["compare_speaker"].title()
    if row["kind"] == "difference":
        where = meeting_label(row["meeting"])
        shares = f"{a} {format_share(a_share)}, {b} {format_share(b_share)}; {stats}"
        if row["supported"]:
            more, less = (a, b) if row["estimate"] > 0 else (b, a)
            return (f"At {where}, {more} gave more of his sentences to {issue} than {less} "
                    f"({shares}).")
        claim = f"At {where}, no difference between {a} and {b} on {issue} was detected ({shares})."
    else:
        frm, to = meeting_label(row["compare_meeting"]), meeting_label(row["meeting"])
        if row["supported"]:
            return (f"{a}'s share of sentences on {issue} "
                    f"{'rose' if row['estimate'] > 0 else 'fell'} from {format_share(b_share)} at "
                    f"{frm} to {format_share(a_share)} at {to} ({stats}).")
        claim = (f"No change in {a}'s attention to {issue} from {frm} to {to} was detected "
                 f"({format_share(b_share)} and {format_share(a_share)}; {stats}).")
    return f"{claim} {detectable_text(row)}"


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


def measure_frames(coded: pd.DataFrame, ids: list[str],
                   gold: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """The sentences with each measure's issue labels: the lexicon's, and (hand-coded
    sentences only) the hand codes, so that a caveat counts with its own measure."""
    out = {"lexicon": coded}
    if gold is not None:
        hand = coded[coded["sentence_id"].isin(gold.index)].copy()
        hand[ids] = gold.loc[hand["sentence_id"], ids].to_numpy(dtype=bool)
        out["hand"] = hand
    return out


@cache.memoize
def compute_findings(coded: pd.DataFrame, lexicon: list[Issue], salience: pd.DataFrame,
                     gold: pd.DataFrame | None = None, speakers=config.PRINCIPALS,
                     seed: int = config.SEED, n_boot: int = inference.N_BOOT,
                     n_perm: int = N_PERM, manifest: dict[str, dict] | None = None,
                     block: int | None = inference.BLOCK, power: bool = True) -> pd.DataFrame:
    """Return the findings table (see the module docstring); ``salience`` gives the shares.

    ``block`` is the resampling unit (``None``: whole turns; robustness tries others);
    ``power=False`` skips the detectable differences (and overlaps), for the robustness table.
    """
    ids = issue_ids(lexicon)
    labels = {i.id: i.label for i in lexicon}
    manifest = manifest or {}
    frames = measure_frames(coded, ids, gold)
    share = salience.set_index(["measure", "meeting", "speaker", "issue"])
    cells = measure_cells(coded, ids, gold, speakers, block=block)

    by_cell = {measure: dict(list(frame.groupby(["meeting", "speaker"])))
               for measure, frame in frames.items()}

    def rows_of(measure, key):
        """The rows of one cell (speaker at a meeting) in one measure's frame."""
        return by_cell[measure].get(key, frames[measure].iloc[:0])

    def of(d, column="setting", sep=", "):
        """The manifest ``column`` of the sources of rows ``d`` (outlet: the file name if
        unknown)."""
        return sep.join(sorted({manifest.get(s, {}).get(column, s if column == "outlet"
                                                        else "") for s in d["source"]} - {""}))

    def sources(*cells):
        return " vs ".join(of(d, "outlet", "; ") for d in cells)

    rows = []
    for r in salience.itertuples():
        cell = cells.get(r.measure, {}).get((r.meeting, r.speaker))
        rows.append({"finding": f"share:{r.measure}:{r.meeting}:{r.speaker}:{r.issue}",
                     "kind": "share", "meeting": r.meeting, "speaker": r.speaker,
                     "issue": r.issue, "measure": r.measure, "estimate": r.share,
                     "ci_low": r.ci_low, "ci_high": r.ci_high,
                     "n_sentences": r.total_sentences,
                     "n_turns": len(cell[0].sizes) if cell else pd.NA,
                     "setting": of(rows_of(r.measure, (r.meeting, r.speaker))),
                     "sources": sources(rows_of(r.measure, (r.meeting, r.speaker))),
                     "method": METHOD["share"] + (", corrected for coding error"
                                                  if r.corrected else ""),
                     "text": (f"{r.speaker.title()} at {meeting_label(r.meeting)}: "
                              f"{labels[r.issue]}, {format_share(r.share)} of his sentences "
                              f"(95% interval {share_range(r.ci_low, r.ci_high)}; {r.measure} "
                              f"measure, n = {r.total_sentences}).")})
    m = len(ids)
    jobs = [(c, measure) for c in comparisons(cells["lexicon"], speakers) for measure in MEASURES
            if all(k in cells.get(measure, {}) for k in ((c["meeting"], c["speaker"]),
                                                         (c["compare_meeting"],
                                                          c["compare_speaker"])))]

    def contrast(job):  # one contrast and measure; threads share the work (NumPy releases
        c, measure = job  # the interpreter lock), each seeded by its own cells' names
        (a, ra), (b, rb) = (cells[measure][(c["meeting"], c["speaker"])],
                            cells[measure][(c["compare_meeting"], c["compare_speaker"])])
        return contrasts.compare_cells(a, b, seed, measure, (ra, rb), n_perm,
                                       detect_at=(ALPHA / m, ALPHA) if power else ())

    for (c, measure), res in zip(jobs, config.map_threads(contrast, jobs)):
        a_key, b_key = (c["meeting"], c["speaker"]), (c["compare_meeting"], c["compare_speaker"])
        (a, ra), (b, rb) = cells[measure][a_key], cells[measure][b_key]
        a_rows, b_rows = rows_of(measure, a_key), rows_of(measure, b_key)
        usable = res["estimate"].notna()  # the lexicon may be unable to separate an issue
        res["p_adjusted"] = float("nan")
        if usable.any():
            res.loc[usable, "p_adjusted"] = multipletests(res.loc[usable, "p_value"],
                                                          method=MULTIPLICITY)[1]
        res = res.rename(columns={f"mde@{ALPHA / m:g}": "mde",
                                  f"mde@{ALPHA:g}": "mde_unadjusted"})
        tag = (f"{c['meeting']}:{c['speaker']}-vs-{c['compare_speaker']}"
               if c["kind"] == "difference" else
               f"{c['speaker']}:{c['compare_meeting']}-to-{c['meeting']}")
        common = {**c, "measure": measure, "figure": "04-" + tag.replace(":", "-"),
                  "n_sentences": a.n, "n_sentences_compare": b.n,
                  "setting": " vs ".join([of(a_rows), of(b_rows)]),
                  "sources": sources(a_rows, b_rows),
                  "method": METHOD["contrast"]}
        for k, issue in enumerate(ids):
            row = {**common, "issue": issue,
                   **{col: res[col].iloc[k] for col in res.columns}}
            extra = (cell_caveats(a_rows, *a_key, issue, manifest, labels[issue])
                     + cell_caveats(b_rows, *b_key, issue, manifest, labels[issue]))
            if measure == "lexicon" and (ra is None or rb is None):
                extra.append("lexicon shares not corrected for coding error (no hand "
                             "codes in other sources to estimate it from)")
            row["caveat"] = "; ".join(dict.fromkeys(extra))
            row["supported"] = bool(row["p_adjusted"] < ALPHA
                                    and (row["ci_low"] > 0 or row["ci_high"] < 0))
            row["finding"] = f"{c['kind']}:{measure}:{tag}:{issue}"
            if pd.isna(row["estimate"]):
                row["text"] = (f"{labels[issue]}: the {measure} measure cannot separate "
                               "this issue in these cells, so there is no estimate.")
            elif power:
                row["text"] = finding_text(row, labels,
                                           share.loc[(measure, *a_key, issue), "share"],
                                           share.loc[(measure, *b_key, issue), "share"])
            rows.append(row)
        if not power:
            continue
        ov = inference.agenda_overlap(a, b, seed, n_boot, measure=measure)
        caveat = "; ".join(cell_caveats(a_rows, *a_key, None, manifest)
                           + cell_caveats(b_rows, *b_key, None, manifest))
        o = {**common, "kind": "overlap", "kind_of": c["kind"],
             "finding": f"overlap:{measure}:{tag}", "figure": "04-agenda-overlap",
             "n_turns": len(a.sizes), "n_turns_compare": len(b.sizes),
             **{k: ov[k] for k in ("estimate", "ci_low", "ci_high", "ceiling",
                                   "ceiling_low", "ceiling_high")},
             "p_value": ov["p_identical"], "p_adjusted": ov["p_identical"],
             "supported": bool(ov["p_identical"] < ALPHA), "caveat": caveat,
             "method": METHOD["overlap"]}
        o["text"] = overlap_text(o)
        rows.append(o)
    out = pd.DataFrame(rows).reindex(columns=COLUMNS)
    out["supported"] = out["supported"].astype("boolean")
    for col in ("n_sentences", "n_sentences_compare", "n_turns", "n_turns_compare"):
        out[col] = out[col].astype("Int64")
    return out.fillna({c: "" for c in ("compare_meeting", "compare_speaker", "issue", "figure",
                                       "caveat", "setting", "sources")})


def robustness(coded_by_rule: dict[str, pd.DataFrame], rule: str, lexicon: list[Issue],
               salience: pd.DataFrame, gold: pd.DataFrame | None = None,
               speakers=config.PRINCIPALS, seed: int = config.SEED,
               n_perm: int = N_PERM,
               manifest: dict[str, dict] | None = None,
               headline: pd.DataFrame | None = None) -> pd.DataFrame:
    """The contrasts again, changing one choice at a time: which conclusions move?

    Variants: the resampling unit (``UNITS``), the context rule (every rule in
    ``coded_by_rule``; only the lexicon measure depends on it), and each less common setting
    of a cell that mixes settings, left out in turn. Returns the contrast rows of every
    variant with ``unit``, ``rule`` and ``without``, and ``moved``: whether ``supported``
    differs from the headline row (``headline``, the findings table; computed if not given).
    """
    manifest = manifest or {}
    base = {"unit": "turn", "rule": rule, "without": ""}
    variants = [base] + [{**base, "unit": u} for u in UNITS if u != "turn"]
    variants += [{**base, "rule": r} for r in coded_by_rule if r != rule]
    coded = coded_by_rule[rule]
    settings = coded["source"].map({f: r.get("setting", "") for f, r in manifest.items()})
    principal = coded["speaker"].isin(list(speakers))
    mix = settings[principal].groupby([coded["meeting"], coded["speaker"]]).unique()
    common = settings[principal].mode()
    left_out = {s for v in mix if len(v) > 1 for s in v} - {""} - set(common)
    variants += [{**base, "without": s} for s in sorted(left_out)]
    out = []
    for v in variants:
        data = coded_by_rule[v["rule"]]
        if v["without"]:
            data = data[settings.reindex(data.index).ne(v["without"]).to_numpy()]
        if v == base and headline is not None:
            f = headline
        else:
            f = compute_findings(data, lexicon, salience, gold, speakers, seed,
                                 n_perm=n_perm, manifest=manifest, block=UNITS[v["unit"]],
                                 power=(v == base))
        f = f[f["kind"].isin(["difference", "change"])]
        out.append(f.assign(**v)[["unit", "rule", "without", "finding", "kind", "meeting",
                                  "speaker", "compare_meeting", "compare_speaker", "measure",
                                  "issue", "estimate", "ci_low", "ci_high", "p_value",
                                  "p_adjusted", "supported"]])
    table = pd.concat(out, ignore_index=True)
    head = table[(table["unit"] == "turn") & (table["rule"] == rule) & (table["without"] == "")]
    head = head.set_index("finding")["supported"]
    table["moved"] = (table["supported"].fillna(False).astype(bool)
                      != table["finding"].map(head).fillna(False).astype(bool))
    return table
