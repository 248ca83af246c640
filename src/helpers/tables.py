"""Readable tables for the notebooks: plain labels, wrapped left-aligned text, and an
offline, searchable table of the evidence.

:func:`show_table` names meetings, speakers, issues and sources, shows shares in percent
and wraps text at word boundaries (never cut); :func:`use_for_dataframes` gives every
DataFrame a cell shows that style; :func:`evidence_table` embeds the DataTables library
(``itables``, offline). Every output is deterministic: ids come from the table's content.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from typing import Iterable, Mapping

import pandas as pd
from IPython import get_ipython
from itables import options as itables_options
from itables import to_html_datatable
from itables.javascript import generate_init_offline_itables_html

from .lexicon import load_lexicon
from .sources import load_manifest, meeting_label

#: Column headers with a better plain name than their id.
COLUMN_LABELS = {
    "n_sentences": "Sentences", "total_sentences": "All sentences", "n_words": "Words",
    "total_words": "All words", "share": "Share", "share_words": "Share (words)",
    "ci_low": "95% CI low", "ci_high": "95% CI high", "char_start": "Start",
    "char_end": "End", "via": "How coded", "text": "Sentence", "sentence_id": "Sentence id",
    "per_1000_words": "Per 1,000 words", "count_pompeo": "Count (Pompeo)",
    "count_lavrov": "Count (Lavrov)", "z": "z", "p_value": "p", "p_adjusted": "p (adjusted)",
    "q_fdr": "q (FDR)", "p_perm": "p (permutation)", "passes_fdr": "Passes FDR 5%",
    "npmi": "NPMI", "auc": "AUC", "auc_low": "AUC low", "auc_high": "AUC high",
    "speaker_auc": "Speaker AUC", "f1": "F1", "mde": "Smallest detectable (points)",
    "compare_meeting": "Compared with meeting", "compare_speaker": "Compared with",
    "estimate": "Estimate", "n_turns": "Turns",
}
#: Columns holding a share (0-1), shown in percent.
SHARE_COLUMNS = ("share", "share_words", "lexicon_share", "hand_share", "topic_share",
                 "second_share", "seed_min", "seed_max", "topic_low", "topic_high",
                 "hand_low", "hand_high")
MEETING_ID = re.compile(r"^[a-z][a-z-]*-\d{4}-\d\d-\d\d$")
VIA_LABELS = {"direct": "matched", "matched": "matched", "inherited": "inherited"}
#: Columns (or index levels) whose ids are relabelled.
ID_COLUMNS = ("meeting", "speaker", "issue", "source", "via", "compare_meeting",
              "compare_speaker")
SPEAKERS = ("pompeo", "lavrov", "putin", "moderator", "journalist", "narrator")


def _issue_labels(lexicon) -> dict[str, str]:
    if lexicon is None:
        return {}
    if isinstance(lexicon, Mapping):
        return dict(lexicon)
    return {i.id: i.label for i in lexicon}


def source_label(file: str, manifest=None) -> str:
    """A raw file as "outlet, kind" (e.g. "Russian MFA, official transcript")."""
    for s in load_manifest() if manifest is None else manifest:
        if s.file == file:
            return f"{s.outlet.split(' (')[0].strip()}, {s.source_kind}"
    return file


def _label_value(col: str, value, issues: dict[str, str], sources: dict[str, str]):
    if not isinstance(value, str):
        return value
    if col in ("meeting", "compare_meeting"):
        return meeting_label(value) if MEETING_ID.search(value) else value
    if col in ("speaker", "compare_speaker"):
        return value.title()
    if col == "issue":
        return issues.get(value, value.replace("_", " ").capitalize())
    if col == "source":
        return sources.get(value, value)
    if col == "via":
        return VIA_LABELS.get(value, value)
    return value


def _header(col, issues: dict[str, str]):
    if isinstance(col, tuple):  # grouped headers: one flat row
        return ", ".join(str(_header(c, issues)) for c in col)
    if not isinstance(col, str):
        return col
    if col in COLUMN_LABELS:
        return COLUMN_LABELS[col]
    if col in issues:
        return issues[col]
    if col in SPEAKERS:
        return col.title()
    if MEETING_ID.search(col):
        return meeting_label(col)
    plain = col.replace("_", " ")
    return plain[:1].upper() + plain[1:]


def relabel(df: pd.DataFrame, lexicon=None) -> pd.DataFrame:
    """``df`` with plain labels: the values of id columns and index levels (meeting,
    speaker, issue, source, via) and the headers. ``lexicon`` is the list of issues or a
    mapping id → label."""
    issues = _issue_labels(lexicon)
    out = df.copy()
    sources: dict[str, str] = {}
    if "source" in out.columns or out.index.name == "source":
        manifest = load_manifest()
        values = out["source"] if "source" in out.columns else out.index
        sources = {f: source_label(f, manifest) for f in pd.unique(values.astype(str))}
    for col in out.columns:
        if col in ID_COLUMNS:
            out[col] = out[col].map(lambda v, c=col: _label_value(c, v, issues, sources))
    for level, name in enumerate(out.index.names):
        if name in ID_COLUMNS:
            out = out.rename(index=lambda v, n=name: _label_value(n, v, issues, sources),
                             level=level)
    out.columns = [_header(c, issues) for c in out.columns]
    out.index.names = [_header(n, issues) if n else n for n in out.index.names]
    return out


def _text_columns(df: pd.DataFrame) -> list:
    return [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])
            and not pd.api.types.is_bool_dtype(df[c])]


def _uid(df: pd.DataFrame, prefix: str) -> str:
    """An id from the table's content, so a rerun gives the same id."""
    h = hashlib.sha256(pd.util.hash_pandas_object(df.astype(str), index=True).to_numpy()
                       .tobytes())
    h.update(repr(list(df.columns)).encode())
    return f"{prefix}{h.hexdigest()[:10]}"


