package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/store/storetest"

	"github.com/stancewatch/stancewatch/store"
)

// digestDB is a migrated database with two tagged articles on 2026-03-29.
func digestDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	url := pg.NewDatabase(t)
	st := storetest.Open(t, url)
	at := time.Date(2026, 3, 29, 9, 0, 0, 0, time.UTC)
	ids, err := st.InsertArticles(ctx, []store.ArticleRow{
		{URL: "https://a.example/1", CanonicalURL: "https://a.example/1", Source: "Northbridge Wire", Title: "Talks stall in Geneva",
			ContentText: "Negotiators made no progress on territory.", PublishedAt: at},
		{URL: "https://b.example/2", CanonicalURL: "https://b.example/2", Source: "Touchline Daily", Title: "Derby result",
			ContentText: "The home side held its territory.", PublishedAt: at.Add(time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.SaveLabels(ctx, []store.Labels{
		{ArticleID: ids[0], Relevant: true, Outlook: "stalemate", Framing: "neutral", RulesVersion: "t",
			Topics:   []store.TopicScore{{Topic: "territory", Score: 1}},
			Evidence: []store.Evidence{{Label: "topic:territory", RuleID: "t", Field: "body", Text: "territory", Start: 33, End: 42}}},
		{ArticleID: ids[1], Relevant: false, Outlook: "none", Framing: "neutral", RulesVersion: "t"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return url
}

func TestDigestCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": digestDB(t)}
	r := runWith(t, env, "", "digest", "--date", "2026-03-29", "--out", dir)
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"digest of 2026-03-29 (UTC): 2 articles, 1 about the talks, 1 stories",
		"Coverage leaned to stalemate: 1 of 1 relevant article", "wrote " + filepath.Join(dir, "2026-03-29.html"), "wrote " + filepath.Join(dir, "feed.atom")} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, f := range []string{"2026-03-29.md", "2026-03-29.html", "2026-03-29.json", "index.html", "feed.atom"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	r = runWith(t, env, "", "digest", "--date", "2026-03-29", "--out", dir, "--format", "md")
	if r.code != 0 || !strings.Contains(r.stdout, "unchanged") || !strings.Contains(r.stdout, "wrote "+filepath.Join(dir, "2026-03-29.md")) ||
		strings.Contains(r.stdout, "2026-03-29.html") {
		t.Errorf("second run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestDigestCommandDefaultsToYesterday(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": digestDB(t), "STANCEWATCH_TIMEZONE": "Asia/Tokyo", "STANCEWATCH_DIGEST_OUT_DIR": dir}
	loc, _ := time.LoadLocation("Asia/Tokyo")
	r := runWith(t, env, "", "digest")
	yesterday := time.Now().In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
	if r.code != 0 || !strings.Contains(r.stdout, "digest of "+yesterday+" (Asia/Tokyo)") {
		t.Fatalf("exit %d, want the digest of %s:\n%s%s", r.code, yesterday, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, yesterday+".html")); err != nil {
		t.Errorf("digest.out_dir not used: %v", err)
	}
}

func TestDigestCommandRejectsBadInput(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": digestDB(t)}
	out := t.TempDir()
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--date", "2999-01-01"}, 1, "2999-01-01 has not begun yet (today is"},
		{[]string{"--date", "2026-02-30"}, 1, `date "2026-02-30": want YYYY-MM-DD`},
		{[]string{"--date", "29/03/2026"}, 1, "want YYYY-MM-DD"},
		{[]string{"--format", "pdf"}, 2, `format "pdf": want md, html, json or all`},
		{[]string{"2026-03-29"}, 2, "unexpected argument"},
	} {
		r := runWith(t, env, "", append([]string{"digest", "--out", out}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.stderr) {
			t.Errorf("digest %v: exit %d, stderr %q; want %d and %q", c.args, r.code, r.stderr, c.code, c.stderr)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("refused runs wrote %d files", len(entries))
	}
}

func TestDigestCommandNeedsMigratedSchema(t *testing.T) {
	t.Parallel()
	r := runWith(t, map[string]string{"DATABASE_URL": pg.NewEmptyDatabase(t)}, "", "digest", "--date", "2026-03-29", "--out", t.TempDir())
	if r.code != 1 || !strings.Contains(r.stderr, "stancewatch migrate") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
