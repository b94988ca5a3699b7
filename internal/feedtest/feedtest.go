// Package feedtest serves generated feeds over real HTTP for the tests of
// the pipeline and the daemon.
package feedtest

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Item is one item of a generated test feed.
type Item struct{ GUID, Link, Title, Body string }

// RSS returns an RSS 2.0 document of the items after decl (an XML
// declaration, or "").
func RSS(decl string, items ...Item) string {
	var b strings.Builder
	b.WriteString(decl)
	b.WriteString(`<rss version="2.0"><channel><title>Test Wire</title><link>https://wire.example/</link>`)
	for _, it := range items {
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link>", it.Title, it.Link)
		if it.GUID != "" {
			fmt.Fprintf(&b, "<guid isPermaLink=\"false\">%s</guid>", it.GUID)
		}
		fmt.Fprintf(&b, "<description>%s</description><pubDate>Mon, 01 Dec 2025 09:00:00 GMT</pubDate></item>", it.Body)
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

// Server is an httptest server that counts requests per path; it is
// closed when the test ends.
type Server struct {
	*httptest.Server
	mux  *http.ServeMux
	mu   sync.Mutex
	hits map[string]int
}

// NewServer starts a Server.
func NewServer(t testing.TB) *Server {
	s := &Server{mux: http.NewServeMux(), hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		s.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// Serve answers requests for path with body.
func (s *Server) Serve(path, contentType, body string) {
	s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Write([]byte(body))
	})
}

// Handle answers requests for the pattern with h.
func (s *Server) Handle(pattern string, h http.HandlerFunc) { s.mux.HandleFunc(pattern, h) }

// Hits returns how many requests path has had.
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// Logger logs at debug level into the test's output.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// NewItem returns an item with the given guid (or "" for none), link,
// title and description.
func NewItem(guid, link, title, body string) Item {
	return Item{GUID: guid, Link: link, Title: title, Body: body}
}
