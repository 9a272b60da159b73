# The two commands of the README, on a fresh machine: `make up` and `make test`.
# uv is installed from PyPI if the machine lacks it; the environment comes from the committed uv.lock.

UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: env up test lint

env:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

up: env
	$(UV) run aftercare up

test: env
	$(UV) run pytest

lint: env
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy .
	$(UV) run aftercare contracts check
