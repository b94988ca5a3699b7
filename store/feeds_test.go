package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/store"
)

func TestFeedLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	a, b := addLifecycleFeeds(t, st)
	// Articles seen in a feed are counted, and survive its removal.
	if _, err := st.SavePoll(ctx, store.PollResult{
		FeedID: a.ID, StartedAt: time.Now(), Outcome: feeds.OutcomeOK, NextPollAt: time.Now().Add(time.Hour),
		Articles: []store.ArticleRow{article("https://a.example/1", "g1", "One"), article("https://a.example/2", "g2", "Two")},
	}); err != nil {
		t.Fatal(err)
	}
	list, err := st.ListFeeds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].ID != a.ID || list[0].Articles != 2 || list[1].Articles != 0 {
		t.Fatalf("ListFeeds %+v", list)
	}

	checkDisableEnable(t, st, b)
	checkRemoval(t, st, a)
}

// addLifecycleFeeds adds feeds one by one and in a batch, duplicates
// included, and returns the first two.
func addLifecycleFeeds(t *testing.T, st *store.Store) (a, b store.Feed) {
	t.Helper()
	ctx := context.Background()
	a, err := st.AddFeed(ctx, store.NewFeed{URL: "https://a.example/rss", Name: "A wire", FullText: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Name != "A wire" || !a.FullText || a.Disabled || a.NextPollAt.After(time.Now().Add(time.Second)) {
		t.Errorf("added %+v", a)
	}
	if _, err := st.AddFeed(ctx, store.NewFeed{URL: "https://a.example/rss"}); !errors.Is(err, store.ErrFeedExists) {
		t.Errorf("duplicate URL: %v", err)
	}
	added, err := st.AddFeeds(ctx, []store.NewFeed{
		{URL: "https://a.example/rss", Name: "renamed?"},
		{URL: "https://b.example/atom", Name: "B"},
		{URL: "https://b.example/atom", Name: "B again"},
		{URL: "file:///srv/c.xml"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 2 || added[0].URL == added[1].URL {
		t.Fatalf("AddFeeds added %+v", added)
	}
	b, err = st.FeedByURL(ctx, "https://b.example/atom")
	if err != nil || b.Name != "B" {
		t.Fatalf("FeedByURL: %+v, %v", b, err)
	}
	if a2, _ := st.FeedByID(ctx, a.ID); a2.Name != "A wire" {
		t.Errorf("an import renamed an existing feed: %q", a2.Name)
	}
	if _, err := st.FeedByID(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing feed: %v", err)
	}
	return a, b
}

func checkDisableEnable(t *testing.T, st *store.Store, b store.Feed) {
	t.Helper()
	ctx := context.Background()
	if err := st.SetFeedDisabled(ctx, b.ID, true, "disabled by user"); err != nil {
		t.Fatal(err)
	}
	if b, _ = st.FeedByID(ctx, b.ID); !b.Disabled || b.DisabledReason != "disabled by user" {
		t.Errorf("disabled: %+v", b)
	}
	if err := st.SetFeedDisabled(ctx, b.ID, false, ""); err != nil {
		t.Fatal(err)
	}
	if b, _ = st.FeedByID(ctx, b.ID); b.Disabled || b.DisabledReason != "" || b.ConsecutiveErrors != 0 {
		t.Errorf("enabled: %+v", b)
	}
	if err := st.SetFeedDisabled(ctx, 999999, true, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("disable missing feed: %v", err)
	}

}

// checkRemoval removes feed a: its articles are kept, without a feed.
func checkRemoval(t *testing.T, st *store.Store, a store.Feed) {
	t.Helper()
	ctx := context.Background()
	kept, err := st.RemoveFeed(ctx, a.ID)
	if err != nil || kept != 2 {
		t.Fatalf("RemoveFeed = %d, %v", kept, err)
	}
	var n, orphans int
	st.Pool().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE feed_id IS NULL) FROM articles`).Scan(&n, &orphans)
	if n != 2 || orphans != 2 {
		t.Errorf("after removal: %d articles, %d without feed", n, orphans)
	}
	if _, err := st.RemoveFeed(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second removal: %v", err)
	}
	counts, err := st.CountFeeds(ctx)
	if err != nil || counts.Total != 2 || counts.Disabled != 0 {
		t.Errorf("CountFeeds %+v, %v", counts, err)
	}
}

func TestClaimFeeds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	var ids []int64
	for _, u := range []string{"https://h1.example/a", "https://h1.example/b", "https://h2.example/c", "https://h3.example/d"} {
		f, err := st.AddFeed(ctx, store.NewFeed{URL: u})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, f.ID)
	}
	// d is not due; c is disabled.
	st.Pool().Exec(ctx, `UPDATE feeds SET next_poll_at = now() + interval '1 hour' WHERE id = $1`, ids[3])
	st.SetFeedDisabled(ctx, ids[2], true, "test")

	lease := time.Minute
	first, err := st.ClaimFeeds(ctx, store.ClaimOptions{Lease: lease, Limit: 1})
	if err != nil || len(first) != 1 || first[0].ID != ids[0] || first[0].LeaseUntil.IsZero() {
		t.Fatalf("first claim %+v, %v", first, err)
	}
	rest, err := st.ClaimFeeds(ctx, store.ClaimOptions{Lease: lease, Limit: 10})
	if err != nil || len(rest) != 1 || rest[0].ID != ids[1] {
		t.Fatalf("second claim %+v, %v", rest, err)
	}
	if again, _ := st.ClaimFeeds(ctx, store.ClaimOptions{Lease: lease, Limit: 10}); len(again) != 0 {
		t.Errorf("leased feeds claimed again: %+v", again)
	}
	// All ignores the schedule but not leases or disabling.
	all, _ := st.ClaimFeeds(ctx, store.ClaimOptions{Lease: lease, Limit: 10, All: true})
	if len(all) != 1 || all[0].ID != ids[3] {
		t.Errorf("claim all: %+v", all)
	}
	// An expired lease (a crashed poller) is claimable again.
	st.Pool().Exec(ctx, `UPDATE feeds SET lease_until = now() - interval '1 second' WHERE id = $1`, ids[0])
	if again, _ := st.ClaimFeeds(ctx, store.ClaimOptions{Lease: lease, Limit: 10}); len(again) != 1 || again[0].ID != ids[0] {
		t.Errorf("expired lease: %+v", again)
	}
	// A feed polled during the current cycle is not claimed again in it.
	cycle := time.Now()
	if _, err := st.SavePoll(ctx, store.PollResult{FeedID: ids[0], StartedAt: cycle, Outcome: feeds.OutcomeNotModified, NextPollAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if again, _ := st.ClaimFeeds(ctx, store.ClaimOptions{Lease: lease, Limit: 10, NotPolledSince: cycle.Add(-time.Second)}); len(again) != 0 {
		t.Errorf("claimed twice in a cycle: %+v", again)
	}
	if again, _ := st.ClaimFeeds(ctx, store.ClaimOptions{Lease: lease, Limit: 10}); len(again) != 1 {
		t.Errorf("due feed not claimed in a new cycle: %+v", again)
	}
}

func TestConcurrentClaimsAreDisjoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	var nfs []store.NewFeed
	for i := 0; i < 300; i++ {
		nfs = append(nfs, store.NewFeed{URL: "https://many.example/" + string(rune('a'+i%26)) + "/" + time.Duration(i).String()})
	}
	if _, err := st.AddFeeds(ctx, nfs); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				fs, err := st.ClaimFeeds(ctx, store.ClaimOptions{Lease: time.Minute, Limit: 7})
				if err != nil {
					t.Error(err)
					return
				}
				if len(fs) == 0 {
					return
				}
				mu.Lock()
				for _, f := range fs {
					seen[f.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 300 {
		t.Errorf("%d feeds claimed, want 300", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("feed %d claimed %d times", id, n)
		}
	}
}
