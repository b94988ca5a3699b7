package ingest

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stancewatch/stancewatch/store/storetest"

	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/store"
)

// The robustness corpus: real feeds and parser-suite fixtures. Every file
// must end as a stored feed (its usable items stored) or a clear error on
// the feed; never a panic; and all of them are polled in one run.

// headerLine is feedparser's way of saying which HTTP header a test file
// is meant to be served with, in its leading comment.
var headerLine = regexp.MustCompile(`(?m)^\s*Header:\s*([A-Za-z-]+):\s*(.*?)\s*$`)

// corpusHeaders returns the headers a file asks for in its first comment.
func corpusHeaders(data []byte) http.Header {
	h := http.Header{}
	start := bytes.Index(data[:min(len(data), 512)], []byte("<!--"))
	if start < 0 {
		return h
	}
	end := bytes.Index(data[start:], []byte("-->"))
	if end < 0 {
		return h
	}
	for _, m := range headerLine.FindAllSubmatch(data[start:start+end], -1) {
		h.Add(string(m[1]), string(m[2]))
	}
	return h
}

// serveCorpus serves the files under root, each with the headers its
// comment asks for and no Content-Type otherwise (Go would sniff one).
func serveCorpus(t *testing.T, root string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rel := strings.TrimPrefix(r.URL.Path, "/")
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header()["Content-Type"] = nil
		for k, vs := range corpusHeaders(data) {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func corpusFiles(t *testing.T, root string, keep func(rel string) bool) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if strings.EqualFold(d.Name(), "README.md") || strings.HasPrefix(d.Name(), "LICENSE") || (keep != nil && !keep(rel)) {
			return nil
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no corpus files under %s", root)
	}
	return out
}

// clearError is how every recorded error starts: it says what failed.
var clearError = regexp.MustCompile(`^(parse (RSS|Atom|JSON Feed|feed): |not a feed: |decode |feed parser failed|GET )`)

// pollCorpus polls every file as a feed in one run and checks each one.
// It returns the store and the stored feeds by file path.
func pollCorpus(t *testing.T, root string, files []string) (*store.Store, map[string]store.Feed) {
	t.Helper()
	ctx := context.Background()
	st := pg.NewStore(t)
	srv := serveCorpus(t, root)
	nfs := make([]store.NewFeed, len(files))
	for i, rel := range files {
		nfs[i] = store.NewFeed{URL: srv.URL + "/" + (&url.URL{Path: rel}).EscapedPath()}
	}
	if _, err := st.AddFeeds(ctx, nfs); err != nil {
		t.Fatal(err)
	}
	f := feeds.NewFetcher(feeds.Options{Version: "test", AllowPrivateNetworks: true})
	defer f.CloseIdleConnections()
	p := newPoller(st, f, pollerOptions{Workers: 8, PerHost: 8}, slog.New(slog.DiscardHandler))
	sum, err := p.PollAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Feeds) != len(files) {
		t.Fatalf("%d of %d feeds polled", len(sum.Feeds), len(files))
	}
	list, err := st.ListFeeds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]store.Feed{}
	byPath := map[string]store.Feed{}
	for _, f := range list {
		byID[f.ID] = f
		u, _ := url.Parse(f.URL)
		byPath[strings.TrimPrefix(u.Path, "/")] = f
	}
	var ok, failed, items int
	for _, r := range sum.Feeds {
		f := byID[r.FeedID]
		switch r.Outcome {
		case "ok":
			ok++
			items += r.Items
			if usable := r.Items - r.Skipped; usable > 0 && f.Articles == 0 {
				t.Errorf("%s: %d usable items, none stored", f.URL, usable)
			}
		case "error":
			failed++
			t.Logf("%s: %s", f.URL[strings.LastIndex(f.URL, "/")+1:], f.LastError)
			if f.ConsecutiveErrors != 1 || !clearError.MatchString(f.LastError) {
				t.Errorf("%s: error not recorded clearly: %q", f.URL, f.LastError)
			}
		default:
			t.Errorf("%s: outcome %s (%v)", f.URL, r.Outcome, r.Err)
		}
	}
	t.Logf("%d files: %d stored (%d items), %d recorded errors", len(files), ok, items, failed)
	return st, byPath
}

