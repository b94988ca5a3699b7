package daemon

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stancewatch/stancewatch/config"
	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/store"
)

// PollerOptions configure a Poller; zero values take the defaults of
// config.Default().
type PollerOptions struct {
	Workers     int           // feeds fetched at once
	PerHost     int           // feeds fetched at once from one host
	Interval    time.Duration // time between polls of a feed without <ttl>
	MinInterval time.Duration // bounds for a feed's interval and back-off
	MaxInterval time.Duration
	MaxErrors   int           // consecutive failures that disable a feed
	Timeout     time.Duration // the fetcher's request timeout: the lease on a claimed feed derives from it
}

// PollerOptionsFrom takes the options from the poll section of the
// configuration.
func PollerOptionsFrom(c config.Poll) PollerOptions {
	return PollerOptions{
		Workers: c.Workers, PerHost: c.PerHost, Interval: c.Interval,
		MinInterval: c.MinInterval, MaxInterval: c.MaxInterval,
		MaxErrors: c.MaxErrors, Timeout: c.Timeout,
	}
}

// FetcherOptions takes the fetcher's options from the poll section of
// the configuration; version names stancewatch in the User-Agent.
func FetcherOptions(c config.Poll, version string) feeds.Options {
	return feeds.Options{
		Version: version, UserAgent: c.UserAgent, Timeout: c.Timeout, ConnectTimeout: c.ConnectTimeout,
		MaxBodyBytes: c.MaxBodyBytes, FullTextWorkers: c.FullTextWorkers, PerHost: c.PerHost,
		MaxItems: c.MaxItems, MaxTextBytes: c.MaxTextBytes,
		AllowPrivateNetworks: c.AllowPrivateNetworks, AllowHosts: c.AllowHosts, FileRoot: c.FileRoot,
	}
}

func (o PollerOptions) withDefaults() PollerOptions {
	d := config.Default().Poll
	o.Workers = orDefault(o.Workers, d.Workers)
	o.PerHost = orDefault(o.PerHost, d.PerHost)
	o.Interval = orDefault(o.Interval, d.Interval)
	o.MinInterval = orDefault(o.MinInterval, d.MinInterval)
	o.MaxInterval = orDefault(o.MaxInterval, d.MaxInterval)
	o.MaxErrors = orDefault(o.MaxErrors, d.MaxErrors)
	o.Timeout = orDefault(o.Timeout, d.Timeout)
	return o
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Poller polls feeds: it claims them in the database, fetches them with
// a worker pool that respects a per-host limit, and saves each feed's
// articles and state in one transaction.
type Poller struct {
	store   *store.Store
	fetcher *feeds.Fetcher
	opts    PollerOptions
	log     *slog.Logger

	// OnStored, when set, is called after each feed's poll is committed,
	// with the ids of the articles that poll stored or changed (never
	// empty). An error is logged and reported in the feed's result; it
	// does not undo the poll.
	OnStored func(ctx context.Context, articleIDs []int64) error
}

// NewPoller returns a Poller; set OnStored before polling to tag new
// articles.
func NewPoller(st *store.Store, f *feeds.Fetcher, opts PollerOptions, log *slog.Logger) *Poller {
	return &Poller{store: st, fetcher: f, opts: opts.withDefaults(), log: log}
}

// FeedResult is what one poll of one feed did.
type FeedResult struct {
	FeedID     int64
	URL        string // the URL polled
	Name       string // the feed's display name
	Outcome    string // ok, not_modified, error or gone (store.Poll*)
	HTTPStatus int    // 0 when there was no HTTP response
	Items      int    // items in the document
	New        int    // articles stored for the first time
	Updated    int    // stored articles whose title or text changed
	Skipped    int    // items left out as unusable
	Dropped    int    // items past poll.max_items, not read
	Duration   time.Duration
	Err        error  // why the poll failed (error, gone), or the database error
	MovedTo    string // the feed's new URL after a permanent redirect
	Disabled   bool   // this poll disabled the feed
	NextPollAt time.Time
	FullText   *feeds.FullTextResult // for full_text feeds
	HookErr    error                 // OnStored's error

	saved bool // the poll's result was committed
}

// PollSummary is one polling cycle.
type PollSummary struct {
	Started  time.Time
	Duration time.Duration
	Feeds    []FeedResult // in the order of feed id
}

// Count returns how many feeds had the outcome.
func (s PollSummary) Count(outcome string) int {
	n := 0
	for _, f := range s.Feeds {
		if f.Outcome == outcome {
			n++
		}
	}
	return n
}

// Articles returns how many articles the cycle stored and changed.
func (s PollSummary) Articles() (stored, changed int) {
	for _, f := range s.Feeds {
		stored += f.New
		changed += f.Updated
	}
	return stored, changed
}

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

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return strings.ToLower(u.Host)
}

