package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/internal/wbfixture"
	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/store/storetest"
	"github.com/stancewatch/stancewatch/web"
)

type apiArticle struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Source      string    `json:"source"`
	PublishedAt time.Time `json:"published_at"`
	Lang        string    `json:"lang"`
	Relevant    bool      `json:"relevant"`
	Topics      []string  `json:"topics"`
	Outlook     string    `json:"outlook"`
	Framing     string    `json:"framing"`
	Actors      []string  `json:"actors"`
	Story       int64     `json:"story"`
	Corrected   bool      `json:"corrected"`
	Evidence    []struct {
		Label, RuleID, Field string
		Start, End           int
	} `json:"evidence"`
}

type listResponse struct {
	Articles []apiArticle `json:"articles"`
	Next     *string      `json:"next"`
}

type env struct {
	srv  *httptest.Server
	st   *store.Store
	arts []wbfixture.Article
}

const (
	readerToken = "reader-token-0123456789"
	editorToken = "editor-token-0123456789"
)

func newEnv(t *testing.T, tokens ...web.Token) *env {
	t.Helper()
	st := pg.NewStore(t)
	arts := wbfixture.Load(t, st)
	wb := web.New(web.Options{Store: func() *store.Store { return st }, Location: time.UTC, Tokens: tokens})
	srv := httptest.NewServer(wb.Handler())
	t.Cleanup(srv.Close)
	return &env{srv: srv, st: st, arts: arts}
}

func (e *env) get(t *testing.T, path string, hdr ...string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body, resp.Header
}

func (e *env) list(t *testing.T, query string) []apiArticle {
	t.Helper()
	var all []apiArticle
	cursor := ""
	for page := 0; ; page++ {
		q, _ := url.ParseQuery(query)
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		code, body, _ := e.get(t, "/api/v1/articles?"+q.Encode())
		if code != 200 {
			t.Fatalf("GET /api/v1/articles?%s: %d %s", q.Encode(), code, body)
		}
		var lr listResponse
		if err := json.Unmarshal(body, &lr); err != nil {
			t.Fatal(err)
		}
		all = append(all, lr.Articles...)
		if lr.Next == nil {
			return all
		}
		if page > 100 {
			t.Fatal("paging does not end")
		}
		cursor = *lr.Next
	}
}

