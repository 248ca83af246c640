# Thin wrapper over tasks.py (which needs only Python 3.11 and pip). `make help` lists targets.
PYTHON ?= python3

## Rerun everything: venv + install, execute notebooks in order, render HTML
reproduce:
	$(PYTHON) tasks.py reproduce

## Run the whole test suite, notebooks end to end included
test:
	$(PYTHON) tasks.py test

## Benchmark: notebook rerun against its floor, helper throughput 1x..1000x
bench:
	$(PYTHON) tasks.py bench

## Open JupyterLab from the project's environment
lab:
	$(PYTHON) tasks.py lab

## Re-pin requirements.lock from pyproject.toml and regenerate environment.yml
lock:
	$(PYTHON) tasks.py lock

## Show this help
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z-]+:/{split($$1,t,":"); if (doc) printf "  %-10s %s\n", t[1], doc; doc=""}' $(MAKEFILE_LIST)

.PHONY: reproduce test bench lab lock help
.DEFAULT_GOAL := help
