package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stancewatch/stancewatch/store"
)

// SyntheticOptions describe a synthetic corpus for benchmarks and load
// tests: N articles spread evenly over [From, To) in ingestion order,
// about 30% relevant, each relevant article with 0–5 topics (2.4 on
// average), about 3 actors and 8 evidence rows whose offsets point at
// real words of its text, and a tenth of them wire copies of the previous
// article under another outlet.
type SyntheticOptions struct {
	Articles int
	From, To time.Time
	// Version names the corpus; LoadSynthetic does nothing when a corpus
	// of the same version is already loaded.
	Version string
}

// syntheticSentences make the titles and, cut in halves, the bodies.
var syntheticSentences = []string{
	"Officials in Kyiv said the delegation would travel again next week.",
	"The Kremlin repeated that its position on the eastern regions was unchanged.",
	"European leaders held a call to coordinate their response to the draft.",
	"Analysts said the gap between the two sides remained wide on the core issues.",
	"A spokesperson declined to give details of the documents under discussion.",
	"The meeting lasted several hours and ended without a joint statement.",
	"Diplomats described the atmosphere as businesslike but cautious.",
	"Ukraine's president said any deal must be approved by a referendum.",
	"Moscow said it would study the proposals before giving a formal answer.",
	"Washington has pressed both sides to agree on a framework before the holidays.",
	"The foreign ministers of several countries issued statements on the plan.",
	"Negotiators are expected to meet in a third country later this month.",
	"Frontline fighting continued overnight in several regions, officials said.",
	"Energy infrastructure was hit again, leaving thousands without power.",
	"The central bank kept its key rate unchanged amid uncertainty.",
	"Parliament debated the budget for next year late into the night.",
	"Observers noted that the rhetoric from both capitals had hardened.",
	"Sources close to the talks said a revised draft was circulating.",
	"The envoy met separately with both delegations before the plenary.",
	"Markets reacted calmly to the news, with bond yields little changed.",
	"A prisoner exchange was completed with the help of mediators.",
	"The coalition of countries offering guarantees met to discuss deployment.",
	"Officials said technical teams would continue work on the annexes.",
	"Critics warned that concessions could reward aggression.",
	"Supporters of the plan argued it offered the best chance of a lasting peace.",
	"The statement did not mention the nuclear power plant.",
	"Talks on a maritime truce in the Black Sea were also on the agenda.",
	"The sides exchanged lists of detainees ahead of the next round.",
	"Regional governors reported damage to civilian buildings.",
	"The ministry said air defences had intercepted most of the drones.",
	"Journalists were not allowed into the venue.",
	"The White House said the president had been briefed on the outcome.",
}

// syntheticKeywords is the sentence each body contains; evidence points
// at its words.
const syntheticKeywords = "Negotiators discussed territory, guarantees, the European reply, sanctions, a ceasefire, prisoners, the plan and US mediation; talks stalled, progress was mixed, occupied land, Kyiv regime."

var syntheticOutlets = []string{"Northbridge Wire", "Meridian Press Agency", "Atlas Wire Service", "Continental Monitor",
	"Gulf Dispatch", "Volga Courier", "Eurasia Today Network", "Dnipro Ledger", "Kyiv Evening Courier", "Harbor Street Journal",
	"Pinecrest Newswire", "Crossway News Agency", "Alpine Wire", "Baltic Meridian", "Europa Desk Daily", "Podil Post",
	"Black Sea Herald", "Tidewater Wire", "Sever Press Service", "Lviv Sentinel"}

var syntheticActors = []string{"Putin", "Zelensky", "Trump", "Witkoff", "Kushner", "Rubio", "Driscoll", "Vance", "Ushakov",
	"Dmitriev", "Lavrov", "Peskov", "Umerov", "Yermak", "Macron", "Starmer", "Merz", "von der Leyen", "Kallas", "Rutte",
	"Erdogan", "Kremlin", "White House", "EU", "NATO"}

// rnd(x, k, m) is a fixed pseudo-random number in [0, m) for row x and
// stream k: the corpus is the same at every load.
const syntheticRandom = `CREATE OR REPLACE FUNCTION pg_temp.rnd(x bigint, k int, m int) RETURNS int
LANGUAGE sql IMMUTABLE AS $$ SELECT ((hashint8(x * 64 + k) & 2147483647) % m)::int $$`

