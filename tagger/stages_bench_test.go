package tagger

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func loadDocs(b testing.TB) ([]Document, int) {
	var docs []Document
	n := 0
	for _, f := range []string{"../testdata/gold/dev-a.jsonl", "../testdata/gold/dev-b.jsonl", "../testdata/gold/seed.jsonl"} {
		data, _ := os.ReadFile(f)
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var a struct{ Title, Body, Lang string }
			json.Unmarshal([]byte(l), &a)
			docs = append(docs, Document{a.Title, a.Body, a.Lang})
			n += len(a.Title) + len(a.Body)
		}
	}
	return docs, n
}

// BenchmarkStages breaks tagging down: tokenize, match (tokenize and the
// automaton), evaluate (plus rule evaluation), full (plus decisions and
// evidence). Each figure includes the stages before it.
func BenchmarkStages(b *testing.B) {
	docs, n := loadDocs(b)
	e, _ := Load()
	st := new(docState)
	b.Run("tokenize", func(b *testing.B) {
		b.SetBytes(int64(n))
		for i := 0; i < b.N; i++ {
			for _, d := range docs {
				st.z.reset()
				st.z.add(d.Title, fieldTitle)
				st.z.add(d.Body, fieldBody)
			}
		}
	})
	b.Run("match", func(b *testing.B) {
		b.SetBytes(int64(n))
		for i := 0; i < b.N; i++ {
			for _, d := range docs {
				e.match(st, d)
			}
		}
	})
	b.Run("evaluate", func(b *testing.B) {
		b.SetBytes(int64(n))
		for i := 0; i < b.N; i++ {
			for _, d := range docs {
				e.match(st, d)
				e.evaluate(st, d, -1)
			}
		}
	})
	b.Run("full", func(b *testing.B) {
		b.SetBytes(int64(n))
		for i := 0; i < b.N; i++ {
			for _, d := range docs {
				e.Tag(d)
			}
		}
	})
}
