"""Schemas of the processed tables, checked on every write and read (lazily: every failure
at once). Each column carries a description; the data dictionary is generated from them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import config
from .io import write_csv_atomic

SPEAKER_IDS = list(config.SPEAKERS)
SHARE = pa.Check.in_range(0.0, 1.0)


def _c(dtype, description: str, *checks, nullable: bool = False) -> pa.Column:
    return pa.Column(dtype, checks=list(checks), nullable=nullable, description=description,
                     coerce=True)


_META = {
    "meeting": _c(str, "Meeting id: the manifest's meeting (a place and the event date)"),
    "speaker": _c(str, "Speaker id: pompeo, lavrov, putin, moderator, journalist, narrator",
                  pa.Check.isin(SPEAKER_IDS)),
}

SCHEMAS: dict[str, pa.DataFrameSchema] = {}


def register(name: str, columns: dict[str, pa.Column], *checks: pa.Check) -> None:
    """Add the schema of table ``name``: exactly these columns, in this order."""
    SCHEMAS[name] = pa.DataFrameSchema(columns, checks=list(checks), strict=True,
                                       ordered=True, name=name)


def validate_table(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Validate a table against its schema, listing every failure at once."""
    try:
        return SCHEMAS[name].validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases.head(20).to_string()
        raise ValueError(f"table {name!r} fails its schema:\n{cases}") from None


def table_path(name: str, root: Path | None = None) -> Path:
    return config.paths(root)["processed"] / f"{name}.csv"


def write_table(df: pd.DataFrame, name: str, root: Path | None = None) -> Path:
    """Validate ``df`` against schema ``name`` and write data/processed/<name>.csv atomically."""
    df = validate_table(df, name)
    return write_csv_atomic(df, table_path(name, root))


def read_table(name: str, root: Path | None = None) -> pd.DataFrame:
    """Read data/processed/<name>.csv and validate it."""
    path = table_path(name, root)
    df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    return validate_table(df, name)


# --------------------------------------------------------------------------- corpus
register("sentences", {
    "sentence_id": _c(str, "Stable id: <source stem>:<sentence index>"),
    "source": _c(str, "Raw file name in data/raw/"),
    **_META,
    "turn": _c(int, "Turn index within the source (0-based)", pa.Check.ge(0)),
    "sentence": _c(int, "Sentence index within the source (0-based)", pa.Check.ge(0)),
    "char_start": _c(int, "Start offset in the raw file (Python str index, UTF-8)",
                     pa.Check.ge(0)),
    "char_end": _c(int, "End offset in the raw file (exclusive)", pa.Check.ge(1)),
    "text": _c(str, "The cleaned sentence", pa.Check.str_length(min_value=1)),
    "n_words": _c(int, "Words in the cleaned sentence", pa.Check.ge(0)),
    "source_rank": _c(int, "Authority of the source: 1 official transcript, 2 copy "
                           "of a transcript, 3 captions, 4 news article",
                      pa.Check.isin([1, 2, 3, 4])),
    "translation": _c(str, "official translation, live interpreter or original "
                           "English"),
    "turn_type": _c(str, "statement, answer (the turn follows a journalist's "
                         "question) or quoted (a quote in a news article)",
                    pa.Check.isin(["statement", "answer", "quoted"])),
    "question": _c(str, "For an answer: sentence_id of the first sentence of the "
                        "question it follows", nullable=True),
    "canonical": _c(bool, "In the main analysis corpus (not a repeat of a better "
                          "source)"),
    "duplicate_of": _c(str, "sentence_id of the canonical sentence this repeats",
                       nullable=True),
    "match_score": _c(float, "Similarity to that canonical sentence (0-1)",
                      nullable=True),
}, pa.Check(lambda d: (d["char_end"] > d["char_start"]).all(),
            error="char_end must exceed char_start"),
   pa.Check(lambda d: ~d["sentence_id"].duplicated(), error="sentence_id must be unique"))
