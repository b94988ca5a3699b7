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
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
	MaxItems        int           // items kept per feed document; the rest are dropped and counted (default 1,000)
	MaxTextBytes    int           // text kept per article, cut at a character boundary and marked (default 256 KiB)

	// AllowPrivateNetworks lets feeds and article pages reach loopback,
	// private, link-local and other non-public addresses; AllowHosts
	// names hosts (as URLs give them) that may do so one by one.
	AllowPrivateNetworks bool
	AllowHosts           []string
	// FileRoot enables file:// feeds: only regular files under this
	// directory, symlinks resolved, are read. Empty disables them.
	FileRoot string
}

// Defaults of the per-feed memory caps.
const (
	DefaultMaxItems     = 1000
	DefaultMaxTextBytes = 256 << 10
)

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
	if o.MaxItems <= 0 {
		o.MaxItems = DefaultMaxItems
	}
	if o.MaxTextBytes <= 0 {
		o.MaxTextBytes = DefaultMaxTextBytes
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
	policy := newNetPolicy(opts.AllowPrivateNetworks, opts.AllowHosts)
	transport := &http.Transport{
		// Through a proxy the policy sees the proxy's address only: the
		// proxy must apply its own egress rules (docs/security.md).
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           policy.dialContext(opts.ConnectTimeout),
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
		client:    &http.Client{Transport: transport, CheckRedirect: checkRedirect},
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

// HTTPError is an unsuccessful HTTP status. Its message is the code and
// Go's own text for it: the server's reason phrase is never repeated
// (it may carry anything, terminal escapes included).
type HTTPError struct {
	StatusCode int
}

func (e *HTTPError) Error() string {
	if text := http.StatusText(e.StatusCode); text != "" {
		return fmt.Sprintf("HTTP %d %s", e.StatusCode, text)
	}
	return fmt.Sprintf("HTTP %d", e.StatusCode)
}

// maxRedirects bounds the redirect hops of feeds and article pages.
const maxRedirects = 10

// checkRedirect is the redirect policy of feeds and article pages: a
// bounded number of hops, to http or https only. Each hop's address is
// checked by the dialer like any connection.
func checkRedirect(r *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
		return errors.New("redirect to a URL that is not http or https")
	}
	return nil
}

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
		body, contentType = f.fetchFile(ctx, u, req, &res)
	} else {
		body, contentType, baseURL = f.fetchHTTP(ctx, u, req, &res)
	}
	if res.Outcome != "" {
		return res
	}
	res.Bytes = len(body)
	feed, err := f.parser.Parse(body, contentType, ParseOptions{
		FeedURL: req.URL, BaseURL: baseURL, Name: req.Name, FetchedAt: res.FetchedAt,
		MaxItems: f.opts.MaxItems, MaxTextBytes: f.opts.MaxTextBytes,
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
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("GET %s: not a valid URL", RedactURL(req.URL))
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
		if err := checkRedirect(r, via); err != nil {
			return err
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
		res.Outcome, res.Err = OutcomeGone, fmt.Errorf("GET %s: %w (the feed is gone)", RedactURL(req.URL), &HTTPError{resp.StatusCode})
		return nil, "", ""
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		res.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), res.FetchedAt)
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("GET %s: %w", RedactURL(req.URL), &HTTPError{resp.StatusCode})
		return nil, "", ""
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("GET %s: %w", RedactURL(req.URL), &HTTPError{resp.StatusCode})
		return nil, "", ""
	}
	// The validators belong to the representation: a 200 without them
	// clears the old ones.
	res.ETag, res.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	body, err := readCapped(resp.Body, resp.ContentLength, f.opts.MaxBodyBytes)
	if err != nil {
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("GET %s: %w", RedactURL(req.URL), f.describe(err, ""))
		return nil, "", ""
	}
	return body, resp.Header.Get("Content-Type"), resp.Request.URL.String()
}