class Table:
    """A table Jupyter shows as HTML, with a deterministic plain-text ``repr``; ``frame``
    is the relabelled DataFrame."""

    def __init__(self, frame: pd.DataFrame, html: str, wrap: int = 80):
        self.frame, self.html, self.wrap = frame, html, wrap

    def to_html(self) -> str:
        return self.html

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        text = self.frame.copy()
        for c in _text_columns(text):
            text[c] = text[c].map(lambda v: textwrap.shorten(str(v), self.wrap,
                                                             placeholder=" …")
                                  if isinstance(v, str) else v)
        with pd.option_context("display.max_colwidth", self.wrap + 5, "display.width", 200):
            return text.to_string()


def show_table(df: pd.DataFrame, lexicon=None, caption: str | None = None,
               precision: int = 3, percent: Iterable[str] | None = None,
               points: Iterable[str] = ()) -> Table:
    """Show ``df`` for readers: plain labels (:func:`relabel`), text left-aligned and
    wrapped, numbers right-aligned, no index column (a named index becomes columns).

    ``percent``: columns (original names) of shares 0–1, shown as "12.3%" (default: those
    in :data:`SHARE_COLUMNS`, and ``ci_low``/``ci_high`` beside a ``share`` unless
    ``points`` is given); ``points``: differences of shares, shown in points ("+4.6").
    """
    issues = _issue_labels(lexicon)
    if any(n is not None for n in df.index.names):
        df = df.reset_index()
    if percent is None:
        percent = [c for c in df.columns if c in SHARE_COLUMNS or (
            c in ("ci_low", "ci_high") and "share" in df.columns and not points)]
    percent_cols = [_header(c, issues) for c in percent if c in df.columns]
    points_cols = [_header(c, issues) for c in points if c in df.columns]
    frame = relabel(df, lexicon).reset_index(drop=True)
    text_cols = _text_columns(frame)
    styler = frame.style
    styler.set_uuid(_uid(frame, ""))
    styler.cell_ids = False
    styler.format(precision=precision, thousands=",", na_rep="–")
    if percent_cols:
        styler.format("{:.1%}", subset=percent_cols, na_rep="–")
    for col in points_cols:  # signed only where a difference can be negative
        sign = "+" if (frame[col] < 0).any() else ""
        styler.format(lambda v, s=sign: f"{100 * v:{s}.1f}", subset=[col], na_rep="–")
    if text_cols:
        styler.set_properties(subset=text_cols, **{
            "text-align": "left", "white-space": "normal", "overflow-wrap": "normal",
            "word-break": "normal", "max-width": "40em", "min-width": "6em"})
    styler.set_table_styles([
        {"selector": "th", "props": "text-align: left; vertical-align: bottom;"},
        {"selector": "td", "props": "vertical-align: top;"}])
    if caption:
        styler.set_caption(caption)
    styler.hide(axis="index")
    return Table(frame, styler.to_html())


