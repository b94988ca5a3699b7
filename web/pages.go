package web

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stancewatch/stancewatch/digest"
	"github.com/stancewatch/stancewatch/store"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"join": strings.Join,
	"has":  slices.Contains[[]string],
	"add":  func(a, b int) int { return a + b },
	"mul":  func(a, b int) int { return a * b },
	"addf": func(a, b float64) float64 { return a + b },
}).ParseFS(templateFS, "templates/*.tmpl"))

// page is what every template gets.
type page struct {
	Title   string
	Nav     string // the current section
	CSS     template.CSS
	Error   string
	Content any
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p page) {
	p.CSS = digest.StyleSheet() + workbenchCSS
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, p); err != nil {
		s.log.Error("rendering a workbench page", "page", name, "err", err)
		http.Error(w, "internal error; see the server's log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (s *Server) renderError(w http.ResponseWriter, _ *http.Request, status int, msg string) {
	s.render(w, status, "error.html.tmpl", page{Title: http.StatusText(status), Error: msg})
}

// workbenchCSS adds what the digest's style lacks.
const workbenchCSS = template.CSS(`
main.wide-page{max-width:64rem}
header nav a[aria-current]{font-weight:700;color:var(--fg)}
form.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.5rem .8rem;background:var(--card);padding:.8rem;border-radius:.6rem;font-size:.9rem}
form.filters fieldset{grid-column:1/-1;border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem .8rem}
form.filters legend{font-weight:600;color:var(--muted);font-size:.8rem;padding:0}
label{display:block;font-size:.8rem;color:var(--muted)}
fieldset label{display:inline;color:var(--fg);font-size:.9rem}
input,select,textarea,button{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:.35rem;padding:.25rem .4rem;max-width:100%}
input[type=text],input[type=search],input[type=date],select,textarea{width:100%}
button{background:var(--link);color:var(--bg);border:0;padding:.35rem .9rem;font-weight:600;cursor:pointer}
.actions{grid-column:1/-1;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
.pager{margin:1rem 0;display:flex;gap:1rem}
.error{background:var(--card);border-left:4px solid var(--stalemate);padding:.5rem .8rem}
.ok{background:var(--card);border-left:4px solid var(--progress);padding:.5rem .8rem}
.text{white-space:pre-wrap;background:var(--card);padding:.8rem;border-radius:.6rem;font-size:.95rem}
mark small{font-size:.62rem;color:var(--muted);font-weight:600;vertical-align:.25em;letter-spacing:0}
.chart{max-width:100%;height:auto}
.chart a:hover rect,.chart a:focus rect{stroke:var(--fg);stroke-width:1}
.chart text{fill:var(--muted);font-size:11px}
.heat rect{fill:var(--link)}
.heat a text{fill:var(--fg);font-weight:600}.heat a text.hi{fill:#fff}
details{margin:.4rem 0 1rem}
summary{cursor:pointer;color:var(--link);font-size:.88rem}
.legend{font-size:.8rem;color:var(--muted);display:flex;gap:.8rem;flex-wrap:wrap;margin:.3rem 0}
.corrected{font-size:.75rem;font-weight:600;color:var(--muted)}
`)

// ---- the article list ----

type listView struct {
	Filter     store.ArticleFilter
	Query      url.Values // the filters, as the form shows them
	Relevant   string
	From, To   string
	Sources    []string
	Topics     []string
	Outlooks   []string
	Framings   []string
	Items      []itemView
	Next       string // URL of the next page
	First      string // URL of the first page, when not on it
	CSV, JSON  string
	Trends     string
	ShownCount int
}

type itemView struct {
	store.ArticleItem
	When string
}

func (s *Server) listPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := listView{Topics: topicNames, Outlooks: outlookNames, Framings: framingNames, Query: q}
	sources, err := s.store().Sources(r.Context(), 500)
	if err != nil {
		s.internal(w, r, false, err)
		return
	}
	v.Sources = sources
	f, limit, after, _, err := parseListQuery(q, s.loc)
	if err != nil {
		var pe *paramError
		if errors.As(err, &pe) {
			s.render(w, http.StatusBadRequest, "list.html.tmpl", page{Title: "Articles", Nav: "list", Error: pe.Error(), Content: v})
			return
		}
		s.internal(w, r, false, err)
		return
	}
	v.Filter = f
	v.From, v.To = dayString(f.From, s.loc, 0), dayString(f.To, s.loc, -1)
	switch {
	case f.Relevant == nil:
		v.Relevant = "any"
	case !*f.Relevant:
		v.Relevant = "false"
	default:
		v.Relevant = "true"
	}
	items, next, err := s.store().ListArticles(r.Context(), f, after, limit, false)
	if err != nil {
		s.internal(w, r, false, err)
		return
	}
	for _, it := range items {
		v.Items = append(v.Items, itemView{it, it.PublishedAt.In(s.loc).Format("2 Jan 2006 15:04")})
	}
	base := filterQuery(f, s.loc)
	if limit != defaultLimit {
		base.Set("limit", strconv.Itoa(limit))
	}
	if next != nil {
		nq := cloneValues(base)
		nq.Set("cursor", encodeCursor(next))
		v.Next = "/?" + nq.Encode()
	}
	if after != nil {
		v.First = "/?" + base.Encode()
	}
	exp := filterQuery(f, s.loc)
	v.CSV = "/api/v1/articles.csv?" + exp.Encode()
	v.JSON = "/api/v1/articles?" + exp.Encode()
	v.Trends = "/trends?" + exp.Encode()
	s.render(w, http.StatusOK, "list.html.tmpl", page{Title: "Articles", Nav: "list", Content: v})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// dayString formats a filter bound as the date the form shows; the upper
// bound is exclusive, so it shows the day before.
func dayString(t time.Time, loc *time.Location, shift int) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).AddDate(0, 0, shift).Format(time.DateOnly)
}

