# The course's targets for TP0. Images are built from local base images (no
# registry here); see docker/base-images.sh and docker/install-engine.sh.
SHELL := /bin/bash

PNPM_VERSION := 12.4.2
AGENCIES ?= 5
COMPOSE_FILE ?= docker-compose-dev.yaml
DATA_DIR ?= .data
DATASET_ZIP ?= ../shared/datasets/tp0-dataset.zip
GEN_DATA := packages/system/dist/gen-data.js
# Swarm: the stack file is generated under .data (untracked); its config paths are relative to it. The stack's name
# differs from the Compose project's (tp0, in .env): its network and bets volume are <name>_testing_net and
# <name>_bets, so a stack and a Compose deployment never share either.
STACK ?= tp0swarm
# KEEP_BETS=1: swarm-down leaves the stack's bets volume (the next swarm-up then resumes that lottery).
KEEP_BETS ?=
STACK_FILE ?= $(DATA_DIR)/docker-stack.yaml
# Present while the swarm is one that swarm-up initialised, so swarm-down leaves only a swarm it made.
SWARM_MARKER := $(DATA_DIR)/.swarm-created
SWARM_STATE = $$(docker info --format '{{.Swarm.LocalNodeState}}')

# Compose v2 (`docker compose`, what the course uses; docker/install-engine.sh installs it) when present, else the
# standalone 1.29. Expanded when a recipe runs, after docker-engine may have installed v2.
COMPOSE = $(shell docker compose version >/dev/null 2>&1 && echo 'docker compose' || echo docker-compose)

.PHONY: default ensure-pnpm build docker-engine docker-image docker-compose-up \
	docker-compose-down docker-compose-logs docker-compose-logs-sorted swarm-up swarm-down swarm-logs swarm-rm \
	test test-unit test-docker data course-data run

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

# Ends the lottery: bets.csv is in the server's container, which down removes, so the next up is a new lottery. A
# file generated with --keep-bets keeps it on the tp0_bets volume instead, and says how to drop it.
docker-compose-down:
	@if [ -f $(COMPOSE_FILE) ]; then \
		$(COMPOSE) -f $(COMPOSE_FILE) stop -t 1 && $(COMPOSE) -f $(COMPOSE_FILE) down && \
		if grep -q '^volumes:' $(COMPOSE_FILE); then \
			echo "docker-compose-down: bets kept on the bets volume (--keep-bets): the next up resumes that lottery;" \
				"'$(COMPOSE) -f $(COMPOSE_FILE) down -v' drops them"; fi; \
	else echo "$(COMPOSE_FILE) missing: nothing to stop"; fi

docker-compose-logs:
	$(COMPOSE) -f $(COMPOSE_FILE) logs -f

# One timeline for the whole project. Plain `logs` reads each container's log on its own and prints each backlog
# as it comes, so after a fast run one container's lines can all come before another's (a client's winners line
# above the server's sorteo line). -t prefixes every line with the engine's timestamp (RFC 3339, fixed nanoseconds,
# UTC), taken when the container wrote the line: a stable sort on that field merges them in the order they happened.
docker-compose-logs-sorted:
	@$(COMPOSE) -f $(COMPOSE_FILE) logs -t --no-color | grep ' | ' | sort -s -b -k3,3

# Docker Swarm on this machine: a one-node swarm (initialised here when there is none), the stack from
# `generar-compose.sh --target swarm`, the same data as docker-compose-up. A lottery lives as long as the deployment:
# the server's bets volume ($(STACK)_bets) outlives a restarted server task, and swarm-down removes it (KEEP_BETS=1
# keeps it); a leftover volume from a deployment that was not taken down this way is removed before a new deploy.
swarm-up: docker-engine docker-image $(DATA_DIR)/agency-1.csv
	@if [ "$(SWARM_STATE)" != active ]; then \
		had_gwbridge=$$(docker network inspect docker_gwbridge >/dev/null 2>&1 && echo yes || echo no); \
		docker swarm init --advertise-addr 127.0.0.1 >/dev/null && mkdir -p $(DATA_DIR) \
		&& echo "had_gwbridge=$$had_gwbridge" > $(SWARM_MARKER) \
		&& echo "swarm-up: initialised a one-node swarm (swarm-down leaves it)"; fi
	@# The server's placement constraint: the node that keeps its bets volume.
	docker node update --label-add tp0.data=true $$(docker info --format '{{.Swarm.NodeID}}') >/dev/null
	./generar-compose.sh $(STACK_FILE) $(AGENCIES) --target swarm
	@# A deployed stack's agencies already ran once, and its configs cannot change in place: start afresh.
	@if docker stack ls --format '{{.Name}}' | grep -qx '$(STACK)'; then $(MAKE) --no-print-directory swarm-rm; fi
	@if [ -z "$(KEEP_BETS)" ] && docker volume inspect $(STACK)_bets >/dev/null 2>&1; then \
		docker volume rm $(STACK)_bets >/dev/null && echo "swarm-up: removed the bets of an earlier deployment ($(STACK)_bets)"; fi
	docker stack deploy -c $(STACK_FILE) $(STACK)

# Every service's log, followed (Ctrl-C stops); `docker service logs` takes one service at a time.
swarm-logs:
	@services=$$(docker stack services --format '{{.Name}}' $(STACK) 2>/dev/null); \
	if [ -z "$$services" ]; then echo "swarm-logs: stack $(STACK) is not deployed (make swarm-up)" >&2; exit 1; fi; \
	for service in $$services; do docker service logs -f --no-task-ids $$service & done; wait

# Leaves the swarm only if swarm-up initialised it, and then also removes the gateway bridge swarm init made.
swarm-down: swarm-rm
	@if [ -f $(SWARM_MARKER) ]; then \
		had=$$(sed -n 's/^had_gwbridge=//p' $(SWARM_MARKER)); \
		docker swarm leave --force && rm -f $(SWARM_MARKER) && \
		if [ "$$had" = no ]; then \
			for i in $$(seq 20); do docker network rm docker_gwbridge >/dev/null 2>&1 && break; sleep 1; done; \
			docker network inspect docker_gwbridge >/dev/null 2>&1 \
				&& echo "swarm-down: docker_gwbridge still in use; remove it later (docker network rm docker_gwbridge)"; \
		fi; true; fi

# `docker stack rm` returns before the tasks' containers are gone; the stack's network goes last. Then the bets
# volume, unless KEEP_BETS is set.
swarm-rm:
	@if [ "$(SWARM_STATE)" = active ] && docker stack ls --format '{{.Name}}' | grep -qx '$(STACK)'; then \
		docker stack rm $(STACK) && \
		for i in $$(seq 60); do \
			[ -z "$$(docker ps -aq --filter label=com.docker.stack.namespace=$(STACK))" ] \
				&& ! docker network inspect $(STACK)_testing_net >/dev/null 2>&1 && break; sleep 1; done; \
	else echo "swarm-rm: stack $(STACK) is not deployed"; fi
	@if [ -z "$(KEEP_BETS)" ] && docker volume inspect $(STACK)_bets >/dev/null 2>&1; then \
		docker volume rm $(STACK)_bets >/dev/null && echo "swarm-rm: removed the bets volume $(STACK)_bets"; \
	elif [ -n "$(KEEP_BETS)" ]; then echo "swarm-rm: kept $(STACK)_bets (KEEP_BETS)"; fi

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