def use_for_dataframes(lexicon=None) -> None:
    """Show every DataFrame or Series a notebook cell returns through :func:`show_table`
    (``lexicon`` defaults to the project's). Does nothing outside IPython."""
    shell = get_ipython()
    if shell is None:
        return
    lexicon = load_lexicon() if lexicon is None else lexicon
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type(pd.DataFrame, lambda df: show_table(df, lexicon).to_html())
    formatter.for_type(pd.Series, lambda s: show_table(
        s.rename_axis(s.index.name or " ").to_frame(), lexicon).to_html())


def evidence_rows(evidence: pd.DataFrame, lexicon=None) -> pd.DataFrame:
    """The evidence in plain words: the sentence first, then meeting, speaker, issue, how
    it was coded, source, characters ("start–end" in the raw file) and sentence id."""
    e = evidence.copy()
    e["offsets"] = [f"{a}–{b}" for a, b in zip(e["char_start"], e["char_end"])]
    e = e[["text", "meeting", "speaker", "issue", "via", "source", "offsets", "sentence_id"]]
    return relabel(e, lexicon).rename(columns={"Offsets": "Characters"})


_LIBRARY_SENT = False


def evidence_table(evidence: pd.DataFrame, lexicon=None,
                   include_library: bool | None = None) -> Table:
    """A searchable, sortable table of the sentences behind each number (the columns of
    ``salience_evidence.csv``), with a search box per column under it.

    Works offline: the DataTables library is embedded the first time this is called in a
    kernel (``include_library=None``), or always (True) or never (False).
    """
    global _LIBRARY_SENT
    rows = evidence_rows(evidence, lexicon)
    table_id = _uid(rows, "evidence-")
    table = to_html_datatable(
        rows, connected=False, table_id=table_id, showIndex=False, maxBytes=0,
        column_filters="footer", pageLength=10,
        lengthMenu=[10, 25, 100, -1], classes="display compact",
        layout={"topStart": "pageLength", "topEnd": "search", "bottomStart": "info",
                "bottomEnd": "paging"},
        columnDefs=[{"targets": "_all", "className": "dt-left"}],
        style={"width": "100%", "table-layout": "auto", "caption-side": "bottom"},
        order=[], display_logo_when_loading=False, allow_html=False)
    library = ""
    if include_library or (include_library is None and not _LIBRARY_SENT):
        library = generate_init_offline_itables_html(itables_options.dt_bundle)
        _LIBRARY_SENT = True
    note = ("<p style=\"font-size:0.9em\">Evidence: {n} sentences. Search all columns "
            "above the table, or one column in the boxes under it (meeting, speaker, issue …); "
            "click a header to sort. <em>Matched</em>: the lexicon matched the sentence; "
            "<em>inherited</em>: coded from its turn's context. Characters are offsets in "
            "the raw file.</p>").format(n=f"{len(rows):,}")
    wide = (f"<style>#{table_id} td:first-child, #{table_id} th:first-child "
            "{min-width: min(28em, 80vw);}</style>")  # the sentence: readable on a phone
    return Table(rows, f'<div class="evidence-table">{library}{wide}{note}{table}</div>')
