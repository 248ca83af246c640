"""The issue lexicon: which words and phrases signal each issue (``data/lexicons/issues.yml``).

Each entry becomes an :class:`Issue`: its patterns joined into one case-insensitive
expression, and an optional ``exclude`` expression that vetoes a match. Every bad entry is
reported at once, naming the file, the entry's row and line (or the pattern's own line), the
issue and the pattern as written: a key given twice, ``patterns`` or ``exclude`` not a list
of strings, a pattern that does not compile, carries inline flags such as ``(?i)`` (they
would change the other patterns once joined), can match the empty string (it would code
every sentence), or nests one repeat inside another (``(\\w+\\s?)+``: matching could hang).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import config
from .io import InputError, raise_all, read_text_utf8

ISSUE_KEYS = {"id", "label", "description", "patterns", "exclude"}


@dataclass(frozen=True)
class Issue:
    id: str
    label: str
    description: str
    pattern: re.Pattern
    exclude: re.Pattern | None
    patterns: tuple[str, ...]


# --------------------------------------------------------------------------- YAML
class _DuplicateKey(Exception):
    def __init__(self, key, line: int, first: int):
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


class _Entry(dict):
    line: int = 0  # where the mapping starts


class _Items(list):
    lines: list[int] = []  # where each item starts


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping key given twice and records lines."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key; SafeLoader reports it
                continue
            if first is not None:
                raise _DuplicateKey(key, key_node.start_mark.line + 1, first)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _construct_entry(loader, node):
    data = _Entry()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


def _construct_items(loader, node):
    data = _Items()
    data.lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_sequence(node))


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_entry)
_StrictLoader.add_constructor("tag:yaml.org,2002:seq", _construct_items)

#: YAML parser contexts whose opening mark is the line to fix: what was opened, how to close.
_UNCLOSED = {"flow sequence": ("a '['", "']'"), "flow mapping": ("a '{'", "'}'"),
             "quoted scalar": ("a quote", "the same quote")}


def load_yaml_strict(path: Path):
    """Parse a YAML file (strict UTF-8, BOM stripped); duplicate keys are an error."""
    text = read_text_utf8(path, bom="strip")
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as dup:
        raise InputError(path, f"key {dup.key!r} is given twice in one entry (first on line "
                               f"{dup.first}); keep one, YAML would silently keep the last",
                         line=dup.line) from None
    except yaml.YAMLError as err:
        mark, opened = getattr(err, "problem_mark", None), getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        what = next((w for key, w in _UNCLOSED.items() if key in (err.context or "")), None)
        if what and opened is not None and mark is not None:
            raise InputError(path, f"not valid YAML: {what[0]} opened on this line is never "
                                   f"closed ({problem} on line {mark.line + 1}); close it "
                                   f"with {what[1]}", line=opened.line + 1) from None
        raise InputError(path, f"not valid YAML: {problem}",
                         line=None if mark is None else mark.line + 1) from None


# --------------------------------------------------------------------------- patterns
_INLINE_FLAGS = re.compile(r"\(\?(?:[aiLmsux]+(?:-[imsx]*)?|-[imsx]+)[:)]")
#: One token of a pattern: an escape, a character class, a group opening, a quantifier
#: (greedy, lazy or possessive), or any other single character.
_TOKEN = re.compile(r"""\\(?:x\w{2}|u\w{4}|U\w{8}|N\{[^}]*\}|\d+|.)|\[\^?\]?(?:\\.|[^\]\\])*\]|\((?:\?(?:[:>]|<?[=!]|P<\w+>))?|"""
                    r"""(?:[*+?]|\{(?:\d+(?:,\d*)?|,\d*)\})[?+]?|.""", re.S)
_QUANTIFIER = re.compile(r"(?:[*+?]|\{(\d*)(,(\d*))?\})[?+]?")
_ZERO_WIDTH = {"^", "$", r"\b", r"\B", r"\A", r"\Z"}
_MANY = 10**9


def parse_pattern(pattern: str) -> list[list[list]]:
    """Parse a regular expression into its alternatives, each a list of items
    ``[kind, value, min, max]``: kind ``"lit"`` (one literal character), ``"zero"`` (an
    anchor or word boundary), ``"look"`` (a lookaround), ``"group"`` (value: its own
    alternatives) or ``"any"`` (a class, ``.``, an escape such as ``\\w``, a back
    reference); ``min``/``max`` are its repeat counts. Raises ``ValueError`` for what it
    does not know (comments, conditionals, named back references, inline flags)."""
    tokens = _TOKEN.findall(pattern)
    pos = 0

    def alternatives(depth: int) -> list[list[list]]:
        nonlocal pos
        out: list[list[list]] = [[]]
        while pos < len(tokens):
            t = tokens[pos]
            pos += 1
            q = _QUANTIFIER.fullmatch(t)
            if q:
                if not out[-1] or out[-1][-1][2:] != [1, 1] or out[-1][-1][0] in ("zero", "look"):
                    raise ValueError(f"a quantifier {t!r} with nothing to repeat")
                lo = {"*": 0, "+": 1, "?": 0}.get(t[0], int(q.group(1) or 0))
                hi = {"*": _MANY, "+": _MANY, "?": 1}.get(
                    t[0], _MANY if q.group(2) and not q.group(3) else int(q.group(3) or lo))
                out[-1][-1][2:] = [lo, hi]
            elif t == "|":
                out.append([])
            elif t == ")":
                if depth == 0:
                    raise ValueError("unbalanced parenthesis")
                return out
            elif t.startswith("("):
                if t == "(" and tokens[pos:pos + 1] == ["?"]:
                    raise ValueError("a group construct that is not supported")
                kind = "look" if t in ("(?=", "(?!", "(?<=", "(?<!") else "group"
                out[-1].append([kind, alternatives(depth + 1), 1, 1])
            elif t in _ZERO_WIDTH:
                out[-1].append(["zero", t, 1, 1])
            elif len(t) == 1 and t != ".":
                out[-1].append(["lit", t, 1, 1])
            elif len(t) == 2 and t[0] == "\\" and not t[1].isalnum():
                out[-1].append(["lit", t[1], 1, 1])
            else:
                out[-1].append(["any", t, 1, 1])
        if depth:
            raise ValueError("unbalanced parenthesis")
        return out

    return alternatives(0)


def min_width(alternatives) -> int:
    """The fewest characters a match of the parsed pattern can consume (back references
    count as none)."""
    def width(kind, value, lo, hi):
        if kind in ("zero", "look") or (kind == "any" and value[1:].isdigit()):
            return 0
        return lo * (min_width(value) if kind == "group" else 1)
    return min(sum(width(*item) for item in alt) for alt in alternatives)


def _nested_repeat(alternatives, inside: bool = False) -> bool:
    """True if a repeat (max > 1) contains another repeat (max > 1)."""
    for alt in alternatives:
        for kind, value, lo, hi in alt:
            big = hi > 1
            if big and inside:
                return True
            if kind in ("group", "look") and _nested_repeat(value, inside or big):
                return True
    return False


def check_pattern(p: str) -> re.Pattern:
    """Compile one lexicon pattern; raise ``ValueError`` saying what is wrong and what to do."""
    try:
        rx = re.compile(p, re.I)
    except re.error as err:
        raise ValueError(f"pattern '{p}' is not a valid regular expression ({err})") from None
    if _INLINE_FLAGS.search(re.sub(r"\\.", "", p)):
        raise ValueError(f"pattern '{p}' has inline flags such as (?i); remove them (every "
                         "pattern is already case-insensitive)")
    try:
        parsed = parse_pattern(p)
    except ValueError as err:
        raise ValueError(f"pattern '{p}': {err}; write it with plain groups, classes and "
                         "repeats") from None
    if min_width(parsed) == 0:
        raise ValueError(f"pattern '{p}' can match the empty string, so it would code every "
                         "sentence; make it require at least one character")
    if _nested_repeat(parsed):
        raise ValueError(f"pattern '{p}' repeats a group that itself repeats (like "
                         "(\\w+\\s?)+); such patterns can backtrack for hours. Rewrite it "
                         "without the nested repeat, e.g. with a bounded gap like .{0,40}")
    return rx


def _join(patterns) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


def load_lexicon(path: Path | None = None) -> list[Issue]:
    """Read and validate the issue lexicon (YAML list); errors name the entry and id."""
    path = Path(path) if path is not None else config.paths()["lexicons"] / "issues.yml"
    entries = load_yaml_strict(path)
    if not isinstance(entries, list) or not entries:
        raise InputError(path, "the lexicon must be a non-empty list of issues ('- id: …')")
    issues, seen, errors = [], {}, []
    for row, e in enumerate(entries, start=1):
        try:
            issues.append(_issue(path, row, e, seen))
        except InputError as err:
            errors.append(err)
    raise_all(errors)
    return issues


def _issue(path: Path, row: int, e, seen: dict) -> Issue:
    """One validated lexicon entry; raises every bad pattern (each naming its own line), or
    the first other problem."""
    iid = e.get("id") if isinstance(e, dict) else None
    line = getattr(e, "line", None) or None

    def bad(msg: str, at: int | None = line) -> InputError:
        return InputError(path, f"issue {iid!r}: {msg}", row=row, line=at)
    if not isinstance(e, dict):
        raise bad("each entry must be a mapping with id, label, description, patterns")
    unknown = set(e) - ISSUE_KEYS
    if unknown:
        raise bad(f"unknown keys {sorted(map(str, unknown))}; allowed are "
                  f"{sorted(ISSUE_KEYS)}")
    if not iid or not isinstance(iid, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", iid):
        raise bad("id must be lower-case letters, digits and underscores")
    if iid in seen:
        raise bad(f"duplicate id (also row {seen[iid]})")
    seen[iid] = row
    for key in ("label", "description"):
        if not isinstance(e.get(key), str) or not e[key].strip():
            raise bad(f"missing {key} (a non-empty text)")
    pats = e.get("patterns")
    if not isinstance(pats, list) or not pats or not all(
            isinstance(p, str) and p.strip() for p in pats):
        raise bad("patterns must be a non-empty list of non-empty strings")
    excl = [] if e.get("exclude") is None else e["exclude"]
    if not isinstance(excl, list) or not all(isinstance(p, str) and p.strip() for p in excl):
        raise bad(f"exclude must be a list of non-empty strings, got {excl!r}; write "
                  "one pattern per line as '- pattern'")
    errors = []
    for kind, group in (("pattern", pats), ("exclude pattern", excl)):
        for p, at in zip(group, getattr(group, "lines", None) or [line] * len(group)):
            try:
                check_pattern(p)
            except ValueError as err:
                errors.append(bad(f"{kind}{str(err).removeprefix('pattern')}", at=at))
    raise_all(errors)
    return Issue(iid, e["label"], e["description"], _join(pats), _join(excl) if excl else None,
                 tuple(pats))


def issue_ids(lexicon: list[Issue]) -> list[str]:
    return [i.id for i in lexicon]
