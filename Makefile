# The two commands of the README, on a fresh machine: `make up` and `make test`.
# uv is installed from PyPI if the machine lacks it; the environment comes from the committed uv.lock.

UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: env up test lint deploy-check

env:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

up: env
	$(UV) run aftercare up

test: env
	$(UV) run pytest

lint: env deploy-check
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy .
	$(UV) run aftercare contracts check

# The deployment, checked without a Docker engine: hadolint on the Dockerfile, and docker-compose's own
# validation of the compose file with every password of the example env file filled in.
deploy-check: env
	$(UV) run hadolint deploy/Dockerfile
	@command -v docker-compose >/dev/null 2>&1 || { echo "docker-compose is missing: apt-get install docker-compose (.ci/run does)" >&2; exit 1; }
	@placeholders=$$(mktemp) && trap 'rm -f "$$placeholders"' EXIT && \
	  sed -E 's/^([A-Z_]+_PASSWORD)=$$/\1=placeholder/' deploy/.env.example > "$$placeholders" && \
	  docker-compose --env-file "$$placeholders" -f deploy/compose.yaml config --quiet && \
	  echo "deploy/compose.yaml is valid"
