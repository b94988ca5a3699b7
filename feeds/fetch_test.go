package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

const sampleRSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<item><title>Talks resume</title><link>https://wire.example/a/1</link><guid>w-1</guid><description>Text.</description></item>
</channel></rss>`

// newTestFetcher is a fetcher for the tests' servers on 127.0.0.1: like
// an operator with feeds on a private network, the tests opt in with
// AllowPrivateNetworks (policy_test.go checks the default).
func newTestFetcher(opts Options) *Fetcher {
	if opts.Version == "" {
		opts.Version = "1.2.3"
	}
	opts.AllowPrivateNetworks = true
	return NewFetcher(opts)
}

func TestFetchSendsUserAgentAndDecompressesGzip(t *testing.T) {
	t.Parallel()
	var ua, accept, acceptEncoding string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua, accept, acceptEncoding = r.UserAgent(), r.Header.Get("Accept"), r.Header.Get("Accept-Encoding")
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		gz.Write([]byte(sampleRSS))
		gz.Close()
	}))
	defer srv.Close()
	res := newTestFetcher(Options{}).Fetch(context.Background(), Request{URL: srv.URL + "/rss"})
	if res.Outcome != OutcomeOK || res.Err != nil || len(res.Feed.Items) != 1 || res.StatusCode != 200 {
		t.Fatalf("result %+v", res)
	}
	if !strings.HasPrefix(ua, "stancewatch/1.2.3 (+https://") {
		t.Errorf("User-Agent %q", ua)
	}
	if !strings.Contains(accept, "application/rss+xml") || !strings.Contains(acceptEncoding, "gzip") {
		t.Errorf("Accept %q, Accept-Encoding %q", accept, acceptEncoding)
	}
	res = newTestFetcher(Options{UserAgent: "custom/1"}).Fetch(context.Background(), Request{URL: srv.URL})
	if ua != "custom/1" || res.Outcome != OutcomeOK {
		t.Errorf("configured User-Agent: %q", ua)
	}
}

func TestFetchConditionalGET(t *testing.T) {
	t.Parallel()
	const etag = `"v1"`
	const lastMod = "Mon, 24 Nov 2025 06:45:00 GMT"
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("If-None-Match") == etag && r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		w.Write([]byte(sampleRSS))
	}))
	defer srv.Close()
	f := newTestFetcher(Options{})
	first := f.Fetch(context.Background(), Request{URL: srv.URL})
	if first.Outcome != OutcomeOK || first.ETag != etag || first.LastModified != lastMod {
		t.Fatalf("first fetch %+v", first)
	}
	second := f.Fetch(context.Background(), Request{URL: srv.URL, ETag: first.ETag, LastModified: first.LastModified})
	if second.Outcome != OutcomeNotModified || second.StatusCode != 304 || second.Feed != nil || second.ETag != etag || second.LastModified != lastMod {
		t.Fatalf("second fetch %+v", second)
	}
	if requests.Load() != 2 {
		t.Errorf("%d requests", requests.Load())
	}
}

func TestFetchRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Now()
	date := now.Add(2 * time.Hour).UTC().Truncate(time.Second)
	for _, tc := range []struct {
		status int
		header string
		want   time.Time
	}{
		{429, "120", now.Add(120 * time.Second)},
		{503, date.Format(http.TimeFormat), date},
		{429, "", time.Time{}},
		{503, "soon", time.Time{}},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.header != "" {
				w.Header().Set("Retry-After", tc.header)
			}
			w.WriteHeader(tc.status)
		}))
		res := newTestFetcher(Options{}).Fetch(context.Background(), Request{URL: srv.URL})
		srv.Close()
		var herr *HTTPError
		if res.Outcome != OutcomeError || !errors.As(res.Err, &herr) || herr.StatusCode != tc.status {
			t.Errorf("%d: %+v", tc.status, res)
		}
		if tc.want.IsZero() != res.RetryAfter.IsZero() || res.RetryAfter.Sub(tc.want).Abs() > 5*time.Second {
			t.Errorf("%d Retry-After %q: got %v, want %v", tc.status, tc.header, res.RetryAfter, tc.want)
		}
	}
}

func TestFetchRedirects(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusMovedPermanently) })
	mux.HandleFunc("/older", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/old", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("/temp", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/old", http.StatusFound) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(sampleRSS)) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newTestFetcher(Options{})
	for path, want := range map[string]string{"/old": "/new", "/older": "/new", "/temp": "", "/new": ""} {
		res := f.Fetch(context.Background(), Request{URL: srv.URL + path})
		if res.Outcome != OutcomeOK {
			t.Errorf("%s: %+v", path, res)
		}
		if want != "" {
			want = srv.URL + want
		}
		if res.MovedTo != want {
			t.Errorf("%s: moved to %q, want %q", path, res.MovedTo, want)
		}
	}
	if res := f.Fetch(context.Background(), Request{URL: srv.URL + "/loop"}); res.Outcome != OutcomeError || !strings.Contains(res.Err.Error(), "redirects") {
		t.Errorf("redirect loop: %+v", res)
	}
}

func TestFetchGoneAndErrors(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head><body>hi</body></html>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newTestFetcher(Options{})
	if res := f.Fetch(context.Background(), Request{URL: srv.URL + "/gone"}); res.Outcome != OutcomeGone || res.StatusCode != 410 || res.Err == nil {
		t.Errorf("410: %+v", res)
	}
	if res := f.Fetch(context.Background(), Request{URL: srv.URL + "/missing"}); res.Outcome != OutcomeError || !strings.Contains(res.Err.Error(), "404") {
		t.Errorf("404: %+v", res)
	}
	res := f.Fetch(context.Background(), Request{URL: srv.URL + "/page"})
	if res.Outcome != OutcomeError || !errors.Is(res.Err, ErrNotAFeed) || !strings.Contains(res.Err.Error(), "links to 1 feed") || strings.Contains(res.Err.Error(), "atom.xml") {
		t.Errorf("HTML page: %+v", res)
	}
	if res := f.Fetch(context.Background(), Request{URL: "http://127.0.0.1:1/feed"}); res.Outcome != OutcomeError || !strings.Contains(res.Err.Error(), "127.0.0.1:1") {
		t.Errorf("refused connection: %+v", res)
	}
	if res := f.Fetch(context.Background(), Request{URL: "ftp://example.com/feed"}); res.Outcome != OutcomeError {
		t.Errorf("ftp: %+v", res)
	}
}

func TestFetchTimeout(t *testing.T) {
	t.Parallel()
	// A server that accepts the request and never answers.
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer srv.Close()
	defer close(stop)
	f := newTestFetcher(Options{Timeout: 300 * time.Millisecond})
	res := f.Fetch(context.Background(), Request{URL: srv.URL})
	if res.Outcome != OutcomeError || !strings.Contains(res.Err.Error(), "no complete response within 300ms") {
		t.Errorf("timeout: %+v", res)
	}

	// A server that sends headers, then stalls in the body.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(sampleRSS[:50]))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer slow.Close()
	res = f.Fetch(context.Background(), Request{URL: slow.URL})
	if res.Outcome != OutcomeError || !strings.Contains(res.Err.Error(), "no complete response within") {
		t.Errorf("stalled body: %+v", res)
	}
}

func TestFetchBodyCap(t *testing.T) {
	t.Parallel()
	big := sampleRSS + strings.Repeat("<!-- padding -->", 200)
	mux := http.NewServeMux()
	mux.HandleFunc("/announced", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(big)) })
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 4; i++ {
			w.Write([]byte(big[i*len(big)/4 : (i+1)*len(big)/4]))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/gzip-bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		gz.Write(bytes.Repeat([]byte(" "), 1<<20))
		gz.Close()
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newTestFetcher(Options{MaxBodyBytes: 1024})
	for _, path := range []string{"/announced", "/chunked", "/gzip-bomb"} {
		res := f.Fetch(context.Background(), Request{URL: srv.URL + path})
		if res.Outcome != OutcomeError || !errors.Is(res.Err, ErrTooLarge) || !strings.Contains(res.Err.Error(), "1024") {
			t.Errorf("%s: %+v", path, res)
		}
	}
}

func TestFetchCharsetFromHeader(t *testing.T) {
	t.Parallel()
	body, _ := charmap.Windows1251.NewEncoder().Bytes([]byte(rssDoc("", ruTitle, ruBody)))
	koi, _ := charmap.KOI8R.NewEncoder().Bytes([]byte(rssDoc(`<?xml version="1.0" encoding="koi8-r"?>`, ruTitle, ruBody)))
	mux := http.NewServeMux()
	mux.HandleFunc("/cp1251", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=windows-1251")
		w.Write(body)
	})
	mux.HandleFunc("/koi8", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.Write(koi)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, path := range []string{"/cp1251", "/koi8"} {
		res := newTestFetcher(Options{}).Fetch(context.Background(), Request{URL: srv.URL + path})
		if res.Outcome != OutcomeOK || res.Feed.Items[0].Title != ruTitle || res.Feed.Items[0].Lang != "ru" {
			t.Errorf("%s: %+v", path, res)
		}
	}
}

func TestFetchFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "feed.xml")
	if err := os.WriteFile(path, []byte(sampleRSS), 0o644); err != nil {
		t.Fatal(err)
	}
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
	f := newTestFetcher(Options{FileRoot: dir})
	first := f.Fetch(context.Background(), Request{URL: u, Name: "Local"})
	if first.Outcome != OutcomeOK || first.LastModified == "" || first.Feed.Items[0].Source != "Local" {
		t.Fatalf("file: %+v", first)
	}
	second := f.Fetch(context.Background(), Request{URL: u, LastModified: first.LastModified})
	if second.Outcome != OutcomeNotModified {
		t.Errorf("unchanged file: %+v", second)
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(path, later, later)
	if third := f.Fetch(context.Background(), Request{URL: u, LastModified: first.LastModified}); third.Outcome != OutcomeOK {
		t.Errorf("touched file: %+v", third)
	}
	if res := f.Fetch(context.Background(), Request{URL: u + ".missing"}); res.Outcome != OutcomeError || !strings.Contains(res.Err.Error(), "no such file") {
		t.Errorf("missing file: %+v", res)
	}
	// A Windows-1251 file without declaration: no header, so the charset
	// is guessed from the bytes.
	cp, _ := charmap.Windows1251.NewEncoder().Bytes([]byte(rssDoc("", ruTitle, ruBody)))
	os.WriteFile(path, cp, 0o644)
	if res := f.Fetch(context.Background(), Request{URL: u}); res.Outcome != OutcomeOK || res.Feed.Charset != "windows-1251" || res.Feed.Items[0].Title != ruTitle {
		t.Errorf("windows-1251 file: %+v", res)
	}
}
