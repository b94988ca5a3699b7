package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stancewatch/stancewatch/feeds"
)

const sampleOPML = "../../testdata/feeds/sample.opml"

func mustRun(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	r := runWith(t, env, "", args...)
	if r.code != 0 {
		t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

// feedsEnv is the environment of the feed commands' tests: the sample
// feeds are read through file:// under testdata/feeds, and the test
// servers are on 127.0.0.1, so both are opted into as an operator would.
func feedsEnv(t *testing.T) map[string]string {
	root, err := filepath.Abs("../../testdata/feeds")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"DATABASE_URL": pg.NewDatabase(t), "STANCEWATCH_LOG_LEVEL": "warn",
		"STANCEWATCH_POLL_FILE_ROOT": root, "STANCEWATCH_POLL_ALLOW_PRIVATE_NETWORKS": "true"}
}

func TestFeedsImportPollListExport(t *testing.T) {
	t.Parallel()
	env := feedsEnv(t)

	r := mustRun(t, env, "feeds", "import", sampleOPML)
	if !strings.Contains(r.stdout, "imported 8 feeds from "+sampleOPML+": 8 new, 0 already present, 0 skipped") {
		t.Fatalf("import:\n%s", r.stdout)
	}
	abs, _ := filepath.Abs("../../testdata/feeds/northbridge-wire.rss.xml")
	if !strings.Contains(r.stdout, "file://"+filepath.ToSlash(abs)) {
		t.Errorf("relative xmlUrl not resolved against the OPML file's folder:\n%s", r.stdout)
	}
	if r = mustRun(t, env, "feeds", "import", sampleOPML); !strings.Contains(r.stdout, "0 new, 8 already present") {
		t.Errorf("second import:\n%s", r.stdout)
	}

	r = mustRun(t, env, "poll", "--once")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 9 || !strings.HasPrefix(lines[0], "ok ") ||
		!strings.Contains(lines[8], "polled 8 feeds") || !strings.Contains(lines[8], "8 ok") || !strings.Contains(lines[8], "63 new and 0 updated articles, 63 tagged") {
		t.Fatalf("poll --once:\n%s\n%s", r.stdout, r.stderr)
	}
	if r = mustRun(t, env, "poll", "--once"); !strings.HasPrefix(r.stdout, "polled 0 feeds") {
		t.Errorf("nothing is due, yet:\n%s", r.stdout)
	}
	if r = mustRun(t, env, "poll", "--once", "--all"); !strings.Contains(r.stdout, "8 not modified") {
		t.Errorf("poll --all of unchanged files:\n%s", r.stdout)
	}

	r = mustRun(t, env, "feeds", "list")
	if !regexp.MustCompile(`(?m)^\d+\s+ok\s+4\s+.*Northbridge Wire\s+file://`).MatchString(r.stdout) ||
		!strings.Contains(r.stdout, "Восток-Пресс") || !strings.Contains(r.stdout, "8 feeds: 0 failing, 0 disabled") {
		t.Errorf("feeds list:\n%s", r.stdout)
	}
	var listed []struct {
		ID       int64  `json:"id"`
		URL      string `json:"url"`
		State    string `json:"state"`
		Articles int64  `json:"articles"`
	}
	r = mustRun(t, env, "feeds", "list", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != 8 {
		t.Fatalf("feeds list --json: %v\n%s", err, r.stdout)
	}
	total := int64(0)
	for _, f := range listed {
		total += f.Articles
	}
	if total != 64 { // 63 articles, one of them in two feeds
		t.Errorf("article links %d, want 64", total)
	}

	r = mustRun(t, env, "feeds", "export")
	exported, err := feeds.ParseOPML(strings.NewReader(r.stdout), "file:///")
	if err != nil || len(exported) != 8 || exported[0].URL != listed[0].URL {
		t.Errorf("export: %v\n%s", err, r.stdout)
	}
}

func TestFeedsAddRemoveEnableDisable(t *testing.T) {
	t.Parallel()
	env := feedsEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<rss version="2.0"><channel><title>Wire</title><item><title>One</title><link>https://wire.example/1</link></item></channel></rss>`))
	}))
	defer srv.Close()

	// Flags may follow the URL.
	r := mustRun(t, env, "feeds", "add", srv.URL+"/rss", "--name", "Test Wire", "--full-text")
	if !strings.HasPrefix(r.stdout, "added feed 1: "+srv.URL+"/rss (Test Wire, full text)") {
		t.Errorf("add: %s", r.stdout)
	}
	if r = runWith(t, env, "", "feeds", "add", srv.URL+"/rss"); r.code != 1 || !strings.Contains(r.stderr, "already there (id 1)") {
		t.Errorf("duplicate add: exit %d, %s", r.code, r.stderr)
	}
	for _, bad := range []string{"ftp://example.com/feed", "no-such-file.xml", "https:///path"} {
		if r = runWith(t, env, "", "feeds", "add", bad); r.code != 1 || !strings.Contains(r.stderr, bad) {
			t.Errorf("add %q: exit %d, %s", bad, r.code, r.stderr)
		}
	}
	if r = runWith(t, env, "", "feeds", "add"); r.code != 2 || !strings.Contains(r.stderr, "usage: stancewatch feeds add URL") {
		t.Errorf("add without URL: exit %d, %s", r.code, r.stderr)
	}
	// A local file path becomes a file:// URL.
	abs, _ := filepath.Abs("../../testdata/feeds/lakeshore-gazette.rss.xml")
	if r = mustRun(t, env, "feeds", "add", "../../testdata/feeds/lakeshore-gazette.rss.xml"); !strings.Contains(r.stdout, "file://"+filepath.ToSlash(abs)) {
		t.Errorf("add file: %s", r.stdout)
	}

	mustRun(t, env, "poll", "--once")
	r = mustRun(t, env, "feeds", "disable", srv.URL+"/rss")
	if !strings.Contains(r.stdout, "disabled feed 1") {
		t.Errorf("disable: %s", r.stdout)
	}
	if r = mustRun(t, env, "feeds", "list"); !regexp.MustCompile(`(?m)^1\s+disabled\s+1\s+.*disabled by user`).MatchString(r.stdout) {
		t.Errorf("list after disable:\n%s", r.stdout)
	}
	if r = mustRun(t, env, "poll", "--once", "--all"); !strings.HasPrefix(r.stdout, "not_modified") || !strings.Contains(r.stdout, "lakeshore") || strings.Contains(r.stdout, "feed 1 ") {
		t.Errorf("a disabled feed was polled:\n%s", r.stdout)
	}
	if r = mustRun(t, env, "feeds", "enable", "1"); !strings.Contains(r.stdout, "it was disabled: disabled by user") {
		t.Errorf("enable: %s", r.stdout)
	}
	if r = mustRun(t, env, "feeds", "remove", "1"); !strings.Contains(r.stdout, "removed feed 1 ("+srv.URL+"/rss); its 1 articles are kept") {
		t.Errorf("remove: %s", r.stdout)
	}
	for _, ref := range []string{"1", "https://nowhere.example/rss"} {
		if r = runWith(t, env, "", "feeds", "remove", ref); r.code != 1 || !strings.Contains(r.stderr, "no feed with") {
			t.Errorf("remove %s again: exit %d, %s", ref, r.code, r.stderr)
		}
	}
}

func TestPollUsage(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": pg.NewDatabase(t)}
	if r := runWith(t, env, "", "poll"); r.code != 2 || !strings.Contains(r.stderr, "poll --once") {
		t.Errorf("poll without --once: exit %d, %s", r.code, r.stderr)
	}
	// A database that was never migrated says what to do.
	env["DATABASE_URL"] = pg.NewEmptyDatabase(t)
	if r := runWith(t, env, "", "feeds", "list"); r.code != 1 || !strings.Contains(r.stderr, "stancewatch migrate") {
		t.Errorf("unmigrated database: exit %d, %s", r.code, r.stderr)
	}
}
