package daemon

import (
	"context"
	"errors"
	"time"

	"github.com/stancewatch/stancewatch/digest"
	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/ingest"
	"github.com/stancewatch/stancewatch/store"
)

// Advisory lock keys of the jobs that exactly one replica may run at a
// time ("stancewatch" in ASCII plus a job number, to stay clear of keys
// other applications on the database might use).
const (
	lockDigest       int64 = 0x7374616e63650001
	lockHousekeeping int64 = 0x7374616e63650002
	lockRetag        int64 = 0x7374616e63650003
)

// Outcomes of a job run besides "failed".
const (
	jobDone    = "done"
	jobSkipped = "skipped" // another replica holds the job, or nothing was due
)

// jobs are the scheduled jobs of one daemon.
type jobs struct {
	d     *Daemon
	store *store.Store
	pipe  *ingest.Pipeline
}

func (d *Daemon) newJobs(st *store.Store) *jobs {
	pipe := ingest.New(st, d.engine, ingest.Options{
		Poll: d.cfg.Poll, RetagBatchSize: d.cfg.Tagger.RetagBatchSize, Version: d.version, Logger: d.log,
		OnTagged: func(n int, took time.Duration) {
			d.metrics.articlesTagged.Add(float64(n))
			d.metrics.tagDuration.Observe(took.Seconds())
		},
	})
	return &jobs{d: d, store: st, pipe: pipe}
}

// poll polls the due feeds. Several replicas poll at once: feeds are
// claimed with SKIP LOCKED, so no lock is needed here.
func (j *jobs) poll(ctx context.Context) (string, error) {
	sum, err := j.pipe.Poller.PollDue(ctx)
	j.d.metrics.observePoll(sum, err)
	if c, cerr := j.store.CountFeeds(ctx); cerr == nil {
		j.d.metrics.feedsDisabled.Set(float64(c.Disabled))
	}
	if len(sum.Feeds) > 0 {
		stored, changed := sum.Articles()
		j.d.log.Info("poll cycle", "feeds", len(sum.Feeds), "ok", sum.Count(feeds.OutcomeOK), "not_modified", sum.Count(feeds.OutcomeNotModified),
			"failed", sum.Count(feeds.OutcomeError), "gone", sum.Count(feeds.OutcomeGone), "new", stored, "updated", changed,
			"ms", sum.Duration.Milliseconds())
	}
	if err != nil {
		return "", err
	}
	if len(sum.Feeds) == 0 {
		return jobSkipped, nil
	}
	return jobDone, nil
}

// retag re-tags the articles the current rules have not tagged (after a
// rules change, or articles whose tagging failed). One replica at a time.
func (j *jobs) retag(ctx context.Context) (string, error) {
	n := 0
	ran, err := j.store.TryExclusive(ctx, lockRetag, func(ctx context.Context) error {
		var err error
		n, err = j.pipe.Tagging.Retag(ctx, time.Time{})
		return err
	})
	if err != nil {
		return "", err
	}
	if !ran || n == 0 {
		return jobSkipped, nil
	}
	return jobDone, nil
}

// digest writes the previous day's digest, once: one replica at a time,
// and not again once a digest made after the day ended is stored. A
// digest made during the day (by `stancewatch digest`, say) is replaced
// by the complete one.
func (j *jobs) digest(ctx context.Context) (string, error) {
	loc := j.d.cfg.Location()
	day := digest.Yesterday(time.Now(), loc)
	made := false
	ran, err := j.store.TryExclusive(ctx, lockDigest, func(ctx context.Context) error {
		prev, err := j.store.GetDigest(ctx, day.Date())
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case !prev.GeneratedAt.Before(day.End()):
			return nil // done already
		}
		start := time.Now()
		_, err = digest.Generate(ctx, j.store, day, digest.Options{
			OutDir: j.d.cfg.Digest.OutDir, FeedSize: j.d.cfg.Digest.FeedSize, BaseURL: j.d.cfg.Digest.BaseURL,
			Logger: j.d.log,
		})
		if err != nil {
			return err
		}
		j.d.metrics.digestDuration.Observe(time.Since(start).Seconds())
		made = true
		return nil
	})
	if err != nil {
		return "", err
	}
	if !ran || !made {
		return jobSkipped, nil
	}
	return jobDone, nil
}

// housekeeping applies the retention settings. One replica at a time.
func (j *jobs) housekeeping(ctx context.Context) (string, error) {
	hk := j.d.cfg.Housekeeping
	ran, err := j.store.TryExclusive(ctx, lockHousekeeping, func(ctx context.Context) error {
		now := time.Now()
		var html, polls int64
		var err error
		if hk.KeepHTMLDays > 0 {
			if html, err = j.store.DropOldHTML(ctx, now.AddDate(0, 0, -hk.KeepHTMLDays)); err != nil {
				return err
			}
		}
		if hk.KeepPollLogDays > 0 {
			if polls, err = j.store.DeletePollLog(ctx, now.AddDate(0, 0, -hk.KeepPollLogDays)); err != nil {
				return err
			}
		}
		j.d.log.Info("housekeeping", "html_dropped", html, "poll_log_deleted", polls)
		return nil
	})
	if err != nil {
		return "", err
	}
	if !ran {
		return jobSkipped, nil
	}
	return jobDone, nil
}
