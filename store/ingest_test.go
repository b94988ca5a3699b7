package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/store"
)

func article(canonical, guid, title string) store.ArticleRow {
	return store.ArticleRow{
		GUID: guid, URL: canonical + "?utm_source=feed", CanonicalURL: canonical, Source: "Wire",
		Title: title, Summary: title + " summary", ContentText: title + " text.\n\nSecond paragraph.",
		ContentHTML: "<p>" + title + "</p>", Lang: "en",
		PublishedAt: time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC),
	}
}

func okPoll(feedID int64, rows ...store.ArticleRow) store.PollResult {
	return store.PollResult{
		FeedID: feedID, StartedAt: time.Now(), Duration: 120 * time.Millisecond, Outcome: feeds.OutcomeOK,
		HTTPStatus: 200, Items: len(rows), ETag: `"e1"`, LastModified: "Mon, 01 Dec 2025 09:00:00 GMT",
		Title: "Wire feed", SiteURL: "https://wire.example/", NextPollAt: time.Now().Add(15 * time.Minute),
		Articles: rows,
	}
}

// rowVersions returns each article's xmin: it changes on any write.
func rowVersions(t *testing.T, st *store.Store) map[int64]string {
	t.Helper()
	rows, err := st.Pool().Query(context.Background(), `SELECT id, xmin::text FROM articles`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var x string
		rows.Scan(&id, &x)
		out[id] = x
	}
	return out
}

func TestSavePollStoresOnceAndUpdatesChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	feed, _ := st.AddFeed(ctx, store.NewFeed{URL: "https://wire.example/rss"})

	items := []store.ArticleRow{
		article("https://wire.example/1", "g1", "One"),
		article("https://wire.example/2", "g2", "Two"),
		article("https://wire.example/3", "", "Three without GUID"),
	}
	saved, err := st.SavePoll(ctx, okPoll(feed.ID, items...))
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.New) != 3 || len(saved.Updated) != 0 || saved.URL != feed.URL {
		t.Fatalf("first poll: %+v", saved)
	}
	f, _ := st.FeedByID(ctx, feed.ID)
	if f.ETag != `"e1"` || f.Title != "Wire feed" || f.SiteURL != "https://wire.example/" || f.LastSuccessAt.IsZero() ||
		f.LeaseUntil != (time.Time{}) || f.Articles != 3 || f.NextPollAt.Before(time.Now().Add(14*time.Minute)) {
		t.Errorf("feed state %+v", f)
	}

	// The same document again writes no article.
	checkUnchangedPoll(t, st, feed.ID, items)

	// A changed title is stored once, with changed_at; the GUID keeps
	// the identity even though the link changed.
	changed := items
	changed[0].Title = "One (updated)"
	changed[0].CanonicalURL = "https://wire.example/1-renamed"
	var changedAt0 time.Time
	st.Pool().QueryRow(ctx, `SELECT changed_at FROM articles WHERE id = $1`, before0(t, st, "https://wire.example/1")).Scan(&changedAt0)
	saved, err = st.SavePoll(ctx, okPoll(feed.ID, changed...))
	if err != nil || len(saved.New) != 0 || len(saved.Updated) != 1 {
		t.Fatalf("changed poll: %+v, %v", saved, err)
	}
	var title string
	var changedAt time.Time
	var hash []byte
	st.Pool().QueryRow(ctx, `SELECT title, changed_at, content_hash FROM articles WHERE id = $1`, saved.Updated[0]).Scan(&title, &changedAt, &hash)
	if title != "One (updated)" || !changedAt.After(changedAt0) || string(hash) != string(store.ContentHash(changed[0].Title, changed[0].Summary, changed[0].ContentText)) {
		t.Errorf("updated article: %q %v", title, changedAt)
	}
	saved, _ = st.SavePoll(ctx, okPoll(feed.ID, changed...))
	if len(saved.Updated) != 0 {
		t.Errorf("an update was stored twice: %+v", saved)
	}

	var polls, newSum, updSum int
	st.Pool().QueryRow(ctx, `SELECT count(*), sum(new_articles), sum(updated_articles) FROM feed_polls WHERE feed_id = $1 AND outcome = 'ok'`, feed.ID).
		Scan(&polls, &newSum, &updSum)
	if polls != 4 || newSum != 3 || updSum != 1 {
		t.Errorf("poll log: %d polls, %d new, %d updated", polls, newSum, updSum)
	}
}

