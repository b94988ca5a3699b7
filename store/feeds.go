package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stancewatch/stancewatch/feeds"
)

// Feed is a feed as stored, with its polling state.
type Feed struct {
	ID                int64
	URL               string
	Name              string // given by the user; "" when none
	Title             string // as the feed names itself
	SiteURL           string
	FullText          bool
	ETag              string
	LastModified      string
	TTL               time.Duration // RSS <ttl>; 0 when the feed gives none
	LastPolledAt      time.Time     // zero: never polled
	LastSuccessAt     time.Time     // zero: never polled successfully
	NextPollAt        time.Time
	LeaseUntil        time.Time // non-zero while a poller holds the feed
	ConsecutiveErrors int
	LastError         string
	LastErrorAt       time.Time
	Disabled          bool
	DisabledReason    string
	CreatedAt         time.Time
	Articles          int64 // articles seen in the feed (ListFeeds only)
}

// DisplayName is the user's name for the feed, else its title, else its
// URL.
func (f Feed) DisplayName() string {
	switch {
	case f.Name != "":
		return f.Name
	case f.Title != "":
		return f.Title
	}
	return f.URL
}

// NewFeed is a feed to add.
type NewFeed struct {
	URL      string
	Name     string
	FullText bool
}

// ErrFeedExists is returned when a feed with the same URL is stored.
var ErrFeedExists = errors.New("feed already exists")

const feedColumns = `f.id, f.url, f.name, f.title, f.site_url, f.full_text, f.etag, f.last_modified,
	coalesce(extract(epoch FROM f.ttl), 0)::float8, f.last_polled_at, f.last_success_at, f.next_poll_at,
	f.lease_until, f.consecutive_errors, f.last_error, f.last_error_at, f.disabled, f.disabled_reason, f.created_at`

func scanFeed(row pgx.Row, extra ...any) (Feed, error) {
	var f Feed
	var ttl float64
	var lastPolled, lastSuccess, lease, lastErrorAt *time.Time
	dest := []any{&f.ID, &f.URL, &f.Name, &f.Title, &f.SiteURL, &f.FullText, &f.ETag, &f.LastModified,
		&ttl, &lastPolled, &lastSuccess, &f.NextPollAt, &lease, &f.ConsecutiveErrors, &f.LastError,
		&lastErrorAt, &f.Disabled, &f.DisabledReason, &f.CreatedAt}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return Feed{}, err
	}
	f.TTL = time.Duration(ttl * float64(time.Second))
	for _, p := range []struct {
		src *time.Time
		dst *time.Time
	}{{lastPolled, &f.LastPolledAt}, {lastSuccess, &f.LastSuccessAt}, {lease, &f.LeaseUntil}, {lastErrorAt, &f.LastErrorAt}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	return f, nil
}

// AddFeed stores a new feed, due for polling at once. A feed with the
// same URL is an error wrapping ErrFeedExists.
func (s *Store) AddFeed(ctx context.Context, nf NewFeed) (Feed, error) {
	row := s.pool.QueryRow(ctx, `
		INSERT INTO feeds AS f (url, name, full_text) VALUES ($1, $2, $3)
		RETURNING `+feedColumns, nf.URL, nf.Name, nf.FullText)
	f, err := scanFeed(row)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return Feed{}, fmt.Errorf("add feed %s: %w", feeds.RedactURL(nf.URL), ErrFeedExists)
	}
	if err != nil {
		return Feed{}, fmt.Errorf("add feed %s: %w", feeds.RedactURL(nf.URL), err)
	}
	return f, nil
}

// AddFeeds stores every feed whose URL is not stored yet, in one
// statement, and returns those it added; stored feeds keep their name and
// state. It serves OPML imports and the configuration's feed list.
func (s *Store) AddFeeds(ctx context.Context, nfs []NewFeed) ([]Feed, error) {
	if len(nfs) == 0 {
		return nil, nil
	}
	urls, names, full := make([]string, len(nfs)), make([]string, len(nfs)), make([]bool, len(nfs))
	for i, nf := range nfs {
		urls[i], names[i], full[i] = nf.URL, nf.Name, nf.FullText
	}
	rows, err := s.pool.Query(ctx, `
		INSERT INTO feeds AS f (url, name, full_text)
		SELECT DISTINCT ON (u.url) u.url, u.name, u.full_text
		FROM unnest($1::text[], $2::text[], $3::bool[]) WITH ORDINALITY AS u (url, name, full_text, ord)
		ORDER BY u.url, u.ord
		ON CONFLICT (url) DO NOTHING
		RETURNING `+feedColumns, urls, names, full)
	if err != nil {
		return nil, fmt.Errorf("add %d feeds: %w", len(nfs), err)
	}
	added, err := collectFeeds(rows)
	if err != nil {
		return nil, fmt.Errorf("add %d feeds: %w", len(nfs), err)
	}
	return added, nil
}

