package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// keepAnswers pipes a gold file through `tag --explain` and writes what a
// piped set keeps: a labels file without texts (dir/NAME.labels.jsonl)
// and the answers reduced to id, labels, rules version and tally
// (dir/answers/NAME.jsonl). It returns the labels file.
func keepAnswers(t *testing.T, dir, goldPath string) string {
	t.Helper()
	data, err := os.ReadFile(goldPath)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimSuffix(filepath.Base(goldPath), ".jsonl")
	var labels strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var a map[string]any
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatal(err)
		}
		delete(a, "body")
		b, _ := json.Marshal(a)
		labels.Write(append(b, '\n'))
	}
	labelsPath := filepath.Join(dir, name+".labels.jsonl")
	if err := os.WriteFile(labelsPath, []byte(labels.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runWith(t, nil, string(data), "tag", "--explain")
	if r.code != 0 {
		t.Fatalf("tag --explain: exit %d: %s", r.code, r.stderr)
	}
	var kept strings.Builder
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var o map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatal(err)
		}
		if o["tally"] == nil {
			t.Fatalf("tag --explain wrote no tally: %.200s", sc.Text())
		}
		b, _ := json.Marshal(map[string]json.RawMessage{"id": o["id"], "labels": o["labels"], "rules_version": o["rules_version"], "tally": o["tally"]})
		kept.Write(append(b, '\n'))
	}
	if err := os.MkdirAll(filepath.Join(dir, "answers"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "answers", name+".jsonl"), []byte(kept.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return labelsPath
}

// withoutFirstLine drops the header line, which names the files.
func withoutFirstLine(s string) string {
	_, rest, _ := strings.Cut(s, "\n")
	return rest
}

// A set piped through the tagger with only its answers kept scores and
// calibrates exactly as it does from its texts, and answers of other
// rules are refused.
func TestKeptAnswersScoreAndCalibrateLikeTexts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	goldDir := filepath.Join("..", "..", "testdata", "gold")
	a, b := filepath.Join(goldDir, "dev-a.jsonl"), filepath.Join(goldDir, "feed-a.jsonl")
	ka, kb := keepAnswers(t, dir, a), keepAnswers(t, dir, b)
	answers := filepath.Join(dir, "answers")

	for _, c := range []struct {
		cmd  []string
		want string // a line of the report, so that empty output fails
	}{
		{[]string{"eval", "--misses=false"}, "outlook: accuracy"},
		{[]string{"rules", "calibrate"}, "held-out"},
	} {
		fromTexts := runWith(t, nil, "", append(c.cmd, "--gold", a, b)...)
		fromKept := runWith(t, nil, "", append(c.cmd, "--answers", answers, "--gold", ka, kb)...)
		if fromTexts.code != 0 || fromKept.code != 0 {
			t.Fatalf("%v: exit %d / %d: %s %s", c.cmd, fromTexts.code, fromKept.code, fromTexts.stderr, fromKept.stderr)
		}
		if !strings.Contains(fromKept.stdout, c.want) || withoutFirstLine(fromTexts.stdout) != withoutFirstLine(fromKept.stdout) {
			t.Errorf("%v from kept answers differs from the same from texts:\n%s\n---\n%s", c.cmd, fromKept.stdout, fromTexts.stdout)
		}
	}
	if r := runWith(t, nil, "", "eval", "--misses=false", "--gold", ka); r.code == 0 {
		t.Errorf("eval of a labels file without texts or answers passed: %s", r.stdout)
	}

	// Answers of another rules version say nothing of these rules.
	ap := filepath.Join(answers, "feed-a.jsonl")
	old, _ := os.ReadFile(ap)
	var ver struct {
		RulesVersion string `json:"rules_version"`
	}
	first, _, _ := strings.Cut(string(old), "\n")
	if err := json.Unmarshal([]byte(first), &ver); err != nil || len(ver.RulesVersion) != 16 {
		t.Fatalf("kept answer without a rules version: %s", first)
	}
	stale := strings.ReplaceAll(string(old), ver.RulesVersion, "0123456789abcdef")
	if err := os.WriteFile(ap, []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"eval", "--answers", answers, "--gold", ka, kb}, {"rules", "calibrate", "--answers", answers, "--gold", ka, kb}} {
		r := runWith(t, nil, "", args...)
		if r.code == 0 || !strings.Contains(r.stderr, "0123456789abcdef") || !strings.Contains(r.stderr, "feed-a.jsonl") {
			t.Errorf("%s with answers of other rules: exit %d, stderr %q", args[0], r.code, r.stderr)
		}
	}
}
