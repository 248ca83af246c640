"""The story of notebooks 02 and 03, computed: titles and readings of the vocabulary and
topic results, built from their tables.

As in :mod:`helpers.story`, nothing here holds a number, a name or a claim of its own; a
title or reading names only terms and topics that pass their stated checks, or says that
none does.
"""

from __future__ import annotations

import pandas as pd

from .findings import format_p as _p
from .findings import format_share as _pct
from .sources import meeting_label
from .story import listing

def _terms(k: pd.DataFrame, italic: bool = True) -> str:
    return listing(k["term"], italic=italic)


def passing_terms(k: pd.DataFrame, a: str, b: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The terms of a keyness table that pass the test: (more a's, more b's), by p."""
    p = k[k["passes_fdr"]].sort_values(["p_perm", "term"])
    return p[p["rate_difference"] > 0], p[p["rate_difference"] < 0]


def keyness_title(k: pd.DataFrame, where: str, a: str, b: str) -> str:
    """A keyness figure's title: only the terms that pass, or that none does."""
    pa_, pb = passing_terms(k, a, b)
    if pa_.empty and pb.empty:
        return f"{where}: no term passes the turn-level test"
    parts = [f"{who.title()}: {', '.join(t['term'].head(3))}"
             for who, t in ((a, pa_), (b, pb)) if len(t)]
    return f"{where}: " + "; ".join(parts) + " (pass the turn-level test)"


def keyness_reading(k: pd.DataFrame, where: str, a: str, b: str, min_tokens: int,
                    fdr: float) -> str:
    """What a keyness comparison shows: tested terms, the smallest attainable p, and the
    terms that pass (with rates and p), or that none does; untested words are not named."""
    tested = k[k["p_perm"].notna()]
    if tested.empty:
        return f"{where}: no term is used {min_tokens} times or more, so none is tested."
    pa_, pb = passing_terms(k, a, b)
    best = tested.sort_values(["p_perm", "term"]).iloc[0]
    head = (f"{where}, {len(tested)} terms are used at least {min_tokens} times and tested. "
            f"The smallest p-value any term can reach is {best['p_min']:.2g} "
            f"(one in {round(1 / best['p_min']):,} relabellings of the turns); the smallest "
            f"reached is {best['p_perm']:.2g}. ")
    if pa_.empty and pb.empty:
        return head + (f"**No term passes** at a false discovery rate of {fdr:.0%}: with "
                       "these few turns, no word's rate differs between the two men more "
                       "than relabelling whole answers allows.")
    def one(r):
        return (f"*{r.term}* ({getattr(r, f'per_1000_{a}'):.1f} against "
                f"{getattr(r, f'per_1000_{b}'):.1f} per 1,000 tokens, p {_p(r.p_perm)})")
    parts = [f"more {who.title()}'s: " + "; ".join(one(r) for r in t.itertuples())
             for who, t in ((a, pa_), (b, pb)) if len(t)]
    return head + f"Passing at a false discovery rate of {fdr:.0%}: " + "; ".join(parts) + "."


def rendering_note(sentences: pd.DataFrame, kinds: dict[str, str], speakers) -> str:
    """How each speaker's words reach us: translation and source kind, from the table."""
    out = []
    for sp in speakers:
        d = sentences[sentences["speaker"] == sp]
        how = d.groupby(["translation", d["source"].map(kinds)]).size().sort_values(
            ascending=False)
        out.append(f"{sp.title()}'s words come " + listing(
            [f"as {tr} from the {kind} ({n} sentences)" for (tr, kind), n in how.items()]))
    return ("**How the words reach us.** " + "; ".join(out) + ". Word choice in translation "
            "is the translator's, and captions mishear and drop words: a distinctive term "
            "says as much about the rendering as about the man.")


def renderings_reading(passing: dict[str, list[str]], overlap: int, top_k: int,
                       speaker: str) -> str:
    """Which passing terms survive in both renderings of the same passages."""
    names = list(passing)
    both = [t for t in passing[names[0]] if t in passing[names[1]]]
    if not any(passing.values()):
        head = (f"No term passes the test in either rendering ({' or '.join(names)}), so "
                "no distinctive term survives in both.")
    else:
        head = (f"Passing terms: {'; '.join(f'{n}: {listing(v, italic=True)}' for n, v in passing.items())}; "
                f"in both: {listing(both, italic=True)}.")
    return (head + f" Of {speaker.title()}'s {top_k} highest-ranked terms (by z, untested) in "
            f"one rendering, {overlap} are among the {top_k} highest in the other.")


def vocabulary_findings(tables: dict[str, pd.DataFrame], n_turns: dict[str, pd.Series],
                        a: str, b: str, fdr: float, agreement: tuple, renderings: str,
                        alone: list[str]) -> str:
    """The closing findings of notebook 02: per meeting compared (label → keyness table and
    turns per speaker), the meetings left out (``alone``: one man speaks), the independent
    computation's agreement and the renderings check."""
    out = []
    for where, k in tables.items():
        pa_, pb = passing_terms(k, a, b)
        tested = k[k["p_perm"].notna()]
        passed = ("no term passes the turn-level test" if pa_.empty and pb.empty else
                  "; ".join(f"more {who.title()}'s: {_terms(t)}"
                            for who, t in ((a, pa_), (b, pb)) if len(t)))
        turns = " and ".join(f"{n} of {sp.title()}'s" for sp, n in n_turns[where].items())
        p_min = f"{tested['p_min'].iloc[0]:.2g}" if len(tested) else "n/a"
        out.append(f"- **{where}** ({turns} turns): of {len(tested)} terms tested, {passed} "
                   f"(false discovery rate {fdr:.0%}; smallest attainable p {p_min}).")
    out.append("- Words used only once or twice per man are not tested and are not called "
               "distinctive.")
    if alone:
        out.append(f"- **Not compared:** {listing(alone)}, where only one of the two men "
                   "speaks in the sources; pooling it with the others would compare meetings "
                   "as much as men.")
    rho, n_ranked, _, _ = agreement
    out += [f"- **An independent computation** (scikit-learn's tokeniser, no stems) ranks the "
            f"rate differences with Spearman ρ = {rho:.2f} over the {n_ranked} terms used at "
            "least five times.",
            f"- **Renderings.** {renderings}",
            "- For what each man stressed, rely on the issue-level salience of notebook 04, "
            "which is checked against hand coding."]
    return "\n".join(out)


def _lead_topics(d: pd.DataFrame, a: str, b: str) -> tuple[list[str], list[str]]:
    """Topics where a's interval lies wholly above b's, and the other way round."""
    g = d.pivot(index="label", columns="speaker", values=["share", "ci_low", "ci_high"])
    ahead_a = g[g[("ci_low", a)] > g[("ci_high", b)]].index.tolist()
    ahead_b = g[g[("ci_low", b)] > g[("ci_high", a)]].index.tolist()
    return ahead_a, ahead_b


def prevalence_title(prev: pd.DataFrame, meeting: str, a: str = "lavrov",
                     b: str = "pompeo") -> str:
    """A prevalence figure's title: the topics where one man's 95% interval lies above the
    other's (and it says so), or that none does. It never names one topic for both men."""
    d = prev[(prev["meeting"] == meeting) & prev["speaker"].isin([a, b])]
    ahead_a, ahead_b = _lead_topics(d, a, b)
    where = meeting_label(meeting)
    if not ahead_a and not ahead_b:
        return f"{where}: no topic separates {a.title()} and {b.title()}"
    return f"{where}: " + "; ".join(f"{who.title()} ahead on {listing(t)}"
                                    for who, t in ((a, ahead_a), (b, ahead_b)) if t) \
        + " (95% intervals apart)"


def prevalence_separation(prev: pd.DataFrame, meeting: str, a: str = "lavrov",
                          b: str = "pompeo") -> str:
    """The reading under a prevalence figure, from the same intervals as its title."""
    d = prev[(prev["meeting"] == meeting) & prev["speaker"].isin([a, b])]
    ahead_a, ahead_b = _lead_topics(d, a, b)
    return (f"In {meeting_label(meeting)}, the 95% intervals separate with {a.title()} ahead "
            f"on {listing(ahead_a, italic=True)} and {b.title()} ahead on "
            f"{listing(ahead_b, italic=True)}; the other topics overlap.")


def k_reading(summary: pd.DataFrame, chosen: dict, model: str, min_stability: float,
              n_seeds: int) -> str:
    """How k was chosen: the rule's numbers and the spread over seeds."""
    d = summary[summary["model"] == model].set_index("k")
    ok = d[d["stability_mean"] >= min_stability]
    k = chosen[model]
    r = d.loc[k]
    if ok.empty:
        rule = (f"no k reaches mean stability {min_stability}, so the rule falls back to the "
                f"most stable k, **k = {k}**")
    else:
        best = ok["coherence_mean"].idxmax()
        b = ok.loc[best]
        rule = (f"among the k with mean stability ≥ {min_stability}, the most coherent is "
                f"k = {best} ({b['coherence_mean']:.3f}, seed-to-seed sd "
                f"{b['coherence_std']:.3f}); the smallest k within one sd of it is "
                f"**k = {k}**")
    return (f"{model.upper()}: {rule}, with coherence {r['coherence_mean']:.3f} ± "
            f"{r['coherence_std']:.3f} and stability {r['stability_mean']:.3f} ± "
            f"{r['stability_std']:.3f} (mean ± sd over {n_seeds} seeds). Across k, mean "
            f"coherence runs from {d['coherence_mean'].min():.3f} to "
            f"{d['coherence_mean'].max():.3f}, and the sd over seeds from "
            f"{d['coherence_std'].min():.3f} to {d['coherence_std'].max():.3f}.")


def label_check_reading(check: pd.DataFrame, min_npmi: float, min_positive: int) -> str:
    """Which topics earn their issue label, and why the others do not."""
    if check.empty:
        return "No stable topic carries a candidate label, so no topic is labelled."
    out = []
    for r in check.itertuples():
        why = [w for w, bad in (
            ("it is not stable across seeds", not r.stable),
            (f"its coherence is {r.npmi:.2f}, not above {min_npmi}", r.npmi <= min_npmi),
            ("its AUC interval includes chance", not r.auc_low > 0.5),
            (f"only {r.n_positive} documents are about the issue", r.n_positive < min_positive),
            (f"it separates Russian from American speakers better (AUC {r.speaker_auc:.2f})",
             not r.auc > r.speaker_auc)) if bad]
        verdict = "**earns the label**" if r.earned else "is **not labelled**: " + "; ".join(why)
        out.append(f"- Topic {r.topic} as *{r.issue}*: AUC {r.auc:.2f} ({r.auc_low:.2f}–"
                   f"{r.auc_high:.2f}, {r.n_positive} of {r.n_coded} documents about it), "
                   f"speaker AUC {r.speaker_auc:.2f}, NPMI {r.npmi:.2f}; it {verdict}.")
    return "\n".join(out)


def prevalence_lines(prev: pd.DataFrame, hand: pd.DataFrame, speakers) -> list[str]:
    """Each speaker's largest topic per meeting, read against the hand coding: a labelled
    topic is set beside the hand-coded share of its issue (and called his emphasis only where
    the intervals agree); an unlabelled topic is not read as an issue."""
    out = []
    for sp in speakers:
        d = prev[prev["speaker"] == sp].sort_values(["share", "topic"], ascending=[False, True])
        parts = []
        for r in d.drop_duplicates("meeting").itertuples():
            s = (f"*{r.label}* ({_pct(r.share)}, {_pct(r.ci_low)}–{_pct(r.ci_high)}) in "
                 f"{meeting_label(r.meeting)}")
            h = hand[(hand["topic"] == r.topic) & (hand["meeting"] == r.meeting)
                     & (hand["speaker"] == sp)]
            if r.label.startswith("unlabelled"):
                s += ", a topic without an issue label, so not read as an issue"
            for x in h.itertuples():
                s += (f"; the hand coding gives *{x.issue}* {_pct(x.hand_share)} "
                      f"({_pct(x.hand_low)}–{_pct(x.hand_high)})" +
                      (", consistent with it" if x.agree else
                       ": the intervals do not overlap, so the topic share is not his "
                       "emphasis on the issue"))
            parts.append(s)
        if parts:
            out.append(f"- **{sp.title()}'s largest topic:** " + "; ".join(parts) + ".")
    return out
