package storetest_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/internal/pgtest"
	"github.com/stancewatch/stancewatch/store/storetest"
)

func TestLoadSynthetic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	opts := storetest.SyntheticOptions{Articles: 4_000, From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		To: time.Date(2025, 1, 11, 0, 0, 0, 0, time.UTC), Version: "test"}
	loaded, err := storetest.LoadSynthetic(ctx, st, opts)
	if err != nil || !loaded {
		t.Fatalf("load: %v, %v", loaded, err)
	}
	var articles, relevant, topics, actors, evidence, badEvidence, outside int
	q := func(sql string, dst *int) {
		t.Helper()
		if err := st.Pool().QueryRow(ctx, sql).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	q(`SELECT count(*) FROM articles`, &articles)
	q(`SELECT count(*) FROM article_tags WHERE relevant`, &relevant)
	q(`SELECT count(*) FROM article_topics`, &topics)
	q(`SELECT count(*) FROM article_actors`, &actors)
	q(`SELECT count(*) FROM tag_evidence`, &evidence)
	q(`SELECT count(*) FROM articles WHERE published_at < '2024-12-31 23:00Z' OR published_at >= '2025-01-11 01:00Z'`, &outside)
	// Every evidence row points at its words (byte offsets into the text).
	q(`SELECT count(*) FROM tag_evidence e JOIN articles a ON a.id = e.article_id
	   WHERE convert_from(substring(convert_to(a.content_text, 'UTF8') FROM e.start_offset + 1 FOR e.end_offset - e.start_offset), 'UTF8') <> e.matched_text`, &badEvidence)
	if articles != 4_000 || outside != 0 {
		t.Errorf("%d articles, %d outside the range", articles, outside)
	}
	if share := float64(relevant) / float64(articles); share < 0.27 || share > 0.33 {
		t.Errorf("relevant share %.3f, want about 0.30", share)
	}
	if per := float64(topics) / float64(relevant); per < 2 || per > 3 {
		t.Errorf("%.2f topics per relevant article", per)
	}
	if per := float64(evidence) / float64(articles); per < 2 || per > 5 {
		t.Errorf("%.2f evidence rows per article", per)
	}
	if actors == 0 || badEvidence != 0 {
		t.Errorf("%d actors, %d evidence rows not pointing at their words", actors, badEvidence)
	}
	again, err := storetest.LoadSynthetic(ctx, st, opts)
	if err != nil || again {
		t.Errorf("second load of the same version: %v, %v", again, err)
	}
	opts.Version = "other"
	if _, err := storetest.LoadSynthetic(ctx, st, opts); err == nil || !strings.Contains(err.Error(), "fresh database") {
		t.Errorf("other version over a loaded corpus: %v", err)
	}
}

var pg *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }
