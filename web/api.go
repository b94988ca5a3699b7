package web

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stancewatch/stancewatch/store"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a failed write means the client left
}

// badRequest answers a parameter error with 400, or returns false.
func (s *Server) badRequest(w http.ResponseWriter, r *http.Request, api bool, err error) bool {
	var pe *paramError
	if errors.As(err, &pe) {
		s.fail(w, r, api, http.StatusBadRequest, pe.param, pe.Error())
		return true
	}
	return false
}

func (s *Server) apiArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, limit, after, evidence, err := parseListQuery(q, s.loc)
	if err != nil {
		s.badRequest(w, r, true, err)
		return
	}
	items, next, err := s.store().ListArticles(r.Context(), f, after, limit, evidence)
	if err != nil {
		s.internal(w, r, true, err)
		return
	}
	out := struct {
		Articles []articleJSON `json:"articles"`
		Next     *string       `json:"next"`
	}{Articles: make([]articleJSON, len(items))}
	for i := range items {
		out.Articles[i] = toJSON(&items[i])
	}
	if next != nil {
		c := encodeCursor(next)
		out.Next = &c
	}
	writeJSON(w, http.StatusOK, out)
}

func parseListQuery(q map[string][]string, loc *time.Location) (f store.ArticleFilter, limit int, after *store.ArticleCursor, evidence bool, err error) {
	if err = checkKnown(q, articlesParams); err != nil {
		return
	}
	if f, err = parseFilter(q, loc); err != nil {
		return
	}
	if limit, err = parseLimit(q); err != nil {
		return
	}
	if after, err = parseCursor(q); err != nil {
		return
	}
	evidence, err = parseBool(q, "evidence")
	return
}

func (s *Server) apiArticlesCSV(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkKnown(q, csvParams); err != nil {
		s.badRequest(w, r, true, err)
		return
	}
	f, err := parseFilter(q, s.loc)
	if err != nil {
		s.badRequest(w, r, true, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="articles.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	// An export may outlast the server's write timeout: each flush
	// grants another minute, so only a stalled client is cut off.
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(time.Minute))
	err = WriteCSV(r.Context(), s.store(), f, w, func() {
		_ = rc.Flush()
		_ = rc.SetWriteDeadline(time.Now().Add(time.Minute))
	})
	if err != nil {
		if r.Context().Err() == nil {
			s.log.Error("CSV export failed", "err", err)
		}
		// The header is sent: break the response off so that the client
		// sees an error instead of a silently short file.
		panic(http.ErrAbortHandler)
	}
}

func parseID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, badParam("id", "%q is not an article id", r.PathValue("id"))
	}
	return id, nil
}

// articleDetailJSON is one article in full.
type articleDetailJSON struct {
	articleJSON
	Author      string             `json:"author"`
	Summary     string             `json:"summary"`
	Text        string             `json:"text"`
	FetchedAt   time.Time          `json:"fetched_at"`
	Scores      map[string]float64 `json:"scores"`
	Tagger      labelsJSON         `json:"tagger"`
	Corrections []correctionJSON   `json:"corrections"`
	Copies      []copyJSON         `json:"copies"`
}

type labelsJSON struct {
	Relevant     bool      `json:"relevant"`
	Topics       []string  `json:"topics"`
	Outlook      string    `json:"outlook"`
	Framing      string    `json:"framing"`
	RulesVersion string    `json:"rules_version,omitempty"`
	TaggedAt     time.Time `json:"tagged_at,omitzero"`
}

type correctionJSON struct {
	ID           int64      `json:"id"`
	By           string     `json:"by"`
	At           time.Time  `json:"at"`
	Before       labelsJSON `json:"before"`
	After        labelsJSON `json:"after"`
	RulesVersion string     `json:"rules_version"`
	Note         string     `json:"note"`
}

