import csv
import hashlib

import pytest

from helpers import corpus


@pytest.fixture(scope="module")
def built(root):
    return corpus.build_corpus(root)


def test_canonical_policy(built):
    s = built[0]
    def share(prefix, speaker):
        d = s[s["source"].str.startswith(prefix) & (s["speaker"] == speaker)]
        return d["canonical"].mean()
    assert share("002", "lavrov") == 1.0 and share("001", "pompeo") == 1.0
    assert share("000", "lavrov") == 0.0  # the interpreter repeats the MFA text
    assert share("000", "pompeo") == 1.0  # no better source has Pompeo in Washington
    rep = s[~s["canonical"]]
    assert rep["duplicate_of"].notna().all()
    targets = s.set_index("sentence_id").loc[rep["duplicate_of"]]
    assert targets["canonical"].all() and (targets["speaker"].to_numpy() ==
                                           rep["speaker"].to_numpy()).all()
    # Pompeo's quotes from after the captions stop exist nowhere else: kept
    kept = s[s["source"].str.startswith("003") & (s["speaker"] == "pompeo") & s["canonical"]]
    assert any("France and the United Kingdom" in t for t in kept["text"])
    assert not s[(s["meeting"] == "sochi-2019-05-14") & (s["speaker"] == "lavrov")].shape[0]


def _add_source(proj, name, text, **fields):
    raw = proj / "data" / "raw"
    (raw / name).write_text(text, encoding="utf-8")
    with open(raw / "sources.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = dict(rows[2], file=name, sha256=hashlib.sha256(text.encode()).hexdigest(),
               default_speaker="", title="A test transcript", **fields)
    rows.append(row)
    with open(raw / "sources.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


THIRD_MEETING = """A test transcript

Sergey Lavrov: We discussed New START and strategic stability. Syria was on the agenda too.

QUESTION: Will you meet again?

SECRETARY POMPEO: We talked about North Korea. President Putin has also commented on it.
Lines without a label continue the speaker.
"""
