package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// tagBenchInput is the tagger benchmark's corpus (the dev sets and the
// seed) as `stancewatch tag` input, repeated to about 8 MB so that
// loading the rules is a small part of a run. It returns the input and
// the bytes of title and body in it (what BenchmarkTag counts).
func tagBenchInput(b *testing.B) ([]byte, int) {
	b.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "gold", "dev-*.jsonl"))
	files = append(files, filepath.Join("..", "..", "testdata", "gold", "seed.jsonl"))
	var lines [][]byte
	text := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var a struct{ Title, Body string }
			if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
				b.Fatal(err)
			}
			lines = append(lines, append([]byte(nil), sc.Bytes()...))
			text += len(a.Title) + len(a.Body)
		}
		fh.Close()
	}
	var in bytes.Buffer
	total := 0
	for in.Len() < 8<<20 {
		for _, l := range lines {
			in.Write(l)
			in.WriteByte('\n')
		}
		total += text
	}
	return in.Bytes(), total
}

// BenchmarkTagCommand measures `stancewatch tag` end to end in process:
// JSON lines in, labels and evidence out, rules loaded once per run. The
// MB/s figure counts title and body bytes, as BenchmarkTag does, so the
// two compare directly; run it with -cpu 1 for one core.
func BenchmarkTagCommand(b *testing.B) {
	input, text := tagBenchInput(b)
	// The compiled rules come from a cache after the first run, as for
	// every run of the command but the first.
	cacheDir := b.TempDir()
	b.SetBytes(int64(text))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		c := &cli{stdin: bytes.NewReader(input), stdout: io.Discard, stderr: io.Discard,
			getenv: func(string) string { return "" }, version: "bench",
			userCacheDir: func() (string, error) { return cacheDir, nil }}
		if code := runCLI(context.Background(), []string{"tag"}, c); code != 0 {
			b.Fatalf("tag exited %d", code)
		}
	}
	b.ReportMetric(float64(len(input)*b.N)/time.Since(start).Seconds()/1e6, "input-MB/s")
}
