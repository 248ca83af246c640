"""Issue salience: code sentences with the issue lexicon and measure each speaker's agenda.

Chain: ``load_lexicon`` → ``code_sentences`` (direct matches, then context inheritance
within a turn) → ``compute_salience`` (shares with bootstrap intervals) and
``compute_agenda_overlap``; ``salience_evidence`` lists the sentences behind every number;
``score_coding`` measures the coding against the hand-coded sample.

Bootstrap. Resampling a cell's n sentences with replacement makes each issue's count
Binomial(n, share), so salience intervals come from binomial quantiles (the exact bootstrap
percentile interval). For the agenda overlap, which needs the joint resample, a resample is
a multinomial draw of n over the distinct issue label-sets present (sentences with the same
labels are interchangeable), drawn B times in one vectorised, seeded call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .io import InputError

ISSUE_KEYS = {"id", "label", "description", "patterns", "exclude"}
INHERIT_MODES = ("none", "anaphora", "previous")
#: Openings that mark a sentence as continuing the topic of the sentence before it.
ANAPHORA = re.compile(
    r"^(?:and |but |so |also |then |now,? )?(?:it|its|it's|this|that|these|those|they|"
    r"theyre|they're|them|there|theres|there's|he|his|such|the (?:treaty|issue|proposal|"
    r"situation|question|investigation|dialogue|committee|resolution|president|reason)|"
    r"we (?:talked|spoke|discussed|agreed|believe|are|hope|want|made|laid|know|also)|"
    r"our (?:position|sanctions|actions|policy|two teams)|as (?:for|far as))\b", re.I)
#: How many sentences back a label may be inherited (through a chain of inherited labels).
MAX_INHERIT = 3
#: Short courtesies never inherit ("Thank you, sir.").
COURTESY = re.compile(r"^(?:thank|thanks|welcome|good (?:afternoon|morning|evening)|"
                      r"ladies and gentlemen)\b", re.I)


@dataclass(frozen=True)
class Issue:
    id: str
    label: str
    description: str
    pattern: re.Pattern
    exclude: re.Pattern | None
    patterns: tuple[str, ...]


def load_lexicon(path: Path | None = None) -> list[Issue]:
    """Read and validate the issue lexicon (YAML list); errors name the entry and id."""
    import yaml

    path = Path(path) if path is not None else config.paths()["lexicons"] / "issues.yml"
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        line = getattr(getattr(err, "problem_mark", None), "line", None)
        raise InputError(path, f"not valid YAML: {err}",
                         line=None if line is None else line + 1) from None
    if not isinstance(entries, list) or not entries:
        raise InputError(path, "the lexicon must be a non-empty list of issues")
    issues, seen = [], set()
    for row, e in enumerate(entries, start=1):
        iid = e.get("id") if isinstance(e, dict) else None

        def bad(msg: str) -> InputError:
            return InputError(path, f"issue {iid!r}: {msg}", row=row)
        if not isinstance(e, dict):
            raise bad("each entry must be a mapping with id, label, description, patterns")
        unknown = set(e) - ISSUE_KEYS
        if unknown:
            raise bad(f"unknown keys {sorted(unknown)}")
        if not iid or not re.fullmatch(r"[a-z][a-z0-9_]*", str(iid)):
            raise bad("id must be lower-case letters, digits and underscores")
        if iid in seen:
            raise bad("duplicate id")
        seen.add(iid)
        for key in ("label", "description"):
            if not str(e.get(key) or "").strip():
                raise bad(f"missing {key}")
        pats = e.get("patterns") or []
        if not isinstance(pats, list) or not pats or not all(
                isinstance(p, str) and p.strip() for p in pats):
            raise bad("patterns must be a non-empty list of non-empty strings")
        compiled = []
        for p in pats + list(e.get("exclude") or []):
            try:
                compiled.append(re.compile(p, re.I))
            except re.error as err:
                raise bad(f"invalid pattern {p!r}: {err}") from None
        joined = re.compile("|".join(f"(?:{p})" for p in pats), re.I)
        excl = e.get("exclude") or []
        issues.append(Issue(iid, str(e["label"]), str(e["description"]), joined,
                            re.compile("|".join(f"(?:{p})" for p in excl), re.I) if excl
                            else None, tuple(pats)))
    return issues


def issue_ids(lexicon: list[Issue]) -> list[str]:
    return [i.id for i in lexicon]


def _on_lowered(rx: re.Pattern) -> re.Pattern:
    """Return ``rx`` without IGNORECASE when it has no upper-case letter (outside escapes).

    Such a pattern matches lower-cased text exactly as the case-insensitive one matches the
    original, and Python's regex engine runs about twice as fast without IGNORECASE.
    """
    if any(ch.isupper() for ch in re.sub(r"\\.", "", rx.pattern)):
        return rx
    return re.compile(rx.pattern)


def match_issues(texts: pd.Series, lexicon: list[Issue]) -> pd.DataFrame:
    """Return a boolean frame (sentences × issue ids) of direct lexicon matches.

    Text is lower-cased once; ``exclude`` is only tested on the sentences that matched.
    """
    import warnings

    low = texts.str.lower()
    out = {}
    with warnings.catch_warnings():  # groups in user patterns are fine: we only test matches
        warnings.simplefilter("ignore", UserWarning)
        for issue in lexicon:
            hit = low.str.contains(_on_lowered(issue.pattern), regex=True).to_numpy(dtype=bool)
            if issue.exclude is not None and hit.any():
                idx = np.flatnonzero(hit)
                hit = hit.copy()
                hit[idx] = ~low.iloc[idx].str.contains(_on_lowered(issue.exclude),
                                                       regex=True).to_numpy(dtype=bool)
            out[issue.id] = hit
    return pd.DataFrame(out, index=texts.index)


def inherit_issues(direct: pd.DataFrame, sentences: pd.DataFrame,
                   mode: str = "anaphora", max_back: int = MAX_INHERIT) -> pd.DataFrame:
    """Give uncoded sentences the issues of the sentence before them in the same turn.

    ``mode="anaphora"``: only sentences that open with a continuation cue ("It was a major
    part of our conversations.", "We talked about that …"); ``"previous"``: every uncoded
    sentence except courtesies; ``"none"``: no inheritance. Labels pass down a chain of at
    most ``max_back`` sentences. Rows must be in source order. Vectorised over rows: each
    of the ``max_back`` steps is one shifted comparison.
    """
    if mode not in INHERIT_MODES:
        raise ValueError(f"inherit must be one of {INHERIT_MODES}")
    labels = direct.to_numpy().copy()
    if mode == "none" or len(labels) == 0:
        return pd.DataFrame(labels, index=direct.index, columns=direct.columns)
    texts = sentences["text"]
    eligible = ~labels.any(axis=1) & ~texts.str.match(COURTESY).to_numpy()
    if mode == "anaphora":
        eligible &= texts.str.match(ANAPHORA).to_numpy()
    group = (sentences["source"].astype(str) + "\x00" + sentences["turn"].astype(str)).to_numpy()
    for _ in range(max_back):
        same = np.zeros(len(labels), dtype=bool)
        same[1:] = group[1:] == group[:-1]
        prev = np.zeros_like(labels)
        prev[1:] = labels[:-1]
        take = eligible & same & ~labels.any(axis=1) & prev.any(axis=1)
        if not take.any():
            break
        labels[take] = prev[take]
    return pd.DataFrame(labels, index=direct.index, columns=direct.columns)


def code_sentences(sentences: pd.DataFrame, lexicon: list[Issue],
                   inherit: str = "anaphora") -> pd.DataFrame:
    """Return ``sentences`` (in source order) with one boolean column per issue and ``via``.

    ``via`` is "direct" when the lexicon matched, "inherited" when the labels came from the
    context, and "" when the sentence names no issue.
    """
    s = sentences.sort_values(["source", "sentence"], kind="stable")
    direct = match_issues(s["text"], lexicon)
    coded = inherit_issues(direct, s, inherit)
    via = np.where(direct.to_numpy().any(axis=1), "direct",
                   np.where(coded.to_numpy().any(axis=1), "inherited", ""))
    return pd.concat([s, coded], axis=1).assign(via=via)


def cell_rng(seed: int, *keys: str) -> np.random.Generator:
    """A generator for one cell, from the master seed and the cell's names.

    Each cell's intervals are then the same whichever other cells are computed with it.
    """
    import zlib

    return np.random.default_rng([seed, zlib.crc32("|".join(keys).encode())])


def _label_sets(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (unique label rows, counts) of a boolean matrix."""
    uniq, counts = np.unique(x, axis=0, return_counts=True)
    return uniq, counts


def compute_salience(coded: pd.DataFrame, lexicon: list[Issue],
                     speakers=("pompeo", "lavrov", "putin"),
                     level: float = 0.95) -> pd.DataFrame:
    """Salience of each issue for each speaker at each meeting, with bootstrap intervals.

    ``share`` is the share of the speaker's sentences at the meeting that concern the issue;
    ``share_words`` weights sentences by their words. Rows exist only for (meeting, speaker)
    cells with data. ``ci_low``/``ci_high`` are the percentile interval of the bootstrap over
    the cell's sentences. Resampling n sentences with replacement makes the count of issue
    sentences Binomial(n, share) exactly, so the interval is taken from that distribution's
    quantiles: the Monte Carlo bootstrap's limit as resamples grow, with no sampling noise
    and no seed to depend on. One vectorised pass over all cells and issues.
    """
    from scipy.stats import binom

    ids = issue_ids(lexicon)
    d = coded[coded["speaker"].isin(list(speakers))]
    keys = ["meeting", "speaker"]
    x = d[ids].astype(np.int64)
    w = d["n_words"].to_numpy(dtype=float)
    grouped = x.groupby([d["meeting"], d["speaker"]], sort=True)
    k = grouped.sum()  # cells × issues
    n = grouped.size().to_numpy()
    words = (x.mul(w, axis=0)).groupby([d["meeting"], d["speaker"]], sort=True).sum()
    total_words = pd.Series(w, index=d.index).groupby([d["meeting"], d["speaker"]],
                                                        sort=True).sum().to_numpy()
    share = k.to_numpy() / n[:, None]
    alpha = (1 - level) / 2
    lo = binom.ppf(alpha, n[:, None], share) / n[:, None]
    hi = binom.ppf(1 - alpha, n[:, None], share) / n[:, None]
    share_words = words.to_numpy() / np.where(total_words > 0, total_words, 1)[:, None]
    cells = k.index.to_frame(index=False)
    n_issues = len(ids)
    out = pd.DataFrame({
        "meeting": np.repeat(cells["meeting"].to_numpy(), n_issues),
        "speaker": np.repeat(cells["speaker"].to_numpy(), n_issues),
        "issue": np.tile(ids, len(cells)),
        "n_sentences": k.to_numpy().ravel(),
        "total_sentences": np.repeat(n, n_issues),
        "share": share.ravel(),
        "share_words": share_words.ravel(),
        "ci_low": np.minimum(lo.ravel(), share.ravel()),
        "ci_high": np.maximum(hi.ravel(), share.ravel()),
        "total_words": np.repeat(total_words.astype(np.int64), n_issues),
    })
    return out


def _js_similarity(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """1 − Jensen–Shannon distance (base 2) between rows of p and q (distributions)."""
    p = p / np.clip(p.sum(axis=-1, keepdims=True), 1e-12, None)
    q = q / np.clip(q.sum(axis=-1, keepdims=True), 1e-12, None)
    m = (p + q) / 2

    def kl(a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(a > 0, a * np.log2(a / np.where(b > 0, b, 1)), 0.0)
        return t.sum(axis=-1)
    return 1 - np.sqrt(np.clip((kl(p, m) + kl(q, m)) / 2, 0, 1))


def compute_agenda_overlap(coded: pd.DataFrame, lexicon: list[Issue], meeting: str,
                           a: str = "pompeo", b: str = "lavrov", n_boot: int = 2000,
                           seed: int = config.SEED, level: float = 0.95) -> dict:
    """Similarity (1 − JS distance) of two speakers' issue distributions at a meeting.

    The distribution is each speaker's issue mentions normalised to sum to one. The
    interval resamples each speaker's sentences independently (multinomial form).
    """
    ids = issue_ids(lexicon)
    dists, boots = [], []
    for speaker in (a, b):
        rng = cell_rng(seed, meeting, speaker, "overlap")
        d = coded[(coded["meeting"] == meeting) & (coded["speaker"] == speaker)]
        if d.empty:
            raise ValueError(f"no sentences for {speaker} at {meeting}")
        x = d[ids].to_numpy(dtype=bool)
        uniq, counts = _label_sets(x)
        dists.append(x.sum(axis=0).astype(float))
        boots.append(rng.multinomial(len(x), counts / len(x), size=n_boot) @ uniq)
    point = float(_js_similarity(dists[0], dists[1]))
    sims = _js_similarity(boots[0].astype(float), boots[1].astype(float))
    alpha = (1 - level) / 2
    lo, hi = np.quantile(sims, [alpha, 1 - alpha])
    return {"meeting": meeting, "a": a, "b": b, "similarity": point, "ci_low": float(lo),
            "ci_high": float(hi)}


def salience_evidence(coded: pd.DataFrame, lexicon: list[Issue],
                      speakers=("pompeo", "lavrov", "putin")) -> pd.DataFrame:
    """Every coded sentence behind every salience number, one row per sentence and issue."""
    ids = issue_ids(lexicon)
    d = coded[coded["speaker"].isin(list(speakers))]
    long = d.melt(id_vars=["meeting", "speaker", "sentence_id", "source", "char_start",
                           "char_end", "via", "text"], value_vars=ids, var_name="issue",
                  value_name="hit")
    long = long[long["hit"]].drop(columns="hit")
    cols = ["meeting", "speaker", "issue", "sentence_id", "source", "char_start", "char_end",
            "via", "text"]
    order = {i: k for k, i in enumerate(ids)}
    long = long.assign(_o=long["issue"].map(order), _s=long["sentence_id"])
    return long.sort_values(["meeting", "speaker", "_o", "source", "char_start"])[cols] \
        .reset_index(drop=True)


# --------------------------------------------------------------------------- validation
def load_validation(path: Path | None = None, lexicon: list[Issue] | None = None) -> pd.DataFrame:
    """Read the hand-coded sample; unknown issue ids or splits are errors naming the row."""
    path = Path(path) if path is not None else config.paths()["lexicons"] / "validation.csv"
    v = pd.read_csv(path, keep_default_na=False, dtype=str)
    need = {"sentence_id", "source", "speaker", "split", "issues", "text"}
    if need - set(v.columns):
        raise InputError(path, f"missing columns {sorted(need - set(v.columns))}", line=1)
    known = set(issue_ids(lexicon)) if lexicon else None
    for row, (split, issues) in enumerate(zip(v["split"], v["issues"]), start=1):
        if split not in {"tune", "test"}:
            raise InputError(path, f"split must be 'tune' or 'test', got {split!r}", row=row)
        for iid in filter(None, issues.split(";")):
            if known is not None and iid not in known:
                raise InputError(path, f"unknown issue id {iid!r}", row=row)
    if v["sentence_id"].duplicated().any():
        dup = v.index[v["sentence_id"].duplicated()][0] + 1
        raise InputError(path, "sentence_id listed twice", row=int(dup))
    return v


def gold_matrix(validation: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Boolean frame (sentence_id × issue) from the ';'-joined gold codes."""
    sets = validation["issues"].str.split(";")
    return pd.DataFrame({i: sets.map(lambda s, i=i: i in s).to_numpy() for i in ids},
                        index=validation["sentence_id"].to_numpy())


def score_coding(predicted: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall, F1 and support per issue, plus micro and macro averages.

    Both inputs are boolean frames with the same index (sentence ids) and issue columns.
    An issue with no predicted or no gold positives gets NaN for the undefined measure.
    """
    predicted = predicted.loc[gold.index, gold.columns].to_numpy(dtype=bool)
    g = gold.to_numpy(dtype=bool)
    tp = (predicted & g).sum(axis=0)
    fp = (predicted & ~g).sum(axis=0)
    fn = (~predicted & g).sum(axis=0)

    def prf(tp, fp, fn):
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
            r = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
            f = np.where((p + r) > 0, 2 * p * r / (p + r), np.nan)
        return p, r, f
    p, r, f = prf(tp, fp, fn)
    out = pd.DataFrame({"issue": list(gold.columns), "precision": p, "recall": r, "f1": f,
                        "support": g.sum(axis=0), "predicted": predicted.sum(axis=0)})
    mp, mr, mf = prf(tp.sum(), fp.sum(), fn.sum())
    micro = {"issue": "micro avg", "precision": float(mp), "recall": float(mr),
             "f1": float(mf), "support": int(g.sum()), "predicted": int(predicted.sum())}
    macro = {"issue": "macro avg", "precision": np.nanmean(p), "recall": np.nanmean(r),
             "f1": np.nanmean(f), "support": int(g.sum()), "predicted": int(predicted.sum())}
    return pd.concat([out, pd.DataFrame([micro, macro])], ignore_index=True)


def share_errors(coded: pd.DataFrame, validation: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Per (meeting, speaker, issue): lexicon share vs hand-coded share on the coded sample."""
    g = gold_matrix(validation, ids)
    d = coded.set_index("sentence_id").loc[g.index]
    rows = []
    for (meeting, speaker), cell in d.groupby(["meeting", "speaker"]):
        gold = g.loc[cell.index]
        for i in ids:
            rows.append({"meeting": meeting, "speaker": speaker, "issue": i,
                         "share_lexicon": cell[i].mean(), "share_hand": gold[i].mean()})
    out = pd.DataFrame(rows)
    return out.assign(abs_error=(out["share_lexicon"] - out["share_hand"]).abs())


# --------------------------------------------------------------------------- charts
def _labels(lexicon):
    return {i.id: i.label for i in lexicon}


def plot_salience_dots(sal: pd.DataFrame, lexicon: list[Issue], meeting: str,
                       speakers=("pompeo", "lavrov"), title: str | None = None):
    """Dot plot with intervals: each speaker's share of sentences per issue at one meeting."""
    import matplotlib.pyplot as plt

    from .figures import SPEAKER_COLOURS, SPEAKER_MARKERS, add_source_note

    d = sal[(sal["meeting"] == meeting) & sal["speaker"].isin(speakers)]
    order = (d.groupby("issue")["share"].max().sort_values().index.tolist())
    y = {iid: k for k, iid in enumerate(order)}
    labels = _labels(lexicon)
    fig, ax = plt.subplots(figsize=(6.5, 0.32 * len(order) + 1.2))
    offsets = np.linspace(-0.15, 0.15, len(speakers))
    for off, sp in zip(offsets, speakers):
        e = d[d["speaker"] == sp]
        ys = e["issue"].map(y).to_numpy() + off
        ax.errorbar(e["share"] * 100, ys, xerr=[(e["share"] - e["ci_low"]) * 100,
                                                (e["ci_high"] - e["share"]) * 100],
                    fmt=SPEAKER_MARKERS.get(sp, "o"), color=SPEAKER_COLOURS[sp], ms=5,
                    capsize=2, lw=1, label=sp.title())
    ax.set_yticks(range(len(order)), [labels[i] for i in order])
    ax.set_xlabel("Share of the speaker's sentences (%), with 95% bootstrap interval")
    ax.set_title(title or "Issue salience", loc="left")
    ax.legend(loc="lower right")
    add_source_note(fig)
    return fig


def plot_pompeo_change(sal: pd.DataFrame, lexicon: list[Issue], speaker: str = "pompeo",
                       meetings=("sochi-2019-05-14", "washington-2019-12-10"),
                       title: str | None = None):
    """Dumbbell chart: one speaker's share per issue at two meetings, with intervals."""
    import matplotlib.pyplot as plt

    from .figures import OKABE_ITO, add_source_note
    from .sources import meeting_label

    d = sal[(sal["speaker"] == speaker) & sal["meeting"].isin(meetings)]
    wide = d.pivot(index="issue", columns="meeting", values="share")
    order = (wide[meetings[1]] - wide[meetings[0]]).sort_values().index.tolist()
    labels = _labels(lexicon)
    fig, ax = plt.subplots(figsize=(6.5, 0.32 * len(order) + 1.2))
    for k, iid in enumerate(order):
        ax.plot(wide.loc[iid, list(meetings)] * 100, [k, k], color="#bbbbbb", lw=2, zorder=1)
    colours = [OKABE_ITO[1], OKABE_ITO[4]]
    for c, m, marker in zip(colours, meetings, ("o", "D")):
        e = d[d["meeting"] == m].set_index("issue").loc[order]
        ax.errorbar(e["share"] * 100, range(len(order)),
                    xerr=[(e["share"] - e["ci_low"]) * 100, (e["ci_high"] - e["share"]) * 100],
                    fmt=marker, color=c, ms=5, capsize=2, lw=0.8, label=meeting_label(m),
                    zorder=2)
    ax.set_yticks(range(len(order)), [labels[i] for i in order])
    ax.set_xlabel(f"Share of {speaker.title()}'s sentences (%), with 95% bootstrap interval")
    ax.set_title(title or f"{speaker.title()}: Sochi to Washington", loc="left")
    ax.legend(loc="lower right")
    add_source_note(fig)
    return fig


def salience_grid(sal: pd.DataFrame, speakers=("pompeo", "lavrov", "putin")) -> pd.DataFrame:
    """Share per issue (rows) × speaker-meeting cell (columns); NaN where there is no data."""
    meetings = sorted(sal["meeting"].unique())
    cols = [(sp, m) for sp in speakers for m in meetings]
    grid = sal.pivot_table(index="issue", columns=["speaker", "meeting"], values="share",
                           aggfunc="first")
    grid = grid.reindex(columns=pd.MultiIndex.from_tuples(cols, names=["speaker", "meeting"]))
    return grid.reindex(sal["issue"].drop_duplicates().tolist())


def plot_salience_heatmap(sal: pd.DataFrame, lexicon: list[Issue],
                          speakers=("pompeo", "lavrov", "putin"), title: str | None = None):
    """Heatmap of every speaker-meeting cell by issue; cells without data hatched, not 0."""
    from .figures import plot_share_heatmap

    grid = salience_grid(sal, speakers)
    labels = _labels(lexicon)
    return plot_share_heatmap(grid, [labels[i] for i in grid.index],
                              title or "Share of sentences by issue (%)", row_height=0.3)


def plot_agenda_overlap(overlaps: pd.DataFrame, title: str | None = None):
    """Point-and-interval chart of agenda similarity (1 − Jensen–Shannon distance)."""
    import matplotlib.pyplot as plt

    from .figures import OKABE_ITO, add_source_note

    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(overlaps) + 1.2))
    y = np.arange(len(overlaps))
    ax.errorbar(overlaps["similarity"], y, xerr=[overlaps["similarity"] - overlaps["ci_low"],
                                                  overlaps["ci_high"] - overlaps["similarity"]],
                fmt="o", color=OKABE_ITO[4], capsize=3)
    ax.set_yticks(y, overlaps["comparison"])
    ax.set_xlim(0, 1)
    ax.set_xlabel("Agenda similarity: 1 − Jensen–Shannon distance (0 = disjoint, 1 = same)")
    ax.set_title(title or "Agenda overlap", loc="left")
    add_source_note(fig)
    return fig


def compare_with_topics(coded: pd.DataFrame, topic_table: pd.DataFrame,
                        prevalence: pd.DataFrame, model: str = "nmf",
                        speakers=("pompeo", "lavrov", "putin")) -> tuple[pd.DataFrame, pd.Series]:
    """Lexicon salience of each topic's mapped issues against that topic's prevalence.

    Returns (table, Spearman correlation per topic across speaker-meeting cells). Topics
    mapped to no issue are left out; with none mapped, both results are empty.
    """
    cols = ["topic", "issues", "meeting", "speaker", "lexicon_share", "topic_share"]
    mapped = topic_table[(topic_table["model"] == model)
                         & topic_table["issues"].fillna("").str.len().gt(0)]
    prev = prevalence[prevalence["model"] == model].set_index(["topic", "meeting", "speaker"])
    rows = []
    cells = coded[coded["speaker"].isin(list(speakers))].groupby(["meeting", "speaker"])
    for t in mapped.itertuples():
        issues_t = [i for i in t.issues.split(";") if i]
        any_issue = coded[issues_t].any(axis=1)
        for (m, sp), d in cells:
            if (t.topic, m, sp) in prev.index:
                rows.append({"topic": t.label, "issues": t.issues, "meeting": m, "speaker": sp,
                             "lexicon_share": float(any_issue[d.index].mean()),
                             "topic_share": float(prev.loc[(t.topic, m, sp), "share"])})
    table = pd.DataFrame(rows, columns=cols)
    corr = pd.Series({topic: g["lexicon_share"].corr(g["topic_share"], method="spearman")
                      for topic, g in table.groupby("topic")}, dtype=float)
    return table, corr
