package gold

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stancewatch/stancewatch/tagger"
)

// A tally written as `tag --explain` writes it reads back whole, on
// every article of a gold set.
func TestKeptTallyRoundTrip(t *testing.T) {
	t.Parallel()
	e, err := tagger.Load()
	if err != nil {
		t.Fatal(err)
	}
	arts, err := ReadFile(filepath.Join("..", "testdata", "gold", "dev-b.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	moved := 0
	for _, a := range arts {
		want := e.Tally(tagger.Document{Title: a.Title, Body: a.Body, Lang: a.Lang})
		b, err := json.Marshal(KeepTally(want))
		if err != nil {
			t.Fatal(err)
		}
		var k KeptTally
		if err := json.Unmarshal(b, &k); err != nil {
			t.Fatal(err)
		}
		got, err := k.Tally()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: tally %+v came back as %+v", a.ID, want, got)
		}
		if want.Head != [3]float64{} && want.Soft+want.Exchange+want.ProUkraine+want.ProRussia > 0 {
			moved++
		}
	}
	if moved == 0 {
		t.Error("no article with headline and soft, exchange or framing weight: the round trip proves little")
	}
}

func TestReadAnswersReportsBadLinesByNumber(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "set.jsonl")
	in := `{"id":"a","labels":{"relevant":true,"topics":["ceasefire"],"outlook":"progress","framing":"neutral"},"rules_version":"v","scores":{"x":1}}
{"id":"b","labels":{"relevant":true,"topics":["football"],"outlook":"none","framing":"neutral"},"rules_version":"v"}
not json
{"id":"c","labels":{"relevant":false,"topics":[],"outlook":"none","framing":"neutral"},"rules_version":"v","tally":{"topics":{"weather":1}}}
{"labels":{"relevant":false,"topics":[],"outlook":"none","framing":"neutral"}}
`
	if err := os.WriteFile(p, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadAnswers(p)
	if err == nil {
		t.Fatal("no error for four bad lines")
	}
	for _, want := range []string{"set.jsonl:2: b: unknown topic \"football\"", "set.jsonl:3:", "set.jsonl:4: c: unknown topic \"weather\" in tally", "set.jsonl:5: no id"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if len(got) != 1 || got["a"].Labels.Outlook != "progress" {
		t.Errorf("good lines: %+v", got)
	}
	arts := []Article{{ID: "a"}}
	if err := CheckAnswers(p, arts, got, "w", false); err == nil || !strings.Contains(err.Error(), "from rules v, not from these rules (w)") {
		t.Errorf("answers of other rules: %v", err)
	}
	if err := CheckAnswers(p, arts, got, "v", true); err == nil || !strings.Contains(err.Error(), "no tally") {
		t.Errorf("answers without tallies for calibration: %v", err)
	}
	if err := CheckAnswers(p, []Article{{ID: "z"}}, got, "v", false); err == nil || !strings.Contains(err.Error(), "no answer for z") {
		t.Errorf("article without an answer: %v", err)
	}
}