// checkUnchangedPoll saves the same document again: no article is
// written.
func checkUnchangedPoll(t *testing.T, st *store.Store, feedID int64, items []store.ArticleRow) {
	t.Helper()
	ctx := context.Background()
	before := rowVersions(t, st)
	saved, err := st.SavePoll(ctx, okPoll(feedID, items...))
	if err != nil || len(saved.New) != 0 || len(saved.Updated) != 0 {
		t.Fatalf("unchanged poll: %+v, %v", saved, err)
	}
	after := rowVersions(t, st)
	for id, x := range before {
		if after[id] != x {
			t.Errorf("article %d was rewritten by an unchanged poll", id)
		}
	}
}

func before0(t *testing.T, st *store.Store, canonical string) int64 {
	t.Helper()
	var id int64
	if err := st.Pool().QueryRow(context.Background(), `SELECT id FROM articles WHERE canonical_url = $1`, canonical).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSavePollDuplicatesAndSharedArticles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	a, _ := st.AddFeed(ctx, store.NewFeed{URL: "https://a.example/rss"})
	b, _ := st.AddFeed(ctx, store.NewFeed{URL: "https://agg.example/rss"})

	// Duplicate GUIDs and a repeated link inside one document.
	dup := article("https://a.example/1", "same", "First")
	dupGUID := article("https://a.example/other", "same", "Repeated GUID")
	dupURL := article("https://a.example/1", "different-guid", "Repeated link")
	saved, err := st.SavePoll(ctx, okPoll(a.ID, dup, dupGUID, dupURL, article("https://a.example/2", "g2", "Two")))
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.New) != 2 || saved.Duplicates != 2 {
		t.Fatalf("duplicates: %+v", saved)
	}

	// The same article in a second feed (another GUID, different text) is
	// linked, not copied, and does not overwrite the first feed's text.
	fromAgg := article("https://a.example/1", "agg-77", "First, as the aggregator has it")
	saved, err = st.SavePoll(ctx, okPoll(b.ID, fromAgg, article("https://agg.example/9", "agg-9", "Agg own")))
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.New) != 1 || len(saved.Updated) != 0 || saved.Linked != 1 {
		t.Fatalf("second feed: %+v", saved)
	}
	var n, links int
	var title string
	st.Pool().QueryRow(ctx, `SELECT count(*) FROM articles`).Scan(&n)
	st.Pool().QueryRow(ctx, `SELECT count(*), min(a.title) FROM article_feeds l JOIN articles a ON a.id = l.article_id WHERE a.canonical_url = 'https://a.example/1'`).Scan(&links, &title)
	if n != 3 || links != 2 || title != "First" {
		t.Errorf("%d articles; shared article has %d links and title %q", n, links, title)
	}
	// The aggregator's GUID now finds the article on the next poll.
	saved, _ = st.SavePoll(ctx, okPoll(b.ID, fromAgg))
	if len(saved.New)+len(saved.Updated)+saved.Linked != 0 {
		t.Errorf("re-poll of second feed: %+v", saved)
	}
	known, err := st.KnownArticles(ctx, b.ID, []string{"agg-77", "", "nope"}, []string{"x", "https://agg.example/9", "https://a.example/2"})
	if err != nil || !known[0] || !known[1] || known[2] {
		t.Errorf("KnownArticles = %v, %v", known, err)
	}
}

