import pytest
from conftest import SMALL_LEXICON

from helpers import lexicon as lex
from helpers.io import InputError


@pytest.mark.parametrize("text, message", [
    (SMALL_LEXICON + SMALL_LEXICON.split("\n", 1)[1].split("- id: syria")[0], r"row 3 \(line \d+\): issue 'arms_control': duplicate id"),
    ("- id: x\n  label: X\n  description: d\n  patterns: []\n", r"row 1 \(line 1\): issue 'x': patterns must be"),
    ("- id: x\n  label: X\n  description: d\n  patterns: ['(unclosed']\n", r"row 1 \(line 1\): issue 'x': pattern: invalid pattern '\(unclosed'"),
    ("- id: x\n  description: d\n  patterns: ['a']\n", r"row 1 \(line 1\): issue 'x': missing label"),
    ("- id: x\n  label: X\n  description: d\n  patterns: ['a']\n  colour: red\n", r"row 1 \(line 1\): issue 'x': unknown keys"),
])
def test_malformed_lexicon_names_the_row(tmp_path, text, message):
    p = tmp_path / "bad.yml"
    p.write_text(text)
    with pytest.raises(InputError, match=r"bad\.yml, " + message):
        lex.load_lexicon(p)
