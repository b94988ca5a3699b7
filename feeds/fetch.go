// Package feeds fetches, decodes, parses and normalises news feeds (RSS
// 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed) and, for feeds that ask for it,
// the article pages they link to. It does all of stancewatch's HTTP
// fetching and knows nothing of the database: callers pass what they
// stored last time (validators) and get plain values back.
package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Options configure a Fetcher; zero values take the defaults.
type Options struct {
	Version         string        // stancewatch's version, named in the User-Agent
	UserAgent       string        // replaces the default User-Agent when set
	Timeout         time.Duration // whole request, body included (default 30s)
	ConnectTimeout  time.Duration // TCP connect and TLS handshake (default 10s)
	MaxBodyBytes    int64         // larger bodies are refused (default 10 MiB)
	FullTextWorkers int           // article pages fetched at once (default 4)
	PerHost         int           // article pages fetched at once from one host (default 2)
}

// ProjectURL is named in the default User-Agent so that site owners can
// find out what is fetching their feeds.
const ProjectURL = "https://github.com/stancewatch/stancewatch"

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 10 << 20
	}
	if o.FullTextWorkers <= 0 {
		o.FullTextWorkers = 4
	}
	if o.PerHost <= 0 {
		o.PerHost = 2
	}
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.UserAgent == "" {
		o.UserAgent = "stancewatch/" + o.Version + " (+" + ProjectURL + ")"
	}
	return o
}

// Fetcher fetches feeds with its own HTTP client. It is safe for
// concurrent use; one Fetcher serves a whole process.
type Fetcher struct {
	opts      Options
	client    *http.Client
	parser    *Parser
	pages     chan struct{} // bounds article page fetches process-wide
	pageHosts *hostSlots
}

// NewFetcher returns a Fetcher with its own connection pool.
func NewFetcher(opts Options) *Fetcher {
	opts = opts.withDefaults()
	dialer := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   opts.ConnectTimeout,
		ResponseHeaderTimeout: opts.Timeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
		// Go asks for gzip and decompresses it transparently; the body cap
		// applies to the decompressed bytes, so a gzip bomb is refused too.
	}
	return &Fetcher{
		opts:      opts,
		client:    &http.Client{Transport: transport},
		parser:    NewParser(),
		pages:     make(chan struct{}, opts.FullTextWorkers),
		pageHosts: newHostSlots(opts.PerHost),
	}
}

// UserAgent is the User-Agent header the Fetcher sends.
func (f *Fetcher) UserAgent() string { return f.opts.UserAgent }

// Parser is the Fetcher's parser, for callers that have a document in
// hand (imports, tests).
func (f *Fetcher) Parser() *Parser { return f.parser }

// CloseIdleConnections closes kept-alive connections.
func (f *Fetcher) CloseIdleConnections() { f.client.CloseIdleConnections() }

// Request says which feed to fetch and what is known of it.
type Request struct {
	URL          string
	ETag         string // from the last successful fetch; sent as If-None-Match
	LastModified string // likewise, sent as If-Modified-Since
	Name         string // the user's name for the feed: the source of its items
}

// Outcome is how a fetch ended, and so how a poll ended: the store logs
// it, the metrics count it and the CLI prints it. The values are those
// of the feed_polls table's outcome column.
type Outcome string

// Outcomes returns every outcome, in the order above.
func Outcomes() []Outcome {
	return []Outcome{OutcomeOK, OutcomeNotModified, OutcomeError, OutcomeGone}
}

// Outcomes of a fetch.
const (
	OutcomeOK          Outcome = "ok"           // a feed was parsed
	OutcomeNotModified Outcome = "not_modified" // 304: nothing new
	OutcomeError       Outcome = "error"        // see Result.Err
	OutcomeGone        Outcome = "gone"         // 410: the feed is gone for good
)

// Result is what one fetch of a feed found.
type Result struct {
	Outcome    Outcome
	StatusCode int    // HTTP status of the final response; 0 for file:// and network errors
	MovedTo    string // the feed's new URL after permanent redirects (301, 308); "" if none
	// ETag and LastModified are the validators to send next time (the
	// request's own when the server sent none).
	ETag, LastModified string
	RetryAfter         time.Time // from Retry-After on 429 and 503; zero when absent
	Feed               *Feed     // when Outcome is OutcomeOK
	Err                error     // when Outcome is OutcomeError or OutcomeGone
	Bytes              int       // body size, decompressed
	FetchedAt          time.Time
}

// HTTPError is an unsuccessful HTTP status.
type HTTPError struct {
	StatusCode int
	Status     string
}

func (e *HTTPError) Error() string { return "HTTP " + e.Status }

// ErrTooLarge is returned (wrapped) for a body over Options.MaxBodyBytes.
var ErrTooLarge = errors.New("response body too large")

// Fetch fetches, decodes, parses and normalises one feed. Every failure
// is reported in the Result (Outcome error or gone, with Err); Fetch
// itself never fails.
func (f *Fetcher) Fetch(ctx context.Context, req Request) Result {
	res := Result{FetchedAt: time.Now(), ETag: req.ETag, LastModified: req.LastModified}
	u, err := CheckURL(req.URL)
	if err != nil {
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("feed URL: %w", err)
		return res
	}
	var body []byte
	var contentType string
	baseURL := req.URL
	if u.Scheme == "file" {
		body, contentType = f.fetchFile(u, req, &res)
	} else {
		body, contentType, baseURL = f.fetchHTTP(ctx, u, req, &res)
	}
	if res.Outcome != "" {
		return res
	}
	res.Bytes = len(body)
	feed, err := f.parser.Parse(body, contentType, ParseOptions{
		FeedURL: req.URL, BaseURL: baseURL, Name: req.Name, FetchedAt: res.FetchedAt,
	})
	if err != nil {
		res.Outcome, res.Err = OutcomeError, err
		return res
	}
	res.Outcome, res.Feed = OutcomeOK, feed
	return res
}

