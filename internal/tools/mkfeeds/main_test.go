package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedOutputIsCurrent regenerates the sample feeds and compares
// them with the committed ones: edit the generator, not its output.
func TestCommittedOutputIsCurrent(t *testing.T) {
	committed := filepath.Join("..", "..", "..", "testdata", "feeds")
	dir := t.TempDir()
	if err := run(filepath.Join("..", "..", "..", "testdata", "gold"), dir); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(names) < 9 {
		t.Fatalf("generator wrote %d files", len(names))
	}
	for _, name := range names {
		want, _ := os.ReadFile(name)
		got, err := os.ReadFile(filepath.Join(committed, filepath.Base(name)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("testdata/feeds/%s is not what the generator writes (err %v): run `go generate ./internal/tools/mkfeeds`", filepath.Base(name), err)
		}
	}
}
