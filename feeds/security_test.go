package feeds

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// countingListener is a TCP listener that counts the connections it
// accepts and answers each with a feed (or the given handler).
type countingListener struct {
	ln      net.Listener
	accepts atomic.Int64
}

func listenCounting(t *testing.T, network, addr string, h http.Handler) *countingListener {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s here: %v", addr, err)
	}
	cl := &countingListener{ln: ln}
	if h == nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, sampleRSS) })
	}
	srv := &http.Server{Handler: h, ConnState: func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			cl.accepts.Add(1)
		}
	}}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return cl
}

func (cl *countingListener) port() string {
	_, port, _ := net.SplitHostPort(cl.ln.Addr().String())
	return port
}

// A fetcher with the default policy refuses loopback, [::1] and the
// cloud metadata address before it connects: the listener sees nothing.
func TestPolicyRefusesLocalAddressesBeforeConnecting(t *testing.T) {
	v4 := listenCounting(t, "tcp4", "127.0.0.1:0", nil)
	f := NewFetcher(Options{Timeout: 5 * time.Second})
	urls := []string{
		"http://127.0.0.1:" + v4.port() + "/feed",
		"http://localhost:" + v4.port() + "/feed", // a name is checked after it is resolved
		"http://169.254.169.254/latest/meta-data/",
		"http://[::ffff:127.0.0.1]:" + v4.port() + "/feed",
	}
	var v6 *countingListener
	if ln, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		ln.Close()
		v6 = listenCounting(t, "tcp6", "[::1]:0", nil)
		urls = append(urls, "http://[::1]:"+v6.port()+"/feed")
	}
	for _, u := range urls {
		res := f.Fetch(context.Background(), Request{URL: u})
		if res.Outcome != OutcomeError || policyError(res.Err) == nil || !strings.Contains(res.Err.Error(), "refused: ") {
			t.Errorf("%s: %+v, want a refusal by the network policy", u, res)
		}
	}
	if n := v4.accepts.Load(); n != 0 {
		t.Errorf("127.0.0.1: %d connections accepted, want none", n)
	}
	if v6 != nil && v6.accepts.Load() != 0 {
		t.Errorf("[::1]: %d connections accepted, want none", v6.accepts.Load())
	}
	res := f.Fetch(context.Background(), Request{URL: "http://169.254.169.254/"})
	if res.Err == nil || !strings.Contains(res.Err.Error(), "refused: 169.254.169.254 is a link-local address") {
		t.Errorf("metadata address: %v", res.Err)
	}

	// The switch opens them, as the other tests use it.
	open := NewFetcher(Options{AllowPrivateNetworks: true})
	if res := open.Fetch(context.Background(), Request{URL: urls[0]}); res.Outcome != OutcomeOK || v4.accepts.Load() != 1 {
		t.Errorf("allow_private_networks: %+v, %d accepts", res, v4.accepts.Load())
	}
	// allow_hosts names one host; another name for the same address is
	// still refused.
	named := NewFetcher(Options{AllowHosts: []string{"127.0.0.1"}})
	if res := named.Fetch(context.Background(), Request{URL: urls[0]}); res.Outcome != OutcomeOK {
		t.Errorf("allow_hosts 127.0.0.1: %+v", res)
	}
	before := v4.accepts.Load()
	if res := named.Fetch(context.Background(), Request{URL: urls[1]}); policyError(res.Err) == nil || v4.accepts.Load() != before {
		t.Errorf("allow_hosts 127.0.0.1, URL localhost: %+v", res)
	}
}

// A redirect is a new connection: a feed allowed by name that redirects
// to loopback under another name is refused at the hop.
func TestPolicyRefusesRedirectToLoopback(t *testing.T) {
	target := listenCounting(t, "tcp4", "127.0.0.1:0", nil)
	origin := listenCounting(t, "tcp4", "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://localhost:"+target.port()+"/internal", http.StatusFound)
	}))
	f := NewFetcher(Options{AllowHosts: []string{"127.0.0.1"}})
	res := f.Fetch(context.Background(), Request{URL: "http://127.0.0.1:" + origin.port() + "/feed"})
	if res.Outcome != OutcomeError || policyError(res.Err) == nil {
		t.Errorf("redirect to loopback: %+v", res)
	}
	// Article pages follow the same policy on every hop.
	items := []Item{{URL: "http://127.0.0.1:" + origin.port() + "/article", ContentText: "feed text"}}
	if ftr := f.FetchFullText(context.Background(), items); ftr.Extracted != 0 || len(ftr.Errors) != 1 || !strings.Contains(ftr.Errors[0], "refused: ") {
		t.Errorf("full text redirected to loopback: %+v", ftr)
	}
	if target.accepts.Load() != 0 {
		t.Errorf("the loopback target accepted %d connections, want none", target.accepts.Load())
	}
}