func ids(as []apiArticle) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// expect is the fixture's articles matching keep, in the list's order:
// newest first, then the larger id first.
func expect(arts []wbfixture.Article, keep func(wbfixture.Article) bool) []int64 {
	var sel []wbfixture.Article
	for _, a := range arts {
		if keep(a) {
			sel = append(sel, a)
		}
	}
	slices.SortFunc(sel, func(a, b wbfixture.Article) int {
		if c := b.PublishedAt.Compare(a.PublishedAt); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
	out := []int64{}
	for _, a := range sel {
		out = append(out, a.ID)
	}
	return out
}

func has(list []string, v string) bool { return slices.Contains(list, v) }

// filterCase is a query of the article list and the fixture's articles it
// must return.
type filterCase struct {
	query string
	keep  func(a wbfixture.Article) bool
}

// articleFilterCases is every filter alone, then combined; the last case
// matches no article.
func articleFilterCases() []filterCase {
	day := func(d int) time.Time { return wbfixture.Day.AddDate(0, 0, d) }
	return []filterCase{
		{"", func(a wbfixture.Article) bool { return a.Relevant }},
		{"relevant=false", func(a wbfixture.Article) bool { return !a.Relevant }},
		{"relevant=any", func(a wbfixture.Article) bool { return true }},
		{"from=2026-03-19", func(a wbfixture.Article) bool { return a.Relevant && !a.PublishedAt.Before(day(-1)) }},
		{"to=2026-03-18", func(a wbfixture.Article) bool { return a.Relevant && a.PublishedAt.Before(day(-1)) }},
		{"from=2026-03-18&to=2026-03-18", func(a wbfixture.Article) bool {
			return a.Relevant && !a.PublishedAt.Before(day(-2)) && a.PublishedAt.Before(day(-1))
		}},
		{"topic=territory", func(a wbfixture.Article) bool { return a.Relevant && has(a.Topics, "territory") }},
		{"topic=territory&topic=sanctions", func(a wbfixture.Article) bool {
			return a.Relevant && has(a.Topics, "territory") && has(a.Topics, "sanctions")
		}},
		{"outlook=progress", func(a wbfixture.Article) bool { return a.Relevant && a.Outlook == "progress" }},
		{"framing=pro_russia", func(a wbfixture.Article) bool { return a.Relevant && a.Framing == "pro_russia" }},
		{"source=Kyiv+Ledger", func(a wbfixture.Article) bool { return a.Relevant && a.Source == "Kyiv Ledger" }},
		{"lang=ru", func(a wbfixture.Article) bool { return a.Relevant && a.Lang == "ru" }},
		{"actor=Zelensky", func(a wbfixture.Article) bool { return a.Relevant && has(a.Actors, "Zelensky") }},
		{"q=ceasefire", func(a wbfixture.Article) bool {
			return a.Relevant && strings.Contains(strings.ToLower(a.Title+" "+a.Body), "ceasefire")
		}},
		{"q=ceasefire&relevant=any", func(a wbfixture.Article) bool {
			return strings.Contains(strings.ToLower(a.Title+" "+a.Body), "ceasefire")
		}},
		// Combined: the issue's "pro-Russia articles on territory from
		// Russian outlets last week".
		{"framing=pro_russia&topic=territory&source=Volga+Courier&from=2026-03-14&to=2026-03-20", func(a wbfixture.Article) bool {
			return a.Relevant && a.Framing == "pro_russia" && has(a.Topics, "territory") && a.Source == "Volga Courier" && !a.PublishedAt.Before(day(-6))
		}},
		{"outlook=progress&lang=en&actor=Witkoff&topic=peace_plan&q=delegations", func(a wbfixture.Article) bool {
			return a.Relevant && a.Outlook == "progress" && a.Lang == "en" && has(a.Actors, "Witkoff") && has(a.Topics, "peace_plan")
		}},
		{"outlook=stalemate&framing=pro_ukraine", func(a wbfixture.Article) bool { return false }},
	}
}

func TestArticleFilters(t *testing.T) {
	e := newEnv(t)
	cases := articleFilterCases()
	for _, c := range cases {
		for _, limit := range []string{"", "&limit=2"} {
			got := ids(e.list(t, c.query+limit))
			want := expect(e.arts, c.keep)
			if !slices.Equal(got, want) {
				t.Errorf("?%s%s: got %v, want %v", c.query, limit, got, want)
			}
		}
	}
	// Each filter must select something, or the table proves little.
	for _, c := range cases[:len(cases)-1] {
		if len(expect(e.arts, c.keep)) == 0 {
			t.Errorf("the fixture has no article for ?%s", c.query)
		}
	}
}

func TestCursorAcrossEqualTimestamps(t *testing.T) {
	e := newEnv(t)
	want := expect(e.arts, func(wbfixture.Article) bool { return true })
	for _, limit := range []int{1, 2, 3} {
		got := e.list(t, fmt.Sprintf("relevant=any&limit=%d", limit))
		if !slices.Equal(ids(got), want) {
			t.Errorf("limit %d: pages give %v, want %v (no article lost or repeated)", limit, ids(got), want)
		}
	}
	// Five articles share one instant; pages of two cut through them.
	same := map[time.Time]int{}
	for _, a := range e.arts {
		same[a.PublishedAt]++
	}
	if slices.Max(mapValues(same)) < 3 {
		t.Fatal("the fixture needs several articles published at the same instant")
	}
}

func mapValues(m map[time.Time]int) []int {
	var out []int
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestCSVMatchesJSON(t *testing.T) {
	e := newEnv(t)
	for _, q := range []string{"relevant=any", "topic=territory", "source=Northbridge+Wire&relevant=any", "q=Witkoff"} {
		js := e.list(t, q)
		code, body, hdr := e.get(t, "/api/v1/articles.csv?"+q)
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV ?%s: %d %s", q, code, hdr.Get("Content-Type"))
		}
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(recs[0], web.CSVHeader) {
			t.Errorf("CSV header %v", recs[0])
		}
		if len(recs)-1 != len(js) {
			t.Fatalf("?%s: CSV has %d rows, JSON %d articles", q, len(recs)-1, len(js))
		}
		for i, a := range js {
			r := recs[i+1]
			want := []string{strconv.FormatInt(a.ID, 10), "", a.Title, a.Source, a.PublishedAt.UTC().Format(time.RFC3339), a.Lang,
				strconv.FormatBool(a.Relevant), strings.Join(a.Topics, ";"), a.Outlook, a.Framing, strings.Join(a.Actors, ";"),
				strconv.FormatInt(a.Story, 10), strconv.FormatBool(a.Corrected)}
			r[1] = "" // the JSON test type does not keep the URL
			if !slices.Equal(r, want) {
				t.Errorf("?%s row %d:\n CSV  %q\n JSON %q", q, i, r, want)
			}
		}
	}
}

func TestBadParameters(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ path, param string }{
		{"/api/v1/articles?topic=football", "topic"},
		{"/api/v1/articles?from=2026-13-01", "from"},
		{"/api/v1/articles?to=yesterday", "to"},
		{"/api/v1/articles?limit=100000", "limit"},
		{"/api/v1/articles?limit=0", "limit"},
		{"/api/v1/articles?cursor=not-a-cursor!", "cursor"},
		{"/api/v1/articles?cursor=" + "MTIzNA", "cursor"},
		{"/api/v1/articles?outlook=rosy", "outlook"},
		{"/api/v1/articles?framing=pro_mars", "framing"},
		{"/api/v1/articles?relevant=maybe", "relevant"},
		{"/api/v1/articles?evidence=yes", "evidence"},
		{"/api/v1/articles?sourse=x", "sourse"},
		{"/api/v1/articles?outlook=progress&outlook=mixed", "outlook"},
		{"/api/v1/articles.csv?topic=football", "topic"},
		{"/api/v1/stats?by=month", "by"},
		{"/api/v1/stats?group=weather", "group"},
		{"/api/v1/articles/abc", "id"},
	} {
		code, body, _ := e.get(t, c.path)
		var er struct{ Error, Parameter string }
		if err := json.Unmarshal(body, &er); err != nil {
			t.Errorf("%s: %d, body %q is not JSON", c.path, code, body)
			continue
		}
		if code != 400 || er.Parameter != c.param || !strings.HasPrefix(er.Error, c.param+":") {
			t.Errorf("%s: %d %+v, want 400 naming %q", c.path, code, er, c.param)
		}
	}
	if code, _, _ := e.get(t, "/api/v1/articles/999999"); code != 404 {
		t.Errorf("unknown article: %d, want 404", code)
	}
}

func TestArticleDetailAndEvidence(t *testing.T) {
	e := newEnv(t)
	a := e.arts[0]
	code, body, _ := e.get(t, fmt.Sprintf("/api/v1/articles/%d", a.ID))
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var d struct {
		Title    string
		Text     string
		Scores   map[string]float64
		Evidence []struct {
			Label, Field, Text string
			Start, End         int
		}
		Tagger struct {
			RulesVersion string `json:"rules_version"`
		}
	}
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if d.Text != a.Body || d.Scores["outlook:stalemate"] != 1 || d.Tagger.RulesVersion != "fixture" || len(d.Evidence) < 2 {
		t.Fatalf("detail: %s", body)
	}
	for _, ev := range d.Evidence {
		src := d.Text
		if ev.Field == "title" {
			src = d.Title
		}
		if src[ev.Start:ev.End] != ev.Text {
			t.Errorf("evidence %+v does not point at its text", ev)
		}
	}
	// evidence=1 on the list carries the same evidence.
	la := e.list(t, fmt.Sprintf("evidence=1&q=%s", url.QueryEscape("Geneva")))
	if len(la) != 1 || len(la[0].Evidence) != len(d.Evidence) {
		t.Errorf("list with evidence=1: %+v", la)
	}
	if lb := e.list(t, "q=Geneva"); len(lb) != 1 || lb[0].Evidence != nil {
		t.Errorf("list without evidence carries evidence: %+v", lb)
	}
	// Copies of one story share the story id.
	var story []apiArticle
	for _, x := range e.list(t, "q=Witkoff") {
		story = append(story, x)
	}
	if len(story) != 2 || story[0].Story != story[1].Story || story[0].Story != min(story[0].ID, story[1].ID) {
		t.Errorf("copies of one story: %+v", story)
	}
}

func TestStats(t *testing.T) {
	e := newEnv(t)
	code, body, _ := e.get(t, "/api/v1/stats?from=2026-03-11&to=2026-03-20&by=day&group=outlook")
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var st struct {
		Rows []struct {
			Bucket, Key string
			Count       int
		}
	}
	json.Unmarshal(body, &st)
	got := map[string]int{}
	for _, r := range st.Rows {
		got[r.Bucket+" "+r.Key] += r.Count
	}
	want := map[string]int{}
	for _, a := range e.arts {
		if a.Relevant {
			want[a.PublishedAt.Format(time.DateOnly)+" "+a.Outlook]++
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stats by day and outlook:\n got %v\nwant %v", got, want)
	}
	code, body, _ = e.get(t, "/api/v1/stats?by=week&group=topic&source=Kyiv+Ledger")
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	json.Unmarshal(body, &st)
	topics := map[string]int{}
	for _, r := range st.Rows {
		topics[r.Key] += r.Count
	}
	wantTopics := map[string]int{}
	for _, a := range e.arts {
		if a.Relevant && a.Source == "Kyiv Ledger" {
			for _, tp := range a.Topics {
				wantTopics[tp]++
			}
		}
	}
	if fmt.Sprint(topics) != fmt.Sprint(wantTopics) {
		t.Errorf("topics of Kyiv Ledger: got %v, want %v", topics, wantTopics)
	}
}

func TestCorrectionThroughTheAPI(t *testing.T) {
	e := newEnv(t, web.Token{Name: "ana", Editor: true, Secret: editorToken})
	a := e.arts[1]
	put := func(body string) (int, string) {
		req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/articles/%d/labels", e.srv.URL, a.ID), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+editorToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct{ body, param string }{
		{`{"topics":[],"outlook":"none","framing":"neutral"}`, "relevant"},
		{`{"relevant":true,"topics":["football"],"outlook":"mixed","framing":"neutral"}`, "topics"},
		{`{"relevant":true,"outlook":"rosy","framing":"neutral"}`, "outlook"},
		{`{"relevant":false,"outlook":"mixed","framing":"neutral"}`, "relevant"},
	} {
		if code, body := put(c.body); code != 400 || !strings.Contains(body, `"parameter":"`+c.param+`"`) {
			t.Errorf("PUT %s: %d %s, want 400 naming %s", c.body, code, body, c.param)
		}
	}
	if code, body := put(`{"relevant":true,"topics":["territory","ceasefire"],"outlook":"mixed","framing":"neutral","note":"both sides moved"}`); code != 200 {
		t.Fatalf("PUT: %d %s", code, body)
	}
	code, body, _ := e.get(t, "/api/v1/articles?outlook=mixed&framing=neutral&topic=ceasefire", "Authorization", "Bearer "+editorToken)
	var lr listResponse
	json.Unmarshal(body, &lr)
	if code != 200 || len(lr.Articles) != 1 || lr.Articles[0].ID != a.ID || !lr.Articles[0].Corrected {
		t.Errorf("the corrected labels are not what the list filters on: %d %s", code, body)
	}
	// Under its old labels it is gone.
	_, body, _ = e.get(t, "/api/v1/articles?framing=pro_russia&limit=1000", "Authorization", "Bearer "+editorToken)
	lr = listResponse{}
	json.Unmarshal(body, &lr)
	for _, x := range lr.Articles {
		if x.ID == a.ID {
			t.Errorf("the corrected article still lists under its old framing")
		}
	}
	if len(lr.Articles) == 0 {
		t.Error("no pro_russia article left: the check above proves nothing")
	}
	var outlook string
	var corrected bool
	if err := storetest.QueryRow(t, e.st, `SELECT outlook, corrected FROM article_labels_reviewed WHERE article_id = $1`, a.ID).Scan(&outlook, &corrected); err != nil {
		t.Fatal(err)
	}
	if outlook != "mixed" || !corrected {
		t.Errorf("article_labels_reviewed: %s %v", outlook, corrected)
	}
}

// A CSV export outlasts the server's write timeout as long as rows keep
// coming.
func TestCSVOutlastsWriteTimeout(t *testing.T) {
	st := pg.NewStore(t)
	wbfixture.Load(t, st)
	wb := web.New(web.Options{Store: func() *store.Store { return st }, Location: time.UTC})
	srv := httptest.NewUnstartedServer(wb.Handler())
	srv.Config.WriteTimeout = time.Nanosecond // already past when the handler writes
	srv.Start()
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/articles.csv?relevant=any")
	if err != nil {
		t.Fatalf("the export was cut off by the write timeout: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 || bytes.Count(body, []byte("\n")) < 10 {
		t.Fatalf("export under a write timeout: %d, %v, %d lines", resp.StatusCode, err, bytes.Count(body, []byte("\n")))
	}
}
