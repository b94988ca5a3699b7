package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The analyst workbench's queries: the filtered article list, one
// article in full, counts for charts, the review queue and corrections.
// Labels here are the reviewed ones: an analyst's latest correction where
// there is one, else the tagger's (as in the article_labels_reviewed
// view). Only tagged articles are listed.

// LabelSet is the four labels of the taxonomy.
type LabelSet struct {
	Relevant bool
	Topics   []string // sorted
	Outlook  string
	Framing  string
}

// ArticleFilter selects articles; zero fields select everything.
type ArticleFilter struct {
	From, To time.Time // published in [From, To); zero: unbounded
	Topics   []string  // has every one of them
	Outlook  string
	Framing  string
	Source   string
	Lang     string
	Actor    string
	Query    string // full text, websearch_to_tsquery syntax
	Relevant *bool  // nil: both
}

// ArticleCursor is the position after the last article of a page; the
// list is ordered by (published_at, id), newest first.
type ArticleCursor struct {
	PublishedAt time.Time
	ID          int64
}

// ArticleItem is one article of the list, with its reviewed labels.
type ArticleItem struct {
	ID          int64
	URL         string
	Title       string
	Source      string
	PublishedAt time.Time
	Lang        string
	Labels      LabelSet
	Corrected   bool
	Actors      []string // most mentioned first
	// Story is the id of the first stored article with the same text
	// (the same content hash): copies of one wire story share it.
	Story    int64
	Evidence []Evidence // only when asked for
}

// reviewedJoins joins to articles a what every workbench query shows:
// t (the tagger's labels), c (the latest correction) and r (the reviewed
// labels).
const reviewedJoins = `
JOIN article_tags t ON t.article_id = a.id
LEFT JOIN LATERAL (
    SELECT x.id, x.relevant, x.topics, x.outlook, x.framing
    FROM label_corrections x WHERE x.article_id = a.id ORDER BY x.id DESC LIMIT 1
) c ON true
CROSS JOIN LATERAL (
    SELECT coalesce(c.relevant, t.relevant) AS relevant,
           coalesce(c.outlook, t.outlook) AS outlook,
           coalesce(c.framing, t.framing) AS framing,
           CASE WHEN c.id IS NULL
                THEN coalesce((SELECT array_agg(y.topic ORDER BY y.topic) FROM article_topics y WHERE y.article_id = a.id), '{}')
                ELSE (SELECT coalesce(array_agg(z ORDER BY z), '{}') FROM unnest(c.topics) z)
           END AS topics
) r`

const reviewedFrom = "\nFROM articles a" + reviewedJoins

// itemColumns are an ArticleItem's columns. Actors come in name order
// and the story is the smallest id with the same content hash: both are
// index-only scans.
const itemColumns = `a.id, a.url, a.title, a.source, a.published_at, a.lang,
       r.relevant, r.topics, r.outlook, r.framing, c.id IS NOT NULL,
       coalesce((SELECT array_agg(x.actor ORDER BY x.actor) FROM article_actors x WHERE x.article_id = a.id), '{}'),
       (SELECT min(s.id) FROM articles s WHERE s.content_hash = a.content_hash)`

