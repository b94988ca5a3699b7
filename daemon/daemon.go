package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/stancewatch/stancewatch/config"
	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/tagger"
)

// Options configure a Daemon.
type Options struct {
	Config  config.Config
	Version string // the binary's version, for the User-Agent and metrics
	Logger  *slog.Logger
	// Listener, when set, serves the HTTP endpoints instead of a listener
	// on Config.HTTP.Listen (tests pass one on a free port).
	Listener net.Listener
}

// Daemon is `stancewatch run`: the scheduled jobs, the HTTP endpoints and
// the database connection they share.
type Daemon struct {
	cfg      config.Config
	version  string
	log      *slog.Logger
	engine   *tagger.Engine
	metrics  *metrics
	listener net.Listener

	mu    sync.Mutex
	store *store.Store // nil until connected and migrated
}

// New checks what can be checked before any I/O: the configuration is
// valid and the rules load. A bad rule file stops the daemon here, with the
// file and line, rather than at the first article.
func New(opts Options) (*Daemon, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	if err := opts.Config.HTTP.CheckExposure(); err != nil {
		return nil, err
	}
	eng, err := tagger.Load(tagger.FromDir(opts.Config.Tagger.RulesDir))
	if err != nil {
		return nil, fmt.Errorf("tagger rules: %w", err)
	}
	d := &Daemon{cfg: opts.Config, version: opts.Version, log: log, engine: eng, metrics: newMetrics(), listener: opts.Listener}
	d.metrics.buildInfo.WithLabelValues(opts.Version, eng.Version()).Set(1)
	return d, nil
}

func (d *Daemon) currentStore() *store.Store {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.store
}

// Run serves the HTTP endpoints, connects to the database (waiting for it
// if it is not up yet), applies migrations and runs the scheduled jobs
// until ctx is cancelled. Then it stops scheduling, lets running jobs
// finish within shutdown.timeout, cancels those still running, closes the
// pool and returns nil. It returns an error when it cannot start: the
// listener's address is taken, or the database schema is newer than this
// binary.
func (d *Daemon) Run(ctx context.Context) error {
	srv, err := d.serveHTTP()
	if err != nil {
		return err
	}
	defer d.stopHTTP(srv)

	st, err := d.connect(ctx)
	if err != nil {
		if ctx.Err() != nil {
			d.log.Info("stopped before the database was reached")
			return nil
		}
		return err
	}
	defer st.Close()
	d.mu.Lock()
	d.store = st
	d.mu.Unlock()

	if err := d.addConfiguredFeeds(ctx, st); err != nil {
		// Not fatal: the feeds already stored are polled all the same.
		d.log.Error("adding the configured feeds", "err", err)
	}

	// Jobs run on a context of their own: shutdown lets them finish
	// before it cancels them.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	jobs := d.newJobs(st)
	sched, atStart, err := d.schedule(jobCtx, jobs)
	if err != nil {
		return err
	}
	sched.Start()
	// The start-up runs go one after the other: the catch-up digest
	// should see what the first poll stored and tagged.
	var startWG sync.WaitGroup
	startWG.Add(1)
	go func() {
		defer startWG.Done()
		for _, run := range atStart {
			if ctx.Err() != nil {
				return
			}
			run()
		}
	}()
	d.log.Info("stancewatch running", "version", d.version, "rules_version", d.engine.Version(),
		"timezone", d.cfg.Timezone, "poll", d.cfg.Poll.Schedule, "digest", d.cfg.Digest.Schedule)

	<-ctx.Done()
	d.log.Info("shutting down: no new jobs; waiting for running ones", "timeout", d.cfg.Shutdown.Timeout)
	stopped := sched.Stop()
	done := make(chan struct{})
	go func() { <-stopped.Done(); startWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d.cfg.Shutdown.Timeout):
		d.log.Warn("jobs still running at the shutdown deadline; cancelling them")
		cancelJobs()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			d.log.Error("jobs did not stop after cancellation; exiting anyway")
		}
	}
	d.log.Info("stopped")
	return nil
}

