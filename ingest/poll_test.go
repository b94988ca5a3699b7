package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/store/storetest"

	"github.com/stancewatch/stancewatch/internal/feedtest"

	"golang.org/x/text/encoding/charmap"

	"github.com/stancewatch/stancewatch/config"
	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/internal/pgtest"
	"github.com/stancewatch/stancewatch/store"
)

func newTestPoller(t *testing.T, st *store.Store, opts pollerOptions, fopts feeds.Options) *Poller {
	t.Helper()
	fopts.Version = "test"
	// The test servers are on 127.0.0.1: opt in, as an operator would.
	fopts.AllowPrivateNetworks = true
	f := feeds.NewFetcher(fopts)
	t.Cleanup(f.CloseIdleConnections)
	return newPoller(st, f, opts, feedtest.Logger(t))
}

func addFeed(t *testing.T, st *store.Store, url, name string) store.Feed {
	t.Helper()
	f, err := st.AddFeed(context.Background(), store.NewFeed{URL: url, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func feedByID(t *testing.T, st *store.Store, id int64) store.Feed {
	t.Helper()
	f, err := st.FeedByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func resultOf(t *testing.T, sum PollSummary, id int64) FeedResult {
	t.Helper()
	for _, r := range sum.Feeds {
		if r.FeedID == id {
			return r
		}
	}
	t.Fatalf("feed %d not in summary %+v", id, sum.Feeds)
	return FeedResult{}
}

func TestPollStoresArticlesAndUsesConditionalGET(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	srv := feedtest.NewServer(t)
	doc := feedtest.RSS("", feedtest.NewItem("g1", "https://wire.example/1", "Talks resume", "<p>Lead.</p><p>More.</p>"),
		feedtest.NewItem("g2", "https://wire.example/2", "Second", "Text two."))
	var conditional atomic.Int32
	srv.Handle("/rss", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte(doc))
	})
	f := addFeed(t, st, srv.URL+"/rss", "Test Wire")
	p := newTestPoller(t, st, pollerOptions{}, feeds.Options{})
	var stored []int64
	p.OnStored = func(_ context.Context, ids []int64) error { stored = append(stored, ids...); return nil }

	sum, err := p.PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := resultOf(t, sum, f.ID)
	if r.Outcome != "ok" || r.HTTPStatus != 200 || r.Items != 2 || r.New != 2 || r.Err != nil || len(stored) != 2 {
		t.Fatalf("first poll %+v, stored %v", r, stored)
	}
	var title, text, source string
	storetest.QueryRow(t, st, `SELECT title, content_text, source FROM articles WHERE canonical_url = 'https://wire.example/1'`).Scan(&title, &text, &source)
	if title != "Talks resume" || text != "Lead.\n\nMore." || source != "Test Wire" {
		t.Errorf("stored %q %q %q", title, text, source)
	}
	got := feedByID(t, st, f.ID)
	if got.ETag != `"v1"` || got.Title != "Test Wire" || got.LeaseUntil != (time.Time{}) || got.NextPollAt.Before(time.Now().Add(14*time.Minute)) {
		t.Errorf("feed after poll %+v", got)
	}

	// Nothing is due now; PollAll polls anyway, with the ETag.
	if sum, _ := p.PollDue(ctx); len(sum.Feeds) != 0 {
		t.Errorf("PollDue polled a feed that is not due: %+v", sum.Feeds)
	}
	sum, err = p.PollAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := resultOf(t, sum, f.ID); r.Outcome != "not_modified" || r.HTTPStatus != 304 || conditional.Load() != 1 || len(stored) != 2 {
		t.Errorf("conditional poll %+v, stored %v", r, stored)
	}
}

func TestPollFailuresAreRecordedAndOthersContinue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	srv := feedtest.NewServer(t)
	good := feedtest.RSS("", feedtest.NewItem("g1", "https://wire.example/1", "Fine", "Text."))
	srv.Serve("/good", "application/rss+xml", good)
	srv.Handle("/limited", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	srv.Handle("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/moved", http.StatusMovedPermanently)
	})
	srv.Serve("/moved", "", feedtest.RSS("", feedtest.NewItem("m1", "https://wire.example/m1", "Moved", "Text.")))
	srv.Handle("/gone", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	srv.Handle("/hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv.Serve("/big", "", good+strings.Repeat("<!-- padding -->", 1000))
	srv.Serve("/page", "text/html", "<!DOCTYPE html><html><body>Not a feed</body></html>")

	ids := map[string]int64{}
	for _, path := range []string{"/good", "/limited", "/old", "/gone", "/hang", "/big", "/page"} {
		ids[path] = addFeed(t, st, srv.URL+path, "").ID
	}
	p := newTestPoller(t, st, pollerOptions{Timeout: 500 * time.Millisecond}, feeds.Options{Timeout: 500 * time.Millisecond, MaxBodyBytes: 4096})
	sum, err := p.PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Feeds) != 7 || sum.Count("ok") != 2 || sum.Count("error") != 4 || sum.Count("gone") != 1 {
		t.Fatalf("summary: %d feeds, %d ok, %d error, %d gone", len(sum.Feeds), sum.Count("ok"), sum.Count("error"), sum.Count("gone"))
	}
	now := time.Now()

	limited := feedByID(t, st, ids["/limited"])
	if limited.ConsecutiveErrors != 1 || !strings.Contains(limited.LastError, "429") ||
		limited.NextPollAt.Sub(now) < 59*time.Minute || limited.NextPollAt.Sub(now) > 61*time.Minute {
		t.Errorf("429 with Retry-After: %+v (next poll in %s)", limited, limited.NextPollAt.Sub(now))
	}
	moved := feedByID(t, st, ids["/old"])
	if moved.URL != srv.URL+"/moved" || moved.Articles != 1 {
		t.Errorf("301: URL %q, %d articles", moved.URL, moved.Articles)
	}
	gone := feedByID(t, st, ids["/gone"])
	if !gone.Disabled || !strings.Contains(gone.DisabledReason, "410") {
		t.Errorf("410: %+v", gone)
	}
	for path, want := range map[string]string{"/hang": "no complete response within 500ms", "/big": "too large", "/page": "HTML page"} {
		f := feedByID(t, st, ids[path])
		if f.ConsecutiveErrors != 1 || !strings.Contains(f.LastError, want) || f.Disabled {
			t.Errorf("%s: errors %d, last error %q, want it to mention %q", path, f.ConsecutiveErrors, f.LastError, want)
		}
	}
	var polls int
	polls = storetest.Rows(t, st, "feed_polls")
	if polls != 7 {
		t.Errorf("%d poll rows, want 7", polls)
	}
	// The moved feed is polled at its new URL from now on.
	p.PollAll(ctx)
	if srv.Hits("/old") != 1 || srv.Hits("/moved") != 2 {
		t.Errorf("after the move: /old %d, /moved %d requests", srv.Hits("/old"), srv.Hits("/moved"))
	}
	if srv.Hits("/gone") != 1 {
		t.Errorf("a disabled feed was polled again")
	}
}

func TestPollCharsets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	srv := feedtest.NewServer(t)
	title := "Лавров: Москва изучит европейские поправки"
	body := "Министр заявил, что объём поправок ещё предстоит оценить."
	doc := func(decl string) string {
		return feedtest.RSS(decl, feedtest.NewItem("ru-1", "https://ru.example/1", title, body))
	}
	enc := func(e *charmap.Charmap, s string) string {
		b, err := e.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	srv.Serve("/cp1251-decl", "application/rss+xml", enc(charmap.Windows1251, doc(`<?xml version="1.0" encoding="windows-1251"?>`)))
	srv.Serve("/cp1251-header", "application/rss+xml; charset=windows-1251", enc(charmap.Windows1251, doc("")))
	srv.Serve("/koi8r-header", "text/xml; charset=KOI8-R", enc(charmap.KOI8R, doc("")))
	srv.Serve("/koi8r-decl", "text/xml", enc(charmap.KOI8R, doc(`<?xml version="1.0" encoding="koi8-r"?>`)))
	var ids []int64
	for _, path := range []string{"/cp1251-decl", "/cp1251-header", "/koi8r-header", "/koi8r-decl"} {
		ids = append(ids, addFeed(t, st, srv.URL+path, "").ID)
	}
	// The four feeds carry one article (same link): stored once, linked
	// four times, with its text intact.
	sum, err := newTestPoller(t, st, pollerOptions{}, feeds.Options{}).PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Count("ok") != 4 {
		t.Fatalf("summary %+v", sum.Feeds)
	}
	var n, links int
	var gotTitle, gotText, lang string
	storetest.QueryRow(t, st, `SELECT count(*), min(title), min(content_text), min(lang), (SELECT count(*) FROM article_feeds) FROM articles`).
		Scan(&n, &gotTitle, &gotText, &lang, &links)
	if n != 1 || links != 4 || gotTitle != title || gotText != body || lang != "ru" {
		t.Errorf("%d articles, %d links: %q / %q / %q", n, links, gotTitle, gotText, lang)
	}
}

func TestPollDuplicatesSharedAndUpdatedItems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	srv := feedtest.NewServer(t)
	var mu sync.Mutex
	wireDoc := feedtest.RSS("",
		feedtest.NewItem("dup", "https://wire.example/1", "First", "One."),
		feedtest.NewItem("dup", "https://wire.example/1-copy", "Same GUID again", "Two."),
		feedtest.NewItem("g3", "https://wire.example/3", "Third", "Three."))
	srv.Handle("/wire", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Write([]byte(wireDoc))
	})
	srv.Serve("/agg", "", feedtest.RSS("", feedtest.NewItem("agg-1", "https://wire.example/1?utm_source=agg&utm_medium=rss#top", "First", "One.")))
	wire := addFeed(t, st, srv.URL+"/wire", "Wire")
	agg := addFeed(t, st, srv.URL+"/agg", "Aggregator")
	p := newTestPoller(t, st, pollerOptions{}, feeds.Options{})
	var calls [][]int64
	p.OnStored = func(_ context.Context, ids []int64) error { calls = append(calls, ids); return nil }

	sum, err := p.PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w, a := resultOf(t, sum, wire.ID), resultOf(t, sum, agg.ID)
	if w.Outcome != "ok" || a.Outcome != "ok" || w.New+a.New != 2 {
		t.Fatalf("wire %+v, aggregator %+v", w, a)
	}
	var articles, links int
	storetest.QueryRow(t, st, `SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_feeds)`).Scan(&articles, &links)
	if articles != 2 || links != 3 {
		t.Errorf("%d articles and %d links, want 2 and 3 (the shared article linked to both feeds)", articles, links)
	}

	// An updated item is stored once and handed to OnStored once.
	mu.Lock()
	wireDoc = strings.Replace(wireDoc, "<title>Third</title>", "<title>Third (updated)</title>", 1)
	mu.Unlock()
	calls = nil
	sum, _ = p.PollAll(ctx)
	if w := resultOf(t, sum, wire.ID); w.Updated != 1 || w.New != 0 || len(calls) != 1 || len(calls[0]) != 1 {
		t.Errorf("update: %+v, OnStored calls %v", w, calls)
	}
	calls = nil
	sum, _ = p.PollAll(ctx)
	if w := resultOf(t, sum, wire.ID); w.Updated != 0 || w.New != 0 || len(calls) != 0 {
		t.Errorf("unchanged: %+v, OnStored calls %v", w, calls)
	}
}

