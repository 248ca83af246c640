"""Titles and readings of notebooks 02 (vocabulary) and 03 (topics), from their tables.

A title or reading names only terms and topics that pass their stated checks, or says that
none does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .parameters import MIN_TOKENS_TESTED
from .sources import meeting_label
from .story import format_p, format_share, listing, plural, share_range


# ---- notebook 02: vocabulary
def tokens_reading(n_words: int, tok: pd.DataFrame) -> str:
    """Words to content tokens and terms, and whether "New START" stays one term."""
    return (f"The principals' {n_words:,} canonical words become {len(tok):,} content tokens and "
            f"{tok['term'].nunique():,} distinct terms: stop words and numbers take "
            f"{1 - len(tok) / n_words:.0%} of the words. "
            + ("\"New START\" survives as one term." if (tok["term"] == "new_start").any() else ""))


def stopwords_reading(general: frozenset[str], domain: pd.DataFrame) -> str:
    """The sizes of the general and domain stop lists."""
    return (f"The general list has {len(general)} words; the domain list adds {len(domain)} "
            f"words in {domain['category'].nunique()} categories.")


def collocations_reading(proposals: pd.DataFrame) -> str:
    """Which of the collocation finder's proposals are in the curated list (``kept``)."""
    kept = proposals["kept"]
    return (f"Of the finder's {len(proposals)} strongest proposals, {int(kept.sum())} are in the "
            f"curated list ({listing(proposals.loc[kept, 'phrase'], italic=True)}). The others, "
            f"such as {listing(proposals.loc[~kept, 'phrase'], 4, italic=True)}, are free "
            "combinations or fragments of longer names, and stay as separate words.")


def idf_reading(x, n_documents: int) -> str:
    """How few distinct IDF values ``n_documents`` documents allow (``x``: counts)."""
    n_idf = len(np.unique(np.round(np.log((1 + n_documents) / (1 + (x > 0).sum(axis=0).A1)), 9)))
    return (f"**How far to trust IDF here.** With {n_documents} documents, the IDF takes only "
            f"{n_idf} distinct values: a term is in one document, in some, or in all. It "
            "separates \"said by one speaker only\" from \"said by everyone\", and nothing finer. "
            "A sturdier alternative uses each speaker's *turns* as documents (many more, so IDF "
            "is graded) and averages the turn-level TF-IDF per speaker and meeting. How many of "
            "the top terms survive that change?")


def tfidf_reading(top_terms: pd.DataFrame) -> str:
    """What the table of top TF-IDF terms per speaker and meeting does and does not show."""
    return (f"TF-IDF ranks terms within one document; it tests nothing. The {len(top_terms)} "
            "entries above describe what each man said most at a meeting, not what sets him "
            "apart: that is the test of the next section.")


def survival_reading(docs_t: pd.DataFrame, survive: dict, top_n: int) -> str:
    """How many top terms survive turn-level documents, per speaker and meeting."""
    n_turns = docs_t.groupby(["speaker", "meeting"]).size()
    return (f"With {len(docs_t)} turns as documents, the top-{top_n} terms that survive are: "
            + "; ".join(f"{s.title()} in {meeting_label(m)}, {v} of {top_n} "
                        f"({plural(n_turns[(s, m)], 'turn')})" for (s, m), v in survive.items())
            + ". A cell with one or few turns barely changes or changes completely; treat "
            "single-document TF-IDF lists as descriptive, not as evidence.")


def passing_terms(k: pd.DataFrame, a: str, b: str) -> dict[str, pd.DataFrame]:
    """The terms of a keyness table that pass the test, by p: {a: more a's, b: more b's},
    leaving out a side with none."""
    p = k[k["passes_fdr"]].sort_values(["p_perm", "term"])
    sides = {a: p[p["rate_difference"] > 0], b: p[p["rate_difference"] < 0]}
    return {who: t for who, t in sides.items() if len(t)}


def keyness_title(k: pd.DataFrame, where: str, a: str, b: str) -> str:
    """A keyness figure's title: only the terms that pass, or that none does."""
    passing = passing_terms(k, a, b)
    if not passing:
        return f"{where}: no term passes the turn-level test"
    return (f"{where}: " + "; ".join(f"{who.title()}: {', '.join(t['term'].head(3))}"
                                     for who, t in passing.items())
            + " (pass the turn-level test)")