register("dropped_spans", {
    "source": _c(str, "Raw file name"),
    "char_start": _c(int, "Start offset of the dropped span in the raw file",
                     pa.Check.ge(0)),
    "char_end": _c(int, "End offset (exclusive)", pa.Check.ge(1)),
    "rule": _c(str, "Cleaning rule that dropped the span"),
    "text": _c(str, "The dropped text, as in the raw file"),
})
register("coverage", {
    "corpus": _c(str, "canonical or all", pa.Check.isin(["canonical", "all"])),
    **_META,
    "source": _c(str, "Raw file name, or 'all' for the total over sources"),
    "n_sentences": _c(int, "Sentences", pa.Check.ge(0)),
    "n_words": _c(int, "Words", pa.Check.ge(0)),
})


# --------------------------------------------------------------------------- salience
_ISSUE = _c(str, "Issue id from data/lexicons/issues.yml")
register("salience", {
    **_META,
    "issue": _ISSUE,
    "measure": _c(str, "lexicon (automatic coding, corrected for its estimated coding "
                       "error) or hand (the hand coding, where the cell has one)",
                  pa.Check.isin(["lexicon", "hand"])),
    "corrected": _c(bool, "True when the share is corrected for the lexicon's coding "
                          "error (False for hand, and for a lexicon cell when no other "
                          "source has hand codes to estimate the error from)"),
    "n_sentences": _c(int, "Sentences of the cell coded with the issue by this measure "
                           "(before any correction)", pa.Check.ge(0)),
    "total_sentences": _c(int, "Canonical sentences of the speaker at the meeting that "
                               "this measure codes", pa.Check.ge(1)),
    "share": _c(float, "Share of the sentences that concern the issue (lexicon: "
                       "corrected; empty where the lexicon cannot separate the issue)",
                SHARE, nullable=True),
    "ci_low": _c(float, "Lower bound of the 95% interval (bootstrap over whole turns, "
                        "with coding error for the lexicon; exact where the count is 0)",
                 SHARE, nullable=True),
    "ci_high": _c(float, "Upper bound of the 95% interval", SHARE, nullable=True),
    "share_uncorrected": _c(float, "n_sentences / total_sentences", SHARE),
    "total_words": _c(int, "All canonical words of the speaker at the meeting",
                      pa.Check.ge(1)),
    "n_turns": _c(int, "Turns of the cell that this measure codes (the resampling units)",
                  pa.Check.ge(1)),
    "estimable": _c(bool, "False for a cell of too few turns to estimate a share's "
                          "uncertainty (it is left out of the largest issues)"),
    "validated": _c(bool, "False when a source of the cell has no hand codes (neither "
                          "in validation.csv nor a completed coding sheet in "
                          "data/validation/): its lexicon shares are unvalidated"),
}, pa.Check(lambda d: ((d["ci_low"] <= d["share"] + 1e-9)
                       & (d["share"] <= d["ci_high"] + 1e-9)) | d["share"].isna(),
            error="share must lie within its interval"))
