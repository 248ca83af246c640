import pytest
from conftest import SMALL_LEXICON

from helpers import lexicon as lex
from helpers.io import InputError


@pytest.mark.parametrize("text, message", [
    (SMALL_LEXICON + SMALL_LEXICON.split("\n", 1)[1].split("- id: syria")[0], r"row 3 \(line \d+\): issue 'arms_control': duplicate id"),
    ("- id: x\n  label: X\n  description: d\n  patterns: []\n", r"row 1 \(line 1\): issue 'x': patterns must be"),
    ("- id: x\n  label: X\n  description: d\n  patterns: ['(unclosed']\n", r"row 1 \(line 4\): issue 'x': pattern '\(unclosed' is not a valid"),
    ("- id: x\n  description: d\n  patterns: ['a']\n", r"row 1 \(line 1\): issue 'x': missing label"),
    ("- id: x\n  label: X\n  description: d\n  patterns: ['a']\n  colour: red\n", r"row 1 \(line 1\): issue 'x': unknown keys"),
])
def test_malformed_lexicon_names_the_row(tmp_path, text, message):
    p = tmp_path / "bad.yml"
    p.write_text(text)
    with pytest.raises(InputError, match=r"bad\.yml, " + message):
        lex.load_lexicon(p)


@pytest.mark.parametrize("pattern, width, nested", [
    (r"\bnorth korea\w*", 11, False), (r"(\w+\s?)+$", 1, True), (r"(?:\w+ ){1,3}", 2, True),
    (r"\bsanctions?\b.{0,40}\btreaty", 14, False), (r"(a|bc)?d|(?=x)", 0, False),
    (r"(ab)\1", 2, False), (r"[]x]{2,}|\x41", 1, False), (r"(?<!no )(talks|\w{2})+", 2, True)])
def test_parsed_patterns_give_the_least_width_and_nested_repeats(pattern, width, nested):
    from helpers.lexicon import _nested_repeat, min_width, parse_pattern

    parsed = parse_pattern(pattern)
    assert (min_width(parsed), _nested_repeat(parsed)) == (width, nested)


@pytest.mark.parametrize("pattern", [r"(?#note)x", r"(?P<a>x)(?P=a)", r"(a)(?(1)b|c)"])
def test_unknown_constructs_are_refused(pattern):
    with pytest.raises(ValueError, match="plain groups"):
        lex.check_pattern(pattern)
