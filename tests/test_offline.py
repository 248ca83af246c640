"""The pipeline needs no network and no downloaded NLTK data."""

import os
import re
import subprocess
import sys

SNIPPET = r"""
import importlib, pkgutil, nltk, helpers
assert %(empty)r in nltk.data.path  # NLTK_DATA took effect: only empty folders
for module in pkgutil.iter_modules(helpers.__path__):
    importlib.import_module(f"helpers.{module.name}")
from helpers import corpus, tokens
sentences, dropped = corpus.build_corpus()
assert len(sentences) > 400 and len(tokens.tokenize_sentences(sentences)) > 0
print("offline ok")
"""


def test_pipeline_runs_with_empty_nltk_data_and_home(tmp_path, root):
    empty_data, empty_home = tmp_path / "nltk_data", tmp_path / "home"
    empty_data.mkdir()
    empty_home.mkdir()
    env = dict(os.environ, NLTK_DATA=str(empty_data), HOME=str(empty_home),
               HELPERS_PROJECT_ROOT=str(root), no_proxy="*",
               http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9")
    out = subprocess.run([sys.executable, "-c", SNIPPET % {"empty": str(empty_data)}],
                         env=env, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "offline ok" in out.stdout


def test_nothing_downloads_at_run_time(root):
    pattern = re.compile(r"nltk\.download|hf_hub_download|from_pretrained|urlopen|requests\.get")
    files = list((root / "src").rglob("*.py")) + list((root / "notebooks").glob("*.ipynb"))
    offenders = [str(f.relative_to(root)) for f in files if pattern.search(f.read_text())]
    assert offenders == []
