package tagger

import (
	"math/rand"
	"slices"
	"sort"
	"testing"
)

// The double-array lexicon must answer as the definition says: the globs
// that are prefixes of the word, shortest first, then the exact word.
func TestLexiconLookup(t *testing.T) {
	e, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	exact := map[string]int32{}
	var globs []int32
	for id, w := range e.words {
		if w.glob {
			globs = append(globs, int32(id))
		} else {
			exact[w.text] = int32(id)
		}
	}
	sort.Slice(globs, func(i, j int) bool { return len(e.words[globs[i]].text) < len(e.words[globs[j]].text) })
	want := func(w string) []int32 {
		var out []int32
		for _, g := range globs {
			if len(e.words[g].text) <= len(w) && w[:len(e.words[g].text)] == e.words[g].text {
				out = append(out, g)
			}
		}
		if id, ok := exact[w]; ok {
			out = append(out, id)
		}
		return out
	}
	var words []string
	for _, w := range e.words {
		words = append(words, w.text, w.text+"s", w.text[:len(w.text)-1], w.text+"\xd0\xb0", "x"+w.text)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		b := make([]byte, 1+rng.Intn(12))
		for j := range b {
			b[j] = byte(rng.Intn(256))
			if rng.Intn(2) == 0 {
				b[j] = "etaoinsr\xd0\xd1\xb0\x80"[rng.Intn(12)]
			}
		}
		words = append(words, string(b))
	}
	for _, w := range words {
		if got, exp := e.lex.lookup([]byte(w), nil), want(w); !slices.Equal(got, exp) {
			t.Fatalf("lookup(%q) = %v, want %v", w, got, exp)
		}
	}
}
