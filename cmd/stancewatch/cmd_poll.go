package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/stancewatch/stancewatch/daemon"
	"github.com/stancewatch/stancewatch/feeds"
)

func cmdPoll(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("poll")
	once := fs.Bool("once", false, "poll once and exit (required: continuous polling is `stancewatch run`)")
	all := fs.Bool("all", false, "poll every enabled feed, not only those that are due")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !*once || fs.NArg() > 0 {
		fmt.Fprintln(c.stderr, "usage: stancewatch poll --once [--all]")
		return errUsage
	}
	st, err := openFeedStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	fetcher := feeds.NewFetcher(daemon.FetcherOptions(c.cfg.Poll, c.version))
	defer fetcher.CloseIdleConnections()
	poller := daemon.NewPoller(st, fetcher, daemon.PollerOptionsFrom(c.cfg.Poll), c.log)
	eng, err := c.engine("")
	if err != nil {
		return err
	}
	var tagged atomic.Int64
	tagging := daemon.NewTagging(st, eng, daemon.TaggingOptions{
		BatchSize: c.cfg.Tagger.RetagBatchSize, MaxTextBytes: c.cfg.Poll.MaxTextBytes, Logger: c.log,
		OnTagged: func(n int, _ time.Duration) { tagged.Add(int64(n)) },
	})
	poller.OnStored = tagging.TagArticles

	poll := poller.PollDue
	if *all {
		poll = poller.PollAll
	}
	sum, err := poll(ctx)
	for _, r := range sum.Feeds {
		line := fmt.Sprintf("%-12s feed %d  %s", r.Outcome, r.FeedID, shownURL(r.URL))
		if r.HTTPStatus != 0 {
			line += fmt.Sprintf("  HTTP %d", r.HTTPStatus)
		}
		if r.Outcome == "ok" {
			line += fmt.Sprintf("  items %d  new %d  updated %d", r.Items, r.New, r.Updated)
		}
		if r.Skipped > 0 {
			line += fmt.Sprintf("  skipped %d", r.Skipped)
		}
		if r.Dropped > 0 {
			line += fmt.Sprintf("  dropped %d over poll.max_items", r.Dropped)
		}
		if r.FullText != nil {
			line += fmt.Sprintf("  full text %d/%d", r.FullText.Extracted, r.FullText.Tried)
		}
		line += fmt.Sprintf("  %s", r.Duration.Round(time.Millisecond))
		if r.MovedTo != "" {
			line += "  moved to " + shownURL(r.MovedTo)
		}
		if r.Err != nil {
			line += "\n             " + shown(r.Err.Error())
		}
		if r.Disabled {
			line += "\n             the feed is now disabled"
		}
		fmt.Fprintln(c.stdout, line)
	}
	stored, changed := sum.Articles()
	fmt.Fprintf(c.stdout, "polled %d feeds in %s: %d ok, %d not modified, %d failed, %d gone; %d new and %d updated articles, %d tagged\n",
		len(sum.Feeds), sum.Duration.Round(time.Millisecond), sum.Count("ok"), sum.Count("not_modified"),
		sum.Count("error"), sum.Count("gone"), stored, changed, tagged.Load())
	return err
}
