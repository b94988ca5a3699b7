package gold

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stancewatch/stancewatch/tagger"
)

func TestReadReportsBadLinesByNumber(t *testing.T) {
	t.Parallel()
	in := `{"id":"a","title":"t","body":"b","labels":{"relevant":false,"topics":[],"outlook":"none","framing":"neutral"}}

{"id":"b","labels":{"relevant":true,"topics":["football"],"outlook":"none","framing":"neutral"}}
not json
{"id":"c","labels":{"relevant":true,"topics":[],"outlook":"sideways","framing":"neutral"}}
{"id":"d","labels":{"relevant":true,"topics":[],"outlook":"none","framing":"neutral"},"extra":1}
`
	arts, err := Read(strings.NewReader(in), "g.jsonl")
	if len(arts) != 1 || arts[0].ID != "a" || arts[0].Line != 1 {
		t.Errorf("articles %+v, want only a (line 1)", arts)
	}
	for _, want := range []string{`g.jsonl:3: article b: "football" is not a topic`, "g.jsonl:4:", `g.jsonl:5: article c: outlook "sideways"`, `g.jsonl:6: json: unknown field "extra"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not contain %q", err, want)
		}
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	p := prf(3, 1, 2)
	if p.Precision != 0.75 || p.Recall != 0.6 || math.Abs(p.F1-2*0.75*0.6/1.35) > 1e-9 {
		t.Errorf("prf(3,1,2) = %+v", p)
	}
	if p := prf(0, 0, 0); p.F1 != 1 {
		t.Errorf("nothing to find and nothing found: F1 %v, want 1", p.F1)
	}
	c := confusion([]string{"a", "b", "c"}, []string{"a", "a", "b", "c"}, []string{"a", "b", "b", "b"})
	if c.Accuracy != 0.5 || c.Matrix[0][1] != 1 || c.Matrix[2][1] != 1 {
		t.Errorf("confusion %+v", c)
	}
	// F1: a = 2/3 (P 1, R 1/2), b = 1/2 (P 1/3, R 1), c = 0: macro over the three classes seen.
	want := (2.0/3 + 0.5 + 0) / 3
	if math.Abs(c.MacroF1-want) > 1e-9 {
		t.Errorf("macro-F1 %v, want %v", c.MacroF1, want)
	}
}

// The rules of the tests below: "talks" is relevant; more may follow.
const relevantOnTalks = `
settings:
  relevance: {threshold: 1}
  topics: {threshold: 1}
  outlook: {min: 1, margin: 1}
  framing: {min: 1, margin: 1}
rules:
  - id: rel
    label: relevant
    match: talks
    tests: [{ruleid: talks}, {ok: football}]
`

// A truce is a ceasefire topic, a deadlock a stalemate.
const truceAndDeadlock = `
  - id: cf
    label: topic:ceasefire
    match: truce
    tests: [{ruleid: truce}, {ok: football}]
  - id: st
    label: outlook:stalemate
    match: deadlock
    tests: [{ruleid: deadlock}, {ok: football}]
`

// testEngine loads the rules of one file.
func testEngine(t *testing.T, rules string) *tagger.Engine {
	t.Helper()
	e, err := tagger.Load(tagger.FromFS(fstest.MapFS{"r.yaml": {Data: []byte(rules)}}, "t"))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEvaluateAndReport(t *testing.T) {
	t.Parallel()
	e := testEngine(t, relevantOnTalks+truceAndDeadlock)
	arts := []Article{
		{ID: "1", Body: "talks on a truce; deadlock", Labels: Labels{Relevant: true, Topics: []string{"ceasefire"}, Outlook: "stalemate", Framing: "neutral"}},
		{ID: "2", Body: "football", Labels: Labels{Outlook: "none", Framing: "neutral"}},
		{ID: "3", Body: "talks", Labels: Labels{Relevant: true, Topics: []string{"territory"}, Outlook: "progress", Framing: "pro_ukraine"}},
	}
	rep := Evaluate(e, arts)
	if rep.Relevance.F1 != 1 || rep.Topics["ceasefire"].F1 != 1 || rep.Topics["territory"].Recall != 0 ||
		rep.TopicMicro.TP != 1 || rep.TopicMicro.FN != 1 || math.Abs(rep.Outlook.Accuracy-2.0/3) > 1e-9 {
		t.Errorf("report %+v", rep)
	}
	if len(rep.Misses) != 1 || rep.Misses[0].Article.ID != "3" || len(rep.Misses[0].Wrong) != 3 {
		t.Fatalf("misses %+v", rep.Misses)
	}
	var b bytes.Buffer
	if err := rep.Write(&b, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"relevance   P 1.000", "ceasefire", "outlook: accuracy 0.667", "1 articles with at least one wrong answer", "topics: -territory", `relevant: "talks" rel 1`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

// A labels file takes titles and bodies from texts/NAME.jsonl beside it.
// A texts line needs no labels; an article without text is left out and
// named in a *MissingTextError that comes with the others.
func TestReadFileJoinsLabelsWithTexts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	labels := `{"id":"x-1","lang":"en","title":"T1","labels":{"relevant":true,"topics":["ceasefire"],"outlook":"stalemate","framing":"neutral"}}
{"id":"x-2","lang":"en","title":"T2","labels":{"relevant":false,"topics":[],"outlook":"none","framing":"neutral"}}
{"id":"x-3","lang":"en","title":"T3","labels":{"relevant":false,"topics":[],"outlook":"none","framing":"neutral"}}
`
	texts := `{"id":"x-2","title":"Second","lang":"en","url":"https://example.org/2","body":"Body two.","note":"why"}
{"id":"x-1","title":"First","body":"Body one."}
`
	if err := os.MkdirAll(filepath.Join(dir, "texts"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "x.labels.jsonl")
	if err := os.WriteFile(path, []byte(labels), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), "texts/x.jsonl") {
		t.Fatalf("without a texts file: error %v, want one naming texts/x.jsonl", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "texts", "x.jsonl"), []byte(texts), 0o644); err != nil {
		t.Fatal(err)
	}
	arts, err := ReadFile(path)
	var missing *MissingTextError
	if !errors.As(err, &missing) || len(missing.IDs) != 1 || missing.IDs[0] != "x-3" {
		t.Fatalf("error %v, want a MissingTextError naming x-3", err)
	}
	if len(arts) != 2 || arts[0].ID != "x-1" || arts[0].Body != "Body one." || arts[1].Title != "Second" || arts[0].Labels.Outlook != "stalemate" {
		t.Errorf("articles %+v, want x-1 and x-2 with their texts and labels", arts)
	}
}

// Compare lists each answer two rule sets give differently, judged
// against the gold.
func TestCompare(t *testing.T) {
	t.Parallel()
	base := testEngine(t, relevantOnTalks)
	cand := testEngine(t, relevantOnTalks+truceAndDeadlock)
	arts := []Article{
		{ID: "1", Title: "One", Body: "talks: deadlock", Labels: Labels{Relevant: true, Outlook: "stalemate", Framing: "neutral"}},
		{ID: "2", Title: "Two", Body: "talks: deadlock again", Labels: Labels{Relevant: true, Outlook: "none", Framing: "neutral"}},
		{ID: "3", Title: "Three", Body: "talks on a truce", Labels: Labels{Relevant: true, Topics: []string{"ceasefire"}, Outlook: "none", Framing: "neutral"}},
		{ID: "4", Title: "Four", Body: "talks", Labels: Labels{Relevant: true, Outlook: "none", Framing: "neutral"}},
	}
	c := Compare(base, cand, arts)
	if c.Count(Better) != 2 || c.Count(Worse) != 1 || c.Count(Other) != 0 || len(c.Changes) != 3 {
		t.Fatalf("changes %+v, want 1 and 3 better, 2 worse", c.Changes)
	}
	if c.Base.Outlook.Accuracy != 0.75 || c.New.Outlook.Accuracy != 0.75 {
		t.Errorf("outlook accuracy base %v new %v, want 0.75 both", c.Base.Outlook.Accuracy, c.New.Outlook.Accuracy)
	}
	var b bytes.Buffer
	if err := c.Write(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"changed answers: 2 better, 1 worse, 0 other",
		"better outlook  1  gold stalemate: none -> stalemate  | One",
		"worse  outlook  2  gold none: none -> stalemate  | Two",
		"better topics   3  gold ceasefire: - -> ceasefire  | Three"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("comparison lacks %q:\n%s", want, b.String())
		}
	}
}
