package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/store"
)

func TestCorrectionsAppendAndReview(t *testing.T) {
	ctx := context.Background()
	st := pg.NewStore(t)
	ids, err := st.InsertArticles(ctx, sampleArticles())
	if err != nil {
		t.Fatal(err)
	}
	tagged := store.Labels{ArticleID: ids[0], Relevant: true, Topics: []store.TopicScore{{Topic: "territory", Score: 2}},
		Outlook: "progress", Framing: "neutral", RulesVersion: "v1",
		Scores: map[string]float64{"outlook:progress": 2, "outlook:stalemate": 1.9, "framing:pro_ukraine": 1}}
	if err := st.SaveLabels(ctx, []store.Labels{tagged}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CorrectLabels(ctx, ids[1], "ana", store.LabelSet{Outlook: "none", Framing: "neutral"}, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("correcting an untagged article: err = %v, want ErrNotFound", err)
	}

	c1, err := st.CorrectLabels(ctx, ids[0], "ana", store.LabelSet{Relevant: true, Topics: []string{"sanctions", "territory", "sanctions"},
		Outlook: "stalemate", Framing: "pro_russia"}, "talks stalled")
	if err != nil {
		t.Fatal(err)
	}
	if c1.Before.Outlook != "progress" || !slices.Equal(c1.Before.Topics, []string{"territory"}) || c1.RulesVersion != "v1" {
		t.Errorf("first correction's before = %+v (rules %q), want the tagger's labels", c1.Before, c1.RulesVersion)
	}
	if !slices.Equal(c1.After.Topics, []string{"sanctions", "territory"}) {
		t.Errorf("topics after = %v, want sorted and without repeats", c1.After.Topics)
	}
	c2, err := st.CorrectLabels(ctx, ids[0], "bo", store.LabelSet{Relevant: true, Topics: []string{"territory"},
		Outlook: "mixed", Framing: "pro_russia"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if c2.Before.Outlook != "stalemate" {
		t.Errorf("second correction's before outlook = %q, want the first correction's stalemate", c2.Before.Outlook)
	}

	// The view shows the latest correction; article_labels the tagger's.
	var outlook, reviewed string
	var corrected bool
	if err := st.Pool().QueryRow(ctx, `SELECT outlook FROM article_labels WHERE article_id = $1`, ids[0]).Scan(&outlook); err != nil {
		t.Fatal(err)
	}
	if err := st.Pool().QueryRow(ctx, `SELECT outlook, corrected FROM article_labels_reviewed WHERE article_id = $1`, ids[0]).Scan(&reviewed, &corrected); err != nil {
		t.Fatal(err)
	}
	if outlook != "progress" || reviewed != "mixed" || !corrected {
		t.Errorf("article_labels outlook %q, reviewed %q corrected %v; want progress, mixed, true", outlook, reviewed, corrected)
	}

	// Re-tagging leaves the corrections alone.
	tagged.RulesVersion = "v2"
	if err := st.SaveLabels(ctx, []store.Labels{tagged}); err != nil {
		t.Fatal(err)
	}
	d, err := st.ArticleDetail(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Corrections) != 2 || d.Labels.Outlook != "mixed" || !d.Corrected || d.Tagger.Outlook != "progress" {
		t.Errorf("after re-tag: %d corrections, labels %+v, tagger %q", len(d.Corrections), d.Labels, d.Tagger.Outlook)
	}

	// Append-only, and the taxonomy holds.
	if _, err := st.Pool().Exec(ctx, `UPDATE label_corrections SET note = 'x'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE of a correction: err = %v, want append-only", err)
	}
	if _, err := st.CorrectLabels(ctx, ids[0], "ana", store.LabelSet{Relevant: false, Topics: []string{"territory"}, Outlook: "none", Framing: "neutral"}, ""); err == nil {
		t.Error("an irrelevant article with a topic was accepted")
	}

	var got []store.CorrectedArticle
	err = st.EachCorrectedArticle(ctx, time.Time{}, time.Time{}, func(a store.CorrectedArticle) error {
		got = append(got, a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Labels.Outlook != "mixed" || got[0].By != "bo" || got[0].Body != "Negotiators met in Geneva." {
		t.Errorf("corrected articles = %+v", got)
	}
	future := time.Now().Add(24 * time.Hour)
	n := 0
	if err := st.EachCorrectedArticle(ctx, future, time.Time{}, func(store.CorrectedArticle) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("corrected articles from tomorrow: %d, %v", n, err)
	}
}
