# The course's targets for TP0. Images are built from local base images (no
# registry here); see docker/base-images.sh and docker/install-engine.sh.
SHELL := /bin/bash

PNPM_VERSION := 12.4.2
AGENCIES ?= 5
COMPOSE_FILE ?= docker-compose-dev.yaml
DATA_DIR ?= .data
DATASET_ZIP ?= ../shared/datasets/tp0-dataset.zip
GEN_DATA := packages/system/dist/gen-data.js

# Compose v2 plugin when present, else the standalone v1 (Debian 12 ships
# 1.29, which rejects a top-level `name:`: the project name is in .env).
COMPOSE := $(shell docker compose version >/dev/null 2>&1 && echo 'docker compose' || echo docker-compose)

.PHONY: default ensure-pnpm build docker-engine docker-image docker-compose-up \
	docker-compose-down docker-compose-logs test test-unit test-docker data course-data run

default: build

ensure-pnpm:
	@[ "$$(pnpm --version 2>/dev/null)" = "$(PNPM_VERSION)" ] || npm i -g pnpm@$(PNPM_VERSION)

build: ensure-pnpm
	pnpm install --frozen-lockfile
	pnpm -r build
	node docker/bundle.mjs

# Installs and starts dockerd when no engine answers (needs root).
docker-engine:
	bash docker/install-engine.sh

docker-image: build
	bash docker/base-images.sh
	docker build -f docker/server.Dockerfile -t server:latest .
	docker build -f docker/client.Dockerfile -t client:latest .

docker-compose-up: docker-engine docker-image $(COMPOSE_FILE) $(DATA_DIR)/agency-1.csv
	$(COMPOSE) -f $(COMPOSE_FILE) up -d

# Generated only when missing; delete it (or run generar-compose.sh) to change it.
$(COMPOSE_FILE):
	./generar-compose.sh $(COMPOSE_FILE) $(AGENCIES)

# The course's real dataset when ../shared has it, else seeded synthetic data.
$(DATA_DIR)/agency-1.csv:
	@if [ -f $(DATASET_ZIP) ]; then $(MAKE) course-data; else $(MAKE) data; fi

docker-compose-down:
	@if [ -f $(COMPOSE_FILE) ]; then \
		$(COMPOSE) -f $(COMPOSE_FILE) stop -t 1 && $(COMPOSE) -f $(COMPOSE_FILE) down; \
	else echo "$(COMPOSE_FILE) missing: nothing to stop"; fi

docker-compose-logs:
	$(COMPOSE) -f $(COMPOSE_FILE) logs -f

# Seeded synthetic bets, one file per agency. Builds only the generator (and
# the packages it depends on) when it is missing.
data: ensure-pnpm
	@[ -d node_modules ] || pnpm install --frozen-lockfile
	@[ -f $(GEN_DATA) ] || pnpm --filter '@tp0/system...' build
	node $(GEN_DATA) --out $(DATA_DIR) --agencies $(AGENCIES)

# The course's real dataset; python3's zipfile because unzip may be missing.
course-data:
	@if [ ! -f $(DATASET_ZIP) ]; then echo "course-data: $(DATASET_ZIP) not found" >&2; exit 1; fi
	mkdir -p $(DATA_DIR)
	python3 -m zipfile -e $(DATASET_ZIP) $(DATA_DIR)/

test: test-unit test-docker

test-unit: ensure-pnpm
	pnpm install --frozen-lockfile
	pnpm -r build
	pnpm -r test

# Docker end-to-end tests (packages/system/src/docker): real images, compose
# project tp0e2e, files under .e2e/. They reuse the container names server and
# clientN, so they remove any such containers before each scenario.
test-docker: docker-engine docker-image
	pnpm --filter @tp0/system test:docker

# Runs the system locally (no Docker): server + N agencies as processes on 127.0.0.1.
run: ensure-pnpm $(DATA_DIR)/agency-1.csv
	pnpm install --frozen-lockfile
	pnpm -r build
	node docker/bundle.mjs
	node packages/system/dist/local-run.js --bundled --agencies $(AGENCIES) --data $(DATA_DIR)