def keyness_reading(k: pd.DataFrame, where: str, a: str, b: str, min_tokens: int,
                    fdr: float) -> str:
    """Tested terms, the smallest attainable p, and the terms that pass (with rates and p),
    or that none does; untested words are not named."""
    tested = k[k["p_perm"].notna()]
    if tested.empty:
        return f"{where}: no term is used {min_tokens} times or more, so none is tested."
    passing = passing_terms(k, a, b)
    best = tested.sort_values(["p_perm", "term"]).iloc[0]
    head = (f"{where}, {len(tested)} terms are used at least {min_tokens} times and tested. "
            f"The smallest p-value any term can reach is {best['p_min']:.2g} "
            f"(one in {round(1 / best['p_min']):,} relabellings of the turns); the smallest "
            f"reached is {best['p_perm']:.2g}. ")
    if not passing:
        return head + (f"**No term passes** at a false discovery rate of {fdr:.0%}: with "
                       "these few turns, no word's rate differs between the two men more "
                       "than relabelling whole answers allows.")
    parts = [f"more {who.title()}'s: " + "; ".join(
        f"*{r['term']}* ({r[f'per_1000_{a}']:.1f} against {r[f'per_1000_{b}']:.1f} per 1,000 "
        f"tokens, p {format_p(r['p_perm'])})" for _, r in t.iterrows())
        for who, t in passing.items()]
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
        head = ("Passing terms: " + "; ".join(f"{n}: {listing(v, italic=True)}"
                                             for n, v in passing.items())
                + f"; in both: {listing(both, italic=True)}.")
    return (head + f" Of {speaker.title()}'s {top_k} highest-ranked terms (by z, untested) in "
            f"one rendering, {overlap} are among the {top_k} highest in the other.")


def independent_reading(agreement: tuple, min_tokens: int) -> str:
    """The rank correlation with an independent computation, and sign agreement."""
    rho, n_ranked, sign_agree, n_passing = agreement
    return (f"Spearman ρ = {rho:.2f} over the {n_ranked} terms used at least {min_tokens} "
            "times. " + ("No term passes, so there is no sign to compare." if n_passing == 0 else
                         f"{sign_agree:.0%} of the {n_passing} passing terms have the same sign "
                         "in both."))


def vocabulary_findings(tables: dict[str, pd.DataFrame], n_turns: dict[str, pd.Series],
                        a: str, b: str, fdr: float, agreement: tuple, renderings: str,
                        alone: list[str]) -> str:
    """Notebook 02's closing findings: per meeting compared (label → keyness table, and turns
    per speaker), the meetings left out (``alone``: one man speaks), the independent
    computation's agreement and the renderings check."""
    out = []
    for where, k in tables.items():
        tested = k[k["p_perm"].notna()]
        passed = ("; ".join(f"more {who.title()}'s: {listing(t['term'], italic=True)}"
                            for who, t in passing_terms(k, a, b).items())
                  or "no term passes the turn-level test")
        turns = " and ".join(f"{n} of {sp.title()}'s" for sp, n in n_turns[where].items())
        p_min = f"{tested['p_min'].iloc[0]:.2g}" if len(tested) else "n/a"
        out.append(f"- **{where}** ({turns} turns): of {len(tested)} terms tested, {passed} "
                   f"(false discovery rate {fdr:.0%}; smallest attainable p {p_min}).")
    out.append(f"- Words the two men use fewer than {MIN_TOKENS_TESTED} times together are not "
               "tested and are not called distinctive.")
    if alone:
        out.append(f"- **Not compared:** {listing(alone)}, where only one of the two men "
                   "speaks in the sources; pooling it with the others would compare meetings "
                   "as much as men.")
    rho, n_ranked, _, _ = agreement
    out += [f"- **An independent computation** (scikit-learn's tokeniser, no stems) ranks the "
            f"rate differences with Spearman ρ = {rho:.2f} over the {n_ranked} terms used at "
            f"least {MIN_TOKENS_TESTED} times.",
            f"- **Renderings.** {renderings}",
            "- For what each man stressed, rely on the issue-level salience of notebook 04, "
            "which is checked against hand coding."]
    return "\n".join(out)