// acceptFeeds prefers feed formats but takes anything: many servers send
// feeds as text/html or application/octet-stream.
const acceptFeeds = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

// fetchHTTP sets res.Outcome when there is nothing to parse; otherwise it
// returns the body, its Content-Type and the URL it came from.
func (f *Fetcher) fetchHTTP(ctx context.Context, u *url.URL, req Request, res *Result) ([]byte, string, string) {
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("GET %s: %w", req.URL, err)
		return nil, "", ""
	}
	hreq.Header.Set("User-Agent", f.opts.UserAgent)
	hreq.Header.Set("Accept", acceptFeeds)
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}

	// The new URL counts only while every redirect so far was permanent:
	// a temporary hop means the old URL is still the one to ask.
	permanent := true
	client := *f.client
	client.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
			return fmt.Errorf("redirect to a %s URL", r.URL.Scheme)
		}
		if code := r.Response.StatusCode; permanent && (code == http.StatusMovedPermanently || code == http.StatusPermanentRedirect) {
			res.MovedTo = r.URL.String()
		} else {
			permanent = false
		}
		return nil
	}
	resp, err := client.Do(hreq)
	if err != nil {
		res.Outcome, res.Err = OutcomeError, f.describe(err, req.URL)
		return nil, "", ""
	}
	defer resp.Body.Close()
	res.StatusCode = resp.StatusCode
	if res.MovedTo == req.URL {
		res.MovedTo = ""
	}
	if etag := resp.Header.Get("ETag"); etag != "" {
		res.ETag = etag
	}
	if lm := resp.Header.Get("Last-Modified"); lm != "" {
		res.LastModified = lm
	}

	switch {
	case resp.StatusCode == http.StatusNotModified:
		res.Outcome = OutcomeNotModified
		return nil, "", ""
	case resp.StatusCode == http.StatusGone:
		res.Outcome, res.Err = OutcomeGone, fmt.Errorf("GET %s: %w (the feed is gone)", req.URL, &HTTPError{resp.StatusCode, resp.Status})
		return nil, "", ""
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		res.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), res.FetchedAt)
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("GET %s: %w", req.URL, &HTTPError{resp.StatusCode, resp.Status})
		return nil, "", ""
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("GET %s: %w", req.URL, &HTTPError{resp.StatusCode, resp.Status})
		return nil, "", ""
	}
	// The validators belong to the representation: a 200 without them
	// clears the old ones.
	res.ETag, res.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	body, err := readCapped(resp.Body, resp.ContentLength, f.opts.MaxBodyBytes)
	if err != nil {
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("GET %s: %w", req.URL, f.describe(err, ""))
		return nil, "", ""
	}
	return body, resp.Header.Get("Content-Type"), resp.Request.URL.String()
}

// describe turns transport errors into messages a user can act on.
func (f *Fetcher) describe(err error, rawURL string) error {
	prefix := ""
	if rawURL != "" {
		prefix = "GET " + rawURL + ": "
	}
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return fmt.Errorf("%sno complete response within %s (poll.timeout): %w", prefix, f.opts.Timeout, err)
	case errors.Is(err, ErrTooLarge):
		return err
	}
	if prefix == "" {
		return err
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // url.Error repeats the method and URL
	}
	return fmt.Errorf("%s%w", prefix, err)
}

// readCapped reads a body of at most limit bytes.
func readCapped(r io.Reader, length, limit int64) ([]byte, error) {
	if length > limit {
		return nil, fmt.Errorf("%w: %d bytes announced, the limit is %d (poll.max_body_bytes)", ErrTooLarge, length, limit)
	}
	var buf bytes.Buffer
	if length > 0 {
		buf.Grow(int(length) + 1)
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("%w: more than %d bytes (poll.max_body_bytes)", ErrTooLarge, limit)
	}
	return buf.Bytes(), nil
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			secs = 0
		}
		if secs > 366*24*3600 {
			secs = 366 * 24 * 3600
		}
		return now.Add(time.Duration(secs) * time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return t
	}
	return time.Time{}
}

// fetchFile reads a local feed. Its modification time plays the part of
// Last-Modified, so an unchanged file is "not modified".
func (f *Fetcher) fetchFile(u *url.URL, req Request, res *Result) ([]byte, string) {
	if u.Host != "" && u.Host != "localhost" {
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("feed URL %q: a file URL must not name a host (file:///path)", req.URL)
		return nil, ""
	}
	path := filepath.FromSlash(u.Path)
	file, err := os.Open(path)
	if err != nil {
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("read %s: %w", req.URL, err)
		return nil, ""
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("read %s: %w", req.URL, err)
		return nil, ""
	}
	if st.IsDir() {
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("read %s: is a directory", req.URL)
		return nil, ""
	}
	lm := st.ModTime().UTC().Format(http.TimeFormat)
	res.ETag, res.LastModified = "", lm
	if req.LastModified == lm {
		res.Outcome = OutcomeNotModified
		return nil, ""
	}
	body, err := readCapped(file, st.Size(), f.opts.MaxBodyBytes)
	if err != nil {
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("read %s: %w", req.URL, err)
		return nil, ""
	}
	// There is no Content-Type header for a file: the charset comes from
	// the XML declaration, or is UTF-8, or is guessed (see decodeBody).
	return body, fileContentType(path)
}

// fileContentType names JSON files as such and leaves the rest to
// sniffing; it never claims a charset (Go's own table says UTF-8 for
// every .xml file).
func fileContentType(path string) string {
	if strings.EqualFold(filepath.Ext(path), ".json") {
		return "application/feed+json"
	}
	return ""
}