// pollFeed fetches one claimed feed and saves the result; release frees
// the feed's host slot once the feed document is fetched. The error is a
// database error; everything else is in the result.
func (p *Poller) pollFeed(ctx context.Context, f store.Feed, release func()) (FeedResult, error) {
	started := time.Now()
	out := FeedResult{FeedID: f.ID, URL: f.URL, Name: f.DisplayName()}
	// Fetching must end well within the lease so that the save, which
	// runs on the caller's context, lands while the feed is still ours.
	fctx, cancel := context.WithTimeout(ctx, p.lease()-15*time.Second)
	defer cancel()

	res := p.fetcher.Fetch(fctx, feeds.Request{URL: f.URL, ETag: f.ETag, LastModified: f.LastModified, Name: f.Name})
	release()
	out.Outcome, out.HTTPStatus, out.Err, out.MovedTo = string(res.Outcome), res.StatusCode, res.Err, res.MovedTo

	pr := store.PollResult{
		FeedID: f.ID, StartedAt: started, Outcome: string(res.Outcome), HTTPStatus: res.StatusCode,
		ETag: res.ETag, LastModified: res.LastModified, MovedTo: res.MovedTo,
	}
	if res.Err != nil {
		pr.Error = res.Err.Error()
	}
	if res.Outcome != feeds.OutcomeOK && res.Outcome != feeds.OutcomeNotModified {
		// Only a redirect to a working feed moves it.
		pr.MovedTo, out.MovedTo = "", ""
	}
	if res.Feed != nil {
		fd := res.Feed
		out.Items, out.Skipped, out.Dropped = len(fd.Items)+len(fd.Skipped), len(fd.Skipped), fd.Dropped
		pr.Items, pr.Title, pr.SiteURL, pr.TTL = out.Items, fd.Title, fd.SiteURL, fd.TTL
		if f.FullText && len(fd.Items) > 0 {
			items, ftr, err := p.fullText(fctx, f, fd.Items)
			if err != nil {
				if ctx.Err() != nil {
					out.Err = context.Cause(ctx)
					return out, nil
				}
				out.Err = err
				return out, err
			}
			fd.Items, out.FullText = items, &ftr
		}
		pr.Articles = make([]store.ArticleRow, len(fd.Items))
		for i, it := range fd.Items {
			pr.Articles[i] = articleRow(f.ID, it)
		}
	}
	ttl := f.TTL
	if res.Feed != nil {
		ttl = res.Feed.TTL
	}
	pr.NextPollAt, pr.Disable, pr.DisabledReason = p.schedule(f, res, ttl, time.Now())
	pr.Duration = time.Since(started)

	if ctx.Err() != nil {
		// Stopped from outside (shutdown, or a database failure seen by
		// another worker): not the feed's failure. Nothing is saved; the
		// lease expires and the feed is polled again.
		out.Outcome, out.Err, out.Duration = store.PollError, context.Cause(ctx), time.Since(started)
		return out, nil
	}
	saved, err := p.store.SavePoll(ctx, pr)
	out.Duration = time.Since(started)
	if err != nil {
		out.Err = err
		return out, err
	}
	out.saved = true
	out.New, out.Updated = len(saved.New), len(saved.Updated)
	out.Disabled, out.NextPollAt = pr.Disable, pr.NextPollAt
	p.logResult(out, saved, pr)

	if ids := append(saved.New, saved.Updated...); p.OnStored != nil && len(ids) > 0 {
		if err := p.OnStored(ctx, ids); err != nil {
			out.HookErr = err
			p.log.Warn("after storing articles", "feed", f.ID, "articles", len(ids), "err", err)
		}
	}
	return out, nil
}

