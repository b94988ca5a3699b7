package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/store/storetest"
	"github.com/stancewatch/stancewatch/web"
)

// benchDB names the workbench's 1,000,000-article database: the digest
// benchmark's synthetic corpus (storetest.LoadSynthetic, version 1m-v3) in a
// database of its own, so that its schema (migrated by this branch) never
// gets ahead of another checkout's digest benchmark database.
const benchDB = "stancewatch_bench_workbench_1m_v3"

func benchStore(b *testing.B) *store.Store {
	return pg.SyntheticStore(b, benchDB, storetest.SyntheticOptions{
		Articles: 1_000_000,
		From:     time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		To:       time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Version:  "1m-v3",
	})
}

// BenchmarkWorkbench1M: the first page of the article list (target
// under 100 ms) for several filters, and the CSV export of 100,000
// articles (target over 20,000 rows/s).
func BenchmarkWorkbench1M(b *testing.B) {
	ctx := context.Background()
	st := benchStore(b)
	yes := true
	pages := []struct {
		name string
		f    store.ArticleFilter
	}{
		{"first_page/relevant", store.ArticleFilter{Relevant: &yes}},
		{"first_page/any", store.ArticleFilter{}},
		{"first_page/outlook+topic", store.ArticleFilter{Relevant: &yes, Outlook: "stalemate", Topics: []string{"territory"}}},
		{"first_page/source+framing", store.ArticleFilter{Relevant: &yes, Source: "Volga Courier", Framing: "pro_russia"}},
		{"first_page/actor", store.ArticleFilter{Relevant: &yes, Actor: "Witkoff"}},
		{"first_page/q", store.ArticleFilter{Query: "ceasefire"}},
		{"first_page/last_week", store.ArticleFilter{Relevant: &yes, From: time.Date(2025, 12, 24, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	var plans strings.Builder
	for _, p := range pages {
		plan, err := st.ExplainArticles(ctx, p.f, nil, 51)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&plans, "== %s\n%s\n\n", p.name, plan)
		if m := seqScanOfBigTable.FindString(plan); m != "" {
			b.Errorf("%s reads a whole table (%s):\n%s", p.name, m, plan)
		}
	}
	if path := os.Getenv("STANCEWATCH_BENCH_PLANS"); path != "" {
		if err := os.WriteFile(path, []byte(plans.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			var items []store.ArticleItem
			var next *store.ArticleCursor
			for b.Loop() {
				var err error
				if items, next, err = st.ListArticles(ctx, p.f, nil, 50, false); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
			b.ReportMetric(float64(len(items)), "articles")
			// The second page, through the cursor.
			if next != nil {
				began := time.Now()
				if _, _, err := st.ListArticles(ctx, p.f, next, 50, false); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(time.Since(began).Microseconds())/1000, "ms/page2")
			}
		})
	}
	b.Run("csv_100k", func(b *testing.B) {
		// 100,000 articles: the last 36.5 days of the year, every label.
		f := store.ArticleFilter{From: time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		var rows int
		for b.Loop() {
			cw := &countWriter{}
			if err := web.WriteCSV(ctx, st, f, cw, nil); err != nil {
				b.Fatal(err)
			}
			rows = cw.lines - 1
		}
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("stats/month_by_day_outlook", func(b *testing.B) {
		yes := true
		q := store.StatsQuery{Filter: store.ArticleFilter{Relevant: &yes, From: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
			By: "day", Group: "outlook"}
		for b.Loop() {
			if _, err := st.Stats(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/query")
	})
	b.Run("pages", func(b *testing.B) {
		srv := httptest.NewServer(web.New(web.Options{Store: func() *store.Store { return st }, Location: time.UTC}).Handler())
		defer srv.Close()
		for _, path := range []string{"/", "/?outlook=stalemate&topic=territory", "/trends?from=2025-12-01&to=2025-12-31", "/review?from=2025-12-01&to=2025-12-31"} {
			began := time.Now()
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("GET %s: %d", path, resp.StatusCode)
			}
			b.Logf("GET %s: %d ms", path, time.Since(began).Milliseconds())
		}
	})
	b.Run("review/month", func(b *testing.B) {
		from, to := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for b.Loop() {
			if _, err := st.ReviewQueue(ctx, from, to, 100); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/query")
	})
}

// seqScanOfBigTable finds a sequential scan of a table that grows with
// the corpus.
var seqScanOfBigTable = regexp.MustCompile(`Seq Scan on (articles|article_tags|article_topics|article_actors|tag_evidence)\b`)

type countWriter struct{ lines int }

func (w *countWriter) Write(p []byte) (int, error) {
	w.lines += strings.Count(string(p), "\n")
	return len(p), nil
}

var _ io.Writer = (*countWriter)(nil)
