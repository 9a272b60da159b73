# The two commands of the README, on a fresh machine: `make up` and `make test`.
# uv is installed from PyPI if the machine lacks it; the environment comes from the committed uv.lock.
# Both start the local PostgreSQL and RabbitMQ if they are installed but stopped (scripts/local-services).

UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: env up test lint deploy-check partner-contract-check kubernetes-check container-engine

# Bytecode is compiled here, once: where PYTHONDONTWRITEBYTECODE is set (as on this machine kind) every
# process would otherwise compile every module from source again, about 4 s per process started.
env:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode
	@$(UV) run python -m compileall -q shared services testkit tests >/dev/null

# The archive typesets its PDFs in Noto CJK (Debian's fonts-noto-cjk); the tests read them back with
# pdftotext (poppler-utils).
ARCHIVE_FONTS := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc=fonts-noto-cjk

# The services run as RabbitMQ users of their own, made through the management API as a deployment's
# `provision` step makes them; the broker's administrator serves only the operator's tools.
up: env
	@scripts/local-services --management
	@scripts/debian-packages $(ARCHIVE_FONTS)
	$(UV) run aftercare up

# The tests also provision broker users through RabbitMQ's management API, as a deployment does, drive
# the console in Debian's Chromium (Playwright from the lock file, no browser download), and read mail from
# Dovecot IMAP servers of their own (testkit/dovecot.py; the package's system service is not used).
test: env
	@scripts/local-services --management
	@scripts/debian-packages $(ARCHIVE_FONTS) pdftotext=poppler-utils chromium=chromium /usr/sbin/dovecot=dovecot-imapd
	$(UV) run pytest

lint: env deploy-check partner-contract-check kubernetes-check
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy .
	$(UV) run aftercare contracts check

# The Kubernetes manifests, checked without a cluster: kustomize renders them (with credentials that
# scripts/kubernetes-secrets makes if deploy/kubernetes/secrets has none yet), and every object
# validates against the Kubernetes API schemas or, for the operators' resources, their CRD schemas.
kubernetes-check: env
	@scripts/kubernetes-secrets >/dev/null
	$(UV) run python tools/kubernetes/validate.py

# A container engine for tests/test_compose_engine.py, which runs it itself: podman with runc serving
# Docker's API, Debian's docker-compose, a Debian base image and the stand-ins for the official images.
container-engine:
	scripts/container-engine

# The vendor partners' AsyncAPI document, validated by the official AsyncAPI parser (Node, from the lock file).
partner-contract-check:
	npm ci --prefix tools/asyncapi --silent --no-audit --no-fund
	node tools/asyncapi/validate.mjs docs/partners/asyncapi.yaml

# The deployment, checked without a Docker engine: hadolint on the Dockerfile, and docker-compose's own
# validation of the compose file with every password of the example env file filled in.
deploy-check: env
	$(UV) run hadolint deploy/Dockerfile
	@scripts/debian-packages docker-compose=docker-compose
	@placeholders=$$(mktemp) && trap 'rm -f "$$placeholders"' EXIT && \
	  sed -E 's/^([A-Z_]+_PASSWORD)=$$/\1=placeholder/' deploy/.env.example > "$$placeholders" && \
	  docker-compose --env-file "$$placeholders" -f deploy/compose.yaml config --quiet && \
	  echo "deploy/compose.yaml is valid"
