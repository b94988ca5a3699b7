package main

import (
	"os"
	"path/filepath"
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