func TestPollBackOffAndDisable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	srv := feedtest.NewServer(t)
	srv.Handle("/down", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusBadGateway) })
	f := addFeed(t, st, srv.URL+"/down", "")
	opts := pollerOptions{Interval: 10 * time.Minute, MinInterval: 5 * time.Minute, MaxInterval: 2 * time.Hour, MaxErrors: 4}
	p := newTestPoller(t, st, opts, feeds.Options{})
	var delays []time.Duration
	for i := 0; i < 4; i++ {
		if _, err := p.PollAll(ctx); err != nil {
			t.Fatal(err)
		}
		got := feedByID(t, st, f.ID)
		delays = append(delays, got.NextPollAt.Sub(got.LastPolledAt))
		if got.ConsecutiveErrors != i+1 || !strings.Contains(got.LastError, "502") {
			t.Fatalf("poll %d: %+v", i+1, got)
		}
	}
	// 10m, 20m, 40m, 80m, each with up to 25% jitter.
	for i, base := range []time.Duration{10, 20, 40, 80} {
		base *= time.Minute
		if delays[i] < base-time.Second || delays[i] > base+base/4+time.Second {
			t.Errorf("delay after failure %d: %s, want %s plus up to 25%%", i+1, delays[i], base)
		}
	}
	got := feedByID(t, st, f.ID)
	if !got.Disabled || !strings.Contains(got.DisabledReason, "4 consecutive errors") || !strings.Contains(got.DisabledReason, "502") {
		t.Errorf("after max errors: disabled %v, reason %q", got.Disabled, got.DisabledReason)
	}
	if sum, _ := p.PollAll(ctx); len(sum.Feeds) != 0 || srv.Hits("/down") != 4 {
		t.Errorf("disabled feed polled: %+v", sum.Feeds)
	}
}

