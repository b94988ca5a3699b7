package gold

import (
	"encoding/json"
	"fmt"
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

// Each topic gets its own threshold when one shared value would cost one
// of them: here ceasefire words pass through stories about territory at
// 1.5, while territory itself scores 1.
func TestCalibrateChoosesThresholdsPerTopic(t *testing.T) {
	t.Parallel()
	e, err := tagger.Load()
	if err != nil {
		t.Fatal(err)
	}
	names := tagger.Topics()
	idx := map[string]int{}
	for i, n := range names {
		idx[n] = i
	}
	mk := func(id string, topics map[string]float64, gold []string) (Article, tagger.Tally) {
		tl := tagger.Tally{Relevance: 5, Topics: make([]float64, len(names))}
		for n, v := range topics {
			tl.Topics[idx[n]] = v
		}
		return Article{ID: id, Labels: Labels{Relevant: true, Topics: gold, Outlook: "none", Framing: "neutral"}}, tl
	}
	var sets []Set
	for _, name := range []string{"a", "b"} {
		s := Set{Name: name}
		for i, c := range []struct {
			topics map[string]float64
			gold   []string
		}{
			{map[string]float64{"territory": 1, "ceasefire": 1.5}, []string{"territory"}},
			{map[string]float64{"territory": 1, "ceasefire": 1.5}, []string{"territory"}},
			{map[string]float64{"ceasefire": 2.5}, []string{"ceasefire"}},
		} {
			a, tl := mk(fmt.Sprintf("%s-%d", name, i), c.topics, c.gold)
			s.Articles, s.tallies = append(s.Articles, a), append(s.tallies, tl)
		}
		sets = append(sets, s)
	}
	c := Calibrate(e, sets, DefaultGrid())
	if got := c.Chosen.Topics[idx["ceasefire"]]; got <= 1.5 || got > 2.5 {
		t.Errorf("ceasefire threshold %g, want above 1.5 and at most 2.5", got)
	}
	if got := c.Chosen.Topics[idx["territory"]]; got != 1 {
		t.Errorf("territory threshold %g, want 1", got)
	}
	var out strings.Builder
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "topics: {threshold: 1, thresholds: {ceasefire: ") {
		t.Errorf("chosen topic settings not written per topic:\n%s", out.String())
	}
}
