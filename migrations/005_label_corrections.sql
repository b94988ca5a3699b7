-- The analyst workbench: corrections of the tagger's labels, and the
-- index its story column needs. (The article list pages newest first
-- through (published_at, id) on articles_published_at_idx, with an
-- incremental sort on id among equal times.)
--
-- A correction is a new row, never an update: the table is the history
-- of who said what about an article, and the latest row per article is
-- the reviewed answer. Re-tagging writes article_tags only and never
-- touches this table.

CREATE TABLE label_corrections (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id      bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    corrected_by    text        NOT NULL CHECK (corrected_by <> ''),  -- the token's name
    corrected_at    timestamptz NOT NULL DEFAULT now(),
    -- The labels the analyst saw: the tagger's, or the previous correction's.
    before_relevant boolean     NOT NULL,
    before_topics   text[]      NOT NULL,
    before_outlook  text        NOT NULL,
    before_framing  text        NOT NULL,
    -- The labels after the correction.
    relevant        boolean     NOT NULL,
    topics          text[]      NOT NULL DEFAULT '{}',
    outlook         text        NOT NULL CHECK (outlook IN ('progress', 'stalemate', 'mixed', 'none')),
    framing         text        NOT NULL CHECK (framing IN ('pro_ukraine', 'pro_russia', 'neutral')),
    rules_version   text        NOT NULL,  -- the rules whose labels were corrected
    note            text        NOT NULL DEFAULT '',
    CONSTRAINT label_corrections_topics_check CHECK (topics <@ ARRAY['territory', 'security_guarantees', 'european_response',
        'sanctions', 'ceasefire', 'humanitarian', 'peace_plan', 'us_mediation']),
    CONSTRAINT label_corrections_irrelevant_check CHECK (relevant OR (outlook = 'none' AND framing = 'neutral' AND topics = '{}'))
);

-- The latest correction of an article; corrections by time for exports.
CREATE INDEX label_corrections_article_idx ON label_corrections (article_id, id);
CREATE INDEX label_corrections_at_idx ON label_corrections (corrected_at);

COMMENT ON TABLE label_corrections IS 'Corrections of the tagger''s labels by analysts, append-only; the latest row per article is the reviewed answer.';

-- Append-only: a correction is corrected by another correction. Rows go
-- only with their article (ON DELETE CASCADE).
CREATE FUNCTION label_corrections_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'label_corrections is append-only: add a new correction instead of changing one';
END $$;

CREATE TRIGGER label_corrections_no_update BEFORE UPDATE ON label_corrections
    FOR EACH ROW EXECUTE FUNCTION label_corrections_append_only();

-- The labels by article, without the wide scores: filtering the article
-- list on them is an index-only lookup per article instead of a read of
-- article_tags' much larger rows (source and framing on 1,000,000
-- articles: 434 ms to 4 ms a page).
CREATE INDEX article_tags_labels_idx ON article_tags (article_id) INCLUDE (relevant, outlook, framing);

-- Copies of the same text under other URLs (an article's story).
CREATE INDEX articles_content_hash_idx ON articles (content_hash, id);

-- article_labels with corrections applied. Same columns as article_labels,
-- then `corrected`; stable in the same way.
CREATE VIEW article_labels_reviewed AS
SELECT l.article_id,
       l.url,
       l.title,
       l.source,
       l.published_at,
       l.lang,
       coalesce(c.relevant, l.relevant) AS relevant,
       coalesce(c.topics, l.topics)     AS topics,
       coalesce(c.outlook, l.outlook)   AS outlook,
       coalesce(c.framing, l.framing)   AS framing,
       c.relevant IS NOT NULL           AS corrected
FROM article_labels l
LEFT JOIN LATERAL (
    SELECT x.relevant, (SELECT coalesce(array_agg(t ORDER BY t), '{}') FROM unnest(x.topics) t) AS topics, x.outlook, x.framing
    FROM label_corrections x
    WHERE x.article_id = l.article_id
    ORDER BY x.id DESC
    LIMIT 1
) c ON true;

COMMENT ON VIEW article_labels_reviewed IS 'article_labels with the latest analyst correction applied where there is one (corrected = true). Stable columns; see docs/schema.md.';
