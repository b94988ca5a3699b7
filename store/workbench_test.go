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

	addTwoCorrections(t, st, ids[0])
	checkReviewedView(t, st, ids[0])
	checkRetagKeepsCorrections(t, st, tagged)
	checkCorrectionsAppendOnly(t, st, ids[0])
	checkEachCorrectedArticle(t, st)
}

// addTwoCorrections corrects the tagger's labels of article id twice, by
// ana then bo; each correction's before is the labels it replaced.
func addTwoCorrections(t *testing.T, st *store.Store, id int64) {
	t.Helper()
	ctx := context.Background()
	c1, err := st.CorrectLabels(ctx, id, "ana", store.LabelSet{Relevant: true, Topics: []string{"sanctions", "territory", "sanctions"},
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
	c2, err := st.CorrectLabels(ctx, id, "bo", store.LabelSet{Relevant: true, Topics: []string{"territory"},
		Outlook: "mixed", Framing: "pro_russia"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if c2.Before.Outlook != "stalemate" {
		t.Errorf("second correction's before outlook = %q, want the first correction's stalemate", c2.Before.Outlook)
	}
}

// checkReviewedView: the view shows the latest correction; article_labels
// the tagger's.
func checkReviewedView(t *testing.T, st *store.Store, id int64) {
	t.Helper()
	ctx := context.Background()
	var outlook, reviewed string
	var corrected bool
	if err := st.Pool().QueryRow(ctx, `SELECT outlook FROM article_labels WHERE article_id = $1`, id).Scan(&outlook); err != nil {
		t.Fatal(err)
	}
	if err := st.Pool().QueryRow(ctx, `SELECT outlook, corrected FROM article_labels_reviewed WHERE article_id = $1`, id).Scan(&reviewed, &corrected); err != nil {
		t.Fatal(err)
	}
	if outlook != "progress" || reviewed != "mixed" || !corrected {
		t.Errorf("article_labels outlook %q, reviewed %q corrected %v; want progress, mixed, true", outlook, reviewed, corrected)
	}
}

// checkRetagKeepsCorrections: re-tagging leaves the corrections alone.
func checkRetagKeepsCorrections(t *testing.T, st *store.Store, tagged store.Labels) {
	t.Helper()
	ctx := context.Background()
	tagged.RulesVersion = "v2"
	if err := st.SaveLabels(ctx, []store.Labels{tagged}); err != nil {
		t.Fatal(err)
	}
	d, err := st.ArticleDetail(ctx, tagged.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Corrections) != 2 || d.Labels.Outlook != "mixed" || !d.Corrected || d.Tagger.Outlook != "progress" {
		t.Errorf("after re-tag: %d corrections, labels %+v, tagger %q", len(d.Corrections), d.Labels, d.Tagger.Outlook)
	}
}

// checkCorrectionsAppendOnly: corrections are append-only, and the
// taxonomy holds.
func checkCorrectionsAppendOnly(t *testing.T, st *store.Store, id int64) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.Pool().Exec(ctx, `UPDATE label_corrections SET note = 'x'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE of a correction: err = %v, want append-only", err)
	}
	if _, err := st.CorrectLabels(ctx, id, "ana", store.LabelSet{Relevant: false, Topics: []string{"territory"}, Outlook: "none", Framing: "neutral"}, ""); err == nil {
		t.Error("an irrelevant article with a topic was accepted")
	}
}

// checkEachCorrectedArticle: the one corrected article comes with its latest
// labels and its text; none were corrected from tomorrow on.
func checkEachCorrectedArticle(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	var got []store.CorrectedArticle
	err := st.EachCorrectedArticle(ctx, time.Time{}, time.Time{}, func(a store.CorrectedArticle) error {
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
