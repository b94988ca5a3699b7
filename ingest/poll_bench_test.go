package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/store/storetest"

	"github.com/jackc/pgx/v5"

	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/store"
)

// goldBodies returns the gold articles' titles and bodies, as material
// for generated feeds.
func goldBodies(b *testing.B) (titles, bodies []string) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "gold", "dev-*.jsonl"))
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var a struct{ Title, Body string }
			if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
				b.Fatal(err)
			}
			titles, bodies = append(titles, a.Title), append(bodies, a.Body)
		}
		f.Close()
	}
	if len(bodies) == 0 {
		b.Fatal("no gold articles")
	}
	return titles, bodies
}

// benchFeed is an RSS 2.0 document of n items with full HTML content.
func benchFeed(feed, n int, titles, bodies []string) []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Bench feed %d</title><link>https://bench%d.example/</link><language>en</language>`, feed, feed)
	for i := 0; i < n; i++ {
		k := (feed*n + i) % len(bodies)
		var html strings.Builder
		for _, p := range strings.Split(bodies[k], "\n\n") {
			html.WriteString("<p>" + p + "</p>")
		}
		fmt.Fprintf(&buf, `<item><title><![CDATA[%s (%d/%d)]]></title><link>https://bench%d.example/news/%d?utm_source=rss</link>
<guid isPermaLink="false">bench-%d-%d</guid><pubDate>%s</pubDate>
<description><![CDATA[%s]]></description><content:encoded><![CDATA[%s]]></content:encoded></item>
`, titles[k], feed, i, feed, i, feed, i, time.Date(2025, 12, 1, 0, i, 0, 0, time.UTC).Format(time.RFC1123Z),
			strings.SplitN(bodies[k], "\n\n", 2)[0], html.String())
	}
	buf.WriteString("</channel></rss>")
	return buf.Bytes()
}

// BenchmarkIngest fetches, parses, normalises and stores 200 feeds of 100
// items each from a local HTTP server into an empty database, then, in
// the same run, COPYs the same rows into the same table of another empty
// database: the figure to compare with.
func BenchmarkIngest(b *testing.B) {
	const nFeeds, nItems = 200, 100
	ctx := context.Background()
	titles, bodies := goldBodies(b)
	docs := make([][]byte, nFeeds)
	for i := range docs {
		docs[i] = benchFeed(i, nItems, titles, bodies)
	}
	srv := httpServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/feed/"))
		if err != nil || i < 0 || i >= nFeeds {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write(docs[i])
	}))

	// The rows COPY writes: the same documents, parsed and normalised.
	parser := feeds.NewParser()
	var rows [][]any
	for i, doc := range docs {
		f, err := parser.Parse(doc, "application/rss+xml", feeds.ParseOptions{FeedURL: fmt.Sprintf("%s/feed/%d", srv, i)})
		if err != nil {
			b.Fatal(err)
		}
		for _, it := range f.Items {
			rows = append(rows, []any{it.GUID, it.URL, it.CanonicalURL, it.Source, it.Title, it.Summary, it.ContentText,
				it.ContentHTML, it.Author, it.Lang, it.PublishedAt, store.ContentHash(it.Title, it.Summary, it.ContentText)})
		}
	}

	var ingest, copying time.Duration
	var stored int
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		p := benchPoller(b, nFeeds, func(i int) string { return fmt.Sprintf("%s/feed/%d", srv, i) })
		b.StartTimer()

		start := time.Now()
		sum, err := p.PollDue(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ingest += time.Since(start)
		b.StopTimer()
		got, _ := sum.Articles()
		if got != nFeeds*nItems || sum.Count("ok") != nFeeds {
			b.Fatalf("stored %d articles from %d ok feeds, want %d from %d", got, sum.Count("ok"), nFeeds*nItems, nFeeds)
		}
		stored += got
		p.fetcher.CloseIdleConnections()

		cst := benchStore(b)
		start = time.Now()
		copied, err := cst.Pool().CopyFrom(ctx, pgx.Identifier{"articles"},
			[]string{"guid", "url", "canonical_url", "source", "title", "summary", "content_text", "content_html",
				"author", "lang", "published_at", "content_hash"}, pgx.CopyFromRows(rows))
		if err != nil || copied != int64(len(rows)) {
			b.Fatalf("COPY: %d rows, %v", copied, err)
		}
		copying += time.Since(start)
		b.StartTimer()
	}
	b.StopTimer()
	rate := float64(stored) / ingest.Seconds()
	copyRate := float64(len(rows)*b.N) / copying.Seconds()
	b.ReportMetric(rate, "articles/s")
	b.ReportMetric(copyRate, "copy_articles/s")
	b.ReportMetric(rate/copyRate, "ratio_to_copy")
}

