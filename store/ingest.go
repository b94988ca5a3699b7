package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stancewatch/stancewatch/feeds"
)

// ClaimOptions say which feeds ClaimFeeds may take.
type ClaimOptions struct {
	// Lease is how long the claim holds: long enough for the fetch and
	// the save. A poller that crashes leaves a lease that simply expires.
	Lease time.Duration
	Limit int  // at most this many feeds; required
	All   bool // every enabled feed, due or not
	// NotPolledSince skips feeds polled at or after this time, so that one
	// polling cycle visits each feed once; zero means no such limit.
	NotPolledSince time.Time
}

// Now is the database's clock, against which leases and poll times are
// compared: a polling cycle starts at it, so that clock skew between
// hosts does not matter.
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	var now time.Time
	if err := s.pool.QueryRow(ctx, `SELECT now()`).Scan(&now); err != nil {
		return time.Time{}, fmt.Errorf("read the database clock: %w", err)
	}
	return now, nil
}

// ClaimFeeds leases enabled feeds that are due (or all, with All) and
// not leased by another poller, soonest due first. It locks the rows with
// FOR UPDATE SKIP LOCKED and sets their lease in one short statement, so
// that pollers in several processes never get the same feed; no
// transaction stays open while the feeds are fetched.
func (s *Store) ClaimFeeds(ctx context.Context, opts ClaimOptions) ([]Feed, error) {
	if opts.Limit <= 0 || opts.Lease <= 0 {
		return nil, fmt.Errorf("claim feeds: limit %d and lease %s must be positive", opts.Limit, opts.Lease)
	}
	due := "next_poll_at <= now()"
	if opts.All {
		due = "true"
	}
	var since *time.Time
	if !opts.NotPolledSince.IsZero() {
		since = &opts.NotPolledSince
	}
	rows, err := s.pool.Query(ctx, `
		WITH claim AS (
			SELECT id FROM feeds
			WHERE NOT disabled AND `+due+`
			  AND (lease_until IS NULL OR lease_until <= now())
			  AND ($1::timestamptz IS NULL OR last_polled_at IS NULL OR last_polled_at < $1)
			ORDER BY next_poll_at, id
			LIMIT $2
			FOR UPDATE SKIP LOCKED
		)
		UPDATE feeds AS f SET lease_until = now() + make_interval(secs => $3)
		FROM claim WHERE f.id = claim.id
		RETURNING `+feedColumns,
		since, opts.Limit, opts.Lease.Seconds())
	if err != nil {
		return nil, fmt.Errorf("claim feeds: %w", err)
	}
	feeds, err := collectFeeds(rows)
	if err != nil {
		return nil, fmt.Errorf("claim feeds: %w", err)
	}
	return feeds, nil
}

// PollResult is one poll of one feed, to be saved with SavePoll.
type PollResult struct {
	FeedID     int64
	StartedAt  time.Time
	Duration   time.Duration
	Outcome    feeds.Outcome
	HTTPStatus int    // 0 when there was no HTTP response
	Error      string // why, for OutcomeError and OutcomeGone
	Items      int    // items in the feed document

	// The feed's new state.
	ETag, LastModified string        // validators for the next request
	Title, SiteURL     string        // from the document; "" keeps the stored value
	TTL                time.Duration // RSS <ttl>; 0 for none (with feeds.OutcomeOK)
	MovedTo            string        // new URL after a permanent redirect
	NextPollAt         time.Time
	Disable            bool   // disable the feed (gone, too many errors)
	DisabledReason     string // with Disable

	// Articles from the document (feeds.OutcomeOK). FeedID is taken from the
	// result; GUID and CanonicalURL identify them (see SavePoll).
	Articles []ArticleRow
}

// SavedPoll is what SavePoll stored.
type SavedPoll struct {
	New     []int64 // articles stored for the first time
	Updated []int64 // stored articles whose title or text changed
	Linked  int     // articles already stored from another feed, now linked to this one too
	// Duplicates counts items that repeat another item of the same
	// document (same GUID, or same article); the first one counts.
	Duplicates int
	URL        string // the feed's URL after the poll
	// MoveRefused is set when the feed moved to a URL that another feed
	// already has; the URL was then left unchanged.
	MoveRefused bool
}

// resolved is what the store knows about one incoming item.
type resolved struct {
	articleID int64  // 0: not stored
	hash      []byte // stored content hash
	owner     int64  // articles.feed_id: the feed that first stored it (0: none)
	linked    bool   // already linked to this feed
}

