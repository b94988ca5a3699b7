package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAgreement(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "s-en.labels.jsonl")
	second := filepath.Join(dir, "second-s-en.labels.jsonl")
	write(t, first, `{"id":"a","lang":"en","labels":{"relevant":true,"topics":["ceasefire","territory"],"outlook":"stalemate","framing":"neutral"}}
{"id":"b","lang":"en","labels":{"relevant":true,"topics":["ceasefire"],"outlook":"progress","framing":"pro_ukraine"}}
{"id":"c","lang":"en","labels":{"relevant":false,"topics":[],"outlook":"none","framing":"neutral"}}
{"id":"d","lang":"en","labels":{"relevant":true,"topics":[],"outlook":"none","framing":"neutral"}}
`)
	write(t, second, `{"id":"a","labels":{"relevant":true,"topics":["ceasefire"],"outlook":"stalemate","framing":"neutral"}}
{"id":"b","labels":{"relevant":true,"topics":["ceasefire"],"outlook":"none","framing":"neutral"}}
{"id":"c","labels":{"relevant":false,"topics":[],"outlook":"none","framing":"neutral"}}
`)
	var out bytes.Buffer
	if err := run(&out, []string{first, second}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"3 items labelled twice (1 left out)",
		// topics: 2 shared, 1 only in the first: 4/5
		"all  n   3  relevant 1.000  topics micro-F1 0.800  outlook 0.667  framing 0.667",
		"outlook splits (first / second): progress / none 1;",
		"framing splits (first / second): pro_ukraine / neutral 1;",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestBadLine(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "bad.labels.jsonl")
	write(t, first, "{\"id\":\"a\",\"labels\":{}}\nsecret text of an article\n")
	err := run(&bytes.Buffer{}, []string{first, first})
	if err == nil || !strings.Contains(err.Error(), "bad.labels.jsonl:2") || strings.Contains(err.Error(), "secret") {
		t.Errorf("err %v: want the file and line 2, without the line's text", err)
	}
	if err := run(&bytes.Buffer{}, []string{first}); err == nil {
		t.Error("an odd number of files: no error")
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
