package daemon

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/store/storetest"

	"github.com/stancewatch/stancewatch/internal/feedtest"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/stancewatch/stancewatch/config"
)

// hitLog is a feed server that records when each path was requested.
type hitLog struct {
	mu   sync.Mutex
	hits map[string][]time.Time
}

func (h *hitLog) add(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hits[path] = append(h.hits[path], time.Now())
}

func (h *hitLog) of(path string) []time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.hits[path])
}

// TestThreeReplicas runs three daemons on one database for several
// ticks: every feed is fetched once per due time, each article is stored
// once, and exactly one digest is made.
func TestThreeReplicas(t *testing.T) {
	dbURL := pg.NewDatabase(t)
	srv := feedtest.NewServer(t)
	log := &hitLog{hits: map[string][]time.Time{}}
	const nFeeds = 12
	var feedList []config.Feed
	for i := range nFeeds {
		path := fmt.Sprintf("/feed/%d", i)
		body := feedtest.RSS("", feedtest.NewItem(fmt.Sprint(i), fmt.Sprintf("https://wire.example/%d", i), fmt.Sprintf("Story %d", i), "Text."))
		srv.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			log.add(path)
			time.Sleep(50 * time.Millisecond) // fetches overlap across replicas
			w.Write([]byte(body))
		})
		feedList = append(feedList, config.Feed{URL: srv.URL + path})
	}
	cfg := testConfig(t, dbURL)
	cfg.Feeds = feedList
	cfg.Poll.Interval, cfg.Poll.MinInterval = 2*time.Second, time.Second

	ctx, cancel := context.WithCancel(context.Background())
	var daemons []*Daemon
	var dones []<-chan error
	for range 3 {
		d, _, done := startDaemon(t, ctx, cfg)
		daemons, dones = append(daemons, d), append(dones, done)
	}
	// Run until every feed was due and fetched a second time, and the
	// start-up digest is made.
	st := storetest.Open(t, dbURL)
	eventually(t, 60*time.Second, "every feed fetched twice and the digest made", func() bool {
		if storetest.Rows(t, st, "digests") == 0 {
			return false
		}
		for i := range nFeeds {
			if len(log.of(fmt.Sprintf("/feed/%d", i))) < 2 {
				return false
			}
		}
		return true
	})
	cancel()
	for _, done := range dones {
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}

	for i := range nFeeds {
		path := fmt.Sprintf("/feed/%d", i)
		hits := log.of(path)
		if len(hits) < 2 {
			t.Errorf("%s fetched %d times, want at least 2", path, len(hits))
		}
		// A feed is due again 2 s after its poll is saved: two fetches
		// closer together mean two replicas took the same due time.
		for k := 1; k < len(hits); k++ {
			if gap := hits[k].Sub(hits[k-1]); gap < 1900*time.Millisecond {
				t.Errorf("%s fetched twice within %s", path, gap)
			}
		}
		if n := storetest.Count(t, st, `SELECT count(*) FROM feed_polls p JOIN feeds f ON f.id = p.feed_id WHERE f.url = $1`, srv.URL+path); n != len(hits) {
			t.Errorf("%s: %d polls logged for %d fetches", path, n, len(hits))
		}
	}
	if n := storetest.Rows(t, st, "articles"); n != nFeeds {
		t.Errorf("%d articles, want %d", n, nFeeds)
	}
	if n := storetest.Rows(t, st, "article_feeds"); n != nFeeds {
		t.Errorf("%d article-feed links, want %d", n, nFeeds)
	}
	if n := storetest.Rows(t, st, "digests"); n != 1 {
		t.Errorf("%d digests, want 1", n)
	}
	made := 0.0
	for _, d := range daemons {
		made += testutil.ToFloat64(d.metrics.jobRuns.WithLabelValues("digest", jobDone))
	}
	if made != 1 {
		t.Errorf("the digest was made %v times by three replicas, want once", made)
	}
}

// TestSurvivesConnectionsKilledMidPoll cuts every database connection
// while a poll cycle is saving: afterwards the stored articles are
// exactly the served ones, each once and tagged.
func TestSurvivesConnectionsKilledMidPoll(t *testing.T) {
	dbURL := pg.NewDatabase(t)
	srv := feedtest.NewServer(t)
	const nFeeds, perFeed = 16, 3
	started := make(chan struct{})
	var once sync.Once
	var feedList []config.Feed
	for i := range nFeeds {
		var items []feedtest.Item
		for k := range perFeed {
			link := fmt.Sprintf("https://wire.example/%d/%d", i, k)
			items = append(items, feedtest.NewItem(link, link, fmt.Sprintf("Story %d.%d", i, k), "Talks in Geneva on a ceasefire."))
		}
		body := feedtest.RSS("", items...)
		srv.Handle(fmt.Sprintf("/feed/%d", i), func(w http.ResponseWriter, r *http.Request) {
			once.Do(func() { close(started) })
			time.Sleep(150 * time.Millisecond)
			w.Write([]byte(body))
		})
		feedList = append(feedList, config.Feed{URL: srv.URL + fmt.Sprintf("/feed/%d", i)})
	}
	cfg := testConfig(t, dbURL)
	cfg.Feeds = feedList
	cfg.Poll.Workers = 4
	cfg.Poll.Interval = time.Hour // each feed once, once it succeeds

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, _, done := startDaemon(t, ctx, cfg)
	<-started
	// Cut the connections a few times while the cycle fetches and saves.
	for range 4 {
		time.Sleep(200 * time.Millisecond)
		pg.EndSessions(t, dbURL)
	}

	st := storetest.Open(t, dbURL)
	eventually(t, 60*time.Second, "every feed polled successfully", func() bool {
		return storetest.Count(t, st, `SELECT count(*) FROM feeds WHERE last_success_at IS NOT NULL`) == nFeeds
	})
	eventually(t, 20*time.Second, "every article tagged", func() bool {
		return storetest.Rows(t, st, "article_tags") == nFeeds*perFeed
	})
	if n := storetest.Rows(t, st, "articles"); n != nFeeds*perFeed {
		t.Errorf("%d articles stored, %d served", n, nFeeds*perFeed)
	}
	if n := storetest.Count(t, st, `SELECT count(DISTINCT canonical_url) FROM articles`); n != nFeeds*perFeed {
		t.Errorf("%d distinct articles, %d served", n, nFeeds*perFeed)
	}
	if n := storetest.Rows(t, st, "article_feeds"); n != nFeeds*perFeed {
		t.Errorf("%d article-feed links, want %d", n, nFeeds*perFeed)
	}
	if n := storetest.Count(t, st, `SELECT count(*) FROM feeds WHERE consecutive_errors > 0 OR disabled`); n != 0 {
		t.Errorf("%d feeds blamed for the database's failure", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}
