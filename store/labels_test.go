package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/store"
)

func sampleArticles() []store.ArticleRow {
	at := time.Date(2025, 11, 24, 6, 45, 0, 0, time.UTC)
	return []store.ArticleRow{
		{URL: "https://a.example/1?utm_source=x", CanonicalURL: "https://a.example/1", Source: "Northbridge Wire",
			Title: "Geneva talks", ContentText: "Negotiators met in Geneva.", ContentHTML: "<p>Negotiators met in Geneva.</p>", Lang: "en", PublishedAt: at},
		{URL: "https://b.example/2", CanonicalURL: "https://b.example/2", Source: "Touchline Daily",
			Title: "Derby result", ContentText: "The home side held its territory.", Lang: "en", PublishedAt: at.Add(time.Hour)},
	}
}

func TestInsertArticlesIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	rows := sampleArticles()
	// The same article twice in one call, and again in a second call.
	ids, err := st.InsertArticles(ctx, append(rows, rows[0]))
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || ids[0] == 0 || ids[1] == 0 || ids[0] != ids[2] || ids[0] == ids[1] {
		t.Fatalf("ids = %v, want two distinct ids with the duplicate mapped to the first", ids)
	}
	again, err := st.InsertArticles(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	if again[0] != ids[0] || again[1] != ids[1] {
		t.Errorf("second insert returned %v, want the existing ids %v", again, ids[:2])
	}
	var n int
	if err := st.Pool().QueryRow(ctx, "SELECT count(*) FROM articles").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d articles stored, want 2", n)
	}
	if _, err := st.InsertArticles(ctx, []store.ArticleRow{{Title: "no url"}}); err == nil || !strings.Contains(err.Error(), "canonical URL") {
		t.Errorf("row without canonical URL: err = %v", err)
	}
}

func TestSaveLabelsAndView(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	ids, err := st.InsertArticles(ctx, sampleArticles())
	if err != nil {
		t.Fatal(err)
	}
	relevant := store.Labels{
		ArticleID: ids[0], Relevant: true, Outlook: "progress", Framing: "neutral",
		Topics:       []store.TopicScore{{"us_mediation", 2.5}, {"peace_plan", 3}},
		Actors:       []store.ActorMentions{{"Rubio", 2}},
		Evidence:     []store.Evidence{{Label: "topic:peace_plan", RuleID: "peace_plan.framework", Field: "body", Text: "Geneva", Start: 19, End: 25, Weight: 1}},
		Scores:       map[string]float64{"relevance": 4},
		RulesVersion: "v1",
	}
	irrelevant := store.Labels{ArticleID: ids[1], Relevant: false, Outlook: "none", Framing: "neutral", RulesVersion: "v1"}
	if err := st.SaveLabels(ctx, []store.Labels{relevant, irrelevant}); err != nil {
		t.Fatal(err)
	}

	got, err := st.LabelsOf(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if !got.Relevant || got.Outlook != "progress" || len(got.Topics) != 2 || got.Topics[0].Topic != "peace_plan" ||
		len(got.Actors) != 1 || got.Actors[0].Mentions != 2 || len(got.Evidence) != 1 || got.Evidence[0].End != 25 ||
		got.Scores["relevance"] != 4 {
		t.Errorf("read back %+v", got)
	}
	if !bytes.Equal(got.ContentHash, store.ContentHash("Geneva talks", "", "Negotiators met in Geneva.")) {
		t.Error("content hash defaulted to something other than the article's hash")
	}

	checkLabelsView(t, st, ids[0], ids[1])

	// Re-tagging replaces everything.
	relevant.Topics = []store.TopicScore{{"ceasefire", 1}}
	relevant.Evidence = nil
	relevant.Outlook = "stalemate"
	if err := st.SaveLabels(ctx, []store.Labels{relevant}); err != nil {
		t.Fatal(err)
	}
	got, err = st.LabelsOf(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if got.Outlook != "stalemate" || len(got.Topics) != 1 || got.Topics[0].Topic != "ceasefire" || len(got.Evidence) != 0 {
		t.Errorf("after re-tagging: %+v", got)
	}
}

// checkLabelsView reads the labels back through the article_labels view:
// topics in order, and an empty array, not NULL, for an irrelevant article.
func checkLabelsView(t *testing.T, st *store.Store, relevantID, irrelevantID int64) {
	t.Helper()
	ctx := context.Background()
	var topics []string
	var outlook string
	err := st.Pool().QueryRow(ctx, "SELECT topics, outlook FROM article_labels WHERE article_id = $1", relevantID).Scan(&topics, &outlook)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(topics, ",") != "peace_plan,us_mediation" || outlook != "progress" {
		t.Errorf("article_labels shows topics %v outlook %s", topics, outlook)
	}
	err = st.Pool().QueryRow(ctx, "SELECT topics FROM article_labels WHERE article_id = $1", irrelevantID).Scan(&topics)
	if err != nil || len(topics) != 0 || topics == nil {
		t.Errorf("irrelevant article's topics = %#v (err %v), want an empty array", topics, err)
	}

}

func TestSaveLabelsRejectsValuesOutsideTheTaxonomy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	ids, err := st.InsertArticles(ctx, sampleArticles())
	if err != nil {
		t.Fatal(err)
	}
	good := store.Labels{ArticleID: ids[1], Relevant: false, Outlook: "none", Framing: "neutral", RulesVersion: "v1"}
	for name, bad := range map[string]store.Labels{
		"irrelevant with an outlook": {ArticleID: ids[0], Relevant: false, Outlook: "progress", Framing: "neutral", RulesVersion: "v1"},
		"unknown topic":              {ArticleID: ids[0], Relevant: true, Outlook: "none", Framing: "neutral", RulesVersion: "v1", Topics: []store.TopicScore{{"football", 1}}},
		"unknown framing":            {ArticleID: ids[0], Relevant: true, Outlook: "none", Framing: "balanced", RulesVersion: "v1"},
	} {
		if err := st.SaveLabels(ctx, []store.Labels{good, bad}); err == nil {
			t.Errorf("%s: saved", name)
		}
	}
	if _, err := st.LabelsOf(ctx, ids[1]); err == nil {
		t.Error("a rejected batch left the good article's labels behind: it must be all or nothing")
	}
}