// resolveItems finds the stored article of each item: by (feed, GUID)
// first, else by canonical URL. One round trip for the whole batch.
func resolveItems(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, feedID int64, guids, canonical []string) ([]resolved, error) {
	out := make([]resolved, len(guids))
	rows, err := q.Query(ctx, `
		SELECT u.ord, a.id, a.content_hash, coalesce(a.feed_id, 0),
		       EXISTS (SELECT 1 FROM article_feeds l WHERE l.article_id = a.id AND l.feed_id = $1)
		FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u (guid, canon, ord)
		LEFT JOIN article_feeds g ON u.guid <> '' AND g.feed_id = $1 AND g.guid = u.guid
		LEFT JOIN articles c ON g.article_id IS NULL AND c.canonical_url = u.canon
		JOIN articles a ON a.id = coalesce(g.article_id, c.id)`,
		feedID, guids, canonical)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ord int64
		var r resolved
		if err := rows.Scan(&ord, &r.articleID, &r.hash, &r.owner, &r.linked); err != nil {
			return nil, err
		}
		out[ord-1] = r
	}
	return out, rows.Err()
}

// KnownArticles reports, for each (GUID, canonical URL) pair, whether the
// article is stored and already linked to the feed: a full-text poller
// fetches the pages of the others only.
func (s *Store) KnownArticles(ctx context.Context, feedID int64, guids, canonical []string) ([]bool, error) {
	if len(guids) != len(canonical) {
		return nil, fmt.Errorf("known articles: %d GUIDs but %d URLs", len(guids), len(canonical))
	}
	res, err := resolveItems(ctx, s.pool, feedID, guids, canonical)
	if err != nil {
		return nil, fmt.Errorf("known articles of feed %d: %w", feedID, err)
	}
	out := make([]bool, len(res))
	for i, r := range res {
		out[i] = r.articleID != 0 && r.linked
	}
	return out, nil
}

// SavePoll records one poll of a feed in a single transaction: its new
// and changed articles, their links to the feed, the feed's new state and
// a feed_polls row. Either all of it is stored or none, so a crash never
// moves a feed past articles it did not store. It takes two round trips
// when the poll brought articles (look up, then write) and one otherwise.
//
// Identity: an item is the stored article linked to this feed with the
// same GUID, else the article with the same canonical URL (the same
// article seen in another feed is linked, not copied). Within one
// document the first item with a GUID or article wins; repeats are
// counted as duplicates. A stored article is updated only when its
// content hash (title, summary, text) differs and only from the feed that
// first stored it, so two feeds that carry different text for one
// article do not overwrite each other on every poll. An unchanged item
// writes nothing.
func (s *Store) SavePoll(ctx context.Context, r PollResult) (SavedPoll, error) {
	saved := SavedPoll{}
	var plan ingestPlan
	if r.Outcome == feeds.OutcomeOK && len(r.Articles) > 0 {
		guids, canonical := make([]string, len(r.Articles)), make([]string, len(r.Articles))
		for i, a := range r.Articles {
			if a.CanonicalURL == "" {
				return saved, fmt.Errorf("save poll of feed %d: article %d (%q) has no canonical URL", r.FeedID, i, a.Title)
			}
			guids[i], canonical[i] = a.GUID, a.CanonicalURL
		}
		// Read outside the write transaction: only this poller holds the
		// feed (its lease), and what another feed's poll may store in
		// between is absorbed by ON CONFLICT and by linking by URL.
		res, err := resolveItems(ctx, s.pool, r.FeedID, guids, canonical)
		if err != nil {
			return saved, fmt.Errorf("save poll of feed %d: resolve articles: %w", r.FeedID, err)
		}
		plan = planIngest(r.FeedID, r.Articles, res)
		saved.Duplicates = plan.duplicates
	}

	b := &pgx.Batch{}
	var newIDs, updatedIDs []int64
	queueArticles(b, r, plan).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var isNew bool
			var id int64
			if err := rows.Scan(&isNew, &id); err != nil {
				return err
			}
			if isNew {
				newIDs = append(newIDs, id)
			} else {
				updatedIDs = append(updatedIDs, id)
			}
		}
		return rows.Err()
	})
	if len(plan.links) > 0 {
		queueLinks(b, r.FeedID, plan.links)
	}
	var storedURL string
	queueFeedState(b, r).QueryRow(func(row pgx.Row) error { return row.Scan(&storedURL) })

	// A batch runs as one implicit transaction, in one round trip: all of
	// it is stored, or none.
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return saved, fmt.Errorf("save poll of feed %d: %w", r.FeedID, ErrNotFound)
		}
		return saved, fmt.Errorf("save poll of feed %d: %w", r.FeedID, err)
	}
	saved.New, saved.Updated = newIDs, updatedIDs
	saved.Linked = max(0, len(plan.links)-len(plan.inserts))
	saved.URL = storedURL
	saved.MoveRefused = r.MovedTo != "" && storedURL != r.MovedTo
	return saved, nil
}