func collectFeeds(rows pgx.Rows) ([]Feed, error) {
	defer rows.Close()
	var out []Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ListFeeds returns every feed in the order they were added, each with
// the number of articles seen in it.
func (s *Store) ListFeeds(ctx context.Context) ([]Feed, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+feedColumns+`, coalesce(c.n, 0)
		FROM feeds f
		LEFT JOIN (SELECT feed_id, count(*) AS n FROM article_feeds GROUP BY feed_id) c ON c.feed_id = f.id
		ORDER BY f.id`)
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	defer rows.Close()
	var out []Feed
	for rows.Next() {
		var n int64
		f, err := scanFeed(rows, &n)
		if err != nil {
			return nil, fmt.Errorf("list feeds: %w", err)
		}
		f.Articles = n
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	return out, nil
}

// FeedByID returns one feed, or an error wrapping ErrNotFound.
func (s *Store) FeedByID(ctx context.Context, id int64) (Feed, error) {
	return s.feedWhere(ctx, "f.id = $1", id)
}

// FeedByURL returns the feed with exactly this URL, or an error wrapping
// ErrNotFound.
func (s *Store) FeedByURL(ctx context.Context, url string) (Feed, error) {
	return s.feedWhere(ctx, "f.url = $1", url)
}

func (s *Store) feedWhere(ctx context.Context, cond string, arg any) (Feed, error) {
	row := s.pool.QueryRow(ctx, `
		SELECT `+feedColumns+`, (SELECT count(*) FROM article_feeds af WHERE af.feed_id = f.id)
		FROM feeds f WHERE `+cond, arg)
	var n int64
	f, err := scanFeed(row, &n)
	if errors.Is(err, pgx.ErrNoRows) {
		return Feed{}, fmt.Errorf("feed %v: %w", arg, ErrNotFound)
	}
	if err != nil {
		return Feed{}, fmt.Errorf("feed %v: %w", arg, err)
	}
	f.Articles = n
	return f, nil
}

// RemoveFeed deletes a feed and its poll log. Its articles stay (their
// feed_id becomes NULL); it returns how many articles were seen in it.
func (s *Store) RemoveFeed(ctx context.Context, id int64) (int64, error) {
	// The main query reads the snapshot from before the delete, so it
	// still sees the links the delete cascades to.
	var removed, kept int64
	err := s.pool.QueryRow(ctx, `
		WITH gone AS (DELETE FROM feeds WHERE id = $1 RETURNING id)
		SELECT (SELECT count(*) FROM gone),
		       (SELECT count(*) FROM article_feeds WHERE feed_id IN (SELECT id FROM gone))`, id).Scan(&removed, &kept)
	if err != nil {
		return 0, fmt.Errorf("remove feed %d: %w", id, err)
	}
	if removed == 0 {
		return 0, fmt.Errorf("feed %d: %w", id, ErrNotFound)
	}
	return kept, nil
}

// SetFeedDisabled disables a feed (with reason) or enables it again.
// Enabling clears the error count and makes the feed due at once.
func (s *Store) SetFeedDisabled(ctx context.Context, id int64, disabled bool, reason string) error {
	var tag pgconn.CommandTag
	var err error
	if disabled {
		tag, err = s.pool.Exec(ctx, `
			UPDATE feeds SET disabled = true, disabled_reason = $2, updated_at = now() WHERE id = $1`, id, reason)
	} else {
		tag, err = s.pool.Exec(ctx, `
			UPDATE feeds SET disabled = false, disabled_reason = '', consecutive_errors = 0,
			       next_poll_at = now(), updated_at = now()
			WHERE id = $1`, id)
	}
	if err != nil {
		return fmt.Errorf("update feed %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("feed %d: %w", id, ErrNotFound)
	}
	return nil
}

// FeedCounts summarises the feeds table, for metrics.
type FeedCounts struct {
	Total    int
	Disabled int
	Failing  int // enabled, with at least one consecutive error
}

// CountFeeds returns FeedCounts.
func (s *Store) CountFeeds(ctx context.Context) (FeedCounts, error) {
	var c FeedCounts
	err := s.pool.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE disabled),
		       count(*) FILTER (WHERE NOT disabled AND consecutive_errors > 0)
		FROM feeds`).Scan(&c.Total, &c.Disabled, &c.Failing)
	if err != nil {
		return FeedCounts{}, fmt.Errorf("count feeds: %w", err)
	}
	return c, nil
}
