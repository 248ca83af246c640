import shutil

from workflow.environment import diff_environment, read_lock_pins


def test_environment_yml_agrees_with_lock(root):
    assert diff_environment(root) == []


def test_lock_pins_every_direct_dependency(root):
    import tomllib

    pins = read_lock_pins(root / "requirements.lock")
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    direct = project["dependencies"] + project["optional-dependencies"]["test"]
    for spec in direct:
        name = spec.split(">")[0].split("=")[0].split("<")[0].strip().lower()
        assert name.replace("_", "-") in pins, f"{name} is not pinned in requirements.lock"


def test_disagreement_is_detected(root, tmp_path):
    for f in ("requirements.lock", "environment.yml"):
        shutil.copy(root / f, tmp_path / f)
    env = tmp_path / "environment.yml"
    text = env.read_text()
    pandas_line = next(line for line in text.splitlines() if "- pandas==" in line)
    env.write_text(text.replace(pandas_line, "      - pandas==0.0.1"))
    problems = diff_environment(tmp_path)
    assert "-      - pandas==0.0.1" in problems and any(p.startswith("+      - pandas==") for p in problems)
    env.write_text(text.replace("  - python=3.11", "  - python=3.12"))
    assert "-  - python=3.12" in diff_environment(tmp_path)
