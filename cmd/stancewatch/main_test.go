package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stancewatch/stancewatch/internal/pgtest"
)

var pg *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }

type result struct {
	code           int
	stdout, stderr string
}

// runWith runs the CLI in-process with env as the whole environment.
func runWith(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runCLI(context.Background(), args, &cli{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return env[k] }, version: "test",
	})
	return result{code, out.String(), errOut.String()}
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": pg.NewEmptyDatabase(t)}
	r := runWith(t, env, "", "migrate")
	if r.code != 0 || !strings.Contains(r.stdout, "applied 001_schema.sql") {
		t.Fatalf("first migrate: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	r = runWith(t, env, "", "migrate")
	if r.code != 0 || !strings.Contains(r.stdout, "schema is current") {
		t.Fatalf("second migrate: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}

func TestMigrateUnreachableDatabase(t *testing.T) {
	t.Parallel()
	r := runWith(t, map[string]string{"DATABASE_URL": "postgres://sw@127.0.0.1:1/sw?connect_timeout=2"}, "", "migrate")
	if r.code != 1 || !strings.Contains(r.stderr, "127.0.0.1:1") || !strings.Contains(r.stderr, "hint:") {
		t.Fatalf("exit %d, stderr %q: want 1 and a message naming the host with a hint", r.code, r.stderr)
	}
}

func TestMigrateWithoutDatabase(t *testing.T) {
	t.Parallel()
	r := runWith(t, nil, "", "migrate")
	if r.code != 1 || !strings.Contains(r.stderr, "DATABASE_URL") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("poll:\n  workers: 3\n"), 0o600)
	os.WriteFile(bad, []byte("poll:\n  workerz: 3\n"), 0o600)
	env := map[string]string{"DATABASE_URL": "postgres://u:topsecret@db/x"}

	r := runWith(t, env, "", "--config", good, "config", "check")
	if r.code != 0 || !strings.Contains(r.stdout, "workers: 3") || strings.Contains(r.stdout, "topsecret") {
		t.Fatalf("good file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runWith(t, env, "", "config", "check", "--config", bad)
	if r.code != 1 || !strings.Contains(r.stderr, `unknown key "workerz"`) {
		t.Fatalf("bad file: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	r := runWith(t, nil, "", "frobnicate")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}