// A remote full-text feed whose item links point at an internal address
// gets nothing from there: the item keeps the feed's text.
func TestPolicyFullTextLinksToLoopback(t *testing.T) {
	internal := listenCounting(t, "tcp4", "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><article><p>"+strings.Repeat("INTERNAL SECRET PAGE. ", 200)+"</p></article></body></html>")
	}))
	f := NewFetcher(Options{})
	items := []Item{{URL: "http://localhost:" + internal.port() + "/admin", ContentText: "feed text"},
		{URL: "http://[::1]:" + internal.port() + "/admin", ContentText: "feed text"}}
	res := f.FetchFullText(context.Background(), items)
	if res.Extracted != 0 || len(res.Errors) != 2 || !strings.Contains(res.Errors[0], "refused: ") {
		t.Errorf("full text result %+v", res)
	}
	for _, it := range items {
		if it.ContentText != "feed text" {
			t.Errorf("item text replaced: %.60q", it.ContentText)
		}
	}
	if internal.accepts.Load() != 0 {
		t.Errorf("the internal server accepted %d connections", internal.accepts.Load())
	}
}

func TestRefusedReason(t *testing.T) {
	refused := map[string]string{
		"127.0.0.1": "loopback", "127.8.9.10": "loopback", "::1": "loopback",
		"10.0.0.5": "private", "172.16.3.4": "private", "192.168.1.1": "private", "fd00::1": "private",
		"169.254.169.254": "link-local", "fe80::1": "link-local",
		"100.64.0.1": "carrier-grade NAT", "224.0.0.1": "multicast", "ff02::1": "multicast",
		"0.0.0.0": "unspecified", "::": "unspecified", "0.1.2.3": "this network", "255.255.255.255": "reserved",
		"::ffff:127.0.0.1": "loopback address (IPv4-mapped)", "::ffff:10.1.2.3": "private address (IPv4-mapped)",
		"64:ff9b::a00:1": "private address (IPv4-translated)", "::ffff:0:a9fe:a9fe": "link-local address (IPv4-translated)",
		"2002:7f00:1::1": "loopback address (6to4)", "fe80::1%eth0": "link-local",
	}
	for s, want := range refused {
		if got := refusedReason(netip.MustParseAddr(s)); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", s, got, want)
		}
	}
	for _, s := range []string{"8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "64:ff9b::808:808", "::ffff:8.8.8.8", "2002:808:808::1"} {
		if got := refusedReason(netip.MustParseAddr(s)); got != "" {
			t.Errorf("%s refused: %s", s, got)
		}
	}
	err := (&netPolicy{}).control("tcp4", "10.0.0.5:80", nil)
	if err == nil || err.Error() != "refused: 10.0.0.5 is a private address (set poll.allow_private_networks or poll.allow_hosts to allow it)" {
		t.Errorf("message: %v", err)
	}
}

