package ingest

// The claim and lease loop: feeds are claimed from the database in
// batches (SKIP LOCKED, so replicas share the work), handed to the
// workers through the host queue, and the leases of those not saved are
// given back at the end of the cycle.

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/stancewatch/stancewatch/store"
)

// PollDue polls every enabled feed whose next poll is due, once. It
// returns an error only when the database fails (after finishing or
// abandoning the feeds in hand; their leases expire by themselves); a
// feed that fails is a result, never an error.
func (p *Poller) PollDue(ctx context.Context) (PollSummary, error) { return p.poll(ctx, false) }

// PollAll polls every enabled feed once, due or not.
func (p *Poller) PollAll(ctx context.Context) (PollSummary, error) { return p.poll(ctx, true) }

// lease is how long a claimed feed stays ours: the fetch, the article
// pages of a full-text feed and the save fit in it.
func (p *Poller) lease() time.Duration { return 2*p.opts.Timeout + time.Minute }

func (p *Poller) poll(parent context.Context, all bool) (PollSummary, error) {
	sum := PollSummary{Started: time.Now()}
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)

	var (
		mu      sync.Mutex
		results []FeedResult
		dbErr   error
		claimed []store.Feed
		saved   = map[int64]bool{}
	)
	fail := func(err error) {
		mu.Lock()
		if dbErr == nil {
			dbErr = err
		}
		mu.Unlock()
		cancel(err)
	}

	// The cycle starts by the database's clock: feeds polled since are
	// not claimed again in this cycle.
	cycle, err := p.store.Now(ctx)
	if err != nil {
		return sum, fmt.Errorf("poll feeds: database: %w", err)
	}
	q := newHostQueue(p.opts.PerHost)
	batch := max(32, 4*p.opts.Workers)
	go func() {
		defer q.close()
		for ctx.Err() == nil {
			got, err := p.store.ClaimFeeds(ctx, store.ClaimOptions{
				Lease: p.lease(), Limit: batch, All: all,
				// Each feed once per cycle, even if it is due again at once.
				NotPolledSince: cycle,
			})
			if err != nil {
				if ctx.Err() == nil {
					fail(err)
				}
				return
			}
			if len(got) == 0 {
				return
			}
			mu.Lock()
			claimed = append(claimed, got...)
			mu.Unlock()
			for _, f := range got {
				q.push(f, hostOf(f.URL))
			}
			// Claim more only when the workers are close to idle, so that
			// claimed feeds do not wait out their lease in the queue.
			if !q.waitBelow(ctx, p.opts.Workers) {
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for w := 0; w < p.opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				f, host, ok := q.next(ctx)
				if !ok {
					return
				}
				res, err := p.pollFeed(ctx, f, func() { q.done(host) })
				mu.Lock()
				results = append(results, res)
				if res.saved {
					saved[f.ID] = true
				}
				mu.Unlock()
				if err != nil {
					fail(err)
				}
			}
		}()
	}
	wg.Wait()
	p.release(claimed, saved)

	slices.SortFunc(results, func(a, b FeedResult) int { return cmp.Compare(a.FeedID, b.FeedID) })
	sum.Feeds, sum.Duration = results, time.Since(sum.Started)
	if dbErr != nil {
		return sum, fmt.Errorf("poll feeds: database: %w", dbErr)
	}
	if err := parent.Err(); err != nil {
		return sum, fmt.Errorf("poll feeds: %w", err)
	}
	return sum, nil
}

// release gives back the leases of claimed feeds that were not saved
// (the cycle was stopped, or the database failed), so that the next tick
// polls them instead of waiting for the leases to run out. It retries a
// few times because the connections in the pool may be dead after a
// database restart; if the database stays away, the leases simply expire.
func (p *Poller) release(claimed []store.Feed, saved map[int64]bool) {
	var left []store.Feed
	for _, f := range claimed {
		if !saved[f.ID] {
			left = append(left, f)
		}
	}
	if len(left) == 0 {
		return
	}
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = p.store.ReleaseFeeds(ctx, left)
		cancel()
		if err == nil {
			p.log.Debug("released unfinished feeds", "feeds", len(left))
			return
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
	p.log.Warn("could not release unfinished feeds; their leases expire by themselves", "feeds", len(left), "lease", p.lease(), "err", err)
}
