// Package web is the analyst workbench: server-rendered pages to explore,
// chart and correct the stored articles' labels, and the JSON/CSV API
// under /api/v1/ that serves the same data to scripts. It reads and
// writes only through the store.
package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/stancewatch/stancewatch/store"
)

// Token is one client allowed to use the workbench.
type Token struct {
	Name   string
	Editor bool // may correct labels; otherwise read only
	Secret string
}

// Options configure the workbench.
type Options struct {
	// Store returns the database, or nil while it is not reachable yet.
	Store    func() *store.Store
	Location *time.Location // the time zone of dates in filters and charts
	// Tokens, when any, are required for every request; without tokens
	// the workbench is open for reading and nobody may write.
	Tokens []Token
	Logger *slog.Logger
}

// Server serves the workbench.
type Server struct {
	opts   Options
	log    *slog.Logger
	loc    *time.Location
	tokens []hashedToken
}

type hashedToken struct {
	name   string
	editor bool
	sum    [32]byte
}

// New returns the workbench.
func New(opts Options) *Server {
	s := &Server{opts: opts, log: opts.Logger, loc: opts.Location}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.loc == nil {
		s.loc = time.UTC
	}
	for _, t := range opts.Tokens {
		s.tokens = append(s.tokens, hashedToken{t.Name, t.Editor, sha256.Sum256([]byte(t.Secret))})
	}
	return s
}

// route is one endpoint; api routes are described in openapi.json.
type route struct {
	method, pattern string
	api             bool
	write           bool
	handle          func(*Server, http.ResponseWriter, *http.Request)
}

var routes = []route{
	{"GET", "/{$}", false, false, (*Server).listPage},
	{"GET", "/articles/{id}", false, false, (*Server).articlePage},
	{"POST", "/articles/{id}/labels", false, true, (*Server).correctForm},
	{"GET", "/trends", false, false, (*Server).trendsPage},
	{"GET", "/review", false, false, (*Server).reviewPage},
	{"GET", "/api/v1/articles", true, false, (*Server).apiArticles},
	{"GET", "/api/v1/articles.csv", true, false, (*Server).apiArticlesCSV},
	{"GET", "/api/v1/articles/{id}", true, false, (*Server).apiArticle},
	{"PUT", "/api/v1/articles/{id}/labels", true, true, (*Server).apiCorrect},
	{"GET", "/api/v1/stats", true, false, (*Server).apiStats},
	{"GET", "/api/v1/openapi.json", true, false, (*Server).apiOpenAPI},
}

// Register adds the workbench's routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	for _, rt := range routes {
		mux.Handle(rt.method+" "+rt.pattern, s.guard(rt))
	}
}

// Handler is the workbench alone, for tests and tools.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

type ctxKey struct{}

// client is who sent a request.
type client struct {
	name   string
	editor bool
}

// guard checks the credentials (and the role, for writes) and sets the
// security headers every workbench response carries.
func (s *Server) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if !rt.api {
			// Everything comes from this server; no inline script at all.
			h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		}
		c, ok := s.authenticate(r)
		if !ok {
			// No detail: a wrong token and a missing one look the same.
			h.Set("WWW-Authenticate", `Basic realm="stancewatch", charset="UTF-8"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if rt.write && !c.editor {
			msg := "correcting labels needs an editor token"
			if len(s.tokens) == 0 {
				msg = "correcting labels needs an editor token, and no tokens are configured (http.auth.tokens)"
			}
			s.fail(w, r, rt.api, http.StatusForbidden, "", msg)
			return
		}
		if s.opts.Store == nil || s.opts.Store() == nil {
			s.fail(w, r, rt.api, http.StatusServiceUnavailable, "", "the database is not reachable yet")
			return
		}
		rt.handle(s, w, r.WithContext(contextWith(r, c)))
	})
}

// authenticate finds the request's token: a bearer token, or the password
// of HTTP basic auth (the user name is not checked). Without configured
// tokens everyone may read.
func (s *Server) authenticate(r *http.Request) (client, bool) {
	if len(s.tokens) == 0 {
		return client{name: "anonymous"}, true
	}
	secret := ""
	auth := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(auth, "Bearer "):
		secret = strings.TrimSpace(strings.TrimPrefix(auth, "Bearer "))
	default:
		if _, pw, ok := r.BasicAuth(); ok {
			secret = pw
		}
	}
	if secret == "" {
		return client{}, false
	}
	sum := sha256.Sum256([]byte(secret))
	var found *hashedToken
	// Compare with every token, in constant time, so that timing tells
	// nothing about which one nearly matched.
	for i := range s.tokens {
		if subtle.ConstantTimeCompare(sum[:], s.tokens[i].sum[:]) == 1 {
			found = &s.tokens[i]
		}
	}
	if found == nil {
		return client{}, false
	}
	return client{name: found.name, editor: found.editor}, true
}

func (s *Server) store() *store.Store { return s.opts.Store() }

// fail answers with an error: JSON for the API, a short page otherwise.
// param names the query parameter at fault, if one is.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, api bool, status int, param, msg string) {
	if api {
		body := map[string]string{"error": msg}
		if param != "" {
			body["parameter"] = param
		}
		writeJSON(w, status, body)
		return
	}
	s.renderError(w, r, status, msg)
}

// internal logs an unexpected error and answers 500 without its detail.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, api bool, err error) {
	if errors.Is(r.Context().Err(), err) || r.Context().Err() != nil {
		return // the client went away
	}
	s.log.Error("workbench request failed", "path", r.URL.Path, "err", err)
	s.fail(w, r, api, http.StatusInternalServerError, "", "internal error; see the server's log")
}

func contextWith(r *http.Request, c client) context.Context {
	return context.WithValue(r.Context(), ctxKey{}, c)
}

func clientOf(r *http.Request) client {
	c, _ := r.Context().Value(ctxKey{}).(client)
	return c
}