// file:// feeds: off without file_root; within it, regular files only,
// symlinks resolved and confined, and a FIFO never blocks.
func TestFileFeedsConfined(t *testing.T) {
	root := t.TempDir()
	feed := filepath.Join(root, "feed.xml")
	os.WriteFile(feed, []byte(sampleRSS), 0o644)
	outside := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(outside, []byte("DATABASE_URL=postgres://u:TOPSECRET@db/x"), 0o644)
	os.Symlink(outside, filepath.Join(root, "link.xml"))
	os.Symlink("/etc", filepath.Join(root, "etc"))
	fileURL := func(p string) string { return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String() }

	off := NewFetcher(Options{})
	if res := off.Fetch(context.Background(), Request{URL: fileURL(feed)}); !errors.Is(res.Err, ErrFileFeedsOff) {
		t.Errorf("file_root unset: %+v", res)
	}
	f := NewFetcher(Options{FileRoot: root, Timeout: 2 * time.Second})
	if res := f.Fetch(context.Background(), Request{URL: fileURL(feed)}); res.Outcome != OutcomeOK {
		t.Fatalf("a feed under file_root: %+v", res)
	}
	for _, p := range []string{"/etc/passwd", "/proc/self/environ", filepath.Join(root, "link.xml"),
		filepath.Join(root, "etc", "passwd"), filepath.Join(root, "..", filepath.Base(filepath.Dir(outside)), "secret.txt"), outside} {
		res := f.Fetch(context.Background(), Request{URL: fileURL(p)})
		if !errors.Is(res.Err, ErrFileFeedsOff) {
			t.Errorf("%s: %+v, want refused as outside file_root", p, res)
		}
		if res.Err != nil && (strings.Contains(res.Err.Error(), "TOPSECRET") || strings.Contains(res.Err.Error(), "root:")) {
			t.Errorf("%s: the error shows the file's content: %v", p, res.Err)
		}
	}

	fifo := filepath.Join(root, "fifo.xml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan Result, 1)
	go func() { done <- f.Fetch(context.Background(), Request{URL: fileURL(fifo)}) }()
	select {
	case res := <-done:
		if res.Outcome != OutcomeError || !strings.Contains(res.Err.Error(), "not a regular file (a FIFO)") {
			t.Errorf("FIFO: %+v", res)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO blocked the fetch (and the worker) for 5s")
	}
	if res := f.Fetch(context.Background(), Request{URL: fileURL(root)}); res.Err == nil || !strings.Contains(res.Err.Error(), "a directory") {
		t.Errorf("directory: %+v", res)
	}

	// What may be added as a feed (feeds add, OPML import, configuration).
	for p, ok := range map[string]bool{feed: true, filepath.Join(root, "later.xml"): true, filepath.Join(root, "sub", "new.xml"): true,
		"/etc/passwd": false, filepath.Join(root, "..", "x.xml"): false, filepath.Join(root, "etc", "passwd"): false, "/proc/self/environ": false} {
		err := FeedFileAllowed(root, fileURL(p))
		if (err == nil) != ok {
			t.Errorf("FeedFileAllowed(%s) = %v, want allowed %v", p, err, ok)
		}
	}
	if err := FeedFileAllowed("", fileURL(feed)); !errors.Is(err, ErrFileFeedsOff) {
		t.Errorf("FeedFileAllowed without a root: %v", err)
	}
}

// What a server sends is never repeated in an error: not the body of a
// non-feed, not the status line's reason phrase (terminal escapes), not
// the password in the feed's URL.
func TestErrorsCarryNoFetchedBytes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "root:x:0:0:root:/root:/bin/bash\nSECRET_TOKEN=abc123\n")
	}))
	defer srv.Close()
	f := NewFetcher(Options{AllowPrivateNetworks: true})
	withPass := strings.Replace(srv.URL, "http://", "http://alice:Pw6secret@", 1)
	res := f.Fetch(context.Background(), Request{URL: withPass + "/feed"})
	if !errors.Is(res.Err, ErrNotAFeed) {
		t.Fatalf("not a feed: %+v", res)
	}
	msg := res.Err.Error()
	if strings.Contains(msg, "root:") || strings.Contains(msg, "SECRET") || strings.Contains(msg, "Pw6secret") ||
		!strings.Contains(msg, "text/plain") || !strings.Contains(msg, "52 bytes") {
		t.Errorf("error %q: want the type and length only", msg)
	}
	res = f.Fetch(context.Background(), Request{URL: withPass + "/missing"})
	if msg := res.Err.Error(); strings.Contains(msg, "Pw6secret") || !strings.Contains(msg, "alice:xxxxx@") {
		t.Errorf("error %q: want the URL redacted", msg)
	}

	// A raw server whose reason phrase carries ANSI and OSC escapes.
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				fmt.Fprint(c, "HTTP/1.1 502 \x1b]0;owned\x07\x1b[2J\x1b[31mBad\u202egateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			}()
		}
	}()
	res = f.Fetch(context.Background(), Request{URL: "http://" + ln.Addr().String() + "/feed"})
	if res.StatusCode != 502 || res.Err == nil {
		t.Fatalf("502: %+v", res)
	}
	if msg := res.Err.Error(); StripControls(msg) != msg || strings.Contains(msg, "owned") || !strings.Contains(msg, "HTTP 502 Bad Gateway") {
		t.Errorf("status line in the error: %q", msg)
	}
}

