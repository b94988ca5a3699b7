// Command devdb prints the connection string of a development database for
// `make demo` and `make run`, bringing PostgreSQL up first if needed:
//
//  1. DATABASE_URL, when set, is printed as it is;
//  2. else a server on 127.0.0.1:5432 (user postgres, or PGUSER) gets a
//     database named stancewatch_demo;
//  3. else a cluster under .data/pg (created on first use, kept between
//     runs) gets a database named stancewatch.
//
// Otherwise it fails with the command that installs PostgreSQL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stancewatch/stancewatch/internal/pgcluster"
)

func main() {
	dataDir := flag.String("data", ".data/pg", "directory of the project-local cluster")
	stop := flag.Bool("stop", false, "stop the project-local cluster and exit")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if *stop {
		c, err := pgcluster.Attach(*dataDir)
		if err != nil {
			fail(err)
		}
		if err := c.Stop(); err != nil {
			fail(err)
		}
		return
	}
	url, err := devURL(ctx, *dataDir)
	if err != nil {
		fail(err)
	}
	fmt.Println(url)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "devdb:", err)
	os.Exit(1)
}

func devURL(ctx context.Context, dataDir string) (string, error) {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u, nil
	}
	user := "postgres"
	if u := os.Getenv("PGUSER"); u != "" {
		user = u
	}
	local := fmt.Sprintf("postgres://%s@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=3", user)
	if err := ensureDatabase(ctx, local, "stancewatch_demo"); err == nil {
		return pgcluster.WithDatabase(local, "stancewatch_demo"), nil
	}
	c, err := pgcluster.Ensure(ctx, dataDir, pgcluster.Options{Durable: true})
	if errors.Is(err, pgcluster.ErrNoBinaries) {
		return "", fmt.Errorf("no PostgreSQL: DATABASE_URL is unset, nothing answers on 127.0.0.1:5432, and %v\n  install it with: %s", err, pgcluster.InstallHint)
	}
	if err != nil {
		return "", err
	}
	fmt.Fprintf(os.Stderr, "devdb: PostgreSQL cluster in %s on 127.0.0.1:%d (stop it with `make stop-db`)\n", c.Dir, c.Port)
	if err := ensureDatabase(ctx, c.URL("postgres"), "stancewatch"); err != nil {
		return "", err
	}
	return c.URL("stancewatch"), nil
}

func ensureDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // already exists
		return nil
	}
	return err
}