// keysSQL selects the (id, published_at) of the articles matching f,
// after the cursor, newest first, at most limit (0: all). The filter
// applies to the reviewed labels, in two parts the planner can estimate
// and serve from indexes: articles nobody corrected, filtered on the
// tagger's labels (article_tags, article_topics), and corrected ones,
// filtered on their latest correction. Filtering coalesce() expressions
// instead leaves the planner blind: it expected a dozen rows where tens
// of thousands matched, and sorted the whole table.
func (f ArticleFilter) keysSQL(args *[]any, after *ArticleCursor, limit int, ordered bool) string {
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	var common []string
	if !f.From.IsZero() {
		common = append(common, "a.published_at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		common = append(common, "a.published_at < "+arg(f.To))
	}
	if f.Source != "" {
		common = append(common, "a.source = "+arg(f.Source))
	}
	if f.Lang != "" {
		common = append(common, "a.lang = "+arg(f.Lang))
	}
	if f.Actor != "" {
		common = append(common, "EXISTS (SELECT 1 FROM article_actors x WHERE x.article_id = a.id AND x.actor = "+arg(f.Actor)+")")
	}
	if f.Query != "" {
		common = append(common, "a.tsv @@ websearch_to_tsquery('simple', "+arg(f.Query)+")")
	}
	if after != nil {
		// (published_at, id) < cursor, spelt so that published_at <= $n
		// is an index condition on articles_published_at_idx.
		p, i := arg(after.PublishedAt), arg(after.ID)
		common = append(common, fmt.Sprintf("a.published_at <= %s AND (a.published_at < %s OR a.id < %s)", p, p, i))
	}
	labels := func(alias string) []string {
		var conds []string
		if f.Relevant != nil {
			conds = append(conds, alias+".relevant = "+arg(*f.Relevant))
		}
		if f.Outlook != "" {
			conds = append(conds, alias+".outlook = "+arg(f.Outlook))
		}
		if f.Framing != "" {
			conds = append(conds, alias+".framing = "+arg(f.Framing))
		}
		return conds
	}
	tagged := append(slices.Clone(common), "NOT EXISTS (SELECT 1 FROM label_corrections x WHERE x.article_id = a.id)")
	tagged = append(tagged, labels("t")...)
	for _, topic := range f.Topics {
		tagged = append(tagged, "EXISTS (SELECT 1 FROM article_topics y WHERE y.article_id = a.id AND y.topic = "+arg(topic)+")")
	}
	corrected := append(slices.Clone(common), "a.id IN (SELECT article_id FROM label_corrections)")
	corrected = append(corrected, labels("c")...)
	if len(f.Topics) > 0 {
		corrected = append(corrected, "c.topics @> "+arg(f.Topics)+"::text[]")
	}
	order := ""
	if ordered {
		order = "\nORDER BY published_at DESC, id DESC"
	}
	if limit > 0 {
		order += "\nLIMIT " + arg(limit)
	}
	return "(SELECT a.id, a.published_at FROM articles a JOIN article_tags t ON t.article_id = a.id" + whereSQL(tagged) + order + ")" +
		"\nUNION ALL\n" +
		"(SELECT a.id, a.published_at FROM articles a JOIN article_tags t ON t.article_id = a.id\n" +
		"JOIN LATERAL (SELECT x.relevant, x.topics, x.outlook, x.framing FROM label_corrections x WHERE x.article_id = a.id ORDER BY x.id DESC LIMIT 1) c ON true" +
		whereSQL(corrected) + order + ")" + order
}

func whereSQL(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return "\nWHERE " + strings.Join(conds, "\n  AND ")
}

func scanItem(row pgx.Row, it *ArticleItem) error {
	return row.Scan(&it.ID, &it.URL, &it.Title, &it.Source, &it.PublishedAt, &it.Lang,
		&it.Labels.Relevant, &it.Labels.Topics, &it.Labels.Outlook, &it.Labels.Framing, &it.Corrected,
		&it.Actors, &it.Story)
}

// listSQL is the article list's query: up to limit articles matching f
// after the cursor (limit 0: all of them).
func listSQL(f ArticleFilter, after *ArticleCursor, limit int) (string, []any) {
	var args []any
	keys := f.keysSQL(&args, after, limit, true)
	return "WITH k AS (\n" + keys + "\n)\nSELECT " + itemColumns + "\nFROM k JOIN articles a ON a.id = k.id" + reviewedJoins +
		"\nORDER BY a.published_at DESC, a.id DESC", args
}

// noJIT runs fn in a read-only transaction without JIT compilation:
// these queries are short, and compiling them cost seconds (2.7 s of a
// 7.6 s CSV export of 100,000 rows).
func (s *Store) noJIT(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL jit = off"); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// ExplainArticles returns the plan of the article list's query for f,
// for benchmarks that check which indexes it uses.
func (s *Store) ExplainArticles(ctx context.Context, f ArticleFilter, after *ArticleCursor, limit int) (string, error) {
	sql, args := listSQL(f, after, limit)
	var lines []string
	err := s.noJIT(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, args...)
		if err != nil {
			return err
		}
		lines, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return "", fmt.Errorf("explain articles: %w", err)
	}
	return strings.Join(lines, "\n"), nil
}

// ListArticles returns up to limit articles matching f, newest first,
// after the cursor (nil: from the newest), and the cursor of the next
// page (nil when there is none). With evidence set each article carries
// its evidence.
func (s *Store) ListArticles(ctx context.Context, f ArticleFilter, after *ArticleCursor, limit int, evidence bool) ([]ArticleItem, *ArticleCursor, error) {
	if limit <= 0 {
		return nil, nil, errors.New("list articles: limit must be positive")
	}
	sql, args := listSQL(f, after, limit+1)
	items := make([]ArticleItem, 0, limit+1)
	err := s.noJIT(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it ArticleItem
			if err := scanItem(rows, &it); err != nil {
				return err
			}
			items = append(items, it)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list articles: %w", err)
	}
	var next *ArticleCursor
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		next = &ArticleCursor{PublishedAt: last.PublishedAt, ID: last.ID}
	}
	if evidence && len(items) > 0 {
		if err := s.attachEvidence(ctx, items); err != nil {
			return nil, nil, err
		}
	}
	return items, next, nil
}

