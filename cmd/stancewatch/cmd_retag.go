package main

import (
	"context"
	"fmt"
	"time"

	"github.com/stancewatch/stancewatch/ingest"
)

func cmdRetag(ctx context.Context, c *cli, args []string) error {
	fl := c.flags("retag")
	rules := rulesFlag(fl)
	sinceFlag := fl.String("since", "", "only articles published on or after this date (YYYY-MM-DD, UTC) or time (RFC 3339)")
	dryRun := fl.Bool("dry-run", false, "only count the articles that are due")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: stancewatch retag [--since DATE] [--dry-run] [--rules DIR]\n\n"+
			"Re-tags stored articles that are due: never tagged, tagged by other rules, or changed\n"+
			"since. Works in batches (tagger.retag_batch_size), each in its own short transaction;\n"+
			"safe to interrupt and run again, and to run while the daemon polls.\n\n")
		fl.PrintDefaults()
	}
	if pos, err := parseArgs(fl, args); err != nil {
		return err
	} else if len(pos) > 0 {
		fl.Usage()
		return errUsage
	}
	var since time.Time
	if *sinceFlag != "" {
		var err error
		if since, err = parseSince(*sinceFlag); err != nil {
			fmt.Fprintf(c.stderr, "stancewatch retag: --since %q: want a date (2025-12-01) or an RFC 3339 time\n", *sinceFlag)
			return errUsage
		}
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	eng, err := c.engine(*rules)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c, 2)
	if err != nil {
		return err
	}
	defer st.Close()
	if *dryRun {
		n, err := st.CountPendingArticles(ctx, eng.Version(), since)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%d articles are due for tagging under rules version %s\n", n, eng.Version())
		return nil
	}
	done, last := 0, time.Now()
	pipe := ingest.New(st, eng, ingest.Options{
		Poll: cfg.Poll, RetagBatchSize: cfg.Tagger.RetagBatchSize, Version: c.version, Logger: c.log,
		OnTagged: func(n int, _ time.Duration) {
			done += n
			if time.Since(last) >= 5*time.Second {
				c.log.Info("retag: progress", "articles", done)
				last = time.Now()
			}
		},
	})
	defer pipe.Close()
	n, err := pipe.Tagging.Retag(ctx, since)
	fmt.Fprintf(c.stdout, "re-tagged %d articles (rules version %s)\n", n, eng.Version())
	return err
}

// parseSince reads a date (midnight UTC) or an RFC 3339 time.
func parseSince(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}