// ingestPlan sorts a document's items into what to write.
type ingestPlan struct {
	inserts    []ArticleRow
	links      []link // new articles and stored ones not yet linked to the feed
	updates    []update
	duplicates int
}

type link struct{ canonical, guid string }

type update struct {
	id  int64
	row ArticleRow
}

func planIngest(feedID int64, rows []ArticleRow, res []resolved) ingestPlan {
	var p ingestPlan
	seenGUID := map[string]bool{}
	seenArticle := map[int64]bool{}
	seenURL := map[string]bool{}
	for i, a := range rows {
		r := res[i]
		if a.GUID != "" {
			if seenGUID[a.GUID] {
				p.duplicates++
				continue
			}
			seenGUID[a.GUID] = true
		}
		if r.articleID == 0 {
			if seenURL[a.CanonicalURL] {
				p.duplicates++
				continue
			}
			seenURL[a.CanonicalURL] = true
			p.inserts = append(p.inserts, a)
			p.links = append(p.links, link{a.CanonicalURL, a.GUID})
			continue
		}
		if seenArticle[r.articleID] {
			p.duplicates++
			continue
		}
		seenArticle[r.articleID] = true
		if !r.linked {
			p.links = append(p.links, link{a.CanonicalURL, a.GUID})
		}
		owner := r.owner == feedID || r.owner == 0
		if owner && !bytes.Equal(r.hash, ContentHash(a.Title, a.Summary, a.ContentText)) {
			p.updates = append(p.updates, update{r.articleID, a})
		}
	}
	return p
}

// queueArticles queues one statement that inserts the new articles,
// updates the changed ones and writes the feed_polls row with their
// counts; it returns (true, id) for each new article and (false, id) for
// each updated one.
func queueArticles(b *pgx.Batch, r PollResult, p ingestPlan) *pgx.QueuedQuery {
	n := len(p.inserts)
	guids, urls, canonical, sources := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	titles, summaries, texts := make([]string, n), make([]string, n), make([]string, n)
	htmls, authors, langs := make([]*string, n), make([]string, n), make([]string, n)
	published, hashes := make([]time.Time, n), make([][]byte, n)
	for i, a := range p.inserts {
		guids[i], urls[i], canonical[i], sources[i] = a.GUID, a.URL, a.CanonicalURL, a.Source
		titles[i], summaries[i], texts[i] = a.Title, a.Summary, a.ContentText
		if a.ContentHTML != "" {
			htmls[i] = &p.inserts[i].ContentHTML
		}
		authors[i], langs[i], published[i] = a.Author, a.Lang, a.PublishedAt
		hashes[i] = ContentHash(a.Title, a.Summary, a.ContentText)
	}
	m := len(p.updates)
	uIDs, uTitles, uSummaries, uTexts := make([]int64, m), make([]string, m), make([]string, m), make([]string, m)
	uHTMLs, uAuthors, uLangs, uHashes := make([]*string, m), make([]string, m), make([]string, m), make([][]byte, m)
	for i, u := range p.updates {
		a := u.row
		uIDs[i], uTitles[i], uSummaries[i], uTexts[i] = u.id, a.Title, a.Summary, a.ContentText
		if a.ContentHTML != "" {
			uHTMLs[i] = &p.updates[i].row.ContentHTML
		}
		uAuthors[i], uLangs[i] = a.Author, a.Lang
		uHashes[i] = ContentHash(a.Title, a.Summary, a.ContentText)
	}
	var status *int32
	if r.HTTPStatus != 0 {
		s := int32(r.HTTPStatus)
		status = &s
	}
	// A concurrent poll of another feed may insert the same article
	// first: the conflict leaves that row alone, and the link statement
	// that follows joins it.
	return b.Queue(`
		WITH ins AS (
			INSERT INTO articles (feed_id, guid, url, canonical_url, source, title, summary, content_text,
			                      content_html, author, lang, published_at, content_hash)
			SELECT $1, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
			                           $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::bytea[]) AS u
			ON CONFLICT (canonical_url) DO NOTHING
			RETURNING id
		), upd AS (
			UPDATE articles AS a
			SET title = u.title, summary = u.summary, content_text = u.text, content_html = u.html,
			    author = u.author, lang = CASE WHEN u.lang <> '' THEN u.lang ELSE a.lang END,
			    content_hash = u.hash, changed_at = now(), feed_id = coalesce(a.feed_id, $1)
			FROM unnest($14::bigint[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[],
			            $20::text[], $21::bytea[]) AS u (id, title, summary, text, html, author, lang, hash)
			WHERE a.id = u.id AND a.content_hash <> u.hash
			RETURNING a.id
		), poll AS (
			INSERT INTO feed_polls (feed_id, started_at, duration_ms, outcome, http_status, items, error,
			                        new_articles, updated_articles)
			SELECT $1, $22, $23, $24, $25, $26, $27, (SELECT count(*) FROM ins), (SELECT count(*) FROM upd)
		)
		SELECT true, id FROM ins
		UNION ALL
		SELECT false, id FROM upd`,
		r.FeedID, guids, urls, canonical, sources, titles, summaries, texts, htmls, authors, langs, published, hashes,
		uIDs, uTitles, uSummaries, uTexts, uHTMLs, uAuthors, uLangs, uHashes,
		r.StartedAt, int32(r.Duration.Milliseconds()), r.Outcome, status, int32(r.Items), r.Error)
}

