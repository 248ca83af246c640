"""Check every input before any notebook runs: ``python -m workflow.check``.

Reads every input with the helpers' own loaders (so each rule lives in one place), lists
every problem at once, naming file and row, and exits 1 if there is any; prints the
lexicon's sanity warnings either way. Against the corpus, the hand codes, known repeats and
topic map are checked by the notebooks that rebuild it.
"""

from __future__ import annotations

import sys
import time

from helpers import attribution, config, lexicon, repeats, topic_labels
from helpers import validation as val
from helpers.io import InputError, read_csv_records
from helpers.sources import load_manifest, load_meetings


def problems_and_warnings() -> tuple[list[InputError], list[str]]:
    """Every input problem (all of them) and the lexicon's sanity warnings."""
    p = config.paths()
    errors: list[InputError] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except InputError as err:
            errors.extend(getattr(err, "errors", [err]))
            return None

    sources = attempt(load_manifest, p["raw"], errors)  # every valid row, for what follows
    if sources and len(errors) == 0:
        attempt(load_meetings, p["raw"])
    texts = {s.file: attempt(s.read_text) for s in sources or []}
    labels = p["annotations"] / "speaker_labels.csv"
    records = attempt(read_csv_records, labels, attribution.SPEAKER_COLUMNS)
    if records is not None:
        attempt(attribution.speaker_names, records, labels)
    turns_path, n = p["annotations"] / "caption_turns.csv", len(errors)
    turns = (attempt(read_csv_records, turns_path, attribution.ANCHOR_COLUMNS)
             if turns_path.exists() else [])
    if sources and turns is not None:
        attempt(attribution.check_caption_turns, turns, turns_path, sources)
    turns_ok = len(errors) == n
    for s in sources or []:
        if s.format == "captions" and texts[s.file] is not None and turns_ok:
            attempt(attribution.caption_anchors, turns, turns_path, s.file, texts[s.file])
    stage = p["annotations"] / "stage_directions.csv"
    records = attempt(read_csv_records, stage, attribution.STAGE_COLUMNS) if stage.exists() else []
    if records is not None:
        attempt(attribution.stage_direction_pattern, records, stage)
    attempt(repeats.read_known_repeats, p["annotations"] / "known_repeats.csv",
            {s.file for s in sources or []}, config.SPEAKERS)
    issues = attempt(lexicon.load_lexicon)
    hand = attempt(val.load_validation, p["lexicons"] / "validation.csv", issues)
    warnings: list[str] = []
    if issues:
        ids = set(lexicon.issue_ids(issues))
        attempt(val.check_coding_guide, issues)
        attempt(topic_labels.read_topic_map, p["lexicons"] / "topic_issue_map.csv", ids)
        attempt(val.load_second_coding, p["lexicons"] / "second_coding.csv", ids, None)
        attempt(val.load_coding_sheets, val.sheet_folder(), issues, None)
        if hand is not None:
            warnings = val.lexicon_warnings(issues, hand)
    return errors, warnings


def main() -> int:
    start = time.perf_counter()
    errors, warnings = problems_and_warnings()
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    if errors:
        print(f"check: {len(errors)} problem{'s' * (len(errors) > 1)} in the inputs; fix "
              "them and rerun (no notebook was run, nothing was changed):", file=sys.stderr)
        for err in errors:
            print(f"- {err}", file=sys.stderr)
        return 1
    print(f"check: every input is valid ({time.perf_counter() - start:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