# ---- notebook 03: topics
def documents_reading(shape: tuple[int, int], docs: pd.DataFrame, cells: pd.Series,
                      window: int) -> str:
    """The document-term matrix (``shape``) and each cell's number of documents."""
    return (f"{shape[0]} documents of {window} sentences at most, {shape[1]:,} terms, a median "
            f"of {int(docs['n_tokens'].median())} content tokens per document. "
            + "; ".join(f"{sp.title()} has {n} in {meeting_label(m)}"
                        for (m, sp), n in cells.items()) + ".")


def reference_reading(n_reference: int, n_fitting: int, in_reference: float) -> str:
    """The held-out reference windows and the share of terms they can test."""
    return (f"The reference has {n_reference} windows, none of them among the {n_fitting} "
            f"fitting windows; {in_reference:.0%} of the model's terms occur in two or more of "
            "them, so only those can show co-occurrence. Part of the reference renders the same "
            "passages in other words (the interpreter), so it is held out by document, not by "
            "subject.")


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


def weightless_reading(weightless: list[str]) -> str:
    """The documents that some refit gives no topic weight."""
    if not weightless:
        return "Every document has topic weight in every refit."
    n = len(weightless)
    return (f"{plural(n, 'document')} get no topic weight in some refit and "
            f"{'are' if n != 1 else 'is'} left out of prevalence and validation: "
            + listing(weightless) + ".")


def topics_reading(overview: pd.DataFrame, model: str, k: int, stable_cosine: float,
                   stable_share: float) -> str:
    """How many of a model's topics are stable, and their range of NPMI and exclusivity."""
    o = overview[overview["model"] == model]
    return (f"**{model.upper()}, k = {k}:** {int(o['stable'].sum())} of {len(o)} topics are "
            f"stable (matched cosine ≥ {stable_cosine} in at least {stable_share:.0%} of the "
            f"other refits); NPMI from {o['npmi'].min():.2f} to {o['npmi'].max():.2f}, "
            f"exclusivity from {o['exclusivity'].min():.2f} to {o['exclusivity'].max():.2f}.")


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


def _mapped(earned: pd.DataFrame) -> set[str]:
    """The issues that some topic of ``earned`` is labelled with."""
    return {i for s in earned["issues"] for i in s.split(";") if i}


def labels_reading(earned: pd.DataFrame, carried: pd.DataFrame, n_issues: int) -> str:
    """How many NMF topics (``earned``) earn a label, issues covered, and new topics."""
    new = carried[carried["status"] == "new"]
    return (f"{int(earned['labelled'].sum())} of {len(earned)} NMF topics earn an issue label"
            + (f" ({listing(earned.loc[earned['labelled'], 'label'], italic=True)})"
               if earned["labelled"].any() else "")
            + f"; {len(_mapped(earned))} of the {n_issues} issues have a labelled topic."
            + ("" if new.empty else " New topics with no candidate label: "
               + "; ".join(f"{r.model.upper()} topic {r.topic}" for r in new.itertuples()) + "."))


def refit_spread_reading(spread: pd.DataFrame) -> str:
    """How far one refit's shares move, against the width of the averaged shares' intervals."""
    w = spread.loc[spread["seed_range"].idxmax()]
    return (f"Across single refits, a cell's share moves by at most {w['seed_range']:.1%} "
            f"({w['speaker'].title()}, *{w['label']}*, {meeting_label(w['meeting'])}: "
            f"{w['seed_min']:.0%} to {w['seed_max']:.0%}); the median range is "
            f"{spread['seed_range'].median():.1%}. The intervals of the averaged shares are "
            f"{spread['ci_width'].median():.0%} wide at the median.")


def _lead_topics(prev: pd.DataFrame, meeting: str, a: str, b: str) -> dict[str, list[str]]:
    """At one meeting, the topics where a's interval lies wholly above b's, and b's above a's."""
    d = prev[(prev["meeting"] == meeting) & prev["speaker"].isin([a, b])]
    g = d.pivot(index="label", columns="speaker", values=["ci_low", "ci_high"])
    return {x: g[g[("ci_low", x)] > g[("ci_high", y)]].index.tolist() for x, y in ((a, b), (b, a))}