// ---- one article ----

type articleView struct {
	D           store.ArticleDetail
	When        string
	Title       []segment
	Body        []segment
	BodyField   string
	Scores      []scoreView
	Editor      bool
	CSRF        string
	Saved       bool
	Topics      []string
	Outlooks    []string
	Framings    []string
	Corrections []correctionView
}

type scoreView struct {
	Label string
	Score float64
}

type correctionView struct {
	store.Correction
	When string
}

// segment is a run of text, marked when evidence covers it.
type segment struct {
	Text  string
	Marks []string // "label · rule" of every piece of evidence over it
}

// highlight cuts text at every evidence boundary of field. Offsets are
// bytes; evidence that does not fit the text (an older version of it)
// is left out rather than cutting a character in two.
func highlight(text, field string, evs []store.Evidence) []segment {
	cuts := []int{0, len(text)}
	var use []store.Evidence
	for _, e := range evs {
		if e.Field != field || e.Start < 0 || e.End > len(text) || e.Start >= e.End ||
			!utf8.RuneStart(byteAt(text, e.Start)) || (e.End < len(text) && !utf8.RuneStart(byteAt(text, e.End))) {
			continue
		}
		use = append(use, e)
		cuts = append(cuts, e.Start, e.End)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var out []segment
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		sg := segment{Text: text[a:b]}
		for _, e := range use {
			if e.Start <= a && e.End >= b {
				m := e.Label + " · " + e.RuleID
				if !slices.Contains(sg.Marks, m) {
					sg.Marks = append(sg.Marks, m)
				}
			}
		}
		out = append(out, sg)
	}
	return out
}

func byteAt(s string, i int) byte {
	if i >= len(s) {
		return 0
	}
	return s[i]
}

const csrfCookie = "stancewatch_csrf"

// csrfToken returns the request's CSRF cookie value, setting a new
// cookie when there is none. The form carries the same value; a page on
// another site can neither read the cookie nor send it (SameSite=Strict).
func csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 20 {
		return c.Value
	}
	tok := randText()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	return tok
}

