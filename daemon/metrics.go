package daemon

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/ingest"
)

// metrics are the daemon's Prometheus metrics, on a registry of its own
// so that several daemons in one process (the tests) do not collide.
type metrics struct {
	registry *prometheus.Registry

	polls           *prometheus.CounterVec // feed polls by outcome
	pollErrors      *prometheus.CounterVec // failed feed polls and failed cycles, by kind
	articles        *prometheus.CounterVec // articles stored, by kind (new, updated)
	articlesTagged  prometheus.Counter
	tagDuration     prometheus.Histogram
	digestDuration  prometheus.Histogram
	feedsDisabled   prometheus.Gauge
	lastPollSuccess prometheus.Gauge
	jobRuns         *prometheus.CounterVec // scheduled job runs by job and outcome
	databaseUp      prometheus.Gauge
	buildInfo       *prometheus.GaugeVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stancewatch_polls_total",
			Help: "Feed polls by outcome (ok, not_modified, error, gone).",
		}, []string{"outcome"}),
		pollErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stancewatch_poll_errors_total",
			Help: "Poll failures: kind=feed for a feed that failed (fetch or parse), kind=database for a poll cycle the database broke off.",
		}, []string{"kind"}),
		articles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stancewatch_articles_ingested_total",
			Help: "Articles stored: kind=new for first seen, kind=updated for a changed title or text.",
		}, []string{"kind"}),
		articlesTagged: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "stancewatch_articles_tagged_total",
			Help: "Articles tagged and saved (new ones and re-tagged ones).",
		}),
		tagDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "stancewatch_tag_duration_seconds",
			Help:    "Time the tagger took per batch of articles (without the database).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10),
		}),
		digestDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "stancewatch_digest_duration_seconds",
			Help:    "Time to build, store and write one daily digest.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 10),
		}),
		feedsDisabled: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "stancewatch_feeds_disabled",
			Help: "Feeds that are disabled (gone, too many errors, or by hand), as of the last poll cycle.",
		}),
		lastPollSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "stancewatch_last_successful_poll_timestamp_seconds",
			Help: "Unix time at which the last poll cycle finished without a database error.",
		}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stancewatch_job_runs_total",
			Help: "Scheduled job runs by job (poll, retag, digest, housekeeping) and outcome (done, failed, skipped: another replica had the job's lock or there was nothing to do).",
		}, []string{"job", "outcome"}),
		databaseUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "stancewatch_database_up",
			Help: "1 when the last readiness check reached the database with a current schema, else 0.",
		}),
		buildInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "stancewatch_build_info",
			Help: "Always 1; labels give the binary's version and the tagger rules' version.",
		}, []string{"version", "rules_version"}),
	}
	m.registry.MustRegister(m.polls, m.pollErrors, m.articles, m.articlesTagged, m.tagDuration,
		m.digestDuration, m.feedsDisabled, m.lastPollSuccess, m.jobRuns, m.databaseUp, m.buildInfo,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Series that exist before their first event, so that rate() and
	// alerts see zeros rather than nothing.
	for _, o := range feeds.Outcomes() {
		m.polls.WithLabelValues(string(o))
	}
	for _, k := range []string{"feed", "database"} {
		m.pollErrors.WithLabelValues(k)
	}
	for _, k := range []string{"new", "updated"} {
		m.articles.WithLabelValues(k)
	}
	return m
}

// observePoll records one poll cycle.
func (m *metrics) observePoll(sum ingest.PollSummary, err error) {
	for _, f := range sum.Feeds {
		m.polls.WithLabelValues(string(f.Outcome)).Inc()
		if f.Outcome == feeds.OutcomeError || f.Outcome == feeds.OutcomeGone {
			m.pollErrors.WithLabelValues("feed").Inc()
		}
	}
	stored, changed := sum.Articles()
	m.articles.WithLabelValues("new").Add(float64(stored))
	m.articles.WithLabelValues("updated").Add(float64(changed))
	if err != nil {
		m.pollErrors.WithLabelValues("database").Inc()
		return
	}
	m.lastPollSuccess.SetToCurrentTime()
}
