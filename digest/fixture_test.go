package digest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/digest"
	"github.com/stancewatch/stancewatch/gold"
	"github.com/stancewatch/stancewatch/internal/pgtest"
	"github.com/stancewatch/stancewatch/store"
)

var pg *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }

// goldArticle is one line of testdata/gold/*.jsonl.
type goldArticle = gold.Article

func readGold(t testing.TB) []goldArticle {
	t.Helper()
	files, err := filepath.Glob("../testdata/gold/dev-*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no gold files under ../testdata/gold (err %v)", err)
	}
	var out []goldArticle
	for _, f := range files {
		arts, err := gold.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, arts...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// The fixture day is the day Kyiv moves its clocks forward: 23 hours long,
// so an error in the day bounds shows.
var (
	kyiv       = mustLoad("Europe/Kyiv")
	fixtureDay = digest.NewDay(time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), kyiv)
	// After the fixture day has ended: the digest is not partial.
	fixtureNow = func() time.Time { return time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC) }
)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// fixtureArticle is an article as the fixture stores it, with the day it
// falls on (0 = fixture day, 1 = the day before, ...; -1 = the day after).
type fixtureArticle struct {
	goldArticle
	DaysBefore int
	At         time.Time
	Actors     map[string]int
	CopyOf     string // gold id of the original, for syndicated copies
}

// Articles of the fixture day that are known copies or known different
// stories about the same event.
const (
	wireOriginal  = "dev-a-07" // copied by two more outlets
	wireOriginal2 = "dev-b-21" // copied by one more outlet
)

var forcedToday = []string{wireOriginal, wireOriginal2,
	"dev-a-19", "dev-a-25", // the same prisoner exchange told by each side: two stories
	"dev-a-06", "dev-b-07", // the same Miami meeting, opposite framings: two stories
}

// actorNames is the test's own gazetteer: a plain substring count.
var actorNames = []string{"Putin", "Zelensky", "Trump", "Witkoff", "Kushner", "Rubio", "Driscoll", "Lavrov",
	"Peskov", "Umerov", "Yermak", "Macron", "Starmer", "Merz", "Dmitriev", "Ushakov", "Kremlin", "NATO"}

// placeFixture decides the day and time of every gold article and adds the
// syndicated copies.
func placeFixture(gold []goldArticle) []fixtureArticle {
	var out []fixtureArticle
	for i, g := range gold {
		f := fixtureArticle{goldArticle: g}
		switch {
		case slices.Contains(forcedToday, g.ID) || i%3 == 0:
			f.DaysBefore = 0
		default:
			f.DaysBefore = 1 + i%13
		}
		day := fixtureDay.AddDays(-f.DaysBefore).Start()
		f.At = day.Add(time.Duration(i%20)*time.Hour + time.Duration(i*7%60)*time.Minute)
		out = append(out, f)
	}
	// Articles at the edges of the fixture day.
	out[10].DaysBefore, out[10].At = 0, fixtureDay.Start()                   // first instant: in
	out[11].DaysBefore, out[11].At = 0, fixtureDay.End().Add(-time.Second)   // last second: in
	out[13].DaysBefore, out[13].At = -1, fixtureDay.End()                    // next day's first instant: out
	out[14].DaysBefore, out[14].At = 1, fixtureDay.Start().Add(-time.Second) // previous day's last second

	byID := map[string]fixtureArticle{}
	for _, f := range out {
		byID[f.ID] = f
	}
	copyOf := func(id, source, domain, title string, minutes int) fixtureArticle {
		orig := byID[id]
		c := orig
		c.CopyOf = id
		c.ID = id + "-copy-" + domain
		c.Source = source
		c.URL = "https://" + domain + ".example/wire/" + id
		c.Title = title
		// Syndication rewrites the dateline's credit and trims the end.
		c.Body = strings.Replace(orig.Body, "("+orig.Source+")", "("+source+")", 1)
		if n := len(c.Body); n > 400 {
			c.Body = c.Body[:strings.LastIndex(c.Body[:n-200], " ")]
		}
		c.At = orig.At.Add(time.Duration(minutes) * time.Minute)
		return c
	}
	o1, o2 := byID[wireOriginal], byID[wireOriginal2]
	out = append(out,
		copyOf(wireOriginal, "Harbour City Gazette", "harbourcity", "UPDATE 1-"+o1.Title, 40),
		copyOf(wireOriginal, "Lakeside Evening Post", "lakeside", strings.Replace(o1.Title, "No breakthrough", "No breakthrough yet", 1), 95),
		copyOf(wireOriginal2, "Riverside Daily", "riverside", o2.Title, 30),
	)
	for i := range out {
		out[i].Actors = map[string]int{}
		for _, name := range actorNames {
			if n := strings.Count(out[i].Title+"\n"+out[i].Body, name); n > 0 {
				out[i].Actors[name] = n
			}
		}
	}
	return out
}

