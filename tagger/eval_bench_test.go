package tagger

import "testing"

// BenchmarkEvaluate measures rule evaluation alone: the documents are
// tokenized and matched once, outside the timer, and only the rules run
// in the loop. Where BenchmarkStages' evaluate figure adds it to the
// matching, this one shows a change to the evaluation by itself on a
// noisy machine.
func BenchmarkEvaluate(b *testing.B) {
	docs, n := loadDocs(b)
	e, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	sts := make([]*docState, len(docs))
	for i, d := range docs {
		sts[i] = new(docState)
		e.match(sts[i], d)
	}
	b.SetBytes(int64(n))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, d := range docs {
			e.evaluate(sts[j], d, -1)
		}
	}
}
