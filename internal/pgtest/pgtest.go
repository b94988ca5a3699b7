// Package pgtest gives tests real PostgreSQL databases. It finds a server
// in this order:
//
//  1. STANCEWATCH_TEST_DATABASE_URL or DATABASE_URL (a role that may
//     CREATE DATABASE);
//  2. a server on 127.0.0.1:5432 (user postgres, or PGUSER);
//  3. a throwaway cluster in a temporary directory, started from the
//     installed server binaries and stopped afterwards;
//
// and otherwise fails at once, naming the command that installs
// PostgreSQL. STANCEWATCH_TEST_PG=cluster skips 1 and 2.
//
// Each test package migrates one template database; each test gets a
// clone of it (CREATE DATABASE ... TEMPLATE), dropped when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stancewatch/stancewatch/internal/pgcluster"
	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/store/storetest"
)

// Server is a PostgreSQL server the tests of one package use.
type Server struct {
	AdminURL string // connection string with the right to create databases
	Kind     string // "env", "local" or "cluster": how it was found

	admin    *pgxpool.Pool
	cluster  *pgcluster.Cluster
	tmpDir   string
	template string
}

// Main runs a package's tests against a server it finds or starts; use it
// as `func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &srv)) }`.
func Main(m *testing.M, srv **Server) int {
	s, err := Start(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	*srv = s
	code := m.Run()
	s.Close()
	return code
}

// Start finds or starts a server and prepares the migrated template.
func Start(ctx context.Context) (*Server, error) {
	s, err := find(ctx)
	if err != nil {
		return nil, err
	}
	s.template = "sw_tpl_" + randomSuffix()
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+s.template); err != nil {
		s.Close()
		return nil, fmt.Errorf("create template database on %s server: %w", s.Kind, err)
	}
	if _, err := store.Migrate(ctx, pgcluster.WithDatabase(s.AdminURL, s.template)); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate template database: %w", err)
	}
	return s, nil
}

func find(ctx context.Context) (*Server, error) {
	var tried []string
	forceCluster := os.Getenv("STANCEWATCH_TEST_PG") == "cluster"
	if forceCluster {
		tried = append(tried, "STANCEWATCH_TEST_PG=cluster: servers already running were not tried")
	} else {
		tried = append(tried, "DATABASE_URL: unset")
		for _, name := range []string{"STANCEWATCH_TEST_DATABASE_URL", "DATABASE_URL"} {
			u := os.Getenv(name)
			if u == "" {
				continue
			}
			pool, err := connect(ctx, u)
			if err != nil {
				return nil, fmt.Errorf("%s is set but: %w", name, err)
			}
			return &Server{AdminURL: u, Kind: "env", admin: pool}, nil
		}
		users := []string{"postgres"}
		if u := os.Getenv("PGUSER"); u != "" {
			users = []string{u}
		}
		for _, user := range users {
			u := fmt.Sprintf("postgres://%s@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=3", user)
			pool, err := connect(ctx, u)
			if err == nil {
				return &Server{AdminURL: u, Kind: "local", admin: pool}, nil
			}
			tried = append(tried, fmt.Sprintf("127.0.0.1:5432 as %s: %v", user, err))
		}
	}
	dir, err := os.MkdirTemp("", "stancewatch-pg-")
	if err != nil {
		return nil, err
	}
	c, err := pgcluster.Ensure(ctx, dir, pgcluster.Options{})
	if err != nil {
		os.RemoveAll(dir)
		if errors.Is(err, pgcluster.ErrNoBinaries) {
			tried = append(tried, err.Error())
			return nil, fmt.Errorf("no PostgreSQL for the tests.\n  tried:\n    %s\n  install the server with:\n    %s",
				strings.Join(tried, "\n    "), pgcluster.InstallHint)
		}
		return nil, fmt.Errorf("start a throwaway PostgreSQL cluster: %w", err)
	}
	u := c.URL("postgres")
	pool, err := connect(ctx, u)
	if err != nil {
		_ = c.Stop()
		os.RemoveAll(dir)
		return nil, err
	}
	return &Server{AdminURL: u, Kind: "cluster", admin: pool, cluster: c, tmpDir: dir}, nil
}

func connect(ctx context.Context, connString string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, err
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, store.ConnectError(cfg.ConnConfig.Config, err)
	}
	return pool, nil
}

// Close drops the template and stops a cluster Start started.
func (s *Server) Close() {
	ctx := context.Background()
	if s.template != "" {
		_, _ = s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+s.template+" WITH (FORCE)")
	}
	s.admin.Close()
	if s.cluster != nil {
		_ = s.cluster.Stop()
		os.RemoveAll(s.tmpDir)
	}
}

// NewDatabase returns the connection string of a fresh, migrated database
// that is dropped when t ends.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	return s.create(t, s.template)
}

// NewEmptyDatabase returns a fresh database with no schema, for tests of
// migrations themselves.
func (s *Server) NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	return s.create(t, "template0")
}

func (s *Server) create(t testing.TB, template string) string {
	t.Helper()
	ctx := context.Background()
	name := "sw_t_" + randomSuffix()
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		_, err = s.admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template)
		var pgErr *pgconn.PgError
		// 55006: the template still has a session (a migrate connection
		// closing); it goes away within milliseconds.
		if errors.As(err, &pgErr) && pgErr.Code == "55006" {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		break
	}
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		_, err := s.admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		if err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return pgcluster.WithDatabase(s.AdminURL, name)
}

// NewStore opens a store on a fresh migrated database, closed when t ends.
func (s *Server) NewStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), s.NewDatabase(t), store.Options{MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// Conn opens a single connection to connString, closed when t ends.
func Conn(t testing.TB, connString string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), connString)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// EndSessions ends every session on the database connString names, as a
// server restart or an administrator would.
func (s *Server) EndSessions(t testing.TB, connString string) {
	t.Helper()
	cfg, err := pgconn.ParseConfig(connString)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.admin.Exec(context.Background(),
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
		cfg.Database); err != nil {
		t.Fatal(err)
	}
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// SyntheticStore opens the benchmark database name, kept on the server
// between runs: created and migrated when needed, and loaded once with
// the synthetic corpus o (see storetest.LoadSynthetic; a few minutes for
// 1,000,000 articles). A throwaway cluster loads it every time.
func (s *Server) SyntheticStore(b testing.TB, name string, o storetest.SyntheticOptions) *store.Store {
	b.Helper()
	ctx := context.Background()
	var exists bool
	if err := s.admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		b.Fatal(err)
	}
	if !exists {
		if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			b.Fatal(err)
		}
	}
	url := pgcluster.WithDatabase(s.AdminURL, name)
	if _, err := store.Migrate(ctx, url); err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(ctx, url, store.Options{MaxConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(st.Close)
	began := time.Now()
	loaded, err := storetest.LoadSynthetic(ctx, st, o)
	if err != nil {
		b.Fatal(err)
	}
	if loaded {
		b.Logf("loaded %d synthetic articles into %s in %s (kept for the next runs)", o.Articles, name, time.Since(began).Round(time.Second))
	}
	return st
}
