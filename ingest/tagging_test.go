package ingest

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stancewatch/stancewatch/store/storetest"

	"github.com/stancewatch/stancewatch/digest"
	"github.com/stancewatch/stancewatch/gold"
	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/tagger"
)

// goldRows stores gold articles as articles of the database.
func goldRows(t *testing.T, ids ...string) []store.ArticleRow {
	t.Helper()
	var arts []gold.Article
	for _, f := range []string{"dev-a.jsonl", "dev-b.jsonl", "seed.jsonl"} {
		a, err := gold.ReadFile("../testdata/gold/" + f)
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, a...)
	}
	var rows []store.ArticleRow
	for _, id := range ids {
		for _, a := range arts {
			if a.ID == id {
				pub, _ := time.Parse(time.RFC3339, a.Published)
				rows = append(rows, store.ArticleRow{URL: "https://gold.example/" + a.ID, CanonicalURL: "https://gold.example/" + a.ID,
					Source: a.Source, Title: a.Title, ContentText: a.Body, Lang: a.Lang, PublishedAt: pub})
			}
		}
	}
	if len(rows) != len(ids) {
		t.Fatalf("gold articles %v not all found", ids)
	}
	return rows
}

func builtinEngine(t *testing.T) *tagger.Engine {
	t.Helper()
	e, err := tagger.Load()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// editedEngine is the built-in rule set with one file changed (a comment
// added): the same rules under a new version.
func editedEngine(t *testing.T) *tagger.Engine {
	t.Helper()
	src := tagger.BuiltinRules()
	fsys := fstest.MapFS{}
	names, _ := fs.Glob(src, "*.yaml")
	for _, n := range names {
		data, _ := fs.ReadFile(src, n)
		if n == "settings.yaml" {
			data = append(data, "\n# edited\n"...)
		}
		fsys[n] = &fstest.MapFile{Data: data}
	}
	e, err := tagger.Load(tagger.FromFS(fsys, "edited"))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

type labelRow struct {
	relevant         bool
	topics           string
	outlook, framing string
	version          string
}

func labelsOf(t *testing.T, st *store.Store, id int64) labelRow {
	t.Helper()
	var r labelRow
	var topics []string
	err := storetest.QueryRow(t, st, `
		SELECT l.relevant, l.topics, l.outlook, l.framing, t.rules_version
		FROM article_labels l JOIN article_tags t ON t.article_id = l.article_id
		WHERE l.article_id = $1`, id).Scan(&r.relevant, &topics, &r.outlook, &r.framing, &r.version)
	if err != nil {
		t.Fatalf("labels of %d: %v", id, err)
	}
	r.topics = strings.Join(topics, ",")
	return r
}

func TestTagArticlesSavesLabelsActorsAndEvidence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	ids, err := st.InsertArticles(ctx, goldRows(t, "seed-01", "dev-a-08", "dev-a-05"))
	if err != nil {
		t.Fatal(err)
	}
	eng := builtinEngine(t)
	var batches []int
	tg := newTagging(st, eng, taggingOptions{BatchSize: 2, OnTagged: func(n int, _ time.Duration) { batches = append(batches, n) }})
	if err := tg.TagArticles(ctx, append(ids, 987654)); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(batches) != "[2 1]" {
		t.Errorf("batches %v, want [2 1] (batch size 2, missing id skipped)", batches)
	}
	seed := labelsOf(t, st, ids[0])
	want := labelRow{true, "european_response,peace_plan,security_guarantees,territory,us_mediation", "stalemate", "pro_ukraine", eng.Version()}
	if seed != want {
		t.Errorf("seed article labels %+v, want %+v", seed, want)
	}
	if football := labelsOf(t, st, ids[1]); football.relevant || football.topics != "" || football.outlook != "none" {
		t.Errorf("football article labels %+v, want irrelevant", football)
	}
	if uk := labelsOf(t, st, ids[2]); !uk.relevant || uk.outlook != "mixed" || uk.framing != "pro_ukraine" {
		t.Errorf("Ukrainian article labels %+v", uk)
	}

	// Every piece of evidence slices the stored title or content_text at
	// its byte offsets, as the digest will read it.
	var bad, total int
	err = storetest.QueryRow(t, st, `
		SELECT count(*) FILTER (WHERE convert_from(substring(convert_to(CASE e.field WHEN 'title' THEN a.title ELSE a.content_text END, 'UTF8')
		                                   FROM e.start_offset + 1 FOR e.end_offset - e.start_offset), 'UTF8') <> e.matched_text),
		       count(*)
		FROM tag_evidence e JOIN articles a ON a.id = e.article_id`).Scan(&bad, &total)
	if err != nil {
		t.Fatal(err)
	}
	if total < 50 || bad != 0 {
		t.Errorf("%d of %d evidence rows do not slice the stored text", bad, total)
	}
	var putin int
	if err := storetest.QueryRow(t, st, `SELECT mentions FROM article_actors WHERE article_id = $1 AND actor = 'Putin'`, ids[0]).Scan(&putin); err != nil || putin < 5 {
		t.Errorf("Putin mentions in the seed article: %d (%v)", putin, err)
	}
	labels := storetest.Strings(t, st, `SELECT DISTINCT label FROM tag_evidence WHERE article_id = $1 ORDER BY label`, ids[0])
	for _, l := range []string{"relevant", "topic:territory", "outlook:stalemate", "framing:pro_ukraine", "actor:Putin"} {
		if !strings.Contains(","+strings.Join(labels, ",")+",", ","+l+",") {
			t.Errorf("seed evidence has no %s (labels %v)", l, labels)
		}
	}
}

func TestRetag(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	ids, err := st.InsertArticles(ctx, goldRows(t, "dev-a-01", "dev-a-02", "dev-a-03", "dev-a-07", "dev-b-21"))
	if err != nil {
		t.Fatal(err)
	}
	v1 := newTagging(st, builtinEngine(t), taggingOptions{BatchSize: 2})
	n, err := v1.Retag(ctx, time.Time{})
	if err != nil || n != 5 {
		t.Fatalf("first retag tagged %d (%v), want all 5 untagged articles", n, err)
	}
	if n, err := v1.Retag(ctx, time.Time{}); err != nil || n != 0 {
		t.Fatalf("second retag tagged %d (%v), want 0: nothing changed", n, err)
	}

	// New rules: everything is due. A crash after the first batch is
	// simulated by tagging two articles first; the retag finishes the rest.
	v2 := newTagging(st, editedEngine(t), taggingOptions{BatchSize: 2})
	if v2.RulesVersion() == v1.RulesVersion() {
		t.Fatal("edited rules kept the version")
	}
	if err := v2.TagArticles(ctx, ids[:2]); err != nil {
		t.Fatal(err)
	}
	if n, err := v2.Retag(ctx, time.Time{}); err != nil || n != 3 {
		t.Fatalf("retag under new rules tagged %d (%v), want the 3 still due", n, err)
	}
	for _, id := range ids {
		if got := labelsOf(t, st, id); got.version != v2.RulesVersion() {
			t.Errorf("article %d still tagged by %s", id, got.version)
		}
	}

	// A changed article is due again, and only it; its new text is read.
	title := "Talks in Geneva collapse as Kremlin rejects US-Ukrainian framework"
	body := "GENEVA – The talks on Ukraine collapsed on Friday. The Kremlin rejected the framework and said its demands on Donbas were unchanged; Kyiv called them unacceptable. No date was set for another round."
	storetest.Exec(t, st, `UPDATE articles SET title = $2, content_text = $3, content_hash = $4 WHERE id = $1`,
		ids[0], title, body, store.ContentHash(title, "", body))
	before := labelsOf(t, st, ids[0])
	if n, err := v2.Retag(ctx, time.Time{}); err != nil || n != 1 {
		t.Fatalf("retag after a change tagged %d (%v), want 1", n, err)
	}
	if after := labelsOf(t, st, ids[0]); after.outlook != "stalemate" || before.outlook != "progress" {
		t.Errorf("changed article: outlook %s before, %s after; want progress then stalemate", before.outlook, after.outlook)
	}

	// Since: only articles published at or after it.
	v3 := newTagging(st, builtinEngine(t), taggingOptions{})
	since, _ := time.Parse(time.RFC3339, "2025-12-20T00:00:00Z")
	var want int
	want = storetest.Count(t, st, `SELECT count(*) FROM articles WHERE published_at >= $1`, since)
	if n, err := v3.Retag(ctx, since); err != nil || n != want || want == 0 || want == 5 {
		t.Fatalf("retag since %s tagged %d (%v), want %d", since, n, err, want)
	}
}

func TestTaggingReadsTheSummaryWhenThereIsNoText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	summary := "Ukraine and Russia swapped prisoners of war; the talks on a ceasefire will resume, Kyiv said."
	day := digest.Yesterday(time.Now(), time.UTC)
	ids, err := st.InsertArticles(ctx, []store.ArticleRow{{URL: "https://s.example/1", CanonicalURL: "https://s.example/1",
		Title: "Peace talks: prisoners of war exchanged", Summary: summary, Lang: "en", PublishedAt: day.Start().Add(12 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := newTagging(st, builtinEngine(t), taggingOptions{}).TagArticles(ctx, ids); err != nil {
		t.Fatal(err)
	}
	l, err := st.LabelsOf(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if !l.Relevant {
		t.Fatalf("labels %+v: the summary was not read", l)
	}
	fromSummary := 0
	for _, e := range l.Evidence {
		switch {
		case e.Field == "body":
			t.Errorf("evidence %+v: field body, but the article has no text, only a summary", e)
		case e.Field == "summary" && summary[e.Start:e.End] != e.Text:
			t.Errorf("summary evidence %+v does not slice the summary", e)
		case e.Field == "summary":
			fromSummary++
		}
	}
	if fromSummary == 0 {
		t.Fatalf("no evidence from the summary: %+v", l.Evidence)
	}

	// The digest quotes the summary around that evidence.
	dg, err := digest.Build(ctx, st, day, digest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(dg.Stories) != 1 || dg.Stories[0].Snippet == nil {
		t.Fatalf("stories %+v: want one, with a snippet", dg.Stories)
	}
	sn := dg.Stories[0].Snippet
	var text strings.Builder
	for _, p := range sn.Parts {
		text.WriteString(p.Text)
	}
	if sn.Field != "summary" || !strings.Contains(summary, strings.TrimSpace(text.String())) || text.Len() == 0 {
		t.Errorf("snippet from %s %q, want a piece of the summary %q", sn.Field, text.String(), summary)
	}
}