// keywords used to point evidence at real words; the first found wins.
var evidenceWords = map[string][]string{
	"relevant":                  {"talks", "peace", "negotiat", "переговор", "мир"},
	"topic:territory":           {"territor", "Donbas", "Donetsk", "Zaporizhzhia", "Crimea", "територ", "территор", "Запорож"},
	"topic:security_guarantees": {"guarantee", "NATO", "гарант"},
	"topic:european_response":   {"Europe", "European", "EU", "Brussels", "Європ", "Европ"},
	"topic:sanctions":           {"sanction", "assets", "санкц", "актив"},
	"topic:ceasefire":           {"ceasefire", "truce", "halt", "перемир", "пауз"},
	"topic:humanitarian":        {"prisoner", "children", "captivity", "bodies", "полон", "обмін"},
	"topic:peace_plan":          {"plan", "framework", "draft", "points", "план"},
	"topic:us_mediation":        {"Witkoff", "Kushner", "Rubio", "Driscoll", "Trump", "Washington", "U.S.", "US "},
	"outlook:progress":          {"progress", "closer", "productive", "constructive", "agreed"},
	"outlook:stalemate":         {"breakthrough", "stall", "rejected", "no progress", "deadlock", "not close"},
	"outlook:mixed":             {"but", "however", "some"},
	"framing:pro_ukraine":       {"invasion", "occupied", "Kremlin"},
	"framing:pro_russia":        {"Kyiv regime", "root causes", "special military operation"},
}

// evidenceFor finds a real word for label in the body, else in the title,
// else takes the title's first word.
func evidenceFor(label, title, body string) store.Evidence {
	for _, field := range []struct{ name, text string }{{"body", body}, {"title", title}} {
		for _, w := range evidenceWords[label] {
			if i := strings.Index(field.text, w); i >= 0 {
				return store.Evidence{Label: label, RuleID: "fixture." + label, Field: field.name, Text: w, Start: i, End: i + len(w), Weight: 1}
			}
		}
	}
	first := strings.Fields(title)[0]
	i := strings.Index(title, first)
	return store.Evidence{Label: label, RuleID: "fixture.first-word", Field: "title", Text: first, Start: i, End: i + len(first), Weight: 0.1}
}