func (s *Store) attachEvidence(ctx context.Context, items []ArticleItem) error {
	ids := make([]int64, len(items))
	at := make(map[int64]int, len(items))
	for i, it := range items {
		ids[i], at[it.ID] = it.ID, i
		items[i].Evidence = []Evidence{}
	}
	rows, err := s.pool.Query(ctx, `
		SELECT article_id, label, rule_id, field, matched_text, start_offset, end_offset, weight
		FROM tag_evidence WHERE article_id = ANY($1)
		ORDER BY article_id, field, start_offset, label, id`, ids)
	if err != nil {
		return fmt.Errorf("list articles: evidence: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var e Evidence
		if err := rows.Scan(&id, &e.Label, &e.RuleID, &e.Field, &e.Text, &e.Start, &e.End, &e.Weight); err != nil {
			return fmt.Errorf("list articles: evidence: %w", err)
		}
		items[at[id]].Evidence = append(items[at[id]].Evidence, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list articles: evidence: %w", err)
	}
	return nil
}

// EachArticle calls fn for every article matching f, newest first, as
// the rows arrive: memory stays constant however many match. fn's item
// is reused between calls.
func (s *Store) EachArticle(ctx context.Context, f ArticleFilter, fn func(*ArticleItem) error) error {
	sql, args := listSQL(f, nil, 0)
	var fnErr error
	err := s.noJIT(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var it ArticleItem
		for rows.Next() {
			if err := scanItem(rows, &it); err != nil {
				return err
			}
			if fnErr = fn(&it); fnErr != nil {
				return fnErr
			}
		}
		return rows.Err()
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("export articles: %w", err)
	}
	return nil
}

// ArticleCopy is another stored copy of an article's story.
type ArticleCopy struct {
	ID          int64
	Title       string
	Source      string
	URL         string
	PublishedAt time.Time
}

// ArticleDetail is one article with everything the workbench shows.
type ArticleDetail struct {
	ArticleItem
	Author      string
	Summary     string
	ContentText string
	FetchedAt   time.Time
	Tagger      Labels // the tagger's labels, scores and evidence
	Corrections []Correction
	Copies      []ArticleCopy
}

// ArticleDetail reads one tagged article (ErrNotFound if there is none).
func (s *Store) ArticleDetail(ctx context.Context, id int64) (ArticleDetail, error) {
	var d ArticleDetail
	row := s.pool.QueryRow(ctx, "SELECT "+itemColumns+", a.author, a.summary, a.content_text, a.fetched_at"+reviewedFrom+"\nWHERE a.id = $1", id)
	err := row.Scan(&d.ID, &d.URL, &d.Title, &d.Source, &d.PublishedAt, &d.Lang,
		&d.Labels.Relevant, &d.Labels.Topics, &d.Labels.Outlook, &d.Labels.Framing, &d.Corrected,
		&d.Actors, &d.Story, &d.Author, &d.Summary, &d.ContentText, &d.FetchedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, fmt.Errorf("article %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("article %d: %w", id, err)
	}
	if d.Tagger, err = s.LabelsOf(ctx, id); err != nil {
		return d, err
	}
	d.Evidence = d.Tagger.Evidence
	if d.Corrections, err = s.corrections(ctx, id); err != nil {
		return d, err
	}
	// Copies: the same text under another URL, or the same title from
	// another outlet within three days.
	rows, err := s.pool.Query(ctx, `
		SELECT b.id, b.title, b.source, b.url, b.published_at
		FROM articles a
		JOIN articles b ON b.id <> a.id AND (
		     b.content_hash = a.content_hash OR
		     (lower(b.title) = lower(a.title) AND a.title <> ''
		      AND b.published_at BETWEEN a.published_at - interval '3 days' AND a.published_at + interval '3 days'))
		WHERE a.id = $1
		ORDER BY b.published_at, b.id
		LIMIT 100`, id)
	if err != nil {
		return d, fmt.Errorf("article %d: copies: %w", id, err)
	}
	if d.Copies, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ArticleCopy]); err != nil {
		return d, fmt.Errorf("article %d: copies: %w", id, err)
	}
	return d, nil
}

// Correction is one analyst's correction of an article's labels.
type Correction struct {
	ID           int64
	ArticleID    int64
	By           string
	At           time.Time
	Before       LabelSet
	After        LabelSet
	RulesVersion string
	Note         string
}

func (s *Store) corrections(ctx context.Context, articleID int64) ([]Correction, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, article_id, corrected_by, corrected_at,
		       before_relevant, before_topics, before_outlook, before_framing,
		       relevant, topics, outlook, framing, rules_version, note
		FROM label_corrections WHERE article_id = $1 ORDER BY id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("corrections of article %d: %w", articleID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Correction, error) {
		var c Correction
		err := r.Scan(&c.ID, &c.ArticleID, &c.By, &c.At,
			&c.Before.Relevant, &c.Before.Topics, &c.Before.Outlook, &c.Before.Framing,
			&c.After.Relevant, &c.After.Topics, &c.After.Outlook, &c.After.Framing, &c.RulesVersion, &c.Note)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("corrections of article %d: %w", articleID, err)
	}
	return out, nil
}

// CorrectLabels records that the analyst `by` says article id has the
// labels after, with a note. The labels before are the article's reviewed
// labels at that moment. ErrNotFound: the article is not tagged.
func (s *Store) CorrectLabels(ctx context.Context, id int64, by string, after LabelSet, note string) (Correction, error) {
	c := Correction{ArticleID: id, By: by, After: after, Note: note}
	if c.After.Topics == nil {
		c.After.Topics = []string{}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return c, fmt.Errorf("correct article %d: %w", id, err)
	}
	defer tx.Rollback(ctx)
	// The tags row is locked so that two corrections of one article
	// record each other as "before", in order.
	err = tx.QueryRow(ctx, `SELECT rules_version FROM article_tags WHERE article_id = $1 FOR UPDATE`, id).Scan(&c.RulesVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("correct article %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("correct article %d: %w", id, err)
	}
	err = tx.QueryRow(ctx, `
		SELECT r.relevant, r.topics, r.outlook, r.framing`+reviewedFrom+`
		WHERE a.id = $1`, id).Scan(&c.Before.Relevant, &c.Before.Topics, &c.Before.Outlook, &c.Before.Framing)
	if err != nil {
		return c, fmt.Errorf("correct article %d: labels before: %w", id, err)
	}
	err = tx.QueryRow(ctx, `
		INSERT INTO label_corrections (article_id, corrected_by, before_relevant, before_topics, before_outlook, before_framing,
		                               relevant, topics, outlook, framing, rules_version, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT coalesce(array_agg(DISTINCT t ORDER BY t), '{}') FROM unnest($8::text[]) t), $9, $10, $11, $12)
		RETURNING id, corrected_at, topics`,
		id, by, c.Before.Relevant, c.Before.Topics, c.Before.Outlook, c.Before.Framing,
		after.Relevant, c.After.Topics, after.Outlook, after.Framing, c.RulesVersion, note).Scan(&c.ID, &c.At, &c.After.Topics)
	if err != nil {
		return c, fmt.Errorf("correct article %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return c, fmt.Errorf("correct article %d: commit: %w", id, err)
	}
	return c, nil
}

// CorrectedArticle is an article with an analyst's labels: the text the
// tagger reads and the latest correction.
type CorrectedArticle struct {
	ID          int64
	Source      string
	URL         string
	PublishedAt time.Time
	Lang        string
	Title       string
	Body        string // content_text, or the summary when there is none
	Labels      LabelSet
	By          string
	At          time.Time
	Note        string
}

// EachCorrectedArticle calls fn for every corrected article published in
// [from, to) (zero: unbounded), in id order, with its latest correction.
func (s *Store) EachCorrectedArticle(ctx context.Context, from, to time.Time, fn func(CorrectedArticle) error) error {
	rows, err := s.pool.Query(ctx, `
		SELECT a.id, a.source, a.url, a.published_at, a.lang, a.title,
		       CASE WHEN a.content_text <> '' THEN a.content_text ELSE a.summary END,
		       c.relevant, (SELECT coalesce(array_agg(z ORDER BY z), '{}') FROM unnest(c.topics) z), c.outlook, c.framing,
		       c.corrected_by, c.corrected_at, c.note
		FROM articles a
		JOIN LATERAL (
		    SELECT * FROM label_corrections x WHERE x.article_id = a.id ORDER BY x.id DESC LIMIT 1
		) c ON true
		WHERE a.id IN (SELECT article_id FROM label_corrections)
		  AND ($1::timestamptz IS NULL OR a.published_at >= $1)
		  AND ($2::timestamptz IS NULL OR a.published_at < $2)
		ORDER BY a.id`, nullTime(from), nullTime(to))
	if err != nil {
		return fmt.Errorf("corrected articles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a CorrectedArticle
		if err := rows.Scan(&a.ID, &a.Source, &a.URL, &a.PublishedAt, &a.Lang, &a.Title, &a.Body,
			&a.Labels.Relevant, &a.Labels.Topics, &a.Labels.Outlook, &a.Labels.Framing, &a.By, &a.At, &a.Note); err != nil {
			return fmt.Errorf("corrected articles: %w", err)
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("corrected articles: %w", err)
	}
	return nil
}

// StatsQuery asks for article counts per time bucket and group.
type StatsQuery struct {
	Filter ArticleFilter
	By     string // day, week, or "" for the whole range
	Group  string // outlook, framing, topic, source, actor
	// Group2, when set, splits each group again (e.g. source × framing).
	Group2   string
	Location *time.Location // the buckets' time zone; nil is UTC
}

// StatsRow is one count.
type StatsRow struct {
	Bucket time.Time // start of the day or week (zero when By is "")
	Key    string
	Key2   string
	Count  int
}

// statsKeys are the group expressions; topic and actor join a row per
// topic or actor.
var statsKeys = map[string]struct{ expr, join string }{
	"outlook": {"r.outlook", ""},
	"framing": {"r.framing", ""},
	"source":  {"a.source", ""},
	"lang":    {"a.lang", ""},
	"topic":   {"tk.topic", "\nCROSS JOIN LATERAL unnest(r.topics) AS tk (topic)"},
	"actor":   {"ak.actor", "\nJOIN article_actors ak ON ak.article_id = a.id"},
}

// Stats counts the articles matching q.Filter per bucket and group.
// Rows come ordered by bucket, then count (largest first), then key.
func (s *Store) Stats(ctx context.Context, q StatsQuery) ([]StatsRow, error) {
	g, ok := statsKeys[q.Group]
	if !ok {
		return nil, fmt.Errorf("stats: unknown group %q", q.Group)
	}
	g2 := struct{ expr, join string }{"''", ""}
	if q.Group2 != "" {
		if g2, ok = statsKeys[q.Group2]; !ok || q.Group2 == q.Group {
			return nil, fmt.Errorf("stats: unknown second group %q", q.Group2)
		}
	}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	var args []any
	keys := q.Filter.keysSQL(&args, nil, 0, false)
	bucket := "NULL::date"
	switch q.By {
	case "":
	case "day", "week":
		args = append(args, q.By, loc.String())
		bucket = fmt.Sprintf("date_trunc($%d, a.published_at AT TIME ZONE $%d)::date", len(args)-1, len(args))
	default:
		return nil, fmt.Errorf("stats: by must be day or week, not %q", q.By)
	}
	sql := "WITH k AS (\n" + keys + "\n)\nSELECT " + bucket + " AS bucket, " + g.expr + " AS key, " + g2.expr + " AS key2, count(*)" +
		"\nFROM k JOIN articles a ON a.id = k.id" + reviewedJoins + g.join + g2.join +
		"\nGROUP BY 1, 2, 3\nORDER BY 1, 4 DESC, 2, 3"
	var out []StatsRow
	err := s.noJIT(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (StatsRow, error) {
			var sr StatsRow
			var b *time.Time
			err := r.Scan(&b, &sr.Key, &sr.Key2, &sr.Count)
			if b != nil {
				sr.Bucket = time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, loc)
			}
			return sr, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	return out, nil
}

// ReviewItem is an article of the review queue.
type ReviewItem struct {
	ArticleItem
	Margin float64 // the smaller of the outlook and framing margins
}

// ReviewQueue lists the relevant, uncorrected articles published in
// [from, to) that the tagger was least sure of: the smallest margin
// between the winning outlook (or framing) score and the runner-up
// first, newest first among equals.
func (s *Store) ReviewQueue(ctx context.Context, from, to time.Time, limit int) ([]ReviewItem, error) {
	var out []ReviewItem
	err := s.noJIT(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
		SELECT `+itemColumns+`, m.margin`+reviewedFrom+`
		CROSS JOIN LATERAL (
		    SELECT coalesce((t.scores->>'outlook:progress')::float8, 0) AS p,
		           coalesce((t.scores->>'outlook:stalemate')::float8, 0) AS s,
		           coalesce((t.scores->>'outlook:mixed')::float8, 0) AS x,
		           coalesce((t.scores->>'framing:pro_ukraine')::float8, 0) AS pu,
		           coalesce((t.scores->>'framing:pro_russia')::float8, 0) AS pr
		) sc
		CROSS JOIN LATERAL (
		    -- winner minus runner-up of three: greatest minus the middle one
		    SELECT round(least(greatest(sc.p, sc.s, sc.x) - (sc.p + sc.s + sc.x - greatest(sc.p, sc.s, sc.x) - least(sc.p, sc.s, sc.x)),
		                       abs(sc.pu - sc.pr))::numeric, 3)::float8 AS margin
		) m
		WHERE t.relevant AND c.id IS NULL
		  AND ($1::timestamptz IS NULL OR a.published_at >= $1)
		  AND ($2::timestamptz IS NULL OR a.published_at < $2)
		ORDER BY m.margin, a.published_at DESC, a.id DESC
		LIMIT $3`, nullTime(from), nullTime(to), limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReviewItem, error) {
			var it ReviewItem
			err := r.Scan(&it.ID, &it.URL, &it.Title, &it.Source, &it.PublishedAt, &it.Lang,
				&it.Labels.Relevant, &it.Labels.Topics, &it.Labels.Outlook, &it.Labels.Framing, &it.Corrected,
				&it.Actors, &it.Story, &it.Margin)
			return it, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	return out, nil
}

// Sources lists the outlets of the stored articles, for the filter
// form, in alphabetical order: a skip scan over the (source,
// published_at) index, cheap however many articles there are.
func (s *Store) Sources(ctx context.Context, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		WITH RECURSIVE s AS (
		    SELECT min(source) AS source FROM articles WHERE source <> ''
		    UNION ALL
		    SELECT (SELECT min(b.source) FROM articles b WHERE b.source > s.source) FROM s WHERE s.source IS NOT NULL
		)
		SELECT source FROM s WHERE source IS NOT NULL LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	return out, nil
}