def prevalence_title(prev: pd.DataFrame, meeting: str, a: str = "lavrov",
                     b: str = "pompeo") -> str:
    """A prevalence figure's title: the topics where one man's 95% interval lies above the
    other's (and it says so), or that none does. It never names one topic for both men."""
    ahead = _lead_topics(prev, meeting, a, b)
    where = meeting_label(meeting)
    if not any(ahead.values()):
        return f"{where}: no topic separates {a.title()} and {b.title()}"
    return (f"{where}: " + "; ".join(f"{who.title()} ahead on {listing(t)}"
                                     for who, t in ahead.items() if t)
            + " (95% intervals apart)")


def prevalence_separation(prev: pd.DataFrame, meeting: str, a: str = "lavrov",
                          b: str = "pompeo") -> str:
    """The reading under a prevalence figure, from the same intervals as its title."""
    ahead = _lead_topics(prev, meeting, a, b)
    return (f"In {meeting_label(meeting)}, the 95% intervals separate with {a.title()} ahead "
            f"on {listing(ahead[a], italic=True)} and {b.title()} ahead on "
            f"{listing(ahead[b], italic=True)}; the other topics overlap.")


def hand_reading(hand: pd.DataFrame) -> str:
    """Whether labelled topics' shares agree with the hand coding within their intervals."""
    if hand.empty:
        return ("No NMF topic earns an issue label, so no topic share is read as a man's "
                "emphasis on an issue; notebook 04's hand-coded and lexicon shares are the "
                "measure.")
    return (f"{int(hand['agree'].sum())} of {len(hand)} labelled topic-cell pairs agree with the "
            "hand coding within their intervals"
            + ("." if hand["agree"].all() else "; where they do not, the topic share is not the "
               "speaker's emphasis on the issue."))


def prevalence_lines(prev: pd.DataFrame, hand: pd.DataFrame, speakers) -> list[str]:
    """Each speaker's largest topic per meeting, read against the hand coding: a labelled
    topic is set beside the hand-coded share of its issue (and called his emphasis only where
    the intervals agree); an unlabelled topic is not read as an issue."""
    out = []
    for sp in speakers:
        d = prev[prev["speaker"] == sp].sort_values(["share", "topic"], ascending=[False, True])
        parts = []
        for r in d.drop_duplicates("meeting").itertuples():
            s = (f"*{r.label}* ({format_share(r.share)}, {share_range(r.ci_low, r.ci_high)}) in "
                 f"{meeting_label(r.meeting)}")
            h = hand[(hand["topic"] == r.topic) & (hand["meeting"] == r.meeting)
                     & (hand["speaker"] == sp)]
            if r.label.startswith("unlabelled"):
                s += ", a topic without an issue label, so not read as an issue"
            for x in h.itertuples():
                s += (f"; the hand coding gives *{x.issue}* {format_share(x.hand_share)} "
                      f"({share_range(x.hand_low, x.hand_high)})" +
                      (", consistent with it" if x.agree else
                       ": the intervals do not overlap, so the topic share is not his "
                       "emphasis on the issue"))
            parts.append(s)
        if parts:
            out.append(f"- **{sp.title()}'s largest topic:** " + "; ".join(parts) + ".")
    return out


def topic_findings(summary: pd.DataFrame, chosen: dict, earned: pd.DataFrame,
                   prev: pd.DataFrame, hand: pd.DataFrame, n_documents: int, n_issues: int,
                   min_stability: float, n_seeds: int) -> str:
    """Notebook 03's closing section: the chosen model, labels, largest topics, caveats."""
    return "\n".join([
        "- **Chosen model.** " + k_reading(summary, chosen, "nmf", min_stability, n_seeds),
        f"- **Labels:** {int(earned['labelled'].sum())} of {chosen['nmf']} NMF topics earn an "
        "issue label against the hand coding. The topics: "
        + listing(earned["label"], italic=True) + ".",
        *prevalence_lines(prev, hand, ("lavrov", "pompeo")),
        f"- **How far to trust them.** With {n_documents} documents, a topic model finds only "
        f"the few biggest themes, and {n_issues - len(_mapped(earned))} of the {n_issues} issues "
        "have no labelled topic. An unlabelled topic may be a way of speaking (a register, a "
        "translator's idiom) rather than an issue. For what each man stressed, use the "
        "hand-coded and lexicon salience of notebook 04.",
    ])
