package store_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/store"
)

func insertN(t *testing.T, st *store.Store, n int) []int64 {
	t.Helper()
	at := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	var rows []store.ArticleRow
	for i := 0; i < n; i++ {
		rows = append(rows, store.ArticleRow{URL: fmt.Sprintf("https://x.example/%d", i), CanonicalURL: fmt.Sprintf("https://x.example/%d", i),
			Title: fmt.Sprintf("Article %d", i), ContentText: fmt.Sprintf("Text %d", i), Lang: "en", PublishedAt: at.Add(time.Duration(i) * time.Hour)})
	}
	ids, err := st.InsertArticles(context.Background(), rows)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestArticlesByIDFallsBackToSummary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	ids, err := st.InsertArticles(ctx, []store.ArticleRow{
		{URL: "https://a.example/1", CanonicalURL: "https://a.example/1", Title: "Full", Summary: "sum", ContentText: "full text", Lang: "en", PublishedAt: time.Now()},
		{URL: "https://a.example/2", CanonicalURL: "https://a.example/2", Title: "Short", Summary: "only a summary", Lang: "uk", PublishedAt: time.Now()},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.ArticlesByID(ctx, []int64{ids[1], ids[0], 999999})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[1] {
		t.Fatalf("got %+v, want both articles in id order and the missing id skipped", got)
	}
	if got[0].Text != "full text" || got[0].FromSummary || got[1].Text != "only a summary" || !got[1].FromSummary || got[1].Lang != "uk" {
		t.Errorf("texts: %+v", got)
	}
	if !bytes.Equal(got[0].ContentHash, store.ContentHash("Full", "sum", "full text")) {
		t.Error("content hash is not the stored one")
	}
	if none, err := st.ArticlesByID(ctx, nil); err != nil || none != nil {
		t.Errorf("no ids: %v %v", none, err)
	}
}

func TestPendingArticles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	ids := insertN(t, st, 5)
	pending := func(version string, after int64, since time.Time, limit int) []int64 {
		t.Helper()
		as, err := st.PendingArticles(ctx, version, after, since, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	if got := pending("v1", 0, time.Time{}, 10); len(got) != 5 {
		t.Fatalf("untagged articles pending: %v, want all 5", got)
	}
	// Keyset pages.
	page1 := pending("v1", 0, time.Time{}, 2)
	page2 := pending("v1", page1[1], time.Time{}, 2)
	if len(page1) != 2 || len(page2) != 2 || page2[0] != ids[2] {
		t.Errorf("pages %v %v", page1, page2)
	}
	// Tag three under v1: only the other two stay due under v1.
	arts, err := st.ArticlesByID(ctx, ids[:3])
	if err != nil {
		t.Fatal(err)
	}
	var ls []store.Labels
	for _, a := range arts {
		ls = append(ls, store.Labels{ArticleID: a.ID, Outlook: "none", Framing: "neutral", RulesVersion: "v1", ContentHash: a.ContentHash})
	}
	if err := st.SaveLabels(ctx, ls); err != nil {
		t.Fatal(err)
	}
	if got := pending("v1", 0, time.Time{}, 10); fmt.Sprint(got) != fmt.Sprint(ids[3:]) {
		t.Errorf("pending under v1 %v, want %v", got, ids[3:])
	}
	if got := pending("v2", 0, time.Time{}, 10); len(got) != 5 {
		t.Errorf("pending under new rules %v, want all 5", got)
	}
	if n, err := st.CountPendingArticles(ctx, "v1", time.Time{}); err != nil || n != 2 {
		t.Errorf("count %d (%v), want 2", n, err)
	}
	// A change of content makes a tagged article due again.
	if _, err := st.Pool().Exec(ctx, `UPDATE articles SET content_text = 'changed', content_hash = $2 WHERE id = $1`,
		ids[0], store.ContentHash("Article 0", "", "changed")); err != nil {
		t.Fatal(err)
	}
	if got := pending("v1", 0, time.Time{}, 10); len(got) != 3 || got[0] != ids[0] {
		t.Errorf("after a change %v, want article %d due again", got, ids[0])
	}
	// Labels saved from a stale read (the article changed while it was
	// tagged) leave it due.
	if err := st.SaveLabels(ctx, []store.Labels{{ArticleID: ids[0], Outlook: "none", Framing: "neutral", RulesVersion: "v1", ContentHash: arts[0].ContentHash}}); err != nil {
		t.Fatal(err)
	}
	if got := pending("v1", 0, time.Time{}, 10); len(got) != 3 {
		t.Errorf("stale labels cleared the pending state: %v", got)
	}
	// Since: published at or after.
	since := time.Date(2025, 12, 1, 3, 0, 0, 0, time.UTC)
	if got := pending("v2", 0, since, 10); fmt.Sprint(got) != fmt.Sprint(ids[3:]) {
		t.Errorf("since %s: %v, want %v", since, got, ids[3:])
	}
	if _, err := st.PendingArticles(ctx, "v1", 0, time.Time{}, 0); err == nil {
		t.Error("limit 0 accepted")
	}
}
