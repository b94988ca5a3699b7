package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"
)

// ArticleRow is an article as the store keeps it.
type ArticleRow struct {
	FeedID       int64 // 0: not from a feed (imports, fixtures)
	GUID         string
	URL          string
	CanonicalURL string // identity; required
	Source       string
	Title        string
	Summary      string
	ContentText  string
	ContentHTML  string // sanitised; "" stores NULL
	Author       string
	Lang         string
	PublishedAt  time.Time
}

// ContentHash is the hash that decides whether an article changed: its
// title, summary and plain text. Only a new hash updates a stored article
// and makes it due for tagging again.
func ContentHash(title, summary, contentText string) []byte {
	h := sha256.New()
	for _, s := range []string{title, summary, contentText} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

// InsertArticles stores articles that are not stored yet (by canonical
// URL) in one statement and returns every input's article id, new or
// existing, in input order. Existing articles are left unchanged. It is
// for imports and fixtures; feed ingestion has its own path that also
// tracks feeds, GUIDs and changes.
func (s *Store) InsertArticles(ctx context.Context, rows []ArticleRow) ([]int64, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	n := len(rows)
	var (
		feedIDs   = make([]*int64, n)
		guids     = make([]string, n)
		urls      = make([]string, n)
		canonical = make([]string, n)
		sources   = make([]string, n)
		titles    = make([]string, n)
		summaries = make([]string, n)
		texts     = make([]string, n)
		htmls     = make([]*string, n)
		authors   = make([]string, n)
		langs     = make([]string, n)
		published = make([]time.Time, n)
		hashes    = make([][]byte, n)
	)
	for i, r := range rows {
		if r.CanonicalURL == "" {
			return nil, fmt.Errorf("insert articles: row %d (%q) has no canonical URL", i, r.Title)
		}
		if r.FeedID != 0 {
			feedIDs[i] = &rows[i].FeedID
		}
		if r.ContentHTML != "" {
			htmls[i] = &rows[i].ContentHTML
		}
		guids[i], urls[i], canonical[i], sources[i] = r.GUID, r.URL, r.CanonicalURL, r.Source
		titles[i], summaries[i], texts[i] = r.Title, r.Summary, r.ContentText
		authors[i], langs[i], published[i] = r.Author, r.Lang, r.PublishedAt
		hashes[i] = ContentHash(r.Title, r.Summary, r.ContentText)
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO articles (feed_id, guid, url, canonical_url, source, title, summary, content_text,
		                      content_html, author, lang, published_at, content_hash)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
		                     $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
		                     $12::timestamptz[], $13::bytea[])
		ON CONFLICT (canonical_url) DO NOTHING`,
		feedIDs, guids, urls, canonical, sources, titles, summaries, texts, htmls, authors, langs, published, hashes)
	if err != nil {
		return nil, fmt.Errorf("insert articles: %w", err)
	}
	ids := make(map[string]int64, n)
	dbRows, err := s.pool.Query(ctx, `SELECT canonical_url, id FROM articles WHERE canonical_url = ANY($1)`, canonical)
	if err != nil {
		return nil, fmt.Errorf("insert articles: read ids: %w", err)
	}
	defer dbRows.Close()
	for dbRows.Next() {
		var u string
		var id int64
		if err := dbRows.Scan(&u, &id); err != nil {
			return nil, fmt.Errorf("insert articles: read ids: %w", err)
		}
		ids[u] = id
	}
	if err := dbRows.Err(); err != nil {
		return nil, fmt.Errorf("insert articles: read ids: %w", err)
	}
	out := make([]int64, n)
	for i, u := range canonical {
		out[i] = ids[u]
	}
	return out, nil
}
