package pgcluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestClusterLifecycle is situation (c) of `make test`: server binaries
// installed, a private cluster started, reused, stopped and restarted.
func TestClusterLifecycle(t *testing.T) {
	if _, err := BinDir(); errors.Is(err, ErrNoBinaries) {
		if os.Getenv("DATABASE_URL") != "" {
			t.Skip("no server binaries here; the tests use DATABASE_URL instead")
		}
		t.Fatalf("%v\ninstall them with: %s", err, InstallHint)
	}
	ctx := context.Background()
	parent, err := os.MkdirTemp("", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	// The server may run as another user (postgres, when we are root).
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "data")
	var c *Cluster
	t.Cleanup(func() {
		if c != nil {
			_ = c.Stop()
		}
		os.RemoveAll(parent)
	})

	c, err = Ensure(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	query := func(c *Cluster) {
		t.Helper()
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err != nil {
			t.Fatalf("connect to cluster: %v", err)
		}
		defer conn.Close(ctx)
		var one int
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("SELECT 1 = %d, %v", one, err)
		}
	}
	query(c)

	again, err := Ensure(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Port != c.Port {
		t.Errorf("second Ensure on a running cluster started another server (port %d, was %d)", again.Port, c.Port)
	}

	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	restarted, err := Ensure(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c = restarted
	query(c)
	if restarted.Port != again.Port {
		t.Logf("port changed across restart (%d -> %d): the old one was taken", again.Port, restarted.Port)
	}
}
