package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Labels is what the tagger concluded about one article, with evidence.
type Labels struct {
	ArticleID    int64
	Relevant     bool
	Topics       []TopicScore
	Outlook      string // progress, stalemate, mixed, none
	Framing      string // pro_ukraine, pro_russia, neutral
	Actors       []ActorMentions
	Evidence     []Evidence
	Scores       map[string]float64 // every label's score, kept for analysis
	RulesVersion string
	// ContentHash is the articles.content_hash of the text that was
	// tagged; nil means the article's current hash.
	ContentHash []byte
	TaggedAt    time.Time // set by the store
}

// TopicScore is one topic given to an article.
type TopicScore struct {
	Topic string
	Score float64
}

// ActorMentions counts how often an article names an actor.
type ActorMentions struct {
	Actor    string
	Mentions int
}

// Evidence is one match behind a label: Start and End are byte offsets
// into the article's title (Field "title"), content_text ("body") or
// summary ("summary", when the summary was read for want of full text).
type Evidence struct {
	Label  string // relevant, topic:<name>, outlook:<value>, framing:<value>, actor:<name>
	RuleID string
	Field  string
	Text   string
	Start  int
	End    int
	Weight float64
}

// SaveLabels replaces the labels, topics, actors and evidence of every
// article in ls, in one transaction and one round trip. Labels of an
// article that no longer exists are dropped.
func (s *Store) SaveLabels(ctx context.Context, ls []Labels) error {
	if len(ls) == 0 {
		return nil
	}
	var (
		ids      = make([]int64, len(ls))
		relevant = make([]bool, len(ls))
		outlooks = make([]string, len(ls))
		framings = make([]string, len(ls))
		scores   = make([]string, len(ls))
		versions = make([]string, len(ls))
		hashes   = make([][]byte, len(ls))

		tArticle []int64
		tTopic   []string
		tScore   []float64

		aArticle  []int64
		aActor    []string
		aMentions []int32

		eArticle []int64
		eLabel   []string
		eRule    []string
		eField   []string
		eText    []string
		eStart   []int32
		eEnd     []int32
		eWeight  []float64
	)
	for i, l := range ls {
		sc, err := json.Marshal(l.Scores)
		if err != nil {
			return fmt.Errorf("save labels of article %d: scores: %w", l.ArticleID, err)
		}
		if l.Scores == nil {
			sc = []byte("{}")
		}
		ids[i], relevant[i], outlooks[i], framings[i] = l.ArticleID, l.Relevant, l.Outlook, l.Framing
		scores[i], versions[i], hashes[i] = string(sc), l.RulesVersion, l.ContentHash
		for _, t := range l.Topics {
			tArticle, tTopic, tScore = append(tArticle, l.ArticleID), append(tTopic, t.Topic), append(tScore, t.Score)
		}
		for _, a := range l.Actors {
			aArticle, aActor, aMentions = append(aArticle, l.ArticleID), append(aActor, a.Actor), append(aMentions, int32(a.Mentions))
		}
		for _, e := range l.Evidence {
			eArticle, eLabel, eRule = append(eArticle, l.ArticleID), append(eLabel, e.Label), append(eRule, e.RuleID)
			eField, eText = append(eField, e.Field), append(eText, e.Text)
			eStart, eEnd, eWeight = append(eStart, int32(e.Start)), append(eEnd, int32(e.End)), append(eWeight, e.Weight)
		}
	}

	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("save labels: %w", err)
	}
	defer tx.Rollback(ctx)

	b := &pgx.Batch{}
	b.Queue(`DELETE FROM article_topics WHERE article_id = ANY($1)`, ids)
	b.Queue(`DELETE FROM article_actors WHERE article_id = ANY($1)`, ids)
	b.Queue(`DELETE FROM tag_evidence WHERE article_id = ANY($1)`, ids)
	b.Queue(`
		INSERT INTO article_tags (article_id, relevant, outlook, framing, scores, rules_version, content_hash, tagged_at)
		SELECT u.id, u.relevant, u.outlook, u.framing, u.scores::jsonb, u.version,
		       coalesce(u.hash, a.content_hash), now()
		FROM unnest($1::bigint[], $2::bool[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[])
		     AS u (id, relevant, outlook, framing, scores, version, hash)
		JOIN articles a ON a.id = u.id
		ON CONFLICT (article_id) DO UPDATE
		SET relevant = EXCLUDED.relevant, outlook = EXCLUDED.outlook, framing = EXCLUDED.framing,
		    scores = EXCLUDED.scores, rules_version = EXCLUDED.rules_version,
		    content_hash = EXCLUDED.content_hash, tagged_at = EXCLUDED.tagged_at`,
		ids, relevant, outlooks, framings, scores, versions, hashes)
	// Children only for articles that (still) have a tags row.
	b.Queue(`
		INSERT INTO article_topics (article_id, topic, score)
		SELECT u.id, u.topic, u.score
		FROM unnest($1::bigint[], $2::text[], $3::float8[]) AS u (id, topic, score)
		JOIN article_tags t ON t.article_id = u.id`,
		tArticle, tTopic, tScore)
	b.Queue(`
		INSERT INTO article_actors (article_id, actor, mentions)
		SELECT u.id, u.actor, u.mentions
		FROM unnest($1::bigint[], $2::text[], $3::int[]) AS u (id, actor, mentions)
		JOIN article_tags t ON t.article_id = u.id`,
		aArticle, aActor, aMentions)
	b.Queue(`
		INSERT INTO tag_evidence (article_id, label, rule_id, field, matched_text, start_offset, end_offset, weight)
		SELECT u.*
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::float8[])
		     AS u (id, label, rule, field, text, s, e, w)
		JOIN article_tags t ON t.article_id = u.id`,
		eArticle, eLabel, eRule, eField, eText, eStart, eEnd, eWeight)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("save labels of %d articles: %w", len(ls), err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("save labels: commit: %w", err)
	}
	return nil
}

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// LabelsOf reads back the labels of one article (ErrNotFound if it has
// none). Topics, actors and evidence come in a stable order.
func (s *Store) LabelsOf(ctx context.Context, articleID int64) (Labels, error) {
	l := Labels{ArticleID: articleID}
	var scores []byte
	err := s.pool.QueryRow(ctx, `
		SELECT relevant, outlook, framing, scores, rules_version, content_hash, tagged_at
		FROM article_tags WHERE article_id = $1`, articleID).
		Scan(&l.Relevant, &l.Outlook, &l.Framing, &scores, &l.RulesVersion, &l.ContentHash, &l.TaggedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, fmt.Errorf("labels of article %d: %w", articleID, ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("labels of article %d: %w", articleID, err)
	}
	if err := json.Unmarshal(scores, &l.Scores); err != nil {
		return l, fmt.Errorf("labels of article %d: scores: %w", articleID, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT topic, score FROM article_topics WHERE article_id = $1 ORDER BY topic`, articleID)
	if err != nil {
		return l, fmt.Errorf("labels of article %d: %w", articleID, err)
	}
	l.Topics, err = pgx.CollectRows(rows, pgx.RowToStructByPos[TopicScore])
	if err != nil {
		return l, fmt.Errorf("labels of article %d: topics: %w", articleID, err)
	}
	rows, err = s.pool.Query(ctx, `SELECT actor, mentions FROM article_actors WHERE article_id = $1 ORDER BY actor`, articleID)
	if err != nil {
		return l, fmt.Errorf("labels of article %d: %w", articleID, err)
	}
	l.Actors, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ActorMentions])
	if err != nil {
		return l, fmt.Errorf("labels of article %d: actors: %w", articleID, err)
	}
	rows, err = s.pool.Query(ctx, `
		SELECT label, rule_id, field, matched_text, start_offset, end_offset, weight
		FROM tag_evidence WHERE article_id = $1 ORDER BY field, start_offset, label, id`, articleID)
	if err != nil {
		return l, fmt.Errorf("labels of article %d: %w", articleID, err)
	}
	l.Evidence, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Evidence])
	if err != nil {
		return l, fmt.Errorf("labels of article %d: evidence: %w", articleID, err)
	}
	return l, nil
}