// LoadSynthetic fills an empty database with a synthetic corpus (see
// SyntheticOptions) in SQL, without sending the rows over the wire, and
// records its version in the table synthetic_corpus. It returns false when
// the same version was already loaded. It refuses a database that holds
// other articles.
func LoadSynthetic(ctx context.Context, s *store.Store, o SyntheticOptions) (bool, error) {
	if o.Articles <= 0 || !o.To.After(o.From) || o.Version == "" {
		return false, errors.New("synthetic corpus: need a positive article count, From before To, and a version")
	}
	conn, err := s.Pool().Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("synthetic corpus: %w", err)
	}
	defer conn.Release()
	c := conn.Conn()
	if _, err := c.Exec(ctx, `CREATE TABLE IF NOT EXISTS synthetic_corpus (version text NOT NULL, articles int NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return false, fmt.Errorf("synthetic corpus: %w", err)
	}
	var have string
	err = c.QueryRow(ctx, `SELECT version FROM synthetic_corpus`).Scan(&have)
	switch {
	case err == nil && have == o.Version:
		return false, nil
	case err == nil:
		return false, fmt.Errorf("synthetic corpus: database holds version %q, not %q: use a fresh database", have, o.Version)
	case !errors.Is(err, pgx.ErrNoRows):
		return false, fmt.Errorf("synthetic corpus: %w", err)
	}
	var n int64
	if err := c.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM articles LIMIT 1) x`).Scan(&n); err != nil || n > 0 {
		return false, fmt.Errorf("synthetic corpus: the database already holds articles (err %v): use a fresh database", err)
	}

	var firstHalves, secondHalves []string
	for _, sentence := range syntheticSentences {
		w := strings.Fields(sentence)
		firstHalves = append(firstHalves, strings.Join(w[:len(w)/2], " "))
		secondHalves = append(secondHalves, strings.Join(w[len(w)/2:], " "))
	}
	tx, err := c.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("synthetic corpus: %w", err)
	}
	defer tx.Rollback(ctx)
	steps := []struct {
		name string
		sql  string
		args []any
	}{
		{"random function", syntheticRandom, nil},
		// Bulk loading: the GIN index on tsv is rebuilt at the end, much
		// faster than maintained row by row.
		{"drop full-text index", `DROP INDEX articles_tsv_idx`, nil},
		{"articles", `
			INSERT INTO articles (url, canonical_url, source, title, content_text, lang, published_at, fetched_at, changed_at, content_hash)
			SELECT u, u, src, title, body, 'en', pub, pub, pub, sha256(convert_to(title || body, 'UTF8'))
			FROM generate_series(1, $1::int) g
			CROSS JOIN LATERAL (SELECT CASE WHEN g % 10 = 0 THEN g - 1 ELSE g END AS base) b -- every tenth: a copy of the one before
			CROSS JOIN LATERAL (SELECT
				'https://synthetic.example/' || g AS u,
				($3::text[])[1 + pg_temp.rnd(g, 1, array_length($3::text[], 1))] AS src,
				'Talks update ' || b.base || ': ' || ($2::text[])[1 + pg_temp.rnd(b.base, 2, array_length($2::text[], 1))] AS title,
				-- Five sentences, each the first half of one pool sentence, a
				-- number of its own and the second half of another, so that
				-- different articles share few word shingles (as real ones
				-- do); then the keyword sentence that the evidence points at.
				(SELECT string_agg(($7::text[])[1 + pg_temp.rnd(b.base, 100 + i, array_length($7::text[], 1))] || ' ' ||
				                   pg_temp.rnd(b.base, 110 + i, 100000) || ' ' ||
				                   ($8::text[])[1 + pg_temp.rnd(b.base, 120 + i, array_length($8::text[], 1))], ' ' ORDER BY i)
				 FROM generate_series(1, 5) i) || ' ' || $4::text AS body,
				$5::timestamptz + ($6::timestamptz - $5::timestamptz) * ((g - 1)::float8 / $1::int)
					+ make_interval(secs => pg_temp.rnd(g, 8, 7200) - 3600) AS pub) r
			ORDER BY g`,
			[]any{o.Articles, syntheticSentences, syntheticOutlets, syntheticKeywords, o.From, o.To, firstHalves, secondHalves}},
		{"tags", `
			INSERT INTO article_tags (article_id, relevant, outlook, framing, rules_version, content_hash, tagged_at)
			SELECT id, rel,
			       CASE WHEN NOT rel THEN 'none' ELSE (ARRAY['progress','progress','stalemate','stalemate','stalemate','stalemate','mixed','mixed','none','none'])[1 + pg_temp.rnd(id, 11, 10)] END,
			       CASE WHEN NOT rel THEN 'neutral' ELSE (ARRAY['pro_ukraine','pro_ukraine','neutral','neutral','neutral','neutral','neutral','neutral','pro_russia','pro_russia'])[1 + pg_temp.rnd(id, 12, 10)] END,
			       'synthetic', content_hash, fetched_at
			FROM (SELECT id, content_hash, fetched_at, pg_temp.rnd(id, 10, 100) < 30 AS rel FROM articles) a`, nil},
		{"topics", `
			INSERT INTO article_topics (article_id, topic, score)
			SELECT t.article_id, k.topic, 1
			FROM article_tags t
			CROSS JOIN (VALUES (1, 'territory', 45), (2, 'security_guarantees', 30), (3, 'european_response', 30), (4, 'sanctions', 20),
			                   (5, 'ceasefire', 25), (6, 'humanitarian', 10), (7, 'peace_plan', 35), (8, 'us_mediation', 45)) k (i, topic, pct)
			WHERE t.relevant AND pg_temp.rnd(t.article_id, 20 + k.i, 100) < k.pct`, nil},
		{"actors", `
			INSERT INTO article_actors (article_id, actor, mentions)
			SELECT t.article_id, x.actor, 1 + pg_temp.rnd(t.article_id, 40 + x.i::int, 4)
			FROM article_tags t
			CROSS JOIN unnest($1::text[]) WITH ORDINALITY x (actor, i)
			WHERE pg_temp.rnd(t.article_id, 40 + x.i::int, 1000) < CASE WHEN t.relevant THEN 120 ELSE 20 END`,
			[]any{syntheticActors}},
		{"evidence", `
			INSERT INTO tag_evidence (article_id, label, rule_id, field, matched_text, start_offset, end_offset, weight)
			SELECT e.article_id, e.label, 'synthetic.' || e.label, 'body', e.word, p.pos - 1, p.pos - 1 + octet_length(e.word), 1
			FROM (
				SELECT t.article_id, 'relevant' AS label, 'talks' AS word FROM article_tags t WHERE t.relevant
				UNION ALL
				SELECT x.article_id, 'topic:' || x.topic, k.word
				FROM article_topics x
				JOIN (VALUES ('territory', 'territory'), ('security_guarantees', 'guarantees'), ('european_response', 'European'),
				             ('sanctions', 'sanctions'), ('ceasefire', 'ceasefire'), ('humanitarian', 'prisoners'),
				             ('peace_plan', 'plan'), ('us_mediation', 'mediation')) k (topic, word) ON k.topic = x.topic
				UNION ALL
				SELECT t.article_id, 'outlook:' || t.outlook, CASE t.outlook WHEN 'progress' THEN 'progress' WHEN 'stalemate' THEN 'stalled' ELSE 'mixed' END
				FROM article_tags t WHERE t.relevant AND t.outlook <> 'none'
				UNION ALL
				SELECT t.article_id, 'framing:' || t.framing, CASE t.framing WHEN 'pro_ukraine' THEN 'occupied' ELSE 'Kyiv regime' END
				FROM article_tags t WHERE t.relevant AND t.framing <> 'neutral'
				UNION ALL
				SELECT x.article_id, 'actor:' || x.actor, 'Negotiators' FROM article_actors x
			) e
			JOIN articles a ON a.id = e.article_id
			CROSS JOIN LATERAL (SELECT position(e.word IN a.content_text) AS pos) p`, nil},
		{"full-text index", `CREATE INDEX articles_tsv_idx ON articles USING gin (tsv)`, nil},
		{"version", `INSERT INTO synthetic_corpus (version, articles) VALUES ($1, $2)`, []any{o.Version, o.Articles}},
	}
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
		return false, fmt.Errorf("synthetic corpus: %w", err)
	}
	for _, st := range steps {
		if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
			return false, fmt.Errorf("synthetic corpus: %s: %w", st.name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("synthetic corpus: commit: %w", err)
	}
	// Fresh statistics and visibility map, as autovacuum would leave them.
	for _, t := range []string{"articles", "article_tags", "article_topics", "article_actors", "tag_evidence"} {
		if _, err := c.Exec(ctx, "VACUUM (ANALYZE) "+pgx.Identifier{t}.Sanitize()); err != nil {
			return false, fmt.Errorf("synthetic corpus: vacuum %s: %w", t, err)
		}
	}
	return true, nil
}
