package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stancewatch/stancewatch/store"
)

func TestTryExclusiveRunsOneHolderAtATime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	const key = 42
	inside, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		ran, err := st.TryExclusive(ctx, key, func(context.Context) error {
			close(inside)
			<-release
			return nil
		})
		if err == nil && !ran {
			err = errors.New("first caller did not get the lock")
		}
		first <- err
	}()
	<-inside
	ran, err := st.TryExclusive(ctx, key, func(context.Context) error {
		t.Error("second caller ran while the first held the lock")
		return nil
	})
	if err != nil || ran {
		t.Fatalf("second caller: ran %v, err %v", ran, err)
	}
	// Another key is free.
	if ran, err := st.TryExclusive(ctx, key+1, func(context.Context) error { return nil }); err != nil || !ran {
		t.Fatalf("other key: ran %v, err %v", ran, err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	// Released with the transaction; the job's error comes back.
	boom := errors.New("boom")
	ran, err = st.TryExclusive(ctx, key, func(context.Context) error { return boom })
	if !ran || !errors.Is(err, boom) {
		t.Fatalf("after release: ran %v, err %v", ran, err)
	}
}

func TestRetention(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	old, recent := time.Now().AddDate(0, 0, -100), time.Now().AddDate(0, 0, -1)
	_, err := st.InsertArticles(ctx, []store.ArticleRow{
		{CanonicalURL: "https://a.example/old", Title: "Old", ContentText: "old text", ContentHTML: "<p>old text</p>", PublishedAt: old},
		{CanonicalURL: "https://a.example/new", Title: "New", ContentText: "new text", ContentHTML: "<p>new text</p>", PublishedAt: recent},
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.DropOldHTML(ctx, time.Now().AddDate(0, 0, -90))
	if err != nil || n != 1 {
		t.Fatalf("DropOldHTML: %d, %v", n, err)
	}
	var html, text []string
	rows, _ := st.Pool().Query(ctx, `SELECT coalesce(content_html, 'NULL'), content_text FROM articles ORDER BY published_at`)
	for rows.Next() {
		var h, x string
		if err := rows.Scan(&h, &x); err != nil {
			t.Fatal(err)
		}
		html, text = append(html, h), append(text, x)
	}
	if html[0] != "NULL" || html[1] == "NULL" || text[0] != "old text" {
		t.Errorf("after DropOldHTML: html %q, text %q", html, text)
	}

	f, err := st.AddFeed(ctx, store.NewFeed{URL: "https://a.example/rss"})
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{old, recent} {
		if _, err := st.Pool().Exec(ctx, `INSERT INTO feed_polls (feed_id, started_at, duration_ms, outcome) VALUES ($1, $2, 1, 'ok')`, f.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := st.DeletePollLog(ctx, time.Now().AddDate(0, 0, -30)); err != nil || n != 1 {
		t.Fatalf("DeletePollLog: %d, %v", n, err)
	}
}

func TestReleaseFeedsOnlyTheirOwnLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	for _, u := range []string{"https://a.example/1", "https://a.example/2"} {
		if _, err := st.AddFeed(ctx, store.NewFeed{URL: u}); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := st.ClaimFeeds(ctx, store.ClaimOptions{Lease: time.Hour, Limit: 10})
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	// The second feed's lease ran out and another poller holds it now.
	if _, err := st.Pool().Exec(ctx, `UPDATE feeds SET lease_until = now() + interval '5 minutes' WHERE id = $1`, claimed[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := st.ReleaseFeeds(ctx, claimed); err != nil {
		t.Fatal(err)
	}
	again, err := st.ClaimFeeds(ctx, store.ClaimOptions{Lease: time.Hour, Limit: 10})
	if err != nil || len(again) != 1 || again[0].ID != claimed[0].ID {
		t.Fatalf("after release, claimable: %+v, %v (want only feed %d)", again, err, claimed[0].ID)
	}
}

// When the server ends every session, the pool's idle connections are all
// dead: the first query that meets one fails, the next ones work.
func TestPoolRecoversAfterSessionsEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pg.NewDatabase(t)
	st, err := store.Open(ctx, url, store.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Four connections in the pool, all idle.
	conns := make([]*pgxpool.Conn, 4)
	for i := range conns {
		if conns[i], err = st.Pool().Acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range conns {
		c.Release()
	}
	pg.EndSessions(t, url)
	failed := 0
	for range 4 {
		if err := st.Ping(ctx); err != nil {
			failed++
		}
	}
	if failed > 1 {
		t.Errorf("%d of 4 queries failed after the sessions ended, want at most 1", failed)
	}
}
