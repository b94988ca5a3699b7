package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stancewatch/stancewatch/gold"
	"github.com/stancewatch/stancewatch/tagger"
)

func toOutput(id json.RawMessage, r tagger.Result, version string) tagOutput {
	o := tagOutput{ID: id, Scores: r.Scores, RulesVersion: version,
		Labels: tagLabels{Relevant: r.Relevant, Topics: []string{}, Outlook: r.Outlook, Framing: r.Framing},
		Actors: []tagActor{}, Evidence: []tagEvidence{}}
	for _, t := range r.Topics {
		o.Labels.Topics = append(o.Labels.Topics, t.Topic)
	}
	for _, a := range r.Actors {
		o.Actors = append(o.Actors, tagActor{a.Name, a.Mentions})
	}
	o.Evidence = toEvidence(r.Evidence)
	return o
}

func toEvidence(evs []tagger.Evidence) []tagEvidence {
	out := make([]tagEvidence, 0, len(evs))
	for _, e := range evs {
		out = append(out, tagEvidence{e.Label, e.Rule, e.Field, e.Text, e.Start, e.End, e.Weight, e.Voice})
	}
	return out
}

// The hand-written encoder writes exactly what encoding/json writes for
// tagOutput, on every gold article, with and without --explain.
func TestTagLineMatchesEncodingJSON(t *testing.T) {
	eng, err := tagger.Load()
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"../../testdata/gold/dev-a.jsonl", "../../testdata/gold/dev-b.jsonl", "../../testdata/gold/feed-a.jsonl", "../../testdata/gold/seed.jsonl"}
	n := 0
	var lines tagEncoder // one for all lines, as in a run
	for _, f := range files {
		arts, err := gold.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range arts {
			id, _ := json.Marshal(a.ID)
			doc := tagger.Document{Title: a.Title + "\u2028\x01\"<&>", Body: a.Body + "\xff\t", Lang: a.Lang}
			res, x := eng.Explain(doc)
			for _, explain := range []bool{false, true} {
				o := toOutput(id, res, eng.Version())
				var xp *tagger.Explanation
				if explain {
					o.Matches = toEvidence(x.Matches)
					kept := gold.KeepTally(x.Tally)
					o.Tally = &kept
					xp = &x
				}
				var want bytes.Buffer
				enc := json.NewEncoder(&want)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(o); err != nil {
					t.Fatal(err)
				}
				got := lines.appendTagLine(nil, id, &res, eng.Version(), xp)
				if !bytes.Equal(got, want.Bytes()) {
					t.Fatalf("%s (explain %v):\n got %s\nwant %s", a.ID, explain, got, want.Bytes())
				}
				n++
			}
		}
	}
	if n < 200 {
		t.Errorf("only %d lines compared", n)
	}
	// Scores with other keys than the line before: the encoder's
	// remembered order must not leak into them.
	for _, scores := range []map[string]float64{nil, {"b": 1, "a": 2}, {"a": 1, "b": 2, "c": 3}, {"a": 1, "x": 2, "c": 3}, {}, {"c": 1, "a": 2, "b": 3}} {
		res := tagger.Result{Scores: scores, Outlook: "none", Framing: "neutral"}
		want, err := json.Marshal(toOutput([]byte(`"x"`), res, "v"))
		if err != nil {
			t.Fatal(err)
		}
		if got := lines.appendTagLine(nil, []byte(`"x"`), &res, "v", nil); !bytes.Equal(got, append(want, '\n')) {
			t.Errorf("scores %v:\n got %s\nwant %s", scores, got, want)
		}
	}
	for _, f := range []float64{0, 1, -2.5, 0.125, 1e-7, 3e21, 123456789} {
		want, _ := json.Marshal(f)
		if got := appendJSONFloat(nil, f); string(got) != string(want) {
			t.Errorf("float %v: got %s, want %s", f, got, want)
		}
	}
}

// appendJSONString writes what encoding/json (HTML escaping off) writes
// for any string, valid UTF-8 or not.
func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain ASCII", `quote " and \ backslash`, "tab\tnew\nline\r\x00\x1f\x7f",
		"Переговори в Женеві", "mixed — dash “quotes” ‘single’", "line\u2028sep\u2029para",
		"bad \xff byte", "cut \xd0", "cut \xe2\x80", "overlong \xc0\x80 \xc1\xbf", "surrogate \xed\xa0\x80",
		"lone continuation \x80\xbf", "four-byte 😀 and cut \xf0\x9f", "\xd0\x20 two-byte lead then space",
	} {
		checkJSONString(t, s)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("Переговори \u2028 \xff")
	f.Fuzz(func(t *testing.T, s string) { checkJSONString(t, s) })
}

func checkJSONString(t *testing.T, s string) {
	t.Helper()
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	if got := string(appendJSONString(nil, s)) + "\n"; got != want.String() {
		t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want.String())
	}
}