register("findings", {
    "finding": _c(str, "Stable id: kind:measure:cells:issue", pa.Check(
        lambda s: ~s.duplicated(), error="finding ids must be unique")),
    "kind": _c(str, "share, difference (two speakers, one meeting), change (one speaker, "
                    "two meetings) or overlap (agenda similarity)",
               pa.Check.isin(["share", "difference", "change", "overlap"])),
    "meeting": _c(str, "Meeting id (for a change: the later meeting)"),
    "speaker": _c(str, "Speaker id", pa.Check.isin(SPEAKER_IDS)),
    "issue": _c(str, "Issue id (empty for overlap)", nullable=True),
    "compare_meeting": _c(str, "Meeting compared with (empty for a share)", nullable=True),
    "compare_speaker": _c(str, "Speaker compared with (empty for a share)", nullable=True),
    "measure": _c(str, "lexicon or hand", pa.Check.isin(["lexicon", "hand"])),
    "estimate": _c(float, "Share; or share of speaker at meeting minus share of "
                          "compare_speaker at compare_meeting; or agenda similarity "
                          "(1 − Jensen–Shannon distance)", nullable=True),
    "ci_low": _c(float, "Lower bound of the 95% interval (for a contrast: the test "
                        "inverted, so it excludes 0 exactly when p_value < 0.05)",
                 nullable=True),
    "ci_high": _c(float, "Upper bound of the 95% interval", nullable=True),
    "p_value": _c(float, "Studentised permutation p-value, whole turns exchanged between "
                         "the cells, never below the small-sample t-test's; for an "
                         "overlap, the share of identical-agenda draws scoring as low",
                  nullable=True),
    "p_adjusted": _c(float, "Holm-adjusted over the issues of the contrast and measure",
                     nullable=True),
    "supported": _c("boolean", "True when p_adjusted < 0.05 and the interval excludes 0",
                    nullable=True),
    "n_sentences": _c("Int64", "Sentences of the cell (for a contrast or overlap: of the "
                               "speaker at meeting)", nullable=True),
    "n_sentences_compare": _c("Int64", "Sentences of the compared cell", nullable=True),
    "n_turns": _c("Int64", "Turns (answers, statements, quoted passages) of the cell: the "
                           "units of evidence", nullable=True),
    "n_turns_compare": _c("Int64", "Turns of the compared cell", nullable=True),
    "mde": _c(float, "Contrasts: the smallest difference detected with 80% power by the "
                     "same test at these turn sizes, at Holm's first threshold (0.05 over "
                     "the issues); empty = not detectable at any size", nullable=True),
    "mde_unadjusted": _c(float, "The same at 0.05, for one issue alone", nullable=True),
    "smallest_p": _c(float, "Contrasts: the smallest p-value any split of the turns can "
                            "give", nullable=True),
    "p_unclustered": _c(float, "Fisher's exact p-value as if sentences were independent "
                               "(for comparison only; not used for supported)",
                        nullable=True),
    "ceiling": _c(float, "Overlap only: the mean similarity of two samples of one "
                         "agenda at these sample sizes (what identical agendas score)",
                  nullable=True),
    "ceiling_low": _c(float, "Overlap only: 2.5th percentile of that similarity",
                      nullable=True),
    "ceiling_high": _c(float, "Overlap only: 97.5th percentile of that similarity",
                       nullable=True),
    "setting": _c(str, "The occasions of the cells' sources (press conference, meeting "
                       "with the president, news article), from the manifest",
                  nullable=True),
    "sources": _c(str, "The outlets of the cells' sources, from the manifest ('; ' "
                       "between outlets, ' vs ' between the two cells of a contrast)",
                  nullable=True),
    "method": _c(str, "How the estimate, interval and test were made", nullable=True),
    "figure": _c(str, "Figure (reports/figures/<figure>.png) that shows it",
                 nullable=True),
    "caveat": _c(str, "What limits the claim (small cell, question-driven, captions, "
                      "translation, mixed settings, an incomplete record)", nullable=True),
    "text": _c(str, "The claim in plain words"),
})
register("findings_robustness", {
    "unit": _c(str, "Unit of evidence: turn (the headline), block of 5, or sentence"),
    "rule": _c(str, "Context rule of the lexicon coding"),
    "without": _c(str, "Setting left out (empty: none)", nullable=True),
    "finding": _c(str, "Id of the headline row (findings.csv) this row varies"),
    "kind": _c(str, "difference or change", pa.Check.isin(["difference", "change"])),
    "meeting": _c(str, "Meeting id (for a change: the later meeting)"),
    "speaker": _c(str, "Speaker id", pa.Check.isin(SPEAKER_IDS)),
    "compare_meeting": _c(str, "Meeting compared with"),
    "compare_speaker": _c(str, "Speaker compared with"),
    "measure": _c(str, "lexicon or hand", pa.Check.isin(["lexicon", "hand"])),
    "issue": _c(str, "Issue id"),
    "estimate": _c(float, "Difference in shares", nullable=True),
    "ci_low": _c(float, "Lower bound of the 95% interval", nullable=True),
    "ci_high": _c(float, "Upper bound of the 95% interval", nullable=True),
    "p_value": _c(float, "p-value under this variant", nullable=True),
    "p_adjusted": _c(float, "Holm-adjusted over the issues", nullable=True),
    "supported": _c("boolean", "Supported under this variant", nullable=True),
    "moved": _c(bool, "True when supported differs from the headline row"),
})
_SAMPLES = ["in-sample", "out-of-sample", "held-out"]
register("reliability", {
    "issue": _c(str, "Issue id, or 'micro avg'"),
    "sample": _c(str, "in-sample: the lexicon against the hand coding it was written "
                      "after reading; out-of-sample: the context rule and the coding-error "
                      "correction chosen without the source scored (leave one source "
                      "out), for those choices only; held-out: sentences of new sources "
                      "coded on a coding sheet (data/validation/), never used to tune "
                      "anything", pa.Check.isin(_SAMPLES)),
    "rule": _c(str, "Context rule of the coding scored (out-of-sample: the rules chosen "
                    "on the other sources, ';'-separated)"),
    "sentences": _c(int, "Hand-coded sentences scored", pa.Check.ge(0)),
    "hand_positives": _c(int, "Hand-coded sentences with the issue", pa.Check.ge(0)),
    "lexicon_positives": _c(int, "Lexicon-coded sentences with the issue",
                            pa.Check.ge(0)),
    **{f"{m}{suffix}": _c(float, f"{m.title()} of the lexicon against the hand coding"
                          f"{' (95% interval over turns)' if suffix else ''}",
                          SHARE, nullable=True)
       for m in ("precision", "recall", "f1") for suffix in ("", "_low", "_high")},
    "gain": _c(float, "micro avg, out-of-sample: micro-F1 of the rules chosen on the other "
                      "sources minus that of no inheritance (rule none)", nullable=True),
    "gain_low": _c(float, "Lower bound of the gain's 95% interval (paired, over turns); "
                          "an inheritance rule is used only when it is above 0",
                   nullable=True),
    "gain_high": _c(float, "Upper bound of the gain's 95% interval", nullable=True),
    "alpha": _c(float, "Krippendorff's alpha, first vs independent second hand coding",
                nullable=True),
    "alpha_sentences": _c("Int64", "Sentences both hand codings coded", pa.Check.ge(0),
                          nullable=True),
    "error_mean": _c(float, "Mean |corrected lexicon − hand| share over cells, points "
                            "(coding rates always from the other sources; out-of-sample: "
                            "the rule too)", nullable=True),
    "error_max": _c(float, "Largest |corrected lexicon − hand| over cells, points",
                    nullable=True),
    "error_max_issue": _c(str, "micro avg: the issue of the largest error",
                          nullable=True),
    "error_max_meeting": _c(str, "Meeting of the cell with the largest error",
                            nullable=True),
    "error_max_speaker": _c(str, "Speaker of the cell with the largest error",
                            nullable=True),
    "error_uncorrected_mean": _c(float, "Mean |uncorrected lexicon − hand|, points",
                                 nullable=True),
    "error_uncorrected_max": _c(float, "Largest |uncorrected lexicon − hand|, points",
                                nullable=True),
}, pa.Check(lambda d: ~d.duplicated(["issue", "sample"]), error="one row per issue and sample"))
register("context_models", {
    "kind": _c(str, "difference or change", pa.Check.isin(["difference", "change"])),
    "meeting": _c(str, "Meeting id"),
    "speaker": _c(str, "Speaker id", pa.Check.isin(SPEAKER_IDS)),
    "compare_meeting": _c(str, "Meeting compared with"),
    "compare_speaker": _c(str, "Speaker compared with", pa.Check.isin(SPEAKER_IDS)),
    "issue": _ISSUE,
    "specification": _c(str, "cell only, or cell + turn type (statement, answer, quote)"),
    "estimate": _c(float, "Difference in shares from the linear probability model"),
    "ci_low": _c(float, "Lower bound, 95% interval (errors clustered by turn)"),
    "ci_high": _c(float, "Upper bound, 95% interval (errors clustered by turn)"),
    "p_value": _c(float, "p-value (clustered by turn; unreliable with few turns)"),
})
register("salience_evidence", {
    **_META,
    "issue": _ISSUE,
    "sentence_id": _c(str, "The sentence (see sentences.csv)"),
    "source": _c(str, "Raw file name"),
    "char_start": _c(int, "Start offset in the raw file", pa.Check.ge(0)),
    "char_end": _c(int, "End offset in the raw file (exclusive)", pa.Check.ge(1)),
    "via": _c(str, "direct (the lexicon matched) or inherited (from the turn's context)",
              pa.Check.isin(["direct", "inherited"])),
    "text": _c(str, "The sentence"),
})


