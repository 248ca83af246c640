import tomllib

import tasks


def test_environment_yml_agrees_with_lock(root):
    assert (root / "environment.yml").read_text() == tasks.environment_yml(), \
        "stale: environment.yml — rerun `python3 tasks.py lock`"


def test_lock_pins_every_direct_dependency(root):
    pins = {line.split("==")[0] for line in (root / "requirements.lock").read_text().split()}
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    direct = project["dependencies"] + project["optional-dependencies"]["test"]
    for spec in direct:
        name = spec.split(">")[0].split("=")[0].split("<")[0].strip().lower()
        assert name.replace("_", "-") in pins, f"{name} is not pinned in requirements.lock"
