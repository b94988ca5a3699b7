package ingest

import (
	"context"
	"log/slog"
	"time"

	"github.com/stancewatch/stancewatch/config"
	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/store"
)

// pollerOptions configure a Poller; zero values take the defaults of
// config.Default().
type pollerOptions struct {
	Workers     int           // feeds fetched at once
	PerHost     int           // feeds fetched at once from one host
	Interval    time.Duration // time between polls of a feed without <ttl>
	MinInterval time.Duration // bounds for a feed's interval and back-off
	MaxInterval time.Duration
	MaxErrors   int           // consecutive failures that disable a feed
	Timeout     time.Duration // the fetcher's request timeout: the lease on a claimed feed derives from it
}

// pollerOptionsFrom takes the options from the poll section of the
// configuration.
func pollerOptionsFrom(c config.Poll) pollerOptions {
	return pollerOptions{
		Workers: c.Workers, PerHost: c.PerHost, Interval: c.Interval,
		MinInterval: c.MinInterval, MaxInterval: c.MaxInterval,
		MaxErrors: c.MaxErrors, Timeout: c.Timeout,
	}
}

// fetcherOptions takes the fetcher's options from the poll section of
// the configuration; version names stancewatch in the User-Agent.
func fetcherOptions(c config.Poll, version string) feeds.Options {
	return feeds.Options{
		Version: version, UserAgent: c.UserAgent, Timeout: c.Timeout, ConnectTimeout: c.ConnectTimeout,
		MaxBodyBytes: c.MaxBodyBytes, FullTextWorkers: c.FullTextWorkers, PerHost: c.PerHost,
		MaxItems: c.MaxItems, MaxTextBytes: c.MaxTextBytes,
		AllowPrivateNetworks: c.AllowPrivateNetworks, AllowHosts: c.AllowHosts, FileRoot: c.FileRoot,
	}
}

func (o pollerOptions) withDefaults() pollerOptions {
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
	opts    pollerOptions
	log     *slog.Logger

	// OnStored, when set, is called after each feed's poll is committed,
	// with the ids of the articles that poll stored or changed (never
	// empty). An error is logged and reported in the feed's result; it
	// does not undo the poll.
	OnStored func(ctx context.Context, articleIDs []int64) error
}

// newPoller returns a Poller; set OnStored before polling to tag new
// articles.
func newPoller(st *store.Store, f *feeds.Fetcher, opts pollerOptions, log *slog.Logger) *Poller {
	return &Poller{store: st, fetcher: f, opts: opts.withDefaults(), log: log}
}

// FeedResult is what one poll of one feed did.
type FeedResult struct {
	FeedID     int64
	URL        string // the URL polled
	Name       string // the feed's display name
	Outcome    feeds.Outcome
	HTTPStatus int // 0 when there was no HTTP response
	Items      int // items in the document
	New        int // articles stored for the first time
	Updated    int // stored articles whose title or text changed
	Skipped    int // items left out as unusable
	Dropped    int // items past poll.max_items, not read
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
func (s PollSummary) Count(outcome feeds.Outcome) int {
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
	out.Outcome, out.HTTPStatus, out.Err, out.MovedTo = res.Outcome, res.StatusCode, res.Err, res.MovedTo

	pr := store.PollResult{
		FeedID: f.ID, StartedAt: started, Outcome: res.Outcome, HTTPStatus: res.StatusCode,
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
		out.Outcome, out.Err, out.Duration = feeds.OutcomeError, context.Cause(ctx), time.Since(started)
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
