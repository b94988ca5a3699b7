package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestCommittedOutputIsCurrent regenerates the sample feeds and compares
// them with the committed ones: edit the generator, not its output.
func TestCommittedOutputIsCurrent(t *testing.T) {
	committed := filepath.Join("..", "..", "..", "testdata", "feeds")
	dir := t.TempDir()
	if err := run(filepath.Join("..", "..", "..", "testdata", "gold"), dir, nil); err != nil {
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

// TestRecentMovesOnlyDates writes the feeds re-dated into the last two
// weeks: every date lands in that window, and nothing but dates changes.
func TestRecentMovesOnlyDates(t *testing.T) {
	gold := filepath.Join("..", "..", "..", "testdata", "gold")
	plain, recent := t.TempDir(), t.TempDir()
	now := time.Now()
	from, to := now.AddDate(0, 0, -14), now.Add(-time.Hour)
	if err := run(gold, plain, nil); err != nil {
		t.Fatal(err)
	}
	if err := run(gold, recent, squeezeInto(from, to)); err != nil {
		t.Fatal(err)
	}
	dates := regexp.MustCompile(`<pubDate>([^<]+)</pubDate>|"date_published": "([^"]+)"|<published>([^<]+)</published>|<updated>([^<]+)</updated>`)
	names, _ := filepath.Glob(filepath.Join(plain, "*"))
	seen := 0
	for _, name := range names {
		a, _ := os.ReadFile(name)
		b, err := os.ReadFile(filepath.Join(recent, filepath.Base(name)))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := dates.ReplaceAll(b, nil), dates.ReplaceAll(a, nil); !bytes.Equal(got, want) {
			t.Errorf("%s: more than the dates differ", filepath.Base(name))
		}
		for _, m := range dates.FindAllSubmatch(b, -1) {
			v := string(bytes.Join(m[1:], nil))
			d, err := time.Parse(time.RFC1123Z, v)
			if err != nil {
				d, err = time.Parse(time.RFC3339, v)
			}
			if err != nil {
				t.Fatalf("%s: date %q: %v", filepath.Base(name), v, err)
			}
			if d.Before(from.Add(-time.Second)) || d.After(to.Add(time.Second)) {
				t.Errorf("%s: date %s outside [%s, %s]", filepath.Base(name), d, from, to)
			}
			seen++
		}
	}
	if seen < 60 {
		t.Errorf("only %d dates checked", seen)
	}
}
