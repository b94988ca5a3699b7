package digest_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/digest"
	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/store/storetest"
)

// benchCorpus names the synthetic corpus; change it when the corpus or
// the schema it needs changes, and the next run loads a new database.
const benchCorpus = "1m-v3"

// benchStore opens the benchmark database, kept between runs on a
// server that outlives them (a throwaway cluster loads it every time).
func benchStore(b *testing.B) *store.Store {
	b.Helper()
	name := "stancewatch_bench_" + strings.ReplaceAll(benchCorpus, "-", "_")
	return pg.SyntheticStore(b, name, storetest.SyntheticOptions{
		Articles: 1_000_000,
		From:     time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		To:       time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Version:  benchCorpus,
	})
}

// BenchmarkDigest1M builds one day's digest from a year of 1,000,000
// articles. The target is under 2 s a digest.
func BenchmarkDigest1M(b *testing.B) {
	ctx := context.Background()
	st := benchStore(b)
	day := digest.NewDay(time.Date(2025, 7, 15, 0, 0, 0, 0, time.UTC), time.UTC)
	now := func() time.Time { return time.Date(2025, 7, 16, 6, 0, 0, 0, time.UTC) }
	dg, err := digest.Build(ctx, st, day, digest.Options{Now: now})
	if err != nil {
		b.Fatal(err)
	}
	checkPlans(b, st, day, dg)

	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			if _, err := digest.Build(ctx, st, day, digest.Options{Now: now}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/digest")
		b.ReportMetric(float64(dg.Headline.Articles.Count), "articles/day")
		b.ReportMetric(float64(dg.Headline.Relevant.Count), "relevant/day")
		b.ReportMetric(float64(len(dg.Stories)), "stories/day")
	})
	b.Run("generate", func(b *testing.B) {
		dir := b.TempDir()
		for b.Loop() {
			if _, err := digest.Generate(ctx, st, day, digest.Options{Now: now, OutDir: dir}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/digest")
		html, _ := os.ReadFile(dir + "/" + day.String() + ".html")
		b.ReportMetric(float64(len(html))/1024, "KiB-html")
	})
}

// seqScanOfBigTable finds a sequential scan of a table that grows with
// the corpus.
var seqScanOfBigTable = regexp.MustCompile(`Seq Scan on (articles|article_tags|article_topics|article_actors|tag_evidence)\b`)

// checkPlans fails the benchmark when a query reads a whole table, and
// writes the plans to $STANCEWATCH_BENCH_PLANS when set.
func checkPlans(b *testing.B, st *store.Store, day digest.Day, dg *digest.Digest) {
	b.Helper()
	var ids []int64
	for _, s := range dg.Stories[:min(40, len(dg.Stories))] {
		ids = append(ids, s.Articles[0].ID)
	}
	plans, err := st.ExplainDigest(context.Background(), day.TrendBounds(digest.TrendDays), ids)
	if err != nil {
		b.Fatal(err)
	}
	var all strings.Builder
	for name, plan := range plans {
		fmt.Fprintf(&all, "== %s\n%s\n\n", name, plan)
		if m := seqScanOfBigTable.FindString(plan); m != "" {
			b.Errorf("%s: %s\n%s", name, m, plan)
		}
		if strings.Contains(name, "daily") || strings.Contains(name, "relevant") || strings.Contains(name, "framing") || strings.Contains(name, "actors") {
			if !strings.Contains(plan, "articles_published_at_idx") {
				b.Errorf("%s does not use articles_published_at_idx:\n%s", name, plan)
			}
		}
	}
	if path := os.Getenv("STANCEWATCH_BENCH_PLANS"); path != "" {
		if err := os.WriteFile(path, []byte(all.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}