// loadFixture stores the articles with their gold labels, evidence and
// actors, and returns their database ids by fixture id.
func loadFixture(t testing.TB, st *store.Store, arts []fixtureArticle) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rows := make([]store.ArticleRow, len(arts))
	for i, a := range arts {
		rows[i] = store.ArticleRow{URL: a.URL, CanonicalURL: a.URL, Source: a.Source, Title: a.Title,
			ContentText: a.Body, Lang: a.Lang, PublishedAt: a.At, GUID: a.ID}
	}
	ids, err := st.InsertArticles(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]int64{}
	var labels []store.Labels
	for i, a := range arts {
		byID[a.ID] = ids[i]
		l := store.Labels{ArticleID: ids[i], Relevant: a.Labels.Relevant, Outlook: a.Labels.Outlook,
			Framing: a.Labels.Framing, RulesVersion: "fixture"}
		if a.Labels.Relevant {
			l.Evidence = append(l.Evidence, evidenceFor("relevant", a.Title, a.Body))
			for _, tp := range a.Labels.Topics {
				l.Topics = append(l.Topics, store.TopicScore{Topic: tp, Score: 1})
				l.Evidence = append(l.Evidence, evidenceFor("topic:"+tp, a.Title, a.Body))
			}
			if a.Labels.Outlook != "none" {
				l.Evidence = append(l.Evidence, evidenceFor("outlook:"+a.Labels.Outlook, a.Title, a.Body))
			}
		}
		for name, n := range a.Actors {
			l.Actors = append(l.Actors, store.ActorMentions{Actor: name, Mentions: n})
			i := strings.Index(a.Body, name)
			if i >= 0 {
				l.Evidence = append(l.Evidence, store.Evidence{Label: "actor:" + name, RuleID: "fixture.actor", Field: "body", Text: name, Start: i, End: i + len(name)})
			}
		}
		labels = append(labels, l)
	}
	if err := st.SaveLabels(ctx, labels); err != nil {
		t.Fatal(err)
	}
	return byID
}

// expected holds the counts computed in Go from the gold labels.
type expected struct {
	articles, outlets, relevant, relevantOutlets map[int]int            // by days before
	outlook                                      map[int]map[string]int // relevant articles by outlook
	topics                                       map[int]map[string]int
	framing                                      map[string][3]int // fixture day: outlet -> pro_ukraine, neutral, pro_russia
	actors                                       map[string]int    // fixture day, relevant articles naming the actor
}

func expect(arts []fixtureArticle) expected {
	e := expected{
		articles: map[int]int{}, outlets: map[int]int{}, relevant: map[int]int{}, relevantOutlets: map[int]int{},
		outlook: map[int]map[string]int{}, topics: map[int]map[string]int{},
		framing: map[string][3]int{}, actors: map[string]int{},
	}
	outlets := map[int]map[string]bool{}
	relOutlets := map[int]map[string]bool{}
	for _, a := range arts {
		d := a.DaysBefore
		if outlets[d] == nil {
			outlets[d], relOutlets[d] = map[string]bool{}, map[string]bool{}
			e.outlook[d], e.topics[d] = map[string]int{}, map[string]int{}
		}
		e.articles[d]++
		outlets[d][a.Source] = true
		if !a.Labels.Relevant {
			continue
		}
		e.relevant[d]++
		relOutlets[d][a.Source] = true
		e.outlook[d][a.Labels.Outlook]++
		for _, tp := range a.Labels.Topics {
			e.topics[d][tp]++
		}
		if d == 0 {
			f := e.framing[a.Source]
			f[slices.Index([]string{"pro_ukraine", "neutral", "pro_russia"}, a.Labels.Framing)]++
			e.framing[a.Source] = f
			for name := range a.Actors {
				e.actors[name]++
			}
		}
	}
	for d := range outlets {
		e.outlets[d], e.relevantOutlets[d] = len(outlets[d]), len(relOutlets[d])
	}
	return e
}

// avg7 is the mean of get over the 7 days before the fixture day.
func avg7(get func(d int) int) float64 {
	sum := 0
	for d := 1; d <= 7; d++ {
		sum += get(d)
	}
	return float64(sum) / 7
}

func fixtureStore(t testing.TB) (*store.Store, []fixtureArticle, map[string]int64) {
	t.Helper()
	st := pg.NewStore(t)
	arts := placeFixture(readGold(t))
	return st, arts, loadFixture(t, st, arts)
}

func fmtFigure(f digest.Figure) string {
	return fmt.Sprintf("%d (prev %d, avg7 %.2f)", f.Count, f.PreviousDay, f.Avg7)
}