func TestSavePollFailuresAndFeedState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	f, _ := st.AddFeed(ctx, store.NewFeed{URL: "https://flaky.example/rss"})
	other, _ := st.AddFeed(ctx, store.NewFeed{URL: "https://taken.example/rss"})

	next := time.Now().Add(30 * time.Minute).Truncate(time.Microsecond)
	for i := 1; i <= 2; i++ {
		if _, err := st.SavePoll(ctx, store.PollResult{FeedID: f.ID, StartedAt: time.Now(), Outcome: feeds.OutcomeError,
			HTTPStatus: 500, Error: "GET https://flaky.example/rss: HTTP 500 Internal Server Error", NextPollAt: next}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := st.FeedByID(ctx, f.ID)
	if got.ConsecutiveErrors != 2 || !strings.Contains(got.LastError, "HTTP 500") || got.LastErrorAt.IsZero() || !got.NextPollAt.Equal(next) || got.Disabled {
		t.Errorf("after errors: %+v", got)
	}
	// Success resets the count; a permanent redirect moves the URL.
	saved, err := st.SavePoll(ctx, store.PollResult{FeedID: f.ID, StartedAt: time.Now(), Outcome: feeds.OutcomeNotModified,
		HTTPStatus: 304, MovedTo: "https://flaky.example/new-rss", ETag: `"x"`, NextPollAt: next})
	if err != nil || saved.URL != "https://flaky.example/new-rss" || saved.MoveRefused {
		t.Fatalf("move: %+v, %v", saved, err)
	}
	got, _ = st.FeedByID(ctx, f.ID)
	if got.ConsecutiveErrors != 0 || got.URL != "https://flaky.example/new-rss" || got.ETag != `"x"` {
		t.Errorf("after success: %+v", got)
	}
	// A move onto another feed's URL is refused, not an error.
	saved, err = st.SavePoll(ctx, store.PollResult{FeedID: f.ID, StartedAt: time.Now(), Outcome: feeds.OutcomeNotModified,
		MovedTo: other.URL, NextPollAt: next})
	if err != nil || !saved.MoveRefused || saved.URL != "https://flaky.example/new-rss" {
		t.Errorf("refused move: %+v, %v", saved, err)
	}
	// Gone disables with a reason.
	if _, err := st.SavePoll(ctx, store.PollResult{FeedID: f.ID, StartedAt: time.Now(), Outcome: feeds.OutcomeGone, HTTPStatus: 410,
		Error: "HTTP 410 Gone", Disable: true, DisabledReason: "gone (HTTP 410)", NextPollAt: next}); err != nil {
		t.Fatal(err)
	}
	got, _ = st.FeedByID(ctx, f.ID)
	if !got.Disabled || got.DisabledReason != "gone (HTTP 410)" || got.ConsecutiveErrors != 1 {
		t.Errorf("gone: %+v", got)
	}
	var outcomes []string
	rows, _ := st.Pool().Query(ctx, `SELECT outcome || ':' || coalesce(http_status::text, '-') FROM feed_polls WHERE feed_id = $1 ORDER BY id`, f.ID)
	for rows.Next() {
		var s string
		rows.Scan(&s)
		outcomes = append(outcomes, s)
	}
	rows.Close()
	if strings.Join(outcomes, " ") != "error:500 error:500 not_modified:304 not_modified:- gone:410" {
		t.Errorf("poll log %v", outcomes)
	}
}

func TestSavePollIsAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	f, _ := st.AddFeed(ctx, store.NewFeed{URL: "https://wire.example/rss"})
	// The feed-state statement fails (PostgreSQL text cannot hold NUL):
	// the articles of the same poll must not be stored either.
	bad := okPoll(f.ID, article("https://wire.example/1", "g1", "One"))
	bad.Title = "bad\x00title"
	if _, err := st.SavePoll(ctx, bad); err == nil {
		t.Fatal("a failing save succeeded")
	}
	var n, polls int
	st.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM feed_polls)`).Scan(&n, &polls)
	got, _ := st.FeedByID(ctx, f.ID)
	if n != 0 || polls != 0 || !got.LastPolledAt.IsZero() || got.ETag != "" {
		t.Errorf("partial save: %d articles, %d polls, feed %+v", n, polls, got)
	}
	if _, err := st.SavePoll(ctx, okPoll(f.ID, store.ArticleRow{Title: "no identity"})); err == nil || !strings.Contains(err.Error(), "canonical URL") {
		t.Errorf("article without identity: %v", err)
	}
}