func TestPollSchedule(t *testing.T) {
	t.Parallel()
	p := newPoller(nil, nil, pollerOptions{Interval: 15 * time.Minute, MinInterval: 5 * time.Minute, MaxInterval: time.Hour, MaxErrors: 3}, slog.Default())
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ok := feeds.Result{Outcome: feeds.OutcomeOK}
	for ttl, want := range map[time.Duration]time.Duration{0: 15 * time.Minute, time.Minute: 5 * time.Minute, 30 * time.Minute: 30 * time.Minute, 5 * time.Hour: time.Hour} {
		if next, dis, _ := p.schedule(store.Feed{}, ok, ttl, now); next.Sub(now) != want || dis {
			t.Errorf("ttl %s: next in %s, want %s", ttl, next.Sub(now), want)
		}
	}
	fail := feeds.Result{Outcome: feeds.OutcomeError, Err: fmt.Errorf("HTTP 500")}
	if next, dis, _ := p.schedule(store.Feed{ConsecutiveErrors: 5}, fail, 0, now); next.Sub(now) != time.Hour || !dis {
		t.Errorf("capped back-off: next in %s, disabled %v", next.Sub(now), dis)
	}
	retry := feeds.Result{Outcome: feeds.OutcomeError, Err: fmt.Errorf("HTTP 429"), RetryAfter: now.Add(7 * time.Minute)}
	if next, _, _ := p.schedule(store.Feed{}, retry, 0, now); next.Sub(now) != 7*time.Minute {
		t.Errorf("Retry-After: next in %s", next.Sub(now))
	}
	retry.RetryAfter = now.Add(48 * time.Hour)
	if next, _, _ := p.schedule(store.Feed{}, retry, 0, now); next.Sub(now) != time.Hour {
		t.Errorf("Retry-After beyond max interval: next in %s", next.Sub(now))
	}
	if _, dis, reason := p.schedule(store.Feed{}, feeds.Result{Outcome: feeds.OutcomeGone, Err: fmt.Errorf("HTTP 410 Gone")}, 0, now); !dis || !strings.Contains(reason, "410") {
		t.Errorf("gone: disabled %v, reason %q", dis, reason)
	}
}

func TestTwoPollersFetchEachFeedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pg.NewDatabase(t)
	srv := feedtest.NewServer(t)
	const n = 60
	// The first fetches wait until more are in flight than one poller may
	// send to a host (PerHost 4): both pollers are then at work, however
	// slowly the second starts on a loaded machine. A sleep alone let one
	// poller finish every feed before the other began.
	var inFlight atomic.Int32
	overlap := make(chan struct{})
	var overlapOnce sync.Once
	srv.Handle("/feed/", func(w http.ResponseWriter, r *http.Request) {
		if inFlight.Add(1) > 4 {
			overlapOnce.Do(func() { close(overlap) })
		}
		select {
		case <-overlap:
		case <-time.After(5 * time.Second): // no overlap: the shared count below fails
		}
		time.Sleep(5 * time.Millisecond)
		inFlight.Add(-1)
		w.Write([]byte(feedtest.RSS("", feedtest.NewItem(r.URL.Path, "https://wire.example"+r.URL.Path, "Item", "Text."))))
	})
	st1, err := store.Open(ctx, dbURL, store.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer st1.Close()
	st2, err := store.Open(ctx, dbURL, store.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	for i := 0; i < n; i++ {
		addFeed(t, st1, fmt.Sprintf("%s/feed/%d", srv.URL, i), "")
	}
	opts := pollerOptions{Workers: 4, PerHost: 4}
	pollers := []*Poller{newTestPoller(t, st1, opts, feeds.Options{}), newTestPoller(t, st2, opts, feeds.Options{})}
	var wg sync.WaitGroup
	sums := make([]PollSummary, 2)
	for i, p := range pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if sums[i], err = p.PollDue(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if c := srv.Hits(fmt.Sprintf("/feed/%d", i)); c != 1 {
			t.Errorf("feed %d fetched %d times", i, c)
		}
	}
	if len(sums[0].Feeds)+len(sums[1].Feeds) != n || len(sums[0].Feeds) == 0 || len(sums[1].Feeds) == 0 {
		t.Errorf("pollers polled %d and %d feeds; want %d in all, shared", len(sums[0].Feeds), len(sums[1].Feeds), n)
	}
	var articles int
	articles = storetest.Rows(t, st1, "articles")
	if articles != n {
		t.Errorf("%d articles, want %d", articles, n)
	}
}

func TestPollPerHostLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	srv := feedtest.NewServer(t)
	var inFlight, peak atomic.Int32
	srv.Handle("/feed/", func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := peak.Load()
			if n <= m || peak.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
		w.WriteHeader(http.StatusNotModified)
	})
	other := feedtest.NewServer(t)
	other.Serve("/x", "", feedtest.RSS("", feedtest.NewItem("x", "https://other.example/x", "X", "x")))
	for i := 0; i < 12; i++ {
		addFeed(t, st, fmt.Sprintf("%s/feed/%d", srv.URL, i), "")
	}
	otherFeed := addFeed(t, st, other.URL+"/x", "")
	sum, err := newTestPoller(t, st, pollerOptions{Workers: 8, PerHost: 2}, feeds.Options{}).PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Feeds) != 13 || resultOf(t, sum, otherFeed.ID).Outcome != "ok" {
		t.Errorf("summary %+v", sum.Feeds)
	}
	if m := peak.Load(); m != 2 {
		t.Errorf("at most %d requests at once to one host, want exactly the limit 2", m)
	}
}

