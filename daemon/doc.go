// Package daemon is `stancewatch run`: it schedules the jobs, keeps
// replicas from running the same one-at-a-time job twice, shuts down
// gracefully and serves the HTTP endpoints. The work of the jobs lives
// elsewhere; this package only decides when it runs.
//
//   - daemon.go: start-up (configuration, rules, waiting for the
//     database, migrations), the cron schedule and shutdown;
//   - jobs.go: the four jobs. poll and retag run the pipeline of package
//     ingest, built once with ingest.New; digest calls package digest;
//     housekeeping calls store. digest, retag and housekeeping take a
//     PostgreSQL advisory lock so that one replica runs them at a time;
//     polling needs none, feeds being claimed with SKIP LOCKED;
//   - http.go: /healthz, /readyz, /metrics and /digests/;
//   - metrics.go: the Prometheus metrics.
//
// Only package main (cmd/stancewatch) imports daemon.
package daemon
