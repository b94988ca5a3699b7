package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The directory cache hands back what was put, nothing for an unknown
// key, and removes files left unused for a week when it writes.
func TestDirCache(t *testing.T) {
	c := dirCache{filepath.Join(t.TempDir(), "rules")}
	if got := c.Get("missing"); got != nil {
		t.Fatalf("Get of a missing key: %q, want nil", got)
	}
	c.Put("a", []byte("compiled a"))
	if got := string(c.Get("a")); got != "compiled a" {
		t.Fatalf("Get(a) = %q", got)
	}
	old := time.Now().Add(-cacheMaxAge - time.Hour)
	if err := os.Chtimes(c.path("a"), old, old); err != nil {
		t.Fatal(err)
	}
	c.Put("b", []byte("compiled b"))
	if got := c.Get("a"); got != nil {
		t.Errorf("a file unused for longer than %v was kept", cacheMaxAge)
	}
	if got := string(c.Get("b")); got != "compiled b" {
		t.Errorf("Get(b) = %q", got)
	}
	// A Get marks the file used, so that pruning keeps it.
	if err := os.Chtimes(c.path("b"), old, old); err != nil {
		t.Fatal(err)
	}
	c.Get("b")
	c.Put("c", []byte("compiled c"))
	if c.Get("b") == nil {
		t.Error("a file read just before was pruned")
	}
	// Nothing is left behind from writing.
	files, _ := filepath.Glob(filepath.Join(c.dir, "tmp-*"))
	if len(files) > 0 {
		t.Errorf("temporary files left: %v", files)
	}
}

// The build ID keys the cache: a binary without one would share cached
// rules between builds, so stancewatch must find its own.
func TestBuildID(t *testing.T) {
	if id := buildID(); len(id) < 20 {
		t.Fatalf("build ID %q: the running binary's Go build ID was not found", id)
	}
}

// The commands keep compiled rules in the cache directory they are given
// and read them back; STANCEWATCH_RULES_CACHE=off, or no directory,
// keeps none.
func TestTagUsesRulesCache(t *testing.T) {
	input := `{"id":"a","title":"Peace talks stall","body":"Talks on Ukraine stalled in Geneva."}` + "\n"
	run := func(env map[string]string, dir string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		c := &cli{stdin: strings.NewReader(input), stdout: &out, stderr: &errOut,
			getenv: func(k string) string { return env[k] }, version: "test"}
		if dir != "" {
			c.userCacheDir = func() (string, error) { return dir, nil }
		}
		if code := runCLI(context.Background(), []string{"tag"}, c); code != 0 {
			t.Fatalf("tag exited %d: %s", code, errOut.String())
		}
		return out.String()
	}
	files := func(dir string) []string {
		f, _ := filepath.Glob(filepath.Join(dir, "stancewatch", "rules", "*.rules"))
		return f
	}
	dir := t.TempDir()
	first := run(nil, dir)
	if len(files(dir)) != 1 {
		t.Fatalf("cache files after the first run: %v, want one", files(dir))
	}
	if second := run(nil, dir); second != first {
		t.Errorf("output with the rules read from the cache differs:\n%s\nwant\n%s", second, first)
	}
	off := t.TempDir()
	if got := run(map[string]string{"STANCEWATCH_RULES_CACHE": "off"}, off); got != first || len(files(off)) != 0 {
		t.Errorf("with the cache off: %d cache files, output same %v", len(files(off)), got == first)
	}
	if got := run(nil, ""); got != first {
		t.Error("output without a cache directory differs")
	}
}
