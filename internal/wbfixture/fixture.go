// Package wbfixture stores a small, varied set of tagged articles for the
// workbench's tests: several outlets, languages, labels and actors, five
// articles published at the same instant (for paging), copies of one
// story, and a hostile title.
package wbfixture

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/store"
)

// Article is one stored article and the labels the tagger gave it.
type Article struct {
	ID          int64
	Source      string
	Lang        string
	Title       string
	Body        string
	PublishedAt time.Time
	Relevant    bool
	Topics      []string
	Outlook     string
	Framing     string
	Actors      []string
}

// Day is the fixture's last day (UTC); articles span Day-9 to Day.
var Day = time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)

// HostileTitle must show as text, never run.
const HostileTitle = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> "Quotes" & <b>bold</b>`

// Load stores the fixture in st and returns its articles with their ids.
func Load(t testing.TB, st *store.Store) []Article {
	t.Helper()
	ctx := context.Background()
	same := Day.Add(-2*24*time.Hour + 9*time.Hour) // five articles at this instant
	arts := []Article{
		{Source: "Northbridge Wire", Lang: "en", Title: "Geneva talks produce a refined peace framework", Body: "Negotiators in Geneva agreed a ceasefire text and discussed territory. Rubio said progress was real.",
			PublishedAt: Day.Add(10 * time.Hour), Relevant: true, Topics: []string{"ceasefire", "territory"}, Outlook: "progress", Framing: "neutral", Actors: []string{"Rubio", "Zelensky"}},
		{Source: "Volga Courier", Lang: "ru", Title: "Москва отвергла план", Body: "Кремль заявил, что территория не обсуждается. Переговоры зашли в тупик.",
			PublishedAt: Day.Add(-1*24*time.Hour + 8*time.Hour), Relevant: true, Topics: []string{"territory"}, Outlook: "stalemate", Framing: "pro_russia", Actors: []string{"Peskov"}},
		{Source: "Kyiv Ledger", Lang: "uk", Title: "Київ наполягає на гарантіях безпеки", Body: "Зеленський говорив про гарантії безпеки і санкції.",
			PublishedAt: Day.Add(-1*24*time.Hour + 12*time.Hour), Relevant: true, Topics: []string{"security_guarantees", "sanctions"}, Outlook: "mixed", Framing: "pro_ukraine", Actors: []string{"Zelensky"}},
		{Source: "Northbridge Wire", Lang: "en", Title: "Football derby ends in a ceasefire of sorts", Body: "The home side held its territory in a tense derby.",
			PublishedAt: Day.Add(-1*24*time.Hour + 15*time.Hour), Relevant: false, Outlook: "none", Framing: "neutral"},
		{Source: "Volga Courier", Lang: "en", Title: "Kremlin says sanctions must go before any deal", Body: "Peskov said sanctions relief was a condition; the Kyiv regime must withdraw from occupied land.",
			PublishedAt: same, Relevant: true, Topics: []string{"sanctions", "territory"}, Outlook: "stalemate", Framing: "pro_russia", Actors: []string{"Peskov", "Putin"}},
		{Source: "Northbridge Wire", Lang: "en", Title: "Envoys meet again on the peace plan", Body: "Witkoff met both delegations on the peace plan and US mediation.",
			PublishedAt: same, Relevant: true, Topics: []string{"peace_plan", "us_mediation"}, Outlook: "progress", Framing: "neutral", Actors: []string{"Witkoff"}},
		{Source: "Kyiv Ledger", Lang: "en", Title: "Envoys meet again on the peace plan", Body: "Witkoff met both delegations on the peace plan and US mediation.",
			PublishedAt: same, Relevant: true, Topics: []string{"peace_plan", "us_mediation"}, Outlook: "progress", Framing: "neutral", Actors: []string{"Witkoff"}},
		{Source: "Atlas Monitor", Lang: "en", Title: HostileTitle, Body: "European leaders discussed the European response and humanitarian corridors.",
			PublishedAt: same, Relevant: true, Topics: []string{"european_response", "humanitarian"}, Outlook: "mixed", Framing: "pro_ukraine", Actors: []string{"Macron"}},
		{Source: "Atlas Monitor", Lang: "en", Title: "Weather: a cold week ahead", Body: "Snow is expected across the region.",
			PublishedAt: same, Relevant: false, Outlook: "none", Framing: "neutral"},
		{Source: "Kyiv Ledger", Lang: "uk", Title: "Обмін полоненими завершено", Body: "Гуманітарний обмін полоненими завершено за посередництва.",
			PublishedAt: Day.Add(-5*24*time.Hour + 7*time.Hour), Relevant: true, Topics: []string{"humanitarian"}, Outlook: "progress", Framing: "pro_ukraine", Actors: []string{"Umerov"}},
		{Source: "Volga Courier", Lang: "ru", Title: "Лавров о европейском ответе", Body: "Лавров раскритиковал европейский ответ и гарантии безопасности.",
			PublishedAt: Day.Add(-9*24*time.Hour + 11*time.Hour), Relevant: true, Topics: []string{"european_response", "security_guarantees"}, Outlook: "stalemate", Framing: "pro_russia", Actors: []string{"Lavrov"}},
		{Source: "Northbridge Wire", Lang: "en", Title: "Ceasefire monitors named as talks edge forward", Body: "A ceasefire monitoring mission was named; Zelensky and Rubio welcomed it.",
			PublishedAt: Day.Add(-3*24*time.Hour + 16*time.Hour), Relevant: true, Topics: []string{"ceasefire"}, Outlook: "progress", Framing: "pro_ukraine", Actors: []string{"Rubio", "Zelensky"}},
	}
	rows := make([]store.ArticleRow, len(arts))
	for i, a := range arts {
		rows[i] = store.ArticleRow{URL: fmt.Sprintf("https://news.example/%d", i), CanonicalURL: fmt.Sprintf("https://news.example/%d", i),
			Source: a.Source, Title: a.Title, ContentText: a.Body, Lang: a.Lang, PublishedAt: a.PublishedAt}
	}
	ids, err := st.InsertArticles(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	labels := make([]store.Labels, len(arts))
	for i := range arts {
		a := &arts[i]
		a.ID = ids[i]
		l := store.Labels{ArticleID: a.ID, Relevant: a.Relevant, Outlook: a.Outlook, Framing: a.Framing, RulesVersion: "fixture",
			Scores: map[string]float64{"relevant": 1, "outlook:progress": float64(i % 3), "outlook:stalemate": 1, "outlook:mixed": 0.5,
				"framing:pro_ukraine": float64(i%4) * 0.5, "framing:pro_russia": 1}}
		for _, tp := range a.Topics {
			l.Topics = append(l.Topics, store.TopicScore{Topic: tp, Score: 1})
		}
		for _, ac := range a.Actors {
			l.Actors = append(l.Actors, store.ActorMentions{Actor: ac, Mentions: 1})
		}
		// Evidence on the first word of the title and on a body word.
		if w := strings.Index(a.Title, " "); w > 0 {
			l.Evidence = append(l.Evidence, store.Evidence{Label: "relevant", RuleID: "fixture.title", Field: "title", Text: a.Title[:w], Start: 0, End: w, Weight: 1})
		}
		for _, word := range []string{"ceasefire", "territory", "sanctions"} {
			if k := strings.Index(a.Body, word); k >= 0 {
				l.Evidence = append(l.Evidence, store.Evidence{Label: "topic:" + word, RuleID: "fixture." + word, Field: "body", Text: word, Start: k, End: k + len(word), Weight: 1})
			}
		}
		labels[i] = l
	}
	if err := st.SaveLabels(ctx, labels); err != nil {
		t.Fatal(err)
	}
	return arts
}
