package ingest

import (
	"context"
	"net/url"
	"strings"
	"sync"

	"github.com/stancewatch/stancewatch/store"
)

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

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return strings.ToLower(u.Host)
}
