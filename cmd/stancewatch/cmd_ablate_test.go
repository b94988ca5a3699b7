package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestRulesAblate: leaving out a rule that misreads a word makes an
// answer right, leaving out one that reads a state makes one wrong, and
// the table says which is which.
func TestRulesAblate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"settings.yaml": `
settings:
  field_weights: {title: 2, lead: 1.5, body: 1}
  relevance: {threshold: 1}
  topics: {threshold: 1}
  outlook: {min: 1, margin: 1}
  framing: {min: 1, margin: 1}
`,
		"rules.yaml": `
rules:
  - id: talks
    label: relevant
    match: [peace talks]
    tests: [{ruleid: "peace talks"}, {ok: "talks"}]
  - id: stuck
    label: outlook:stalemate
    match: [deadlock]
    tests: [{ruleid: "a deadlock"}, {ok: "a lock"}]
  - id: sunny
    label: outlook:progress
    match: [sunshine]
    tests: [{ruleid: "sunshine"}, {ok: "shine"}]
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goldPath := filepath.Join(dir, "gold.jsonl")
	goldText := `{"id":"a","title":"Peace talks in deadlock","body":"The peace talks are in deadlock.","labels":{"relevant":true,"topics":[],"outlook":"stalemate","framing":"neutral"}}
{"id":"b","title":"Peace talks open in sunshine","body":"The peace talks opened in sunshine on Monday.","labels":{"relevant":true,"topics":[],"outlook":"none","framing":"neutral"}}
`
	if err := os.WriteFile(goldPath, []byte(goldText), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runWith(t, nil, "", "rules", "ablate", "--rules", dir, "--gold", goldPath)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		`(?m)^sunny +\+1 +\+1 -0 `, // left out, the sunshine item is none again
		`(?m)^stuck +-1 +\+0 -1 `,  // left out, the deadlock goes unread
		`(?m)^talks +-\d+ `,        // left out, nothing is relevant
		`2 articles; 3 rules matched`,
	} {
		if !regexp.MustCompile(want).MatchString(r.stdout) {
			t.Errorf("output lacks %s:\n%s", want, r.stdout)
		}
	}
	if r := runWith(t, nil, "", "rules", "ablate", "--rules", dir); r.code == 0 {
		t.Error("no --gold: exit 0")
	}
}
