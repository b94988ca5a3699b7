package tagger_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/stancewatch/stancewatch/tagger"
)

// talksLead puts each construction into an article on the talks, so that
// relevance never decides the answer.
var talksLead = map[string]string{
	"en": "Peace talks between Russia and Ukraine. ",
	"ru": "Переговоры России и Украины о мире. ",
	"uk": "Переговори України та Росії про мир. ",
}

// TestConstructions checks how the built-in rules read the grammar of
// news copy in three languages (testdata/constructions.txt): a negation
// before or after its cue, a modal, hope or question, contrast, word
// order, and whose words a sentence is.
func TestConstructions(t *testing.T) {
	f, err := os.Open("testdata/constructions.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	e := builtin(t)
	n := 0
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		parts := strings.SplitN(text, "|", 4)
		if len(parts) != 4 {
			t.Fatalf("constructions.txt:%d: want label|expected|lang|sentence", line)
		}
		label, want, lang, sentence := parts[0], parts[1], parts[2], parts[3]
		lead, ok := talksLead[lang]
		if !ok {
			t.Fatalf("constructions.txt:%d: language %q is not en, ru or uk", line, lang)
		}
		r := e.Tag(tagger.Document{Body: lead + sentence, Lang: lang})
		got := r.Outlook
		if label == "framing" {
			got = r.Framing
		}
		if !r.Relevant || got != want {
			t.Errorf("constructions.txt:%d: %s %q: %s %s (relevant %v), want %s", line, lang, sentence, label, got, r.Relevant, want)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d constructions read", n)
	}
}

// TestSoftClaimAgainstWeakCue: a readout's "productive" stands against a
// weak cue alone (talks held "in difficult conditions", said in the
// body), and falls to a full one ("no deal was reached").
func TestSoftClaimAgainstWeakCue(t *testing.T) {
	e := builtin(t)
	const head = "Envoy: talks with Moscow on Ukraine were very productive"
	for _, tc := range []struct{ body, want string }{
		{"He met Russian officials for five hours.\n\nThe dialogue goes on in difficult conditions, an aide added.", "progress"},
		{"He met Russian officials for five hours.\n\nNo deal was reached, an aide added.", "stalemate"},
	} {
		r := e.Tag(tagger.Document{Title: head, Body: tc.body, Lang: "en"})
		if r.Outlook != tc.want {
			t.Errorf("%q: outlook %s, want %s", tc.body, r.Outlook, tc.want)
		}
	}
}

// TestHeadlines checks headline forms with their lead
// (testdata/headlines.tsv): a colon that hands the headline to a speaker,
// a question, two halves ("swap agreed, ceasefire not").
func TestHeadlines(t *testing.T) {
	f, err := os.Open("testdata/headlines.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	e := builtin(t)
	n := 0
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		parts := strings.Split(text, "\t")
		if len(parts) != 4 {
			t.Fatalf("headlines.tsv:%d: want outlook, lang, headline and body separated by tabs", line)
		}
		r := e.Tag(tagger.Document{Title: parts[2], Body: parts[3], Lang: parts[1]})
		if !r.Relevant || r.Outlook != parts[0] {
			t.Errorf("headlines.tsv:%d: %q: outlook %s (relevant %v), want %s", line, parts[2], r.Outlook, r.Relevant, parts[0])
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("only %d headlines read", n)
	}
}