// titlesOf returns the titles of the articles seen in a feed.
func titlesOf(t *testing.T, st *store.Store, feedID int64) string {
	t.Helper()
	var s string
	err := storetest.QueryRow(t, st, `
		SELECT coalesce(string_agg(a.title || ' ' || a.content_text, ' | '), '')
		FROM articles a JOIN article_feeds l ON l.article_id = a.id WHERE l.feed_id = $1`, feedID).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPollCorpusInRepository(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "testdata", "feeds-corpus")
	st, byPath := pollCorpus(t, root, corpusFiles(t, root, nil))

	// Legacy charsets come out as the right text, converted once.
	for path, want := range map[string]string{
		"nonutf8/ibash_ru_windows-1251.xml":          "Цитата",
		"nonutf8/cerclepsy_fr_nodecl_iso-8859-1.xml": "é",
		"nonutf8/uol_br_nodecl_iso-8859-1.xml":       "ç",
		"nonutf8/kc0011_cn_gb2312.xml":               "纪念",
		"edge/miniflux/encoding/koi8r.xml":           "Первая новость",
		"edge/miniflux/xml/koi8r.xml":                "Первая новость",
		"news/meduza_all_ru_2020-10-15.xml":          "Киргизии",
	} {
		f, ok := byPath[path]
		if !ok {
			t.Errorf("%s: not in the corpus", path)
			continue
		}
		text := titlesOf(t, st, f.ID)
		if !strings.Contains(text, want) || strings.Contains(text, "\uFFFD") || strings.Contains(text, "Ð") {
			t.Errorf("%s: want %q in the stored text, got %.200q", path, want, text)
		}
	}
}

// gofeedTestdata is the test suite of the gofeed version in go.mod,
// from the module cache.
func gofeedTestdata(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/mmcdole/gofeed").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/mmcdole/gofeed: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "testdata")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("gofeed's test data is not in the module cache (run `go mod download github.com/mmcdole/gofeed`): %v", err)
	}
	return dir
}

func TestPollCorpusGofeedSuite(t *testing.T) {
	t.Parallel()
	root := gofeedTestdata(t)
	pollCorpus(t, root, corpusFiles(t, root, nil))
}

// sharedCorpus finds shared/feeds-realworld next to the repository (or
// next to one of its parent folders).
func sharedCorpus() string {
	dir, err := filepath.Abs("..")
	if err != nil {
		return ""
	}
	for {
		candidate := filepath.Join(dir, "..", "shared", "feeds-realworld")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// The GPL-3.0 and unlicensed files of the team's collection may not be
// copied into the repository; they are read where they are.
func TestPollCorpusSharedOnly(t *testing.T) {
	t.Parallel()
	root := sharedCorpus()
	if root == "" {
		t.Skip("../shared/feeds-realworld not found: its GPL-3.0 and unlicensed feeds cannot be tested here (they are in CI)")
	}
	onlyShared := map[string]bool{
		"news/guardian_world_2022-09-25.xml":    true,
		"news/suspilne_ukrnet_2023-12-22.xml":   true,
		"news/lemonde_une_2018-02-11.xml":       true,
		"news/aljazeera_all_2026-09-25.xml":     true,
		"jsonfeed/feeder_cowboyprogrammer.json": true,
	}
	files := corpusFiles(t, root, func(rel string) bool { return onlyShared[rel] })
	if len(files) != len(onlyShared) {
		t.Errorf("found %d of the %d shared-only files in %s", len(files), len(onlyShared), root)
	}
	st, byPath := pollCorpus(t, root, files)
	if f := byPath["news/suspilne_ukrnet_2023-12-22.xml"]; f.Articles == 0 || !strings.Contains(titlesOf(t, st, f.ID), "Зеленськ") {
		t.Errorf("Suspilne (bogus default namespace) not stored: %+v", f)
	}
}
