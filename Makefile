# The README documents two targets for a fresh machine: `make demo` and
# `make test`. Both find or start PostgreSQL themselves (see README.md).

GO      ?= go
BIN     := bin/stancewatch
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# Development database: DATABASE_URL, else 127.0.0.1:5432, else .data/pg.
DEVDB   := $(GO) run ./internal/tools/devdb

.PHONY: all build test vet fmt-check chromium demo bench stop-db clean

all: build

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/stancewatch

test: fmt-check vet chromium
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.data/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# The digest's HTML is checked in headless Chromium (Debian's package).
CHROMIUM_INSTALL := apt-get update && apt-get install -y chromium
chromium:
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "== installing Chromium for the HTML digest tests: $(CHROMIUM_INSTALL)"; \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium) >/dev/null || exit 1; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		echo "== installing Chromium for the HTML digest tests: sudo $(CHROMIUM_INSTALL)"; \
		(sudo -n apt-get update && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium) >/dev/null || exit 1; \
	else \
		echo "Chromium is needed by the HTML digest tests. Install it with:"; \
		echo "  sudo sh -c '$(CHROMIUM_INSTALL)'"; \
		exit 1; \
	fi

demo: build
	@set -e; \
	DATABASE_URL=$$($(DEVDB)); export DATABASE_URL; \
	echo "== database: $$(echo $$DATABASE_URL | sed -E 's#//([^:@/]*):[^@]*@#//\1:xxxxx@#')"; \
	./$(BIN) migrate

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

stop-db:
	$(DEVDB) -stop

clean:
	rm -rf bin