func queueLinks(b *pgx.Batch, feedID int64, links []link) {
	canonical, guids := make([]string, len(links)), make([]string, len(links))
	for i, l := range links {
		canonical[i], guids[i] = l.canonical, l.guid
	}
	// Links go by canonical URL, so they also reach articles that a
	// concurrent transaction inserted; a GUID this feed already uses for
	// another article is a conflict too, and is skipped.
	b.Queue(`
		INSERT INTO article_feeds (article_id, feed_id, guid)
		SELECT a.id, $1, u.guid
		FROM unnest($2::text[], $3::text[]) AS u (canon, guid)
		JOIN articles a ON a.canonical_url = u.canon
		ON CONFLICT DO NOTHING`,
		feedID, canonical, guids)
}

func queueFeedState(b *pgx.Batch, r PollResult) *pgx.QueuedQuery {
	ok := r.Outcome == feeds.OutcomeOK || r.Outcome == feeds.OutcomeNotModified
	var ttl *float64
	if r.Outcome == feeds.OutcomeOK && r.TTL > 0 {
		secs := r.TTL.Seconds()
		ttl = &secs
	}
	// The URL changes only to one no other feed has; the statement
	// returns the URL it kept and the one it was asked for.
	return b.Queue(`
		UPDATE feeds AS f SET
		    url = CASE WHEN $2 <> '' AND NOT EXISTS (SELECT 1 FROM feeds o WHERE o.url = $2 AND o.id <> f.id)
		               THEN $2 ELSE f.url END,
		    etag = CASE WHEN $3 THEN $4 ELSE f.etag END,
		    last_modified = CASE WHEN $3 THEN $5 ELSE f.last_modified END,
		    title = CASE WHEN $6 <> '' THEN $6 ELSE f.title END,
		    site_url = CASE WHEN $7 <> '' THEN $7 ELSE f.site_url END,
		    ttl = CASE WHEN $8 THEN make_interval(secs => $9) ELSE f.ttl END,
		    last_polled_at = now(),
		    last_success_at = CASE WHEN $3 THEN now() ELSE f.last_success_at END,
		    next_poll_at = $10,
		    consecutive_errors = CASE WHEN $3 THEN 0 ELSE f.consecutive_errors + 1 END,
		    last_error = CASE WHEN $3 THEN f.last_error ELSE $11 END,
		    last_error_at = CASE WHEN $3 THEN f.last_error_at ELSE now() END,
		    disabled = f.disabled OR $12,
		    disabled_reason = CASE WHEN $12 THEN $13 ELSE f.disabled_reason END,
		    lease_until = NULL,
		    updated_at = now()
		WHERE f.id = $1
		RETURNING f.url`,
		r.FeedID, r.MovedTo, ok, r.ETag, r.LastModified, r.Title, r.SiteURL,
		r.Outcome == feeds.OutcomeOK, ttl, r.NextPollAt, r.Error, r.Disable, r.DisabledReason)
}
