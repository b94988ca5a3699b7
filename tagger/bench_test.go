package tagger_test

import (
	"fmt"
	"io/fs"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode"

	"github.com/stancewatch/stancewatch/tagger"
)

// benchCorpus is the gold articles of the dev sets and the seed
// (English, Ukrainian and Russian) as documents, and its size in bytes.
// It stays that fixed corpus as other gold files are added, so that
// figures stay comparable over time.
func benchCorpus(b *testing.B) ([]tagger.Document, int) {
	var docs []tagger.Document
	size := 0
	for _, a := range append(goldArticles(b, "dev-*.jsonl"), goldArticles(b, "seed.jsonl")...) {
		docs = append(docs, tagger.Document{Title: a.Title, Body: a.Body, Lang: a.Lang})
		size += len(a.Title) + len(a.Body)
	}
	return docs, size
}

// fillerEngine loads the built-in rules plus generated filler rules, so
// that the rule set holds factor times as many rules and actors as the
// shipped one. The fillers are built from the corpus's own vocabulary,
// so the automaton has to walk them: 60% two-word phrases of corpus
// words in an order that rarely occurs, 30% globs sharing a corpus
// word's first letters with an invented ending, 10% single corpus words
// that do match and make their rules run.
func fillerEngine(b *testing.B, docs []tagger.Document, factor int) *tagger.Engine {
	base := tagger.BuiltinRules()
	st := builtin(b).Stats()
	shipped := st.Rules + st.Actors
	fsys := fstest.MapFS{}
	names, _ := fs.Glob(base, "*.yaml")
	for _, n := range names {
		data, _ := fs.ReadFile(base, n)
		fsys[n] = &fstest.MapFile{Data: data}
	}
	vocab := map[string]bool{}
	for _, d := range docs {
		for _, w := range strings.FieldsFunc(d.Title+" "+d.Body, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len([]rune(w)) >= 4 {
				vocab[strings.ToLower(w)] = true
			}
		}
	}
	words := make([]string, 0, len(vocab))
	for w := range vocab {
		words = append(words, w)
	}
	sort.Strings(words)
	rng := rand.New(rand.NewSource(1))
	labels := []string{"relevant", "topic:territory", "topic:sanctions", "topic:ceasefire", "outlook:progress", "outlook:stalemate", "framing:pro_ukraine"}
	var y strings.Builder
	y.WriteString("rules:\n")
	for i := 0; i < shipped*(factor-1); i++ {
		var phrase string
		switch k := rng.Intn(10); {
		case k < 6:
			phrase = words[rng.Intn(len(words))] + " " + words[rng.Intn(len(words))]
		case k < 9:
			w := []rune(words[rng.Intn(len(words))])
			phrase = string(w[:3]) + string(rune('q'+rng.Intn(5))) + string(rune('x'+rng.Intn(3))) + "*"
		default:
			phrase = words[rng.Intn(len(words))]
		}
		fmt.Fprintf(&y, "  - id: filler.%d\n    label: %s\n    match: %q\n    tests: [{ruleid: %q}, {ok: \"nothing\"}]\n",
			i, labels[i%len(labels)], phrase, strings.TrimSuffix(phrase, "*"))
	}
	fsys["filler.yaml"] = &fstest.MapFile{Data: []byte(y.String())}
	e, err := tagger.Load(tagger.FromFS(fsys, "bench"))
	if err != nil {
		b.Fatal(err)
	}
	return e
}

func benchTag(b *testing.B, e *tagger.Engine, docs []tagger.Document, size int) {
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			e.Tag(d)
		}
	}
	elapsed := time.Since(start).Seconds()
	b.ReportMetric(float64(len(docs)*b.N)/elapsed, "articles/s")
	st := e.Stats()
	b.ReportMetric(float64(st.Rules+st.Actors), "rules")
}

// BenchmarkTag measures full tagging (normalise, match, score, evidence)
// of the gold corpus on one goroutine with the shipped rules.
func BenchmarkTag(b *testing.B) {
	docs, size := benchCorpus(b)
	benchTag(b, builtin(b), docs, size)
}

// BenchmarkTag10xRules is BenchmarkTag with ten times as many rules.
func BenchmarkTag10xRules(b *testing.B) {
	docs, size := benchCorpus(b)
	benchTag(b, fillerEngine(b, docs, 10), docs, size)
}

// BenchmarkRuleGrowth tags the corpus alternately with the shipped rules
// and with ten times as many, and reports how much slower the larger set
// is (slowdown-10x; the target is below 1.5).
func BenchmarkRuleGrowth(b *testing.B) {
	docs, _ := benchCorpus(b)
	e1, e10 := builtin(b), fillerEngine(b, docs, 10)
	var t1, t10 time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for _, d := range docs {
			e1.Tag(d)
		}
		mid := time.Now()
		for _, d := range docs {
			e10.Tag(d)
		}
		t1, t10 = t1+mid.Sub(start), t10+time.Since(mid)
	}
	b.ReportMetric(float64(t10)/float64(t1), "slowdown-10x")
}

// BenchmarkTagLongDocument tags one document of about 1 MB (the gold
// corpus run together): the cost must stay linear in the length.
func BenchmarkTagLongDocument(b *testing.B) {
	docs, _ := benchCorpus(b)
	var body strings.Builder
	for body.Len() < 1<<20 {
		for _, d := range docs {
			body.WriteString(d.Body)
			body.WriteString("\n\n")
		}
	}
	doc := tagger.Document{Title: docs[0].Title, Body: body.String()}
	e := builtin(b)
	b.SetBytes(int64(len(doc.Title) + len(doc.Body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Tag(doc)
	}
}

// BenchmarkBaselineByteLoop reads the corpus with the simplest loop
// there is (a byte sum). It does no tagging: its MB/s say how fast this
// machine runs at the moment, so that the tagging figures can be judged
// on a shared or busy machine.
func BenchmarkBaselineByteLoop(b *testing.B) {
	docs, size := benchCorpus(b)
	b.SetBytes(int64(size))
	sum := 0
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			for j := 0; j < len(d.Title); j++ {
				sum += int(d.Title[j])
			}
			for j := 0; j < len(d.Body); j++ {
				sum += int(d.Body[j])
			}
		}
	}
	if sum == 42 {
		b.Log(sum) // keep the loop
	}
}
