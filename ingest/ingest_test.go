package ingest

import (
	"context"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/config"
	"github.com/stancewatch/stancewatch/internal/feedtest"
	"github.com/stancewatch/stancewatch/store/storetest"
)

// TestNewTagsWhatItPolls checks the wiring New does for its three users:
// what a poll stores is tagged at once, under the engine's version, and
// retag then finds nothing due.
func TestNewTagsWhatItPolls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	srv := feedtest.NewServer(t)
	srv.Serve("/rss", "application/rss+xml", feedtest.RSS("",
		feedtest.NewItem("g1", "https://wire.example/1", "Envoys meet in Geneva on a ceasefire", "Negotiators from Kyiv and Moscow met in Geneva to discuss a ceasefire."),
		feedtest.NewItem("g2", "https://wire.example/2", "Derby result", "The home side held its territory.")))
	addFeed(t, st, srv.URL+"/rss", "Wire")

	eng := builtinEngine(t)
	var tagged int
	poll := config.Default().Poll
	poll.AllowPrivateNetworks = true // the feed is served on 127.0.0.1
	pipe := New(st, eng, Options{
		Poll: poll, Version: "test", Logger: feedtest.Logger(t),
		OnTagged: func(n int, _ time.Duration) { tagged += n },
	})
	t.Cleanup(pipe.Close)

	sum, err := pipe.Poller.PollAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stored, _ := sum.Articles(); stored != 2 || tagged != 2 {
		t.Fatalf("stored %d, tagged %d; want 2 and 2", stored, tagged)
	}
	if n := storetest.Count(t, st, `SELECT count(*) FROM article_tags WHERE rules_version = $1`, eng.Version()); n != 2 {
		t.Errorf("%d articles tagged under %s, want 2", n, eng.Version())
	}
	if n, err := pipe.Tagging.Retag(ctx, time.Time{}); err != nil || n != 0 {
		t.Errorf("retag after the poll: %d articles, %v; want none due", n, err)
	}
}