# --------------------------------------------------------------------------- vocabulary
register("tfidf_top_terms", {
    "unit": _c(str, "Document unit: speaker-meeting, speaker (pooled) or turn-average"),
    "meeting": _c(str, "Meeting id, or 'pooled'"),
    "speaker": _c(str, "Speaker id", pa.Check.isin(SPEAKER_IDS)),
    "rank": _c(int, "Rank of the term in the document (1 = highest)", pa.Check.ge(1)),
    "term": _c(str, "Term, shown as its most frequent surface word"),
    "tfidf": _c(float, "TF-IDF weight (L2-normalised rows)", pa.Check.ge(0)),
    "count": _c(int, "Occurrences of the term in the document", pa.Check.ge(0)),
})
register("keyness", {
    "comparison": _c(str, "Which corpus: the meeting (both men's turns there)"),
    "term": _c(str, "Term, shown as its most frequent surface word"),
    "count_pompeo": _c(int, "Occurrences in Pompeo's canonical sentences",
                       pa.Check.ge(0)),
    "count_lavrov": _c(int, "Occurrences in Lavrov's canonical sentences",
                       pa.Check.ge(0)),
    "per_1000_pompeo": _c(float, "Rate per 1,000 of Pompeo's content tokens",
                          pa.Check.ge(0)),
    "per_1000_lavrov": _c(float, "Rate per 1,000 of Lavrov's content tokens",
                          pa.Check.ge(0)),
    "rate_difference": _c(float, "per_1000_pompeo - per_1000_lavrov (the test's "
                                 "statistic, before the absolute value)"),
    "per_1000_words": _c(float, "Combined frequency per 1,000 tokens",
                         pa.Check.ge(0)),
    "background_per_million": _c(float, "General-English frequency per million "
                                        "words (wordfreq; floored)",
                                 pa.Check.gt(0)),
    "prior": _c(float, "Prior pseudo-count α_w (background share × α_0)",
                pa.Check.gt(0)),
    "delta": _c(float, "Log-odds ratio with informative Dirichlet prior"),
    "var": _c(float, "Approximate variance of delta", pa.Check.gt(0)),
    "z": _c(float, "delta / sqrt(var); positive = more Pompeo's (a ranking, not the test)"),
    "n_turns": _c(int, "Turns of the two men that use the term", pa.Check.ge(0)),
    "p_perm": _c(float, "p-value of the rate difference over relabellings of whole "
                        "turns within the meeting; empty if not tested", nullable=True),
    "p_min": _c(float, "Smallest p-value the comparison can give (1 / relabellings)",
                nullable=True),
    "q_fdr": _c(float, "Benjamini-Hochberg q-value over the tested terms",
                nullable=True),
    "passes_fdr": _c(bool, "q_fdr < 0.05"),
})


# --------------------------------------------------------------------------- topics
register("topics", {
    "model": _c(str, "nmf (on TF-IDF) or lda (on counts)", pa.Check.isin(["nmf", "lda"])),
    "topic": _c(int, "Topic number within the model", pa.Check.ge(0)),
    "label": _c(str, "Label given by reading the top terms and documents"),
    "top_terms": _c(str, "Top 10 terms, most weighted first, '; '-separated"),
    "issues": _c(str, "Issue ids the topic maps to (';'-separated), empty if none",
                 nullable=True),
})
register("topic_prevalence", {
    **_META,
    "model": _c(str, "nmf or lda", pa.Check.isin(["nmf", "lda"])),
    "topic": _c(int, "Topic number", pa.Check.ge(0)),
    "label": _c(str, "Topic label"),
    "share": _c(float, "Mean document-topic share over the speaker's documents", SHARE),
    "ci_low": _c(float, "Lower bound, 95% bootstrap interval over documents", SHARE),
    "ci_high": _c(float, "Upper bound, 95% bootstrap interval over documents", SHARE),
    "n_documents": _c(int, "Documents (3-sentence windows) of the speaker at the meeting",
                      pa.Check.ge(1)),
})