// fullText fetches the article pages of the items not stored yet (a
// stored article keeps the full text it was stored with) and returns the
// items to save: the new ones, with their full text where it was found.
func (p *Poller) fullText(ctx context.Context, f store.Feed, items []feeds.Item) ([]feeds.Item, feeds.FullTextResult, error) {
	guids, urls := make([]string, len(items)), make([]string, len(items))
	for i, it := range items {
		guids[i], urls[i] = it.GUID, it.CanonicalURL
	}
	known, err := p.store.KnownArticles(ctx, f.ID, guids, urls)
	if err != nil {
		return nil, feeds.FullTextResult{}, err
	}
	fresh := items[:0:0]
	for i, it := range items {
		if !known[i] {
			fresh = append(fresh, it)
		}
	}
	ftr := p.fetcher.FetchFullText(ctx, fresh)
	return fresh, ftr, nil
}

func articleRow(feedID int64, it feeds.Item) store.ArticleRow {
	return store.ArticleRow{
		FeedID: feedID, GUID: it.GUID, URL: it.URL, CanonicalURL: it.CanonicalURL, Source: it.Source,
		Title: it.Title, Summary: it.Summary, ContentText: it.ContentText, ContentHTML: it.ContentHTML,
		Author: it.Author, Lang: it.Lang, PublishedAt: it.PublishedAt,
	}
}

// interval is the feed's time between polls: its <ttl> when it gives
// one, else the configured interval, within [MinInterval, MaxInterval].
func (p *Poller) interval(ttl time.Duration) time.Duration {
	d := p.opts.Interval
	if ttl > 0 {
		d = ttl
	}
	return min(max(d, p.opts.MinInterval), p.opts.MaxInterval)
}

// schedule decides when to poll the feed next and whether to disable it.
//
// After success: one interval. After a failure: the interval doubled per
// consecutive failure, plus up to 25% random jitter (so that feeds that
// failed together do not retry together), capped at MaxInterval; or, on
// 429/503 with Retry-After, the time the server asked for (capped too).
// 410 Gone disables the feed at once; MaxErrors consecutive failures
// disable it as well.
func (p *Poller) schedule(f store.Feed, res feeds.Result, ttl time.Duration, now time.Time) (time.Time, bool, string) {
	iv := p.interval(ttl)
	switch res.Outcome {
	case feeds.OutcomeOK, feeds.OutcomeNotModified:
		return now.Add(iv), false, ""
	case feeds.OutcomeGone:
		return now.Add(p.opts.MaxInterval), true, fmt.Sprintf("gone: %v", res.Err)
	}
	errs := f.ConsecutiveErrors + 1
	var next time.Time
	if !res.RetryAfter.IsZero() {
		next = res.RetryAfter
		if next.Before(now) {
			next = now
		}
		if limit := now.Add(p.opts.MaxInterval); next.After(limit) {
			next = limit
		}
	} else {
		delay := p.opts.MaxInterval
		if shift := errs - 1; shift < 30 {
			delay = min(iv<<shift, p.opts.MaxInterval)
		}
		if j := int64(delay / 4); j > 0 {
			delay += time.Duration(rand.Int64N(j))
		}
		next = now.Add(min(delay, p.opts.MaxInterval))
	}
	if errs >= p.opts.MaxErrors {
		return next, true, fmt.Sprintf("%d consecutive errors (poll.max_errors); the last: %v", errs, res.Err)
	}
	return next, false, ""
}

