package daemon

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/store/storetest"

	"github.com/stancewatch/stancewatch/internal/feedtest"
	"github.com/stancewatch/stancewatch/internal/pgcluster"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/stancewatch/stancewatch/config"
	"github.com/stancewatch/stancewatch/digest"
	"github.com/stancewatch/stancewatch/gold"
	"github.com/stancewatch/stancewatch/internal/pgtest"
	"github.com/stancewatch/stancewatch/store"
)

// testConfig is a configuration with every job on a fast schedule.
func testConfig(t *testing.T, dbURL string) config.Config {
	t.Helper()
	c := config.Default()
	c.Database.URL = dbURL
	c.Database.MaxConns = 4
	c.Poll.Schedule = "@every 1s"
	c.Tagger.RetagSchedule = "@every 1s"
	c.Digest.Schedule = "@every 1s"
	c.Housekeeping.Schedule = "@every 1s"
	c.Digest.OutDir = t.TempDir()
	c.Poll.Timeout = 5 * time.Second
	c.Shutdown.Timeout = 3 * time.Second
	// The feeds are served on 127.0.0.1: opt in, as an operator would.
	c.Poll.AllowPrivateNetworks = true
	return c
}

// startDaemon runs a daemon on ctx and returns its base URL and a
// channel that receives Run's result.
func startDaemon(t *testing.T, ctx context.Context, cfg config.Config) (*Daemon, string, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Config: cfg, Version: "test", Logger: feedtest.Logger(t), Listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	return d, "http://" + ln.Addr().String(), done
}

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// eventually polls cond every 100 ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// goldFeed is an RSS document of gold articles, published at pub.
func goldFeed(t *testing.T, pub time.Time, n int) (string, []string) {
	t.Helper()
	arts, err := gold.ReadFile("../testdata/gold/dev-a.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Gold Wire</title><link>https://gold.example/</link>`)
	var links []string
	for _, a := range arts[:n] {
		link := "https://gold.example/" + a.ID
		links = append(links, link)
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid>%s</guid><description>%s</description><pubDate>%s</pubDate></item>",
			xmlEscape(a.Title), link, link, xmlEscape(a.Body), pub.Format(time.RFC1123Z))
	}
	b.WriteString("</channel></rss>")
	return b.String(), links
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// TestDaemonEndToEnd runs the daemon in-process on a fast schedule
// against a local feed server: articles are stored and tagged, the
// digest of the previous day is made and served, and SIGTERM stops it
// cleanly within five seconds.
func TestDaemonEndToEnd(t *testing.T) {
	dbURL := pg.NewDatabase(t)
	srv := feedtest.NewServer(t)
	yesterday := digest.Yesterday(time.Now(), time.UTC)
	doc, links := goldFeed(t, yesterday.Start().Add(12*time.Hour), 12)
	srv.Serve("/gold.rss", "application/rss+xml", doc)
	cfg := testConfig(t, dbURL)
	cfg.Feeds = []config.Feed{{URL: srv.URL + "/gold.rss", Name: "Gold Wire"}}
	cfg.Digest.BaseURL = "https://news.example.org/digests/"
	// Only the start-up runs of poll, retag and digest, one after the
	// other: a digest tick landing during the start-up poll (the first
	// tick can come a few milliseconds after start) would build
	// yesterday's digest before its articles are tagged, and a digest made
	// after its day is not made again.
	cfg.Poll.Schedule, cfg.Tagger.RetagSchedule, cfg.Digest.Schedule = "@every 1h", "@every 1h", "@every 1h"

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	d, base, done := startDaemon(t, ctx, cfg)
	st := storetest.Open(t, dbURL)

	eventually(t, 30*time.Second, "articles stored and tagged", func() bool {
		return storetest.Rows(t, st, "article_labels") == len(links)
	})
	if n := storetest.Rows(t, st, "articles"); n != len(links) {
		t.Errorf("%d articles stored, want %d", n, len(links))
	}
	if n := storetest.Count(t, st, `SELECT count(*) FROM article_labels WHERE relevant`); n == 0 {
		t.Error("no gold article tagged relevant")
	}
	eventually(t, 30*time.Second, "digest of yesterday stored", func() bool {
		return storetest.Count(t, st, `SELECT count(*) FROM digests WHERE day = $1`, yesterday.Date()) == 1
	})
	if n := storetest.Count(t, st, `SELECT (stats->'relevant'->>'count')::int FROM digests WHERE day = $1`, yesterday.Date()); n == 0 {
		t.Error("yesterday's digest counts no relevant article")
	}
	// The files are written after the row is stored.
	eventually(t, 10*time.Second, "digest file written", func() bool {
		_, err := os.Stat(cfg.Digest.OutDir + "/" + yesterday.String() + ".html")
		return err == nil
	})
	eventually(t, 10*time.Second, "digest job done", func() bool {
		return testutil.ToFloat64(d.metrics.jobRuns.WithLabelValues("digest", jobDone)) > 0
	})

	if code, body := get(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz: %d %s", code, body)
	}
	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz: %d %s", code, body)
	}
	if code, body := get(t, base+"/digests/"); code != 200 || !strings.Contains(body, yesterday.String()+".html") {
		t.Errorf("/digests/: %d\n%.500s", code, body)
	}
	if code, body := get(t, base+"/digests/"+yesterday.String()+".html"); code != 200 || !strings.Contains(body, "<html") {
		t.Errorf("/digests/DAY.html: %d\n%.300s", code, body)
	}
	if code, body := get(t, base+"/digests/feed.atom"); code != 200 || !strings.Contains(body, "<entry>") ||
		!strings.Contains(body, `href="`+cfg.Digest.BaseURL+yesterday.String()+`.html"`) {
		t.Errorf("/digests/feed.atom: %d\n%.300s", code, body)
	}
	if code, _ := get(t, base+"/digests/1999-01-01.html"); code != 404 {
		t.Errorf("digest of a day without one: %d, want 404", code)
	}
	_, metrics := get(t, base+"/metrics")
	for _, want := range []string{
		fmt.Sprintf(`stancewatch_articles_ingested_total{kind="new"} %d`, len(links)),
		fmt.Sprintf(`stancewatch_articles_tagged_total %d`, len(links)),
		`stancewatch_polls_total{outcome="ok"} 1`,
		`stancewatch_job_runs_total{job="digest",outcome="done"} 1`,
		`stancewatch_last_successful_poll_timestamp_seconds `,
		`stancewatch_digest_duration_seconds_count 1`,
		`stancewatch_feeds_disabled 0`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	eventually(t, 10*time.Second, "housekeeping ran", func() bool {
		return testutil.ToFloat64(d.metrics.jobRuns.WithLabelValues("housekeeping", jobDone)) > 0
	})

	start := time.Now()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after SIGTERM: %v", err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("shutdown took %s", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("daemon still running 5 s after SIGTERM")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("HTTP listener still open after shutdown")
	}
}

