// Package store is stancewatch's PostgreSQL layer: every SQL statement the
// application runs lives here or in migrations. It knows nothing of its
// callers; they pass plain values in and get plain values back.
package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is a pool of connections to one stancewatch database.
type Store struct {
	pool *pgxpool.Pool
}

// Options tune the pool; zero values mean pgx's defaults.
type Options struct {
	MaxConns int
}

// Open connects to the database at connString (URL or key=value form) and
// checks that it answers.
func Open(ctx context.Context, connString string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = int32(opts.MaxConns)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	reset := &resetOnBrokenConn{}
	cfg.ConnConfig.Tracer = reset
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	reset.pool.Store(pool)
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, ConnectError(cfg.ConnConfig.Config, err)
	}
	return &Store{pool: pool}, nil
}

// resetOnBrokenConn empties the pool when a connection comes back broken.
// When the server restarts or an administrator ends the sessions, every
// idle connection in the pool is dead too, and pgxpool would hand each of
// them out once, failing one query per pooled connection; after a reset
// only the query that met the first dead connection fails. A query
// cancelled by its context also closes its connection and so resets the
// pool needlessly: that costs only reconnects, and is rare here.
type resetOnBrokenConn struct {
	pool atomic.Pointer[pgxpool.Pool]
}

func (r *resetOnBrokenConn) TraceRelease(_ *pgxpool.Pool, data pgxpool.TraceReleaseData) {
	if data.Conn.IsClosed() {
		if p := r.pool.Load(); p != nil {
			p.Reset()
		}
	}
}

func (*resetOnBrokenConn) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (*resetOnBrokenConn) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Close closes every connection in the pool.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Pool is the underlying pool, for tests and tools that need raw access.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// ConnectError turns a failed connection into a message that says where
// stancewatch tried to connect and what to check.
func ConnectError(cfg pgconn.Config, err error) error {
	where := fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	if len(cfg.Host) > 0 && cfg.Host[0] == '/' {
		where = fmt.Sprintf("socket %s/.s.PGSQL.%d", cfg.Host, cfg.Port)
	}
	hint := "check that PostgreSQL is running there and that DATABASE_URL (or database.url) is right"
	var pgErr *pgconn.PgError
	var netErr net.Error
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "3D000":
		hint = fmt.Sprintf("database %q does not exist: create it with `createdb %s`", cfg.Database, cfg.Database)
	case errors.As(err, &pgErr) && (pgErr.Code == "28P01" || pgErr.Code == "28000"):
		hint = fmt.Sprintf("authentication failed for user %q: check the user and password in DATABASE_URL", cfg.User)
	case errors.As(err, &netErr) && netErr.Timeout():
		hint = "the connection timed out: check the host, port and any firewall in between"
	}
	return fmt.Errorf("cannot connect to PostgreSQL at %s (database %q, user %q): %w\n  hint: %s",
		where, cfg.Database, cfg.User, err, hint)
}
