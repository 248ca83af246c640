"""The issue lexicon: which words and phrases signal each issue (``data/lexicons/issues.yml``).

``load_lexicon`` reads and validates the YAML list; each entry becomes an :class:`Issue` with
its patterns joined into one case-insensitive expression and an optional ``exclude``
expression that vetoes a match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import config
from .io import InputError

ISSUE_KEYS = {"id", "label", "description", "patterns", "exclude"}


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
