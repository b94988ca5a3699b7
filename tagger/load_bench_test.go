package tagger

import "testing"

// BenchmarkLoad measures reading and compiling the built-in rules: once
// per `stancewatch tag` run, a fifth of tagging the benchmark corpus.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
