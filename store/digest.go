package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stancewatch/stancewatch/taxonomy"
)

// The digest's queries. Each selects articles by a published_at range so
// that articles_published_at_idx drives it, then reaches the label tables
// through their primary keys (article_id first), one probe per article.
// The label tables are joined as LATERAL subqueries with OFFSET 0, which
// keeps the planner from turning them into a hash join over the whole
// table: with the default cost settings it prefers that for a few
// thousand articles, and its cost then grows with the table, not the day.
// Days are given as boundaries computed by the caller in its time zone;
// width_bucket puts each article in its day with exactly those bounds.

// DigestReader runs the digest's queries, all in one snapshot.
type DigestReader struct {
	q interface {
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	}
}

// ReadDigest calls fn with a reader whose queries all see the same
// snapshot of the database (a read-only repeatable-read transaction), so
// the digest's sections agree with each other while articles keep
// arriving. JIT compilation is off for it: the planner's estimates for
// the per-article index probes pass jit_above_cost, and compiling then
// takes ten times longer than the queries themselves.
func (s *Store) ReadDigest(ctx context.Context, fn func(*DigestReader) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("digest snapshot: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
		return fmt.Errorf("digest snapshot: %w", err)
	}
	if err := fn(&DigestReader{q: tx}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// DayCounts are the headline counts of one day.
type DayCounts struct {
	Articles        int // articles published in the day
	Outlets         int // distinct sources among them
	Tagged          int // articles that have labels
	Relevant        int
	RelevantOutlets int            // distinct sources of relevant articles
	Outlook         map[string]int // relevant articles per outlook (every key of Outlooks present)
	Topics          map[string]int // relevant articles per topic (every key of Topics present)
}

// The taxonomy's values, in its order: the columns of the day counts.
var (
	outlookValues = taxonomy.Outlooks()
	topicValues   = taxonomy.Topics()
)

// dailyCountsSQL counts the articles of each day, their labels and
// topics in one pass over the days' articles. The taxonomy's values are
// written into the statement once, as constants.
var dailyCountsSQL = func() string {
	var outlooks, topics strings.Builder
	for _, o := range outlookValues {
		fmt.Fprintf(&outlooks, ",\n       count(*) FILTER (WHERE t.relevant AND t.outlook = '%s')", o)
	}
	for _, t := range topicValues {
		fmt.Fprintf(&topics, ",\n       count(*) FILTER (WHERE x.topics @> '{%s}')", t)
	}
	return `
SELECT width_bucket(a.published_at, $1::timestamptz[]) AS day,
       count(*),
       count(DISTINCT a.source),
       count(t.article_id),
       count(*) FILTER (WHERE t.relevant),
       count(DISTINCT a.source) FILTER (WHERE t.relevant)` + outlooks.String() + topics.String() + `
FROM articles a
LEFT JOIN LATERAL (SELECT t.article_id, t.relevant, t.outlook FROM article_tags t WHERE t.article_id = a.id OFFSET 0) t ON true
LEFT JOIN LATERAL (SELECT array_agg(x.topic) AS topics FROM article_topics x WHERE x.article_id = a.id AND t.relevant) x ON true
WHERE a.published_at >= $2 AND a.published_at < $3
GROUP BY 1`
}()

// DailyCounts returns the counts of each day between consecutive bounds
// (len(bounds)-1 days; bounds ascending, each day [bounds[i], bounds[i+1])).
func (r *DigestReader) DailyCounts(ctx context.Context, bounds []time.Time) ([]DayCounts, error) {
	if err := checkBounds(bounds); err != nil {
		return nil, fmt.Errorf("daily counts: %w", err)
	}
	n := len(bounds) - 1
	out := make([]DayCounts, n)
	for i := range out {
		out[i] = newDayCounts()
	}
	rows, err := r.q.Query(ctx, dailyCountsSQL, bounds[:n], bounds[0], bounds[n])
	if err != nil {
		return nil, fmt.Errorf("daily counts %s to %s: %w", bounds[0].Format(time.RFC3339), bounds[n].Format(time.RFC3339), err)
	}
	defer rows.Close()
	for rows.Next() {
		var day int
		c := newDayCounts()
		outlooks := make([]int, len(outlookValues))
		topics := make([]int, len(topicValues))
		dst := []any{&day, &c.Articles, &c.Outlets, &c.Tagged, &c.Relevant, &c.RelevantOutlets}
		for i := range outlooks {
			dst = append(dst, &outlooks[i])
		}
		for i := range topics {
			dst = append(dst, &topics[i])
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, fmt.Errorf("daily counts: %w", err)
		}
		if day < 1 || day > n {
			continue // cannot happen with the range filter; never index out of range
		}
		for i, o := range outlookValues {
			c.Outlook[o] = outlooks[i]
		}
		for i, t := range topicValues {
			c.Topics[t] = topics[i]
		}
		out[day-1] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("daily counts: %w", err)
	}
	return out, nil
}

func newDayCounts() DayCounts {
	c := DayCounts{Outlook: make(map[string]int, len(outlookValues)), Topics: make(map[string]int, len(topicValues))}
	for _, o := range outlookValues {
		c.Outlook[o] = 0
	}
	for _, t := range topicValues {
		c.Topics[t] = 0
	}
	return c
}

func checkBounds(bounds []time.Time) error {
	if len(bounds) < 2 {
		return errors.New("need at least two day bounds")
	}
	for i := 1; i < len(bounds); i++ {
		if !bounds[i].After(bounds[i-1]) {
			return fmt.Errorf("day bounds not ascending at %d (%s)", i, bounds[i].Format(time.RFC3339))
		}
	}
	return nil
}

// DigestArticle is a relevant article with what the digest shows of it.
type DigestArticle struct {
	ID          int64
	URL         string
	Title       string
	Source      string
	Lang        string
	PublishedAt time.Time
	Outlook     string
	Framing     string
	Topics      []string // sorted
	Lead        string   // the start of content_text, for grouping copies
	ContentHash []byte
}

const relevantArticlesSQL = `
SELECT a.id, a.url, a.title, a.source, a.lang, a.published_at, t.outlook, t.framing,
       coalesce((SELECT array_agg(x.topic ORDER BY x.topic) FROM article_topics x WHERE x.article_id = a.id), '{}'),
       left(a.content_text, $3), a.content_hash
FROM articles a
CROSS JOIN LATERAL (SELECT t.relevant, t.outlook, t.framing FROM article_tags t WHERE t.article_id = a.id OFFSET 0) t
WHERE a.published_at >= $1 AND a.published_at < $2 AND t.relevant
ORDER BY a.published_at, a.id`

// RelevantArticles returns the relevant articles published in [start,
// end), oldest first, each with the first leadChars characters of its text.
func (r *DigestReader) RelevantArticles(ctx context.Context, start, end time.Time, leadChars int) ([]DigestArticle, error) {
	rows, err := r.q.Query(ctx, relevantArticlesSQL, start, end, leadChars)
	if err != nil {
		return nil, fmt.Errorf("relevant articles: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[DigestArticle])
	if err != nil {
		return nil, fmt.Errorf("relevant articles: %w", err)
	}
	return out, nil
}

// OutletFraming counts one outlet's relevant articles per framing.
type OutletFraming struct {
	Source     string
	ProUkraine int
	Neutral    int
	ProRussia  int
	Total      int
}

const framingByOutletSQL = `
SELECT a.source,
       count(*) FILTER (WHERE t.framing = 'pro_ukraine'),
       count(*) FILTER (WHERE t.framing = 'neutral'),
       count(*) FILTER (WHERE t.framing = 'pro_russia'),
       count(*)
FROM articles a
CROSS JOIN LATERAL (SELECT t.relevant, t.framing FROM article_tags t WHERE t.article_id = a.id OFFSET 0) t
WHERE a.published_at >= $1 AND a.published_at < $2 AND t.relevant
GROUP BY a.source
ORDER BY count(*) DESC, a.source`

// FramingByOutlet counts the relevant articles of [start, end) by outlet
// and framing, the busiest outlet first.
func (r *DigestReader) FramingByOutlet(ctx context.Context, start, end time.Time) ([]OutletFraming, error) {
	rows, err := r.q.Query(ctx, framingByOutletSQL, start, end)
	if err != nil {
		return nil, fmt.Errorf("framing by outlet: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[OutletFraming])
	if err != nil {
		return nil, fmt.Errorf("framing by outlet: %w", err)
	}
	return out, nil
}

// ActorCount is how much relevant coverage named an actor.
type ActorCount struct {
	Actor    string
	Articles int // relevant articles naming the actor
	Mentions int // mentions summed over them
}

const topActorsSQL = `
SELECT x.actor, count(*), sum(x.mentions)
FROM articles a
CROSS JOIN LATERAL (SELECT t.relevant FROM article_tags t WHERE t.article_id = a.id OFFSET 0) t
CROSS JOIN LATERAL (SELECT x.actor, x.mentions FROM article_actors x WHERE x.article_id = a.id OFFSET 0) x
WHERE a.published_at >= $1 AND a.published_at < $2 AND t.relevant
GROUP BY x.actor
ORDER BY count(*) DESC, sum(x.mentions) DESC, x.actor
LIMIT $3`

// TopActors returns the actors named in most relevant articles of
// [start, end), at most limit of them.
func (r *DigestReader) TopActors(ctx context.Context, start, end time.Time, limit int) ([]ActorCount, error) {
	rows, err := r.q.Query(ctx, topActorsSQL, start, end, limit)
	if err != nil {
		return nil, fmt.Errorf("top actors: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ActorCount])
	if err != nil {
		return nil, fmt.Errorf("top actors: %w", err)
	}
	return out, nil
}

// EvidenceWindow is one evidence row with the bytes around its match.
// Window holds the field's bytes from WindowStart on; it may start or end
// inside a UTF-8 sequence, which the caller trims.
type EvidenceWindow struct {
	ArticleID   int64
	Label       string
	RuleID      string
	Field       string // title or body
	Matched     string
	Start, End  int // byte offsets of the match in the field
	WindowStart int
	Window      []byte
	FieldLength int // bytes in the whole field, to tell whether the window was cut
}

// The window is cut from the field's UTF-8 bytes because the offsets are
// byte offsets; substring on text would count characters.
const evidenceWindowsSQL = `
SELECT e.article_id, e.label, e.rule_id, e.field, e.matched_text, e.start_offset, e.end_offset,
       greatest(e.start_offset - $2, 0),
       substring(f.bytes FROM greatest(e.start_offset - $2, 0) + 1 FOR e.end_offset - greatest(e.start_offset - $2, 0) + $2),
       octet_length(f.bytes)
FROM tag_evidence e
JOIN articles a ON a.id = e.article_id
CROSS JOIN LATERAL (SELECT convert_to(CASE e.field WHEN 'title' THEN a.title WHEN 'summary' THEN a.summary ELSE a.content_text END, 'UTF8') AS bytes) f
WHERE e.article_id = ANY($1) AND e.label NOT LIKE 'actor:%'
ORDER BY e.article_id, e.field, e.start_offset, e.id`

// EvidenceWindows returns the evidence of the given articles (actor
// evidence left out), each with up to radius bytes of context either side.
func (r *DigestReader) EvidenceWindows(ctx context.Context, articleIDs []int64, radius int) ([]EvidenceWindow, error) {
	if len(articleIDs) == 0 {
		return nil, nil
	}
	rows, err := r.q.Query(ctx, evidenceWindowsSQL, articleIDs, radius)
	if err != nil {
		return nil, fmt.Errorf("evidence of %d articles: %w", len(articleIDs), err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[EvidenceWindow])
	if err != nil {
		return nil, fmt.Errorf("evidence of %d articles: %w", len(articleIDs), err)
	}
	return out, nil
}

// DigestRow is one stored digest.
type DigestRow struct {
	Day         time.Time // the date (midnight UTC)
	Timezone    string
	GeneratedAt time.Time
	Markdown    string
	HTML        string
	Data        []byte // the digest as JSON
	Stats       []byte // headline figures as JSON
}

// SaveDigest stores the digest of d.Day, replacing any earlier one.
func (s *Store) SaveDigest(ctx context.Context, d DigestRow) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO digests (day, timezone, generated_at, markdown, html, data, stats)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (day) DO UPDATE
		SET timezone = EXCLUDED.timezone, generated_at = EXCLUDED.generated_at, markdown = EXCLUDED.markdown,
		    html = EXCLUDED.html, data = EXCLUDED.data, stats = EXCLUDED.stats`,
		dateOnly(d.Day), d.Timezone, d.GeneratedAt, d.Markdown, d.HTML, string(d.Data), string(d.Stats))
	if err != nil {
		return fmt.Errorf("save digest of %s: %w", d.Day.Format(time.DateOnly), err)
	}
	return nil
}

// GetDigest returns the stored digest of day (ErrNotFound if none).
func (s *Store) GetDigest(ctx context.Context, day time.Time) (DigestRow, error) {
	d := DigestRow{}
	err := s.pool.QueryRow(ctx, `
		SELECT day, timezone, generated_at, markdown, html, data, stats FROM digests WHERE day = $1`,
		dateOnly(day)).Scan(&d.Day, &d.Timezone, &d.GeneratedAt, &d.Markdown, &d.HTML, &d.Data, &d.Stats)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, fmt.Errorf("digest of %s: %w", day.Format(time.DateOnly), ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("digest of %s: %w", day.Format(time.DateOnly), err)
	}
	return d, nil
}

// RecentDigests returns the last limit digests, newest day first
// (limit <= 0: all). withData also reads the JSON of each; Markdown and
// HTML are never read here.
func (s *Store) RecentDigests(ctx context.Context, limit int, withData bool) ([]DigestRow, error) {
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	rows, err := s.pool.Query(ctx, `
		SELECT day, timezone, generated_at, CASE WHEN $2 THEN data END, stats
		FROM digests ORDER BY day DESC LIMIT $1`, lim, withData)
	if err != nil {
		return nil, fmt.Errorf("recent digests: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DigestRow, error) {
		var d DigestRow
		err := r.Scan(&d.Day, &d.Timezone, &d.GeneratedAt, &d.Data, &d.Stats)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("recent digests: %w", err)
	}
	return out, nil
}

// dateOnly makes a date of t's calendar day whatever its location, so
// that pgx sends the day the caller means.
func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ExplainDigest runs EXPLAIN (ANALYZE, BUFFERS) on the digest's queries
// for the day [start, end) with the given trend bounds, and returns each
// plan by query name. It is for benchmarks and for checking that the
// queries use the indexes on a real database.
func (s *Store) ExplainDigest(ctx context.Context, bounds []time.Time, evidenceIDs []int64) (map[string]string, error) {
	if err := checkBounds(bounds); err != nil {
		return nil, err
	}
	n := len(bounds) - 1
	start, end := bounds[n-1], bounds[n]
	queries := []struct {
		name string
		sql  string
		args []any
	}{
		{"daily counts", dailyCountsSQL, []any{bounds[:n], bounds[0], bounds[n]}},
		{"relevant articles", relevantArticlesSQL, []any{start, end, 600}},
		{"framing by outlet", framingByOutletSQL, []any{start, end}},
		{"top actors", topActorsSQL, []any{start, end, 15}},
		{"evidence windows", evidenceWindowsSQL, []any{evidenceIDs, 120}},
	}
	out := map[string]string{}
	err := s.ReadDigest(ctx, func(r *DigestReader) error {
		for _, q := range queries {
			rows, err := r.q.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q.sql, q.args...)
			if err != nil {
				return fmt.Errorf("explain %s: %w", q.name, err)
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return fmt.Errorf("explain %s: %w", q.name, err)
			}
			out[q.name] = strings.Join(lines, "\n")
		}
		return nil
	})
	return out, err
}