// describe turns transport errors into messages a user can act on. A
// refusal by the network policy is reported as such, whatever the
// transport wrapped around it.
func (f *Fetcher) describe(err error, rawURL string) error {
	prefix := ""
	if rawURL != "" {
		prefix = "GET " + RedactURL(rawURL) + ": "
	}
	var netErr net.Error
	switch pe := policyError(err); {
	case pe != nil:
		return fmt.Errorf("%s%w", prefix, pe)
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return fmt.Errorf("%sno complete response within %s (poll.timeout): %w", prefix, f.opts.Timeout, context.DeadlineExceeded)
	case errors.Is(err, ErrTooLarge):
		return err
	}
	if prefix == "" {
		return err
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // url.Error repeats the method and the (unredacted) URL
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

// ErrFileFeedsOff is returned (wrapped) for a file:// feed when
// poll.file_root is not set, or the file is not under it.
var ErrFileFeedsOff = errors.New("file:// feeds are off")

// fetchFile reads a local feed under Options.FileRoot. Its modification
// time plays the part of Last-Modified, so an unchanged file is "not
// modified". Only regular files are read: the file is opened
// non-blocking and checked before any read, so a FIFO or a device never
// blocks a worker, and the read itself gives up at the deadline.
func (f *Fetcher) fetchFile(ctx context.Context, u *url.URL, req Request, res *Result) ([]byte, string) {
	fail := func(format string, args ...any) ([]byte, string) {
		res.Outcome, res.Err = OutcomeError, fmt.Errorf("read %s: "+format, append([]any{RedactURL(req.URL)}, args...)...)
		return nil, ""
	}
	if u.Host != "" && u.Host != "localhost" {
		return fail("a file URL must not name a host (file:///path)")
	}
	file, err := OpenFeedFile(f.opts.FileRoot, filepath.FromSlash(u.Path))
	if err != nil {
		return fail("%w", err)
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return fail("%w", err)
	}
	lm := st.ModTime().UTC().Format(http.TimeFormat)
	res.ETag, res.LastModified = "", lm
	if req.LastModified == lm {
		res.Outcome = OutcomeNotModified
		return nil, ""
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	type read struct {
		body []byte
		err  error
	}
	done := make(chan read, 1)
	go func() {
		body, err := readCapped(file, st.Size(), f.opts.MaxBodyBytes)
		done <- read{body, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return fail("%w", r.err)
		}
		// There is no Content-Type header for a file: the charset comes
		// from the XML declaration, or is UTF-8, or is guessed (see
		// decodeBody).
		return r.body, fileContentType(u.Path)
	case <-ctx.Done():
		// The reader ends with the file closed by the deferred Close.
		return fail("no complete read within %s (poll.timeout): %w", f.opts.Timeout, context.DeadlineExceeded)
	}
}

// OpenFeedFile opens path for reading as a feed, if it is a regular file
// under root once every symlink is resolved. It never blocks: the file
// is opened O_NONBLOCK and checked with fstat before it is returned.
func OpenFeedFile(root, path string) (*os.File, error) {
	real, err := FeedFilePath(root, path)
	if err != nil {
		return nil, err
	}
	file, err := os.OpenFile(real, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot open the file: %w", errors.Unwrap(err))
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		file.Close()
		return nil, fmt.Errorf("not a regular file (%s)", fileKind(st.Mode()))
	}
	// The file is checked after it is opened, so it cannot be swapped for
	// a symlink pointing out in between: O_NOFOLLOW refuses one, and the
	// path it was opened by has no symlink left in it.
	if again, err := filepath.EvalSymlinks(real); err != nil || again != real {
		file.Close()
		return nil, fmt.Errorf("%w: the path changed while it was opened", ErrFileFeedsOff)
	}
	return file, nil
}

// FeedFilePath resolves path (absolute) with every symlink followed and
// checks that the result lies under root (resolved likewise). It is the
// check that `feeds add`, `feeds import` and the configuration make
// before they accept a file:// feed, and that every read repeats.
func FeedFilePath(root, path string) (string, error) {
	if root == "" {
		return "", fmt.Errorf("%w: set poll.file_root to a directory to read feeds from files under it", ErrFileFeedsOff)
	}
	if !filepath.IsAbs(path) {
		return "", fmt.Errorf("the path of a file URL must be absolute")
	}
	realRoot, err := resolveRoot(root)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(filepath.Clean(path))
	if err != nil {
		// Say whether it is missing, not what was found on the way.
		if errors.Is(err, fs.ErrNotExist) {
			return "", errors.New("no such file")
		}
		return "", fmt.Errorf("cannot resolve the path: %w", errors.Unwrap(err))
	}
	if !within(realRoot, real) {
		return "", fmt.Errorf("%w: the file is not under poll.file_root %s (symlinks resolved)", ErrFileFeedsOff, root)
	}
	return real, nil
}

// FeedFileAllowed says whether a file:// URL may become a feed: its path
// (resolved as far as it exists) lies under root. Unlike FeedFilePath it
// accepts a file that does not exist yet, since feeds may be added
// before their files are written.
func FeedFileAllowed(root, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "file" {
		return fmt.Errorf("%s is not a file URL", RedactURL(rawURL))
	}
	if root == "" {
		return fmt.Errorf("%w: set poll.file_root to a directory to read feeds from files under it", ErrFileFeedsOff)
	}
	path := filepath.Clean(filepath.FromSlash(u.Path))
	if !filepath.IsAbs(path) {
		return errors.New("the path of a file URL must be absolute")
	}
	realRoot, err := resolveRoot(root)
	if err != nil {
		return err
	}
	// Resolve the longest part of the path that exists; the rest is
	// taken as written.
	existing, rest := path, ""
	for {
		if real, err := filepath.EvalSymlinks(existing); err == nil {
			if within(realRoot, filepath.Join(real, rest)) {
				return nil
			}
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			break
		}
		rest = filepath.Join(filepath.Base(existing), rest)
		existing = parent
	}
	return fmt.Errorf("%w: %s is not under poll.file_root %s (symlinks resolved)", ErrFileFeedsOff, path, root)
}

func resolveRoot(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("poll.file_root %s: %w", root, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("poll.file_root %s: %w", root, errors.Unwrap(err))
	}
	return real, nil
}

// within reports whether path is dir or below it; both are clean and
// absolute.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
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