// TestDaemonWaitsForTheDatabase starts the daemon before its database
// exists and takes the database away while it runs: /readyz is red
// meanwhile, nothing crashes, and work resumes when the database is back.
func TestDaemonWaitsForTheDatabase(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	name := "sw_late_" + fmt.Sprint(time.Now().UnixNano())
	dbURL := pgcluster.WithDatabase(pg.AdminURL, name)
	admin := pgtest.Conn(t, pg.AdminURL)
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })

	srv := feedtest.NewServer(t)
	srv.Serve("/a.rss", "", feedtest.RSS("", feedtest.NewItem("a1", "https://wire.example/a1", "One", "Text one.")))
	srv.Serve("/b.rss", "", feedtest.RSS("", feedtest.NewItem("b1", "https://wire.example/b1", "Two", "Text two.")))
	cfg := testConfig(t, dbURL)
	cfg.Feeds = []config.Feed{{URL: srv.URL + "/a.rss"}}
	_, base, done := startDaemon(t, ctx, cfg)

	eventually(t, 10*time.Second, "listener up", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	if code, body := get(t, base+"/readyz"); code != 503 || !strings.Contains(body, "connecting") {
		t.Errorf("/readyz without a database: %d %s", code, body)
	}
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz without a database: %d", code)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "ready once the database exists", func() bool {
		code, _ := get(t, base+"/readyz")
		return code == 200
	})
	st := storetest.Open(t, dbURL)
	eventually(t, 20*time.Second, "first feed polled", func() bool {
		return storetest.Rows(t, st, "articles") == 1
	})

	// The database refuses connections and the daemon's are cut.
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS false"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	pg.EndSessions(t, dbURL)
	eventually(t, 10*time.Second, "/readyz red while the database is away", func() bool {
		code, _ := get(t, base+"/readyz")
		return code == 503
	})
	time.Sleep(2 * time.Second) // a few ticks fail
	select {
	case err := <-done:
		t.Fatalf("daemon stopped while the database was away: %v", err)
	default:
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS true"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "ready again", func() bool {
		code, _ := get(t, base+"/readyz")
		return code == 200
	})
	st = storetest.Open(t, dbURL)
	if _, err := st.AddFeed(ctx, store.NewFeed{URL: srv.URL + "/b.rss"}); err != nil {
		t.Fatal(err)
	}
	// The poll commits the article before it tags it: wait for both.
	eventually(t, 20*time.Second, "a feed added after the outage polled and its article tagged", func() bool {
		return storetest.Rows(t, st, "articles") == 2 && storetest.Rows(t, st, "article_tags") == 2
	})
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

func TestDaemonRefusesANewerSchema(t *testing.T) {
	dbURL := pg.NewDatabase(t)
	st := storetest.Open(t, dbURL)
	storetest.BumpSchema(t, st)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, _, done := startDaemon(t, ctx, testConfig(t, dbURL))
	err := <-done
	if !errors.Is(err, store.ErrSchemaNewer) || !strings.Contains(err.Error(), "upgrade stancewatch") {
		t.Fatalf("Run against a newer schema: %v", err)
	}
}

// TestDaemonShutdownWaitsForRunningJobs checks that a job running at
// SIGTERM is let finish, and one that outlives shutdown.timeout is
// cancelled.
func TestDaemonShutdownCancelsJobsAtTheDeadline(t *testing.T) {
	dbURL := pg.NewDatabase(t)
	srv := feedtest.NewServer(t)
	arrived := make(chan struct{}, 1)
	var once sync.Once
	srv.Handle("/hang", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		<-r.Context().Done()
	})
	cfg := testConfig(t, dbURL)
	cfg.Feeds = []config.Feed{{URL: srv.URL + "/hang"}}
	cfg.Poll.Timeout = time.Minute
	cfg.Shutdown.Timeout = 500 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	_, _, done := startDaemon(t, ctx, cfg)
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("feed never requested")
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		if took := time.Since(start); took < 400*time.Millisecond {
			t.Errorf("stopped after %s, before the shutdown deadline", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a hanging job kept the daemon from stopping")
	}
	st := storetest.Open(t, dbURL)
	if n := storetest.Count(t, st, `SELECT count(*) FROM feeds WHERE consecutive_errors > 0 OR lease_until IS NOT NULL`); n != 0 {
		t.Errorf("the cancelled poll was blamed on the feed or kept its lease (%d feeds)", n)
	}
}