func TestPollFullText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	srv := feedtest.NewServer(t)
	page := `<!DOCTYPE html><html><head><title>Story</title></head><body><nav>Menu</nav><article><h1>Story</h1>` +
		strings.Repeat("<p>Negotiators met again on Sunday and worked through the draft framework clause by clause, officials said.</p>", 6) +
		`</article><footer>Footer</footer></body></html>`
	srv.Serve("/a/1", "text/html; charset=utf-8", page)
	srv.Serve("/a/2", "text/html; charset=utf-8", page)
	srv.Handle("/a/3", http.NotFound)
	doc := feedtest.RSS("",
		feedtest.NewItem("1", srv.URL+"/a/1", "One", "Short summary."),
		feedtest.NewItem("2", srv.URL+"/a/2", "Two", "Short summary."),
		feedtest.NewItem("3", srv.URL+"/a/3", "Three", "Only the summary."))
	srv.Serve("/rss", "", doc)
	f, err := st.AddFeed(ctx, store.NewFeed{URL: srv.URL + "/rss", FullText: true})
	if err != nil {
		t.Fatal(err)
	}
	p := newTestPoller(t, st, pollerOptions{}, feeds.Options{})
	sum, err := p.PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := resultOf(t, sum, f.ID)
	if r.New != 3 || r.FullText == nil || r.FullText.Extracted != 2 || len(r.FullText.Errors) != 1 {
		t.Fatalf("full text poll %+v %+v", r, r.FullText)
	}
	var full, summary string
	storetest.QueryRow(t, st, `SELECT content_text, summary FROM articles WHERE canonical_url = $1`, srv.URL+"/a/1").Scan(&full, &summary)
	if !strings.HasPrefix(full, "Negotiators met again") || strings.Count(full, "\n\n") != 5 || summary != "Short summary." {
		t.Errorf("full text %q, summary %q", full, summary)
	}
	storetest.QueryRow(t, st, `SELECT content_text FROM articles WHERE canonical_url = $1`, srv.URL+"/a/3").Scan(&full)
	if full != "Only the summary." {
		t.Errorf("failed page: %q", full)
	}
	// Stored articles are not fetched again, nor overwritten by the summary.
	sum, _ = p.PollAll(ctx)
	if r := resultOf(t, sum, f.ID); r.New+r.Updated != 0 || srv.Hits("/a/1") != 1 || srv.Hits("/a/3") != 1 {
		t.Errorf("second poll %+v; page requests %d, %d", r, srv.Hits("/a/1"), srv.Hits("/a/3"))
	}
}

func TestPollDatabaseOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pg.NewDatabase(t)
	st, err := store.Open(ctx, dbURL, store.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := feedtest.NewServer(t)
	srv.Serve("/rss", "", feedtest.RSS("", feedtest.NewItem("1", "https://wire.example/1", "One", "Text.")))
	addFeed(t, st, srv.URL+"/rss", "")
	p := newTestPoller(t, st, pollerOptions{}, feeds.Options{})

	// The database goes away under the poller.
	admin := pgtest.Conn(t, pg.AdminURL)
	name := dbURL[strings.LastIndex(dbURL, "/")+1:]
	if i := strings.IndexByte(name, '?'); i >= 0 {
		name = name[:i]
	}
	if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	sum, err := p.PollDue(ctx)
	if err == nil || !strings.Contains(err.Error(), "database") {
		t.Fatalf("PollDue without database: %v", err)
	}
	if len(sum.Feeds) != 0 {
		t.Errorf("feeds polled without a database: %+v", sum.Feeds)
	}
}

