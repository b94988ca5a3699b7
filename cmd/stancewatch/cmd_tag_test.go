package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/store/storetest"

	"github.com/stancewatch/stancewatch/store"
)

func goldLine(t *testing.T, id string) string {
	t.Helper()
	for _, f := range []string{"dev-a.jsonl", "dev-b.jsonl", "seed.jsonl"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "gold", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			if strings.Contains(l, `"id": "`+id+`"`) {
				return l
			}
		}
	}
	t.Fatalf("no gold article %s", id)
	return ""
}

func TestTagCommand(t *testing.T) {
	t.Parallel()
	long := `{"id": 7, "title": "Peace talks", "body": "` + strings.Repeat("Negotiators from Kyiv met again. ", 100000) + `"}`
	in := strings.Join([]string{
		goldLine(t, "seed-01"),
		`{"id": "broken", "title": `,
		`{"title": "no id"}`,
		``,
		goldLine(t, "dev-a-08"),
		long,
	}, "\n")
	r := runWith(t, nil, in, "tag")
	if r.code != 1 {
		t.Errorf("exit %d, want 1 after bad lines", r.code)
	}
	if !strings.Contains(r.stderr, "line 2: not a JSON article") || !strings.Contains(r.stderr, "line 3: no id") ||
		!strings.Contains(r.stderr, "2 of 5 input lines were bad") {
		t.Errorf("stderr %q does not name the bad lines", r.stderr)
	}
	var outs []tagOutput
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var o tagOutput
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		outs = append(outs, o)
	}
	if len(outs) != 3 {
		t.Fatalf("%d output lines, want 3 (the good articles, in order)", len(outs))
	}
	seed := outs[0]
	if string(seed.ID) != `"seed-01"` || !seed.Labels.Relevant || seed.Labels.Outlook != "stalemate" || seed.Labels.Framing != "pro_ukraine" ||
		len(seed.Labels.Topics) != 5 || len(seed.Actors) == 0 || len(seed.Evidence) == 0 || len(seed.RulesVersion) != 16 {
		t.Errorf("seed output %+v", seed)
	}
	if outs[1].Labels.Relevant || outs[1].Labels.Topics == nil || outs[1].Evidence == nil {
		t.Errorf("football output %+v: irrelevant, with empty (not null) lists", outs[1])
	}
	if string(outs[2].ID) != "7" || !outs[2].Labels.Relevant {
		t.Errorf("long line output %s %+v", outs[2].ID, outs[2].Labels)
	}

	r = runWith(t, nil, goldLine(t, "dev-a-08")+"\n", "tag", "--explain")
	if r.code != 0 || !strings.Contains(r.stdout, `"matches":[`) {
		t.Errorf("--explain: exit %d, %s", r.code, r.stdout)
	}
}