func TestMaxItemsAndMaxTextBytes(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel><title>Big</title>`)
	for i := 0; i < 1500; i++ {
		fmt.Fprintf(&b, "<item><title>t%d</title><link>https://big.example/a/%d</link></item>", i, i)
	}
	b.WriteString(`<item><title>huge</title><link>https://big.example/huge</link><description>`)
	b.WriteString(strings.Repeat("Переговоры ", 100_000)) // 2.1 MB of two-byte characters
	b.WriteString(`</description></item></channel></rss>`)
	doc := []byte(b.String())

	p := NewParser()
	feed, err := p.Parse(doc, "", ParseOptions{FeedURL: "https://big.example/rss", MaxItems: 1000, MaxTextBytes: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 1000 || feed.Dropped != 501 {
		t.Errorf("items %d, dropped %d: want 1000 and 501", len(feed.Items), feed.Dropped)
	}
	feed, err = p.Parse(doc, "", ParseOptions{FeedURL: "https://big.example/rss", MaxItems: 2000, MaxTextBytes: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	huge := feed.Items[len(feed.Items)-1]
	if len(huge.ContentText) > 256<<10 || !strings.HasSuffix(huge.ContentText, TruncatedMark) || !utf8.ValidString(huge.ContentText) ||
		feed.Truncated != 1 || len(huge.ContentHTML) > 2*(256<<10) {
		t.Errorf("huge item: text %d bytes (mark %v, valid %v), HTML %d bytes, truncated %d",
			len(huge.ContentText), strings.HasSuffix(huge.ContentText, TruncatedMark), utf8.ValidString(huge.ContentText), len(huge.ContentHTML), feed.Truncated)
	}
	// The fetcher applies its defaults.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(doc) }))
	defer srv.Close()
	res := newTestFetcher(Options{}).Fetch(context.Background(), Request{URL: srv.URL})
	if res.Feed == nil || len(res.Feed.Items) != DefaultMaxItems || res.Feed.Dropped != 501 {
		t.Errorf("fetcher defaults: %+v", res.Err)
	}
}

func TestRedactAndStrip(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:pw@host/feed?x=1":           "https://u:xxxxx@host/feed?x=1",
		"https://host/feed":                    "https://host/feed",
		"http://u:p%zz@host/%zz":               "http://xxxxx@host/%zz",
		"https://u:pw@host/\x1b[31mred\u202e/": "https://xxxxx@host/red/",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	if got := StripControls("a\x1b]0;t\x07b\tc\nd\u202ee\u2066f\u0085g\x7f\x1b[2Jh\x1b(Bi\u009b31mj\x1b]8;;x\x1b\\k"); got != "ab\tc\ndefghijk" {
		t.Errorf("StripControls: %q", got)
	}
	if got, cut := CapText(strings.Repeat("я", 100), 50); !cut || len(got) > 50 || !utf8.ValidString(got) {
		t.Errorf("CapText: %q %v", got, cut)
	}
}

// Items past max_items are cut before the feed parser sees them, in
// every XML format, and the rest of the document still parses.
func TestLimitXMLItems(t *testing.T) {
	var atom, rdf strings.Builder
	atom.WriteString(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom wire</title>`)
	rdf.WriteString(`<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>RDF wire</title></channel>`)
	for i := 0; i < 1200; i++ {
		fmt.Fprintf(&atom, `<entry><title>e%d</title><id>urn:e:%d</id><link href="https://atom.example/%d"/></entry>`, i, i, i)
		fmt.Fprintf(&rdf, `<item><title>i%d</title><link>https://rdf.example/%d</link></item>`, i, i)
	}
	atom.WriteString(`</feed>`)
	rdf.WriteString(`</rdf:RDF>`)
	var js strings.Builder
	js.WriteString(`{"version":"https://jsonfeed.org/version/1.1","items":[`)
	for i := 0; i < 1200; i++ {
		if i > 0 {
			js.WriteString(", ")
		}
		fmt.Fprintf(&js, `{"id":"j%d","url":"https://json.example/%d","title":"j%d","content_text":"{ braces }"}`, i, i, i)
	}
	js.WriteString(`], "title": "JSON wire"}`) // keys after the items survive the cut
	for name, doc := range map[string]string{"atom": atom.String(), "rdf": rdf.String(), "json": js.String()} {
		feed, err := NewParser().Parse([]byte(doc), "", ParseOptions{FeedURL: "https://x.example/" + name, MaxItems: 1000})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(feed.Items) != 1000 || feed.Dropped != 200 || !strings.HasSuffix(feed.Title, "wire") || feed.Items[999].Title[1:] != "999" {
			t.Errorf("%s: %d items, %d dropped, title %q", name, len(feed.Items), feed.Dropped, feed.Title)
		}
	}
}