type copyJSON struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Source      string    `json:"source"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
}

func labelSetJSON(l store.LabelSet) labelsJSON {
	t := l.Topics
	if t == nil {
		t = []string{}
	}
	return labelsJSON{Relevant: l.Relevant, Topics: t, Outlook: l.Outlook, Framing: l.Framing}
}

func toCorrectionJSON(c store.Correction) correctionJSON {
	return correctionJSON{ID: c.ID, By: c.By, At: c.At.UTC(), Before: labelSetJSON(c.Before), After: labelSetJSON(c.After),
		RulesVersion: c.RulesVersion, Note: c.Note}
}

func (s *Server) apiArticle(w http.ResponseWriter, r *http.Request) {
	if err := checkKnown(r.URL.Query(), nil); err != nil {
		s.badRequest(w, r, true, err)
		return
	}
	id, err := parseID(r)
	if err != nil {
		s.badRequest(w, r, true, err)
		return
	}
	d, err := s.store().ArticleDetail(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, true, http.StatusNotFound, "", fmt.Sprintf("no tagged article %d", id))
		return
	}
	if err != nil {
		s.internal(w, r, true, err)
		return
	}
	writeJSON(w, http.StatusOK, detailJSON(d))
}

func detailJSON(d store.ArticleDetail) articleDetailJSON {
	out := articleDetailJSON{articleJSON: toJSON(&d.ArticleItem), Author: d.Author, Summary: d.Summary, Text: d.ContentText,
		FetchedAt: d.FetchedAt.UTC(), Scores: d.Tagger.Scores, Corrections: []correctionJSON{}, Copies: []copyJSON{}}
	if out.Evidence == nil {
		out.Evidence = []evidenceJSON{}
	}
	topics := make([]string, len(d.Tagger.Topics))
	for i, t := range d.Tagger.Topics {
		topics[i] = t.Topic
	}
	out.Tagger = labelsJSON{Relevant: d.Tagger.Relevant, Topics: topics, Outlook: d.Tagger.Outlook, Framing: d.Tagger.Framing,
		RulesVersion: d.Tagger.RulesVersion, TaggedAt: d.Tagger.TaggedAt.UTC()}
	for _, c := range d.Corrections {
		out.Corrections = append(out.Corrections, toCorrectionJSON(c))
	}
	for _, c := range d.Copies {
		out.Copies = append(out.Copies, copyJSON{c.ID, c.Title, c.Source, c.URL, c.PublishedAt.UTC()})
	}
	return out
}

// correctionBody is the body of PUT /api/v1/articles/{id}/labels.
type correctionBody struct {
	Relevant *bool    `json:"relevant"`
	Topics   []string `json:"topics"`
	Outlook  string   `json:"outlook"`
	Framing  string   `json:"framing"`
	Note     string   `json:"note"`
}

const maxNote = 2000

// validate checks a correction against the taxonomy; the error names
// the field.
func (b correctionBody) validate() (store.LabelSet, error) {
	if b.Relevant == nil {
		return store.LabelSet{}, badParam("relevant", "is required (true or false)")
	}
	l := store.LabelSet{Relevant: *b.Relevant, Outlook: b.Outlook, Framing: b.Framing}
	for _, t := range b.Topics {
		if err := oneOf(t, topicNames); err != nil {
			return l, badParam("topics", "%v", err)
		}
		if !slices.Contains(l.Topics, t) {
			l.Topics = append(l.Topics, t)
		}
	}
	slices.Sort(l.Topics)
	if err := oneOf(b.Outlook, outlookNames); err != nil {
		return l, badParam("outlook", "%v", err)
	}
	if err := oneOf(b.Framing, framingNames); err != nil {
		return l, badParam("framing", "%v", err)
	}
	if !l.Relevant && (len(l.Topics) > 0 || l.Outlook != "none" || l.Framing != "neutral") {
		return l, badParam("relevant", "an article that is not relevant has no topics, outlook none and framing neutral")
	}
	if len(b.Note) > maxNote {
		return l, badParam("note", "longer than %d bytes", maxNote)
	}
	return l, nil
}

func (s *Server) apiCorrect(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r)
	if err != nil {
		s.badRequest(w, r, true, err)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.fail(w, r, true, http.StatusUnsupportedMediaType, "", "the body must be JSON (Content-Type: application/json)")
		return
	}
	var b correctionBody
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		s.fail(w, r, true, http.StatusBadRequest, "", "the body is not a correction: "+err.Error())
		return
	}
	labels, err := b.validate()
	if err != nil {
		s.badRequest(w, r, true, err)
		return
	}
	c, err := s.store().CorrectLabels(r.Context(), id, clientOf(r).name, labels, b.Note)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, true, http.StatusNotFound, "", fmt.Sprintf("no tagged article %d", id))
		return
	}
	if err != nil {
		s.internal(w, r, true, err)
		return
	}
	s.log.Info("labels corrected", "article", id, "by", c.By, "correction", c.ID)
	writeJSON(w, http.StatusOK, toCorrectionJSON(c))
}

var (
	statsBy     = []string{"day", "week"}
	statsGroups = []string{"outlook", "framing", "topic", "source", "actor"}
)

func (s *Server) apiStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sq, err := parseStatsQuery(q, s.loc)
	if err != nil {
		s.badRequest(w, r, true, err)
		return
	}
	rows, err := s.store().Stats(r.Context(), sq)
	if err != nil {
		s.internal(w, r, true, err)
		return
	}
	type rowJSON struct {
		Bucket string `json:"bucket"`
		Key    string `json:"key"`
		Count  int    `json:"count"`
	}
	out := struct {
		By    string    `json:"by"`
		Group string    `json:"group"`
		Rows  []rowJSON `json:"rows"`
	}{By: sq.By, Group: sq.Group, Rows: make([]rowJSON, len(rows))}
	for i, row := range rows {
		out.Rows[i] = rowJSON{row.Bucket.Format(time.DateOnly), row.Key, row.Count}
	}
	writeJSON(w, http.StatusOK, out)
}

func parseStatsQuery(q map[string][]string, loc *time.Location) (store.StatsQuery, error) {
	sq := store.StatsQuery{Location: loc}
	if err := checkKnown(q, statsParams); err != nil {
		return sq, err
	}
	var err error
	if sq.Filter, err = parseFilter(q, loc); err != nil {
		return sq, err
	}
	if sq.By, err = parseChoice(q, "by", "day", statsBy); err != nil {
		return sq, err
	}
	sq.Group, err = parseChoice(q, "group", "outlook", statsGroups)
	return sq, err
}

//go:embed openapi.json
var openAPI []byte

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(openAPI)
}
