package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/stancewatch/stancewatch/digest"
	"github.com/stancewatch/stancewatch/store"
)

// serveHTTP starts the listener for /healthz, /readyz, /metrics,
// /digests/ and the workbench; it returns nil when http.listen is empty.
func (d *Daemon) serveHTTP() (*http.Server, error) {
	ln := d.listener
	if ln == nil {
		if d.cfg.HTTP.Listen == "" {
			return nil, nil
		}
		var err error
		if ln, err = net.Listen("tcp", d.cfg.HTTP.Listen); err != nil {
			return nil, fmt.Errorf("http.listen: %w", err)
		}
	}
	// Every phase of a connection is bounded, so that idle keep-alive
	// connections and slow or stalled clients do not pile up.
	hc := d.cfg.HTTP
	srv := &http.Server{
		Handler:           d.Handler(),
		ReadHeaderTimeout: hc.ReadHeaderTimeout,
		ReadTimeout:       hc.ReadTimeout,
		WriteTimeout:      hc.WriteTimeout,
		IdleTimeout:       hc.IdleTimeout,
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("http listener stopped", "err", err)
		}
	}()
	d.log.Info("http listening", "addr", ln.Addr().String())
	return srv, nil
}

// Handler serves the daemon's endpoints.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		// Alive: the process answers. Database trouble is /readyz's
		// business; restarting the daemon would not fix it.
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", d.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.metrics.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /digests/", d.serveDigests)
	if d.cfg.HTTP.Workbench {
		d.workbench().Register(mux) // /, /articles/, /trends, /review, /api/v1/
	} else {
		mux.Handle("GET /{$}", http.RedirectHandler("/digests/", http.StatusFound))
	}
	return mux
}

// readyz answers 200 when the database answers and its schema is the
// one this binary expects, 503 with the reason otherwise.
func (d *Daemon) readyz(w http.ResponseWriter, r *http.Request) {
	st := d.currentStore()
	if st == nil {
		d.metrics.databaseUp.Set(0)
		http.Error(w, "not ready: connecting to the database", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := st.CheckSchema(ctx); err != nil {
		d.metrics.databaseUp.Set(0)
		http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	d.metrics.databaseUp.Set(1)
	fmt.Fprintln(w, "ready")
}

// serveDigests serves the digests from the database, so that every
// replica answers with every digest whichever replica wrote it:
// /digests/ (the index), /digests/feed.atom and /digests/DAY.html, .md
// and .json.
func (d *Daemon) serveDigests(w http.ResponseWriter, r *http.Request) {
	st := d.currentStore()
	if st == nil {
		http.Error(w, "the database is not reachable yet", http.StatusServiceUnavailable)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/digests/")
	var (
		body     []byte
		modified time.Time
		err      error
	)
	switch {
	case name == "" || name == "index.html":
		name = "index.html"
		body, err = digest.IndexHTML(r.Context(), st, "")
	case name == "feed.atom":
		body, err = digest.FeedXML(r.Context(), st, "", d.cfg.Digest.FeedSize, d.cfg.Digest.BaseURL)
	default:
		body, modified, err = d.digestFile(r.Context(), st, name)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		http.NotFound(w, r)
		return
	case err != nil:
		d.log.Warn("serving a digest", "path", r.URL.Path, "err", err)
		http.Error(w, "the digest could not be read from the database", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", contentType(name))
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, name, modified, bytes.NewReader(body))
}

// digestFile reads DAY.html, DAY.md or DAY.json from the digests table.
func (d *Daemon) digestFile(ctx context.Context, st *store.Store, name string) ([]byte, time.Time, error) {
	ext := path.Ext(name)
	day, err := time.Parse(time.DateOnly, strings.TrimSuffix(name, ext))
	if err != nil || strings.Contains(name, "/") {
		return nil, time.Time{}, store.ErrNotFound
	}
	row, err := st.GetDigest(ctx, day)
	if err != nil {
		return nil, time.Time{}, err
	}
	switch ext {
	case ".html":
		return []byte(row.HTML), row.GeneratedAt, nil
	case ".md":
		return []byte(row.Markdown), row.GeneratedAt, nil
	case ".json":
		return row.Data, row.GeneratedAt, nil
	}
	return nil, time.Time{}, store.ErrNotFound
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".atom":
		return "application/atom+xml; charset=utf-8"
	case ".json":
		return "application/json"
	}
	return digest.MIMEOf(name) + "; charset=utf-8"
}
