package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ArticleText is what the tagger reads of a stored article.
type ArticleText struct {
	ID    int64
	Title string
	// Text is content_text, or the summary when content_text is empty
	// (FromSummary): body evidence offsets then point into the summary.
	Text        string
	FromSummary bool
	Lang        string
	ContentHash []byte // articles.content_hash when read; pass it to SaveLabels
	PublishedAt time.Time
}

const articleTextColumns = `a.id, a.title,
	CASE WHEN a.content_text <> '' THEN a.content_text ELSE a.summary END,
	a.content_text = '' AND a.summary <> '',
	a.lang, a.content_hash, a.published_at`

func scanArticleTexts(rows pgx.Rows) ([]ArticleText, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ArticleText, error) {
		var a ArticleText
		err := r.Scan(&a.ID, &a.Title, &a.Text, &a.FromSummary, &a.Lang, &a.ContentHash, &a.PublishedAt)
		return a, err
	})
}

// ArticlesByID reads the articles with the given ids, in id order; ids
// that do not exist are left out.
func (s *Store) ArticlesByID(ctx context.Context, ids []int64) ([]ArticleText, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+articleTextColumns+` FROM articles a WHERE a.id = ANY($1) ORDER BY a.id`, ids)
	if err != nil {
		return nil, fmt.Errorf("read %d articles to tag: %w", len(ids), err)
	}
	out, err := scanArticleTexts(rows)
	if err != nil {
		return nil, fmt.Errorf("read %d articles to tag: %w", len(ids), err)
	}
	return out, nil
}

// pendingWhere selects articles due for tagging under rules version $1:
// never tagged, tagged by other rules, or changed since they were
// tagged. Pending-ness lives in the data, so an interrupted re-tag
// resumes by asking again.
const pendingWhere = `
	(t.article_id IS NULL OR t.rules_version <> $1 OR t.content_hash <> a.content_hash)
	AND ($2::timestamptz IS NULL OR a.published_at >= $2)`

// PendingArticles returns up to limit articles due for tagging under
// rulesVersion with an id above afterID, in id order (keyset pages: pass
// the last id of one page as afterID of the next). A non-zero since
// keeps only articles published at or after it.
func (s *Store) PendingArticles(ctx context.Context, rulesVersion string, afterID int64, since time.Time, limit int) ([]ArticleText, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("pending articles: limit %d must be positive", limit)
	}
	// The due ids come from articles_pending_idx alone (an index-only
	// scan); only the page's rows are read in full.
	rows, err := s.pool.Query(ctx, `
		SELECT `+articleTextColumns+`
		FROM articles a
		WHERE a.id IN (
			SELECT a.id
			FROM articles a LEFT JOIN article_tags t ON t.article_id = a.id
			WHERE a.id > $3 AND `+pendingWhere+`
			ORDER BY a.id
			LIMIT $4)
		ORDER BY a.id`, rulesVersion, nullTime(since), afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("read articles due for tagging: %w", err)
	}
	out, err := scanArticleTexts(rows)
	if err != nil {
		return nil, fmt.Errorf("read articles due for tagging: %w", err)
	}
	return out, nil
}

// CountPendingArticles counts the articles PendingArticles would return
// with no page limit.
func (s *Store) CountPendingArticles(ctx context.Context, rulesVersion string, since time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `
		SELECT count(*)
		FROM articles a LEFT JOIN article_tags t ON t.article_id = a.id
		WHERE `+pendingWhere, rulesVersion, nullTime(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count articles due for tagging: %w", err)
	}
	return n, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
