package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/ingest"
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
	cfg, err := c.config()
	if err != nil {
		return err
	}
	eng, err := c.engine("")
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c, 0)
	if err != nil {
		return err
	}
	defer st.Close()
	var tagged atomic.Int64
	pipe := ingest.New(st, eng, ingest.Options{
		Poll: cfg.Poll, RetagBatchSize: cfg.Tagger.RetagBatchSize, Version: c.version, Logger: c.log,
		OnTagged: func(n int, _ time.Duration) { tagged.Add(int64(n)) },
	})
	defer pipe.Close()

	poller := pipe.Poller
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
		if r.Outcome == feeds.OutcomeOK {
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
		len(sum.Feeds), sum.Duration.Round(time.Millisecond), sum.Count(feeds.OutcomeOK), sum.Count(feeds.OutcomeNotModified),
		sum.Count(feeds.OutcomeError), sum.Count(feeds.OutcomeGone), stored, changed, tagged.Load())
	return err
}
