package store_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stancewatch/stancewatch/internal/pgtest"
	"github.com/stancewatch/stancewatch/migrations"
	"github.com/stancewatch/stancewatch/store"
)

func latest(t *testing.T) int32 {
	t.Helper()
	v, err := store.LatestVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v < 1 {
		t.Fatalf("LatestVersion = %d, want at least 1", v)
	}
	return v
}

func TestMigrateFromEmptyAndAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pg.NewEmptyDatabase(t)
	want := latest(t)

	res, err := store.Migrate(ctx, url)
	if err != nil {
		t.Fatalf("first migrate: %v", err)
	}
	if res.From != 0 || res.To != want {
		t.Fatalf("first migrate went %d -> %d, want 0 -> %d", res.From, res.To, want)
	}
	res, err = store.Migrate(ctx, url)
	if err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if res.From != want || res.To != want {
		t.Fatalf("second migrate went %d -> %d, want a no-op at %d", res.From, res.To, want)
	}

	conn := pgtest.Conn(t, url)
	for _, table := range []string{"feeds", "articles", "article_feeds", "article_tags", "article_topics",
		"article_actors", "tag_evidence", "digests", "feed_polls", "article_labels"} {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&ok); err != nil || !ok {
			t.Errorf("relation %s missing after migrate (err %v)", table, err)
		}
	}
	if _, err := conn.Exec(ctx, "SELECT * FROM article_labels LIMIT 1"); err != nil {
		t.Errorf("select from article_labels: %v", err)
	}
}

func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pg.NewEmptyDatabase(t)
	want := latest(t)

	const runs = 4
	var wg sync.WaitGroup
	results := make([]store.MigrateResult, runs)
	errs := make([]error, runs)
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = store.Migrate(ctx, url)
		}()
	}
	wg.Wait()
	applied := 0
	for i := range runs {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		if results[i].To != want {
			t.Errorf("run %d ended at version %d, want %d", i, results[i].To, want)
		}
		applied += len(results[i].Applied)
	}
	if applied != int(want) {
		t.Errorf("the runs applied %d migrations between them, want %d: each must be applied exactly once", applied, want)
	}
}

// withExtra returns the real migrations plus more files after them.
func withExtra(t *testing.T, extra map[string]string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := fs.ReadFile(migrations.FS, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = &fstest.MapFile{Data: data}
	}
	for name, sql := range extra {
		m[name] = &fstest.MapFile{Data: []byte(sql)}
	}
	return m
}

func TestFailingMigrationIsRolledBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pg.NewEmptyDatabase(t)
	want := latest(t)
	name := fmt.Sprintf("%03d_broken.sql", want+1)
	bad := withExtra(t, map[string]string{
		name: "CREATE TABLE half_done (id int);\nSELECT no_such_function();\n",
	})

	_, err := store.MigrateFS(ctx, url, bad)
	if err == nil {
		t.Fatal("migrate with a broken migration succeeded")
	}
	for _, wantText := range []string{name, "rolled back", "no_such_function"} {
		if !strings.Contains(err.Error(), wantText) {
			t.Errorf("error %q does not mention %q", err, wantText)
		}
	}
	conn := pgtest.Conn(t, url)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('half_done') IS NOT NULL").Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Error("table half_done exists: the failed migration was half applied")
	}
	st, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v != want {
		t.Errorf("schema version after failed migration = %d, want %d", v, want)
	}
}

func TestSchemaNewerThanBinary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pg.NewEmptyDatabase(t)
	want := latest(t)
	name := fmt.Sprintf("%03d_future.sql", want+1)
	future := withExtra(t, map[string]string{name: "CREATE TABLE from_the_future (id int);"})
	if _, err := store.MigrateFS(ctx, url, future); err != nil {
		t.Fatal(err)
	}

	st, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaNewer) {
		t.Errorf("CheckSchema = %v, want ErrSchemaNewer", err)
	}
	if _, err := store.Migrate(ctx, url); !errors.Is(err, store.ErrSchemaNewer) {
		t.Errorf("Migrate on a newer schema = %v, want ErrSchemaNewer", err)
	}
}

func TestCheckSchemaOnUnmigratedDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, pg.NewEmptyDatabase(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.CheckSchema(ctx)
	if err == nil || !strings.Contains(err.Error(), "stancewatch migrate") {
		t.Errorf("CheckSchema on an empty database = %v, want advice to run stancewatch migrate", err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	// Port 1 on loopback: nothing listens there.
	_, err := store.Open(context.Background(), "postgres://u@127.0.0.1:1/swdb?connect_timeout=2", store.Options{})
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
	for _, want := range []string{"127.0.0.1:1", `"swdb"`, "hint:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

// Migration 003 moves the body evidence of summary-only articles, stored
// by version 2, to field 'summary', where its offsets point.
func TestMigrationMovesSummaryEvidence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pg.NewEmptyDatabase(t)
	upTo2 := fstest.MapFS{}
	for _, name := range []string{"001_schema.sql", "002_feeds.sql"} {
		data, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		upTo2[name] = &fstest.MapFile{Data: data}
	}
	if _, err := store.MigrateFS(ctx, url, upTo2); err != nil {
		t.Fatal(err)
	}
	conn := pgtest.Conn(t, url)
	if _, err := conn.Exec(ctx, `
		INSERT INTO articles (id, url, canonical_url, title, summary, content_text, published_at, content_hash) OVERRIDING SYSTEM VALUE VALUES
		  (1, 'https://a.example/1', 'https://a.example/1', 'Talks', 'Ceasefire talks resume', '', now(), 'h1'),
		  (2, 'https://a.example/2', 'https://a.example/2', 'Talks', 'Lead', 'Ceasefire talks resume in full', now(), 'h2');
		INSERT INTO tag_evidence (article_id, label, rule_id, field, matched_text, start_offset, end_offset) VALUES
		  (1, 'topic:ceasefire', 'r', 'body', 'Ceasefire', 0, 9),
		  (1, 'relevant', 'r', 'title', 'Talks', 0, 5),
		  (2, 'topic:ceasefire', 'r', 'body', 'Ceasefire', 0, 9)`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT article_id || ':' || field FROM tag_evidence ORDER BY article_id, field`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := "1:summary,1:title,2:body"; strings.Join(got, ",") != want {
		t.Errorf("evidence fields after migrating: %s, want %s", strings.Join(got, ","), want)
	}
}