func (s *Server) articlePage(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r)
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	d, err := s.store().ArticleDetail(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.renderError(w, r, http.StatusNotFound, fmt.Sprintf("There is no tagged article %d.", id))
		return
	}
	if err != nil {
		s.internal(w, r, false, err)
		return
	}
	v := articleView{D: d, When: d.PublishedAt.In(s.loc).Format("Monday 2 January 2006, 15:04 MST"),
		Title: highlight(d.Title, "title", d.Evidence), Editor: clientOf(r).editor,
		Saved: r.URL.Query().Get("saved") == "1", Topics: topicNames, Outlooks: outlookNames, Framings: framingNames}
	if d.ContentText != "" {
		v.Body, v.BodyField = highlight(d.ContentText, "body", d.Evidence), "body"
	} else {
		v.Body, v.BodyField = highlight(d.Summary, "summary", d.Evidence), "summary"
	}
	for k, sc := range d.Tagger.Scores {
		v.Scores = append(v.Scores, scoreView{k, sc})
	}
	slices.SortFunc(v.Scores, func(a, b scoreView) int { return strings.Compare(a.Label, b.Label) })
	for _, c := range slices.Backward(d.Corrections) {
		v.Corrections = append(v.Corrections, correctionView{c, c.At.In(s.loc).Format("2 Jan 2006 15:04")})
	}
	if v.Editor {
		v.CSRF = csrfToken(w, r)
	}
	s.render(w, http.StatusOK, "article.html.tmpl", page{Title: d.Title, Nav: "list", Content: v})
}

// correctForm takes the correction form of the article page.
func (s *Server) correctForm(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r)
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "the form could not be read")
		return
	}
	c, cerr := r.Cookie(csrfCookie)
	form := r.PostForm.Get("csrf")
	if cerr != nil || form == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) != 1 || !sameOrigin(r) {
		s.renderError(w, r, http.StatusForbidden, "The form has expired or did not come from this page: reload the article and try again.")
		return
	}
	relevant := r.PostForm.Get("relevant") == "true"
	b := correctionBody{Relevant: &relevant, Topics: r.PostForm["topic"], Outlook: r.PostForm.Get("outlook"),
		Framing: r.PostForm.Get("framing"), Note: strings.TrimSpace(r.PostForm.Get("note"))}
	labels, err := b.validate()
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if _, err := s.store().CorrectLabels(r.Context(), id, clientOf(r).name, labels, b.Note); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.renderError(w, r, http.StatusNotFound, fmt.Sprintf("There is no tagged article %d.", id))
			return
		}
		s.internal(w, r, false, err)
		return
	}
	s.log.Info("labels corrected", "article", id, "by", clientOf(r).name)
	http.Redirect(w, r, fmt.Sprintf("/articles/%d?saved=1", id), http.StatusSeeOther)
}

// sameOrigin refuses a form posted from another origin, when the browser
// says where it came from.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return o == ""
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// ---- review ----

type reviewView struct {
	Items []reviewItemView
	From  string
	To    string
}

type reviewItemView struct {
	store.ReviewItem
	When string
}

func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := parseFilter(q, s.loc)
	if err == nil {
		err = checkKnown(q, []string{"from", "to"})
	}
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if f.From.IsZero() && f.To.IsZero() {
		today := time.Now().In(s.loc)
		f.To = time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, s.loc)
		f.From = f.To.AddDate(0, 0, -30)
	}
	items, err := s.store().ReviewQueue(r.Context(), f.From, f.To, 100)
	if err != nil {
		s.internal(w, r, false, err)
		return
	}
	v := reviewView{From: dayString(f.From, s.loc, 0), To: dayString(f.To, s.loc, -1)}
	for _, it := range items {
		v.Items = append(v.Items, reviewItemView{it, it.PublishedAt.In(s.loc).Format("2 Jan 2006 15:04")})
	}
	s.render(w, http.StatusOK, "review.html.tmpl", page{Title: "Review", Nav: "review", Content: v})
}
