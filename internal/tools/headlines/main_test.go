package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHeadlineReading(t *testing.T) {
	dir := t.TempDir()
	labels := filepath.Join(dir, "x.labels.jsonl")
	lines := `{"id":"x-1","lang":"en","title":"Talks collapse in Geneva as Moscow rejects the plan","labels":{"relevant":true,"outlook":"stalemate"}}
{"id":"x-2","lang":"en","title":"Envoys meet in Geneva","labels":{"relevant":true,"outlook":"stalemate"}}
{"id":"x-3","lang":"en","title":"geneva talks slug","title_from":"url","labels":{"relevant":true,"outlook":"stalemate"}}
{"id":"x-4","lang":"en","title":"Gaza truce holds","labels":{"relevant":false,"outlook":"none"}}
`
	if err := os.WriteFile(labels, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(&out, []string{labels}, "", "", "stalemate", ""); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	// x-2 is a labelled stalemate no headline cue catches; x-3's title is
	// URL words, x-1 is caught, x-4 is not relevant.
	if !strings.Contains(got, "x-2\tEnvoys meet in Geneva\n") || strings.Contains(got, "x-3") || strings.Contains(got, "x-1\t") {
		t.Errorf("misses list:\n%s", got)
	}
	if !strings.Contains(got, "3 relevant items; headline outlook equals the label for 1") {
		t.Errorf("summary:\n%s", got)
	}
	if !strings.Contains(got, "label stalemate headline stalemate 1") {
		t.Errorf("confusion:\n%s", got)
	}
}

func TestBadLabelsLine(t *testing.T) {
	dir := t.TempDir()
	labels := filepath.Join(dir, "bad.labels.jsonl")
	if err := os.WriteFile(labels, []byte("{\"id\":\"a\"}\nnot json at all\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(&bytes.Buffer{}, []string{labels}, "", "", "", "")
	if err == nil || !strings.Contains(err.Error(), "bad.labels.jsonl:2") || strings.Contains(err.Error(), "not json at all") {
		t.Errorf("err %v: want the file and line 2, without the line's text", err)
	}
}