func (p *Poller) logResult(out FeedResult, saved store.SavedPoll, pr store.PollResult) {
	attrs := []any{"feed", out.FeedID, "url", feeds.RedactURL(out.URL), "outcome", out.Outcome, "status", out.HTTPStatus,
		"items", out.Items, "new", out.New, "updated", out.Updated, "ms", out.Duration.Milliseconds()}
	switch {
	case out.Disabled:
		p.log.Warn("feed disabled", append(attrs, "reason", pr.DisabledReason)...)
	case out.Err != nil:
		p.log.Info("feed poll failed", append(attrs, "err", out.Err, "next_poll", pr.NextPollAt.Format(time.RFC3339))...)
	default:
		p.log.Debug("feed polled", attrs...)
	}
	if out.Skipped > 0 {
		p.log.Debug("feed items skipped", "feed", out.FeedID, "skipped", out.Skipped)
	}
	if out.Dropped > 0 {
		p.log.Warn("feed items over poll.max_items dropped", "feed", out.FeedID, "dropped", out.Dropped, "kept", out.Items-out.Skipped)
	}
	if saved.MoveRefused {
		p.log.Warn("feed moved permanently to a URL another feed already has; URL kept", "feed", out.FeedID, "url", feeds.RedactURL(out.URL), "moved_to", feeds.RedactURL(pr.MovedTo))
	} else if pr.MovedTo != "" {
		p.log.Info("feed moved permanently; URL updated", "feed", out.FeedID, "from", feeds.RedactURL(out.URL), "to", feeds.RedactURL(pr.MovedTo))
	}
	if ft := out.FullText; ft != nil && len(ft.Errors) > 0 {
		p.log.Debug("full text pages failed; summaries kept", "feed", out.FeedID, "failed", ft.Tried-ft.Extracted, "first", ft.Errors[0])
	}
}

// hostQueue hands claimed feeds to workers, at most limit at a time per
// host and round-robin between hosts, so that a worker never waits on a
// busy host while another host's feed is ready.
type hostQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	limit  int
	hosts  map[string]*hostState
	ready  []string // hosts with a free slot and a waiting feed
	queued int
	closed bool
}

type hostState struct {
	feeds   []store.Feed
	active  int
	inReady bool
}

func newHostQueue(limit int) *hostQueue {
	q := &hostQueue{limit: limit, hosts: map[string]*hostState{}}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *hostQueue) markReady(host string, h *hostState) {
	if !h.inReady && h.active < q.limit && len(h.feeds) > 0 {
		h.inReady = true
		q.ready = append(q.ready, host)
	}
}

func (q *hostQueue) push(f store.Feed, host string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	h := q.hosts[host]
	if h == nil {
		h = &hostState{}
		q.hosts[host] = h
	}
	h.feeds = append(h.feeds, f)
	q.queued++
	q.markReady(host, h)
	q.cond.Broadcast()
}

// next blocks until a feed may be fetched; false when the queue is
// closed and empty, or ctx is done.
func (q *hostQueue) next(ctx context.Context) (store.Feed, string, bool) {
	defer q.wakeOnDone(ctx)()
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if ctx.Err() != nil {
			return store.Feed{}, "", false
		}
		if len(q.ready) > 0 {
			host := q.ready[0]
			q.ready = q.ready[1:]
			h := q.hosts[host]
			h.inReady = false
			f := h.feeds[0]
			h.feeds = h.feeds[1:]
			h.active++
			q.queued--
			q.markReady(host, h)
			q.cond.Broadcast()
			return f, host, true
		}
		if q.closed && q.queued == 0 {
			return store.Feed{}, "", false
		}
		q.cond.Wait()
	}
}

func (q *hostQueue) done(host string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	h := q.hosts[host]
	h.active--
	if h.active == 0 && len(h.feeds) == 0 {
		delete(q.hosts, host)
	} else {
		q.markReady(host, h)
	}
	q.cond.Broadcast()
}

// waitBelow blocks until fewer than n feeds wait in the queue; false if
// ctx ended first.
func (q *hostQueue) waitBelow(ctx context.Context, n int) bool {
	defer q.wakeOnDone(ctx)()
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.queued >= n {
		if ctx.Err() != nil {
			return false
		}
		q.cond.Wait()
	}
	return ctx.Err() == nil
}

// wakeOnDone wakes the waiters when ctx ends, so that they see it; call
// the function it returns when done waiting.
func (q *hostQueue) wakeOnDone(ctx context.Context) (stop func() bool) {
	return context.AfterFunc(ctx, func() {
		q.mu.Lock()
		q.cond.Broadcast()
		q.mu.Unlock()
	})
}

func (q *hostQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}