func TestEvalCommand(t *testing.T) {
	t.Parallel()
	gold := filepath.Join("..", "..", "testdata", "gold")
	r := runWith(t, nil, "", "eval", "--gold", filepath.Join(gold, "dev-a.jsonl"), filepath.Join(gold, "seed.jsonl"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"articles: 31", "relevance   P", "territory", "micro", "outlook: accuracy", "framing: accuracy", "summary: relevance F1"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("eval output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runWith(t, nil, "", "eval"); r.code != 2 || !strings.Contains(r.stderr, "--gold") {
		t.Errorf("eval without gold: exit %d, %q", r.code, r.stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte("{\"id\": \"x\", \"labels\": {\"outlook\": \"up\", \"framing\": \"neutral\"}}\n"), 0o600)
	if r := runWith(t, nil, "", "eval", "--gold", bad); r.code != 1 || !strings.Contains(r.stderr, "bad.jsonl:1") {
		t.Errorf("bad gold file: exit %d, %q", r.code, r.stderr)
	}
}

// eval --against compares the rules with another rule set, answer by
// answer: here the built-in rules with a copy that lacks a file.
func TestEvalAgainst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "tagger", "rules")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "framing.yaml" {
			continue // the base has no framing vocabulary of its own
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	gold := filepath.Join("..", "..", "testdata", "gold", "team-a.jsonl")
	r := runWith(t, nil, "", "eval", "--rules", src, "--against", dir, "--gold", gold)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"base ", "new  ", "changed answers: ", " framing  "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("eval --against output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runWith(t, nil, "", "eval", "--against", filepath.Join(dir, "missing"), "--gold", gold); r.code != 1 || !strings.Contains(r.stderr, "rules to compare with") {
		t.Errorf("missing base rules: exit %d, %q", r.code, r.stderr)
	}
	if r := runWith(t, nil, "", "eval", "--corrections", "--against", dir); r.code != 2 {
		t.Errorf("--corrections with --against: exit %d, want 2", r.code)
	}
}

func TestRulesCommands(t *testing.T) {
	t.Parallel()
	r := runWith(t, nil, "", "rules", "test")
	if r.code != 0 || !strings.Contains(r.stdout, "ok:") {
		t.Fatalf("built-in rules test: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	dir := t.TempDir()
	if r := runWith(t, nil, "", "rules", "export", dir); r.code != 0 || !strings.Contains(r.stdout, "settings.yaml") {
		t.Fatalf("export: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runWith(t, nil, "", "rules", "export", dir); r.code != 1 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("export over existing files: exit %d, %q", r.code, r.stderr)
	}
	// The exported directory is a complete rule set, with the same version.
	r = runWith(t, nil, "", "rules", "test", "--rules", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "ok:") {
		t.Fatalf("rules test on the export: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A rule whose own test fails: exit 1 and the rule id.
	extra := `rules:
  - id: local.bad
    label: topic:ceasefire
    match: armistice
    tests:
      - ruleid: "There is no such word here."
      - ok: "An armistice was signed."
`
	os.WriteFile(filepath.Join(dir, "local.yaml"), []byte(extra), 0o600)
	r = runWith(t, map[string]string{"STANCEWATCH_TAGGER_RULES_DIR": dir}, "", "rules", "test")
	if r.code != 1 || !strings.Contains(r.stdout, "local.bad") || !strings.Contains(r.stderr, "2 rule tests failed") {
		t.Errorf("failing rule test via tagger.rules_dir: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A broken file: exit 1, naming file, line and rule.
	os.WriteFile(filepath.Join(dir, "local.yaml"), []byte("rules:\n  - id: local.worse\n    label: topic:football\n    match: x\n    tests: [{ruleid: x}, {ok: y}]\n"), 0o600)
	r = runWith(t, nil, "", "rules", "test", "--rules", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "local.yaml:3") || !strings.Contains(r.stderr, `rule "local.worse": unknown label "topic:football"`) {
		t.Errorf("broken rule file: exit %d, %q", r.code, r.stderr)
	}
	// The tag command refuses to run on it too.
	if r := runWith(t, nil, "{}", "tag", "--rules", dir); r.code != 1 || !strings.Contains(r.stderr, "local.yaml") {
		t.Errorf("tag with broken rules: exit %d, %q", r.code, r.stderr)
	}
}

func TestRetagCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pg.NewDatabase(t)
	st := storetest.Open(t, url)
	old := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := st.InsertArticles(ctx, []store.ArticleRow{
		{URL: "https://r.example/1", CanonicalURL: "https://r.example/1", Title: "Peace talks on Ukraine resume", ContentText: "Negotiators from Kyiv and Moscow met.", PublishedAt: old},
		{URL: "https://r.example/2", CanonicalURL: "https://r.example/2", Title: "Derby", ContentText: "The home side won.", PublishedAt: old.AddDate(1, 0, 0)},
	})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": url}
	if r := runWith(t, env, "", "retag", "--dry-run"); r.code != 0 || !strings.Contains(r.stdout, "2 articles are due") {
		t.Errorf("dry run: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runWith(t, env, "", "retag", "--since", "2024-06-01"); r.code != 0 || !strings.Contains(r.stdout, "re-tagged 1 articles") {
		t.Errorf("retag --since: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runWith(t, env, "", "retag"); r.code != 0 || !strings.Contains(r.stdout, "re-tagged 1 articles") {
		t.Errorf("retag: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runWith(t, env, "", "retag"); r.code != 0 || !strings.Contains(r.stdout, "re-tagged 0 articles") {
		t.Errorf("second retag: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runWith(t, env, "", "retag", "--since", "last week"); r.code != 2 || !strings.Contains(r.stderr, "--since") {
		t.Errorf("bad --since: exit %d, %q", r.code, r.stderr)
	}
	if r := runWith(t, nil, "", "retag"); r.code != 1 || !strings.Contains(r.stderr, "DATABASE_URL") {
		t.Errorf("no database: exit %d, %q", r.code, r.stderr)
	}
}
