import csv
import hashlib

import pytest

from helpers.io import InputError
from helpers.sources import load_manifest


def _rows(raw):
    with open(raw / "sources.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _write_rows(raw, rows):
    with open(raw / "sources.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def test_manifest_lists_the_seeds_and_every_file_matches_its_checksum(project):
    from conftest import SEEDS

    sources = load_manifest(project / "data" / "raw")
    assert {s.file for s in sources} >= set(SEEDS)
    for s in sources:
        s.read_text()  # checksum and encoding verified
        assert s.meeting.endswith(s.event_date), s.file


def test_the_seeds_record_two_meetings(seed_root):
    sources = load_manifest(seed_root / "data" / "raw")
    assert {s.meeting for s in sources} == {"sochi-2019-05-14", "washington-2019-12-10"}
    assert {s.event_date for s in sources if s.file.startswith(("000", "003"))} == {
        "2019-12-10"}


def test_checksum_mismatch_names_file_and_row(tmp_project):
    raw = tmp_project / "data" / "raw"
    rows = _rows(raw)
    rows[2]["sha256"] = "0" * 64
    _write_rows(raw, rows)
    src = load_manifest(raw)[2]
    with pytest.raises(InputError, match=r"002_.*\.txt: checksum mismatch: manifest row 3"):
        src.read_text()


def test_a_file_removed_after_loading_the_manifest_is_a_clear_error(tmp_project):
    src = load_manifest(tmp_project / "data" / "raw")[1]
    src.path.unlink()
    with pytest.raises(InputError, match=r"001_.*\.txt: file is missing"):
        src.read_text()


def test_unlisted_file_and_missing_file_are_errors(tmp_project):
    raw = tmp_project / "data" / "raw"
    (raw / "005_new.txt").write_text("SECRETARY POMPEO: Hello.\n")
    with pytest.raises(InputError, match=r"005_new\.txt: file in data/raw/ has no row"):
        load_manifest(raw)
    (raw / "005_new.txt").unlink()
    (raw / "001_7735bcb4b27e75de.txt").unlink()
    with pytest.raises(InputError, match=r"sources\.csv, row 2 \(line 3\): manifest row has no file"):
        load_manifest(raw)


@pytest.mark.parametrize("content, message", [(b"", "file is empty"),
                                              (b"ok line\n\xff\xfe bad\n", "line 2: not valid UTF-8")])
def test_empty_and_non_utf8_files_are_errors(tmp_project, content, message):
    raw = tmp_project / "data" / "raw"
    (raw / "004_e53a42b407c7c2fa.txt").write_bytes(content)
    rows = _rows(raw)
    rows[4]["sha256"] = hashlib.sha256(content).hexdigest()
    _write_rows(raw, rows)
    with pytest.raises(InputError, match=message):
        load_manifest(raw)[4].read_text()


def test_bad_manifest_values_name_the_row(tmp_project):
    raw = tmp_project / "data" / "raw"
    rows = _rows(raw)
    rows[1]["source_kind"] = "blog post"
    _write_rows(raw, rows)
    with pytest.raises(InputError, match=r"sources\.csv, row 2 \(line 3\): unknown source_kind 'blog post'"):
        load_manifest(raw)


def test_manifest_rows_are_the_same_in_every_copy_of_the_project(seed_root, tmp_path):
    """Rows passed to cached steps carry no path, so a staged copy hits the same cache."""
    import shutil

    from helpers.sources import load_manifest, manifest_rows

    shutil.copytree(seed_root / "data" / "raw", tmp_path / "raw")
    here = manifest_rows(load_manifest(seed_root / "data" / "raw"))
    there = manifest_rows(load_manifest(tmp_path / "raw"))
    assert here == there and all("path" not in r for r in here.values())
    assert {r["setting"] for r in here.values()} >= {"press conference"}
