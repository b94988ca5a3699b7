package daemon

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// The listener bounds every phase of a connection with the configured
// timeouts: an idle keep-alive connection and a client that never
// finishes its headers are both closed.
func TestHTTPServerTimeouts(t *testing.T) {
	cfg := testConfig(t, pg.NewDatabase(t))
	cfg.HTTP.ReadHeaderTimeout = 300 * time.Millisecond
	cfg.HTTP.ReadTimeout = time.Second
	cfg.HTTP.WriteTimeout = time.Second
	cfg.HTTP.IdleTimeout = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	_, base, done := startDaemon(t, ctx, cfg)
	defer func() { cancel(); <-done }()
	addr := strings.TrimPrefix(base, "http://")

	// closedWithin reports whether the server closes conn within d.
	closedWithin := func(conn net.Conn, r io.Reader, d time.Duration) bool {
		conn.SetReadDeadline(time.Now().Add(d))
		_, err := io.Copy(io.Discard, r)
		return err == nil || errors.Is(err, io.EOF) || !errors.Is(err, os.ErrDeadlineExceeded)
	}

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	br := bufio.NewReader(idle)
	idle.Write([]byte("GET /healthz HTTP/1.1\r\nHost: stancewatch\r\n\r\n"))
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /healthz: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if !closedWithin(idle, br, 3*time.Second) {
		t.Error("an idle keep-alive connection stayed open 3s with http.idle_timeout 300ms")
	}

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	slow.Write([]byte("GET /healthz HTTP/1.1\r\nHost: stan"))
	if !closedWithin(slow, slow, 3*time.Second) {
		t.Error("a request whose headers never end stayed open 3s with http.read_header_timeout 300ms")
	}
}
