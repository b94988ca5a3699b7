# The README documents two targets for a fresh machine: `make demo` and
# `make test`. Both find or start PostgreSQL themselves (see README.md).

# The approved toolchain (go.mod: go 1.26.10, toolchain go1.27.3): the go
# command on the machine fetches it from the module proxy on first use.
export GOTOOLCHAIN := go1.27.3

GO      ?= go
BIN     := bin/stancewatch
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# Development database: DATABASE_URL, else 127.0.0.1:5432, else .data/pg.
DEVDB   := $(GO) run ./internal/tools/devdb

.PHONY: all build test vet vuln vulndb fmt-check chromium demo run bench stop-db clean

all: build

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/stancewatch

test: fmt-check vet chromium
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...

# Known vulnerabilities in the code paths the binary calls. Online it
# reads vuln.go.dev; offline, point VULNDB at a local copy of the
# database (see docs/security.md for how to make one):
#   make vuln VULNDB=file:///srv/vulndb
GOVULNCHECK := golang.org/x/vuln/cmd/govulncheck@v1.9.0
VULNDB ?=
vuln:
	$(GO) run $(GOVULNCHECK) $(if $(VULNDB),-db $(VULNDB)) ./...

# A local copy of the vulnerability database in .data/vulndb, built from
# the golang.org/x/vulndb module (its OSV files) through the module
# proxy; then: make vuln VULNDB=file://$(CURDIR)/.data/vulndb
vulndb:
	@set -e; dir=$$($(GO) mod download -json golang.org/x/vulndb@latest | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p'); \
	ver=$$(basename "$$dir" | sed 's/^vulndb@//'); \
	rm -rf .data/vulndb; \
	$(GO) run golang.org/x/vulndb/cmd/indexdb@$$ver -vulns "$$dir/data/osv" -out .data/vulndb; \
	echo "vulnerability database $$ver in .data/vulndb: make vuln VULNDB=file://$(CURDIR)/.data/vulndb"

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

# The demo: the bundled sample feeds (testdata/gold's fictional outlets,
# re-dated into the last 14 days so that the digests have something to
# show) are written under .data/demo and read through file:// URLs, so no
# network is needed; poll.file_root opens file:// feeds under that folder
# only (they are off by default). Running it again stores nothing twice: the articles
# are the same, only their dates in the files moved.
DEMO := .data/demo
demo: build
	@set -e; \
	DATABASE_URL=$$($(DEVDB)); export DATABASE_URL; \
	export STANCEWATCH_LOG_LEVEL=warn STANCEWATCH_DIGEST_OUT_DIR=$(DEMO)/digests; \
	export STANCEWATCH_POLL_FILE_ROOT=$(CURDIR)/$(DEMO)/feeds; \
	echo "== database: $$(echo $$DATABASE_URL | sed -E 's#//([^:@/]*):[^@]*@#//\1:xxxxx@#')"; \
	./$(BIN) migrate; \
	echo "== sample feeds: testdata/gold re-dated into the last 14 days, in $(DEMO)/feeds"; \
	$(GO) run ./internal/tools/mkfeeds -gold testdata/gold -out $(DEMO)/feeds -recent 14; \
	./$(BIN) feeds import $(DEMO)/feeds/sample.opml; \
	echo "== one poll of every feed; new articles are tagged as they are stored"; \
	./$(BIN) poll --once --all; \
	echo "== articles stored by an earlier run under other rules are re-tagged"; \
	./$(BIN) retag; \
	echo "== digests of the last 14 days, today's last"; \
	newest=""; \
	for i in 13 12 11 10 9 8 7 6 5 4 3 2 1 0; do \
		day=$$(date -u -d "-$$i day" +%F); \
		out=$$(./$(BIN) digest --date $$day); \
		case "$$out" in *": 0 articles"*) ;; *) newest=$$day ;; esac; \
	done; \
	echo "$$out"; \
	echo; \
	if [ -n "$$newest" ]; then \
		echo "Newest digest with articles: $(CURDIR)/$(DEMO)/digests/$$newest.html"; \
	fi; \
	echo "All digests:    $(CURDIR)/$(DEMO)/digests/index.html"; \
	echo "Query it:       psql \"$$DATABASE_URL\" -c 'SELECT * FROM article_labels ORDER BY published_at DESC LIMIT 10'"; \
	echo "Workbench:      http://127.0.0.1:8080/ (start it with \`make run\`: articles, trends, review, /api/v1/)"

# The daemon against the same local database, with the example
# configuration (real outlets' feeds: polling needs the internet);
# digests go to .data/run/digests, the endpoints and the workbench to
# http://127.0.0.1:8080/ (open for reading on loopback; corrections need
# an editor token, see docs/workbench.md).
run: build
	@DATABASE_URL=$$($(DEVDB)); export DATABASE_URL; \
	STANCEWATCH_DIGEST_OUT_DIR=.data/run/digests STANCEWATCH_LOG_FORMAT=text \
	exec ./$(BIN) --config deploy/stancewatch.example.yaml run

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

stop-db:
	$(DEVDB) -stop

clean:
	rm -rf bin