// BenchmarkPollNotModified polls 10,000 feeds spread over 100 hosts that
// all answer 304 Not Modified, in one PollDue cycle with the default
// options (8 workers, 2 per host), and reports the cycle's duration and
// the process's peak resident memory during it (VmHWM, reset before the
// cycle; it includes the test's own HTTP servers and database pool).
func BenchmarkPollNotModified(b *testing.B) {
	const nFeeds, nHosts = 10000, 100
	ctx := context.Background()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"same"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		http.Error(w, "expected a conditional request", http.StatusBadRequest)
	})
	hosts := make([]string, nHosts)
	for i := range hosts {
		hosts[i] = httpServer(b, handler)
	}
	var cycle time.Duration
	var peak int64
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		p := benchPoller(b, nFeeds, func(i int) string { return fmt.Sprintf("%s/feed/%d", hosts[i%nHosts], i) })
		storetest.Exec(b, p.store, `UPDATE feeds SET etag = '"same"'`)
		resetPeakRSS(b)
		b.StartTimer()

		start := time.Now()
		sum, err := p.PollDue(ctx)
		if err != nil {
			b.Fatal(err)
		}
		cycle += time.Since(start)
		b.StopTimer()
		peak = max(peak, peakRSS(b))
		if sum.Count("not_modified") != nFeeds {
			b.Fatalf("%d of %d feeds not modified", sum.Count("not_modified"), nFeeds)
		}
		p.fetcher.CloseIdleConnections()
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(cycle.Seconds()/float64(b.N), "s/cycle")
	b.ReportMetric(float64(nFeeds*b.N)/cycle.Seconds(), "feeds/s")
	b.ReportMetric(float64(peak)/1024, "peak_rss_MB")
}

// benchPoller returns a poller with the default options on a fresh
// database holding n feeds, feed i at url(i).
func benchPoller(b *testing.B, n int, url func(i int) string) *Poller {
	b.Helper()
	st := benchStore(b)
	nfs := make([]store.NewFeed, n)
	for i := range nfs {
		nfs[i] = store.NewFeed{URL: url(i)}
	}
	if _, err := st.AddFeeds(context.Background(), nfs); err != nil {
		b.Fatal(err)
	}
	return newPoller(st, feeds.NewFetcher(feeds.Options{Version: "bench", AllowPrivateNetworks: true}), pollerOptions{}, slog.New(slog.DiscardHandler))
}

// benchStore opens a store on a fresh database with the default pool
// size of the configuration.
func benchStore(b *testing.B) *store.Store {
	b.Helper()
	st, err := store.Open(context.Background(), pg.NewDatabase(b), store.Options{MaxConns: 10})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(st.Close)
	return st
}

// httpServer serves h on its own loopback port and returns its base URL.
func httpServer(b *testing.B, h http.Handler) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// resetPeakRSS returns free memory to the kernel (so that earlier
// benchmarks in the process do not count) and restarts the kernel's count
// of peak resident memory.
func resetPeakRSS(b *testing.B) {
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak RSS (%v): the figure is the process's lifetime peak", err)
	}
}

// peakRSS reads VmHWM in KiB.
func peakRSS(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatalf("peak RSS: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				b.Fatalf("peak RSS: %q: %v", line, err)
			}
			return kb
		}
	}
	b.Fatal("peak RSS: no VmHWM in /proc/self/status")
	return 0
}