func TestPollStoppedFromOutsideBlamesNoFeed(t *testing.T) {
	t.Parallel()
	st := pg.NewStore(t)
	srv := feedtest.NewServer(t)
	arrived := make(chan struct{}, 1)
	srv.Handle("/hang", func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	})
	f := addFeed(t, st, srv.URL+"/hang", "")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel() // a shutdown while the feed is being fetched
	}()
	_, err := newTestPoller(t, st, pollerOptions{}, feeds.Options{}).PollDue(ctx)
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("PollDue after cancel: %v", err)
	}
	got := feedByID(t, st, f.ID)
	// Not blamed, and handed back so that the next tick polls it.
	if got.ConsecutiveErrors != 0 || got.LastError != "" || !got.LeaseUntil.IsZero() {
		t.Errorf("feed after an interrupted poll: errors %d, last error %q, lease %v (want it released)",
			got.ConsecutiveErrors, got.LastError, got.LeaseUntil)
	}
}

func TestPollVisitsEachFeedOncePerCycle(t *testing.T) {
	t.Parallel()
	st := pg.NewStore(t)
	srv := feedtest.NewServer(t)
	// Due again at once, every time.
	srv.Handle("/again", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	srv.Handle("/moved-to-broken", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/broken", http.StatusMovedPermanently)
	})
	srv.Handle("/broken", http.NotFound)
	again := addFeed(t, st, srv.URL+"/again", "")
	moved := addFeed(t, st, srv.URL+"/moved-to-broken", "")
	p := newTestPoller(t, st, pollerOptions{}, feeds.Options{})
	for _, poll := range []func(context.Context) (PollSummary, error){p.PollDue, p.PollAll} {
		sum, err := poll(context.Background())
		if err != nil || len(sum.Feeds) != 2 {
			t.Fatalf("cycle: %d feeds, %v", len(sum.Feeds), err)
		}
	}
	if n := srv.Hits("/again"); n != 2 {
		t.Errorf("a feed due at once was fetched %d times in two cycles", n)
	}
	if got := feedByID(t, st, again.ID); got.NextPollAt.After(time.Now()) || got.ConsecutiveErrors != 2 {
		t.Errorf("Retry-After 0: next poll %v, errors %d", got.NextPollAt, got.ConsecutiveErrors)
	}
	// A permanent redirect to a URL that fails does not move the feed.
	if got := feedByID(t, st, moved.ID); got.URL != moved.URL {
		t.Errorf("moved to a broken URL: %q", got.URL)
	}
}

func TestOptionsFromConfig(t *testing.T) {
	t.Parallel()
	c := config.Default().Poll
	c.UserAgent, c.PerHost, c.Workers, c.MaxBodyBytes = "custom/2", 3, 5, 1234
	c.MaxItems, c.MaxTextBytes, c.AllowPrivateNetworks, c.AllowHosts, c.FileRoot = 7, 4096, true, []string{"intranet"}, "/srv/feeds"
	fo := fetcherOptions(c, "1.0")
	if fo.UserAgent != "custom/2" || fo.Version != "1.0" || fo.PerHost != 3 || fo.MaxBodyBytes != 1234 || fo.Timeout != c.Timeout ||
		fo.MaxItems != 7 || fo.MaxTextBytes != 4096 || !fo.AllowPrivateNetworks || len(fo.AllowHosts) != 1 || fo.FileRoot != "/srv/feeds" {
		t.Errorf("fetcherOptions %+v", fo)
	}
	po := pollerOptionsFrom(c)
	if po.Workers != 5 || po.PerHost != 3 || po.MaxErrors != c.MaxErrors || po.MaxInterval != c.MaxInterval {
		t.Errorf("pollerOptionsFrom %+v", po)
	}
	if d := (pollerOptions{}).withDefaults(); d.Workers != 8 || d.PerHost != 2 || d.Interval != 15*time.Minute {
		t.Errorf("defaults %+v", d)
	}
}
