package ingest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/store"
)

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
