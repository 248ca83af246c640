import pandas as pd
import pytest

from helpers.io import (InputError, InputErrors, read_csv_records, read_text_utf8,
                        write_csv_atomic, write_text_atomic)


def test_read_text_utf8_names_file_and_line_of_bad_byte(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes("first line\nsecond line\nthird \xe9 line\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"bad\.txt, line 3: not valid UTF-8"):
        read_text_utf8(p)


@pytest.mark.parametrize("content", [b"", b"  \n\n\t"])
def test_read_text_utf8_rejects_empty(tmp_path, content):
    p = tmp_path / "empty.txt"
    p.write_bytes(content)
    with pytest.raises(InputError, match=r"empty\.txt: file is empty"):
        read_text_utf8(p)


def test_read_text_keeps_exact_characters(tmp_path):
    p = tmp_path / "crlf.txt"
    p.write_bytes("a\r\nb’c".encode())
    assert read_text_utf8(p) == "a\r\nb’c"


def test_atomic_write_leaves_nothing_when_interrupted(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")

    class Boom(pd.DataFrame):
        def to_csv(self, *a, **k):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_csv_atomic(Boom({"a": [1]}), target)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_atomic_write_replaces_content(tmp_path):
    target = tmp_path / "sub" / "x.txt"
    write_text_atomic(target, "hello\n")
    assert target.read_text() == "hello\n"
    assert list(target.parent.iterdir()) == [target]


def test_csv_is_deterministic(tmp_path):
    df = pd.DataFrame({"x": [0.1 + 0.2, 1 / 3], "s": ["a", "b"]})
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_csv_atomic(df, a)
    write_csv_atomic(df.copy(), b)
    assert a.read_bytes() == b.read_bytes() == b"x,s\n0.3,a\n0.333333,b\n"


def test_read_csv_records_gives_rows_and_their_lines(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text('a,b\n1,"two\nlines"\n\n3,4\n')
    assert read_csv_records(p, ["a"]) == [(1, 2, {"a": "1", "b": "two\nlines"}),
                                          (2, 5, {"a": "3", "b": "4"})]


def test_read_csv_records_lists_every_row_of_the_wrong_width(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b\n1,2,3\n4,5\n6\n")
    with pytest.raises(InputErrors) as info:
        read_csv_records(p, ["a", "b"])
    assert str(info.value).split("\n") == [
        "t.csv, row 1 (line 2): 3 fields but the header has 2; quote values that contain commas",
        "t.csv, row 3 (line 4): 1 field but the header has 2; quote values that contain commas"]


@pytest.mark.parametrize("text, message", [
    ('a,b\n1,"open\n2,3\n', r"t\.csv, line 2: a quoted value opened on this line is never "
                             r"closed \(the quote runs on to line 3\)"),
    ('a,b\n1,"x"y\n', r't\.csv, line 2: malformed quoting .*must be doubled'),
    ("a,a\n1,2\n", r"t\.csv, line 1: column\(s\) \['a'\] given twice"),
])
def test_read_csv_records_says_what_is_wrong_with_the_quoting_or_header(tmp_path, text, message):
    p = tmp_path / "t.csv"
    p.write_text(text)
    with pytest.raises(InputError, match=message):
        read_csv_records(p, ["a"])
