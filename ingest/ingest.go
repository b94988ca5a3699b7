// Package ingest is the poll-and-tag pipeline: it claims the feeds that
// are due, fetches them (package feeds), stores their articles (package
// store) and tags what it stored (package tagger). It also re-tags the
// stored articles that the current rules have not tagged.
//
// New builds the whole pipeline from the configuration; the daemon's
// scheduled jobs, `stancewatch poll --once` and `stancewatch retag` all
// use it, so they cannot drift apart. The files follow the work:
//
//   - poller.go: one feed's poll, from fetch to saved result;
//   - claim.go: the cycle, claiming feeds under a lease and giving back
//     the leases of those not finished;
//   - hostqueue.go: the per-host limit and round-robin between hosts;
//   - backoff.go: when a feed is polled next, and when it is disabled;
//   - tagging.go: tagging stored articles and saving their labels.
package ingest

import (
	"log/slog"
	"time"

	"github.com/stancewatch/stancewatch/config"
	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/tagger"
)

// Options configure the pipeline; the zero value takes the defaults.
type Options struct {
	Poll           config.Poll // workers, per-host limit, intervals, fetcher settings
	RetagBatchSize int         // articles per tagging transaction (tagger.retag_batch_size)
	Version        string      // the binary's version, for the User-Agent
	Logger         *slog.Logger
	// OnTagged, when set, is called after each saved batch of labels
	// with its size and the time tagging took (for metrics and progress).
	OnTagged func(articles int, took time.Duration)
}

// Pipeline is a Poller that tags what it stores, and the Tagging it
// uses, which also re-tags.
type Pipeline struct {
	Poller  *Poller
	Tagging *Tagging
	fetcher *feeds.Fetcher
}

// New builds the pipeline on st, tagging with eng.
func New(st *store.Store, eng *tagger.Engine, opts Options) *Pipeline {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tg := newTagging(st, eng, taggingOptions{BatchSize: opts.RetagBatchSize, Logger: log, OnTagged: opts.OnTagged, MaxTextBytes: opts.Poll.MaxTextBytes})
	f := feeds.NewFetcher(fetcherOptions(opts.Poll, opts.Version))
	p := newPoller(st, f, pollerOptionsFrom(opts.Poll), log)
	p.OnStored = tg.TagArticles
	return &Pipeline{Poller: p, Tagging: tg, fetcher: f}
}

// Close closes the fetcher's idle connections.
func (p *Pipeline) Close() { p.fetcher.CloseIdleConnections() }