// connect applies the migrations and opens the pool, retrying with
// back-off while the database cannot be reached: a daemon started before
// its database (compose, Kubernetes, boot order) waits for it. A schema
// newer than the binary is not retried.
func (d *Daemon) connect(ctx context.Context) (*store.Store, error) {
	url := d.cfg.Database.URL
	if url == "" {
		return nil, errors.New("no database configured: set DATABASE_URL or database.url")
	}
	wait := time.Second
	for {
		st, err := d.open(ctx, url)
		if err == nil {
			return st, nil
		}
		if errors.Is(err, store.ErrSchemaNewer) || ctx.Err() != nil {
			return nil, err
		}
		d.log.Error("database not ready; retrying", "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

func (d *Daemon) open(ctx context.Context, url string) (*store.Store, error) {
	res, err := store.Migrate(ctx, url)
	if err != nil {
		return nil, err
	}
	if len(res.Applied) > 0 {
		d.log.Info("migrations applied", "from", res.From, "to", res.To, "files", res.Applied)
	}
	return store.Open(ctx, url, store.Options{MaxConns: d.cfg.Database.MaxConns})
}

func (d *Daemon) addConfiguredFeeds(ctx context.Context, st *store.Store) error {
	if len(d.cfg.Feeds) == 0 {
		return nil
	}
	nfs := make([]store.NewFeed, len(d.cfg.Feeds))
	for i, f := range d.cfg.Feeds {
		nfs[i] = store.NewFeed{URL: f.URL, Name: f.Name, FullText: f.FullText}
	}
	added, err := st.AddFeeds(ctx, nfs)
	if err != nil {
		return err
	}
	if len(added) > 0 {
		d.log.Info("feeds added from the configuration", "added", len(added), "listed", len(nfs))
	}
	return nil
}

// schedule puts the jobs on a cron scheduler in the configured time zone.
// Every job is wrapped SkipIfStillRunning then Recover: in that order a
// panic is logged and the next tick runs again (the other order, in cron
// v3.0.1, leaves the job marked as running forever). atStart are the
// wrapped jobs to run once at start-up as well: polling and re-tagging
// should not wait for their first tick, and a digest missed while the
// daemon was down is caught up.
func (d *Daemon) schedule(ctx context.Context, j *jobs) (*cron.Cron, []func(), error) {
	l := cronLogger{d.log}
	c := cron.New(
		cron.WithLocation(d.cfg.Location()),
		cron.WithParser(config.CronParser()),
		cron.WithLogger(l),
		cron.WithChain(cron.SkipIfStillRunning(l), cron.Recover(l)),
	)
	var atStart []func()
	for _, js := range []struct {
		name, spec string
		run        func(context.Context) (string, error)
		atStart    bool
	}{
		{"poll", d.cfg.Poll.Schedule, j.poll, true},
		{"retag", d.cfg.Tagger.RetagSchedule, j.retag, true},
		{"digest", d.cfg.Digest.Schedule, j.digest, true},
		{"housekeeping", d.cfg.Housekeeping.Schedule, j.housekeeping, false},
	} {
		id, err := c.AddFunc(js.spec, d.wrap(ctx, js.name, js.run))
		if err != nil {
			return nil, nil, fmt.Errorf("schedule %s %q: %w", js.name, js.spec, err)
		}
		if js.atStart {
			atStart = append(atStart, c.Entry(id).WrappedJob.Run)
		}
	}
	return c, atStart, nil
}

// wrap turns a job into a cron func that logs its outcome once and
// counts it.
func (d *Daemon) wrap(ctx context.Context, name string, run func(context.Context) (string, error)) func() {
	return func() {
		if ctx.Err() != nil {
			return
		}
		start := time.Now()
		outcome, err := run(ctx)
		if err != nil {
			outcome = "failed"
			d.log.Error("job failed", "job", name, "ms", time.Since(start).Milliseconds(), "err", err)
		}
		d.metrics.jobRuns.WithLabelValues(name, outcome).Inc()
	}
}

// cronLogger adapts cron's logger to slog. cron reports every wake-up and
// run through Info, which is debug detail here, except a skipped run.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, keysAndValues ...any) {
	if msg == "skip" {
		l.log.Info("cron: a run was skipped because the previous one is still running", keysAndValues...)
		return
	}
	l.log.Debug("cron: "+msg, keysAndValues...)
}

func (l cronLogger) Error(err error, msg string, keysAndValues ...any) {
	l.log.Error("cron: "+msg, append(keysAndValues, "err", err)...)
}

func (d *Daemon) stopHTTP(srv *http.Server) {
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
