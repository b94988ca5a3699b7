-- stancewatch schema v1.
--
-- Label values follow shared/taxonomy.md exactly; they are CHECK
-- constraints on text columns (not enum types) so that analysts compare
-- them with plain strings and a later taxonomy can widen them in one
-- ALTER TABLE.
--
-- Each migration runs in one transaction: it applies fully or not at all.

CREATE TABLE feeds (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url                text        NOT NULL UNIQUE,
    name               text        NOT NULL DEFAULT '',  -- chosen by the user; shown instead of title when set
    title              text        NOT NULL DEFAULT '',  -- as the feed names itself
    site_url           text        NOT NULL DEFAULT '',
    full_text          boolean     NOT NULL DEFAULT false,
    etag               text        NOT NULL DEFAULT '',
    last_modified      text        NOT NULL DEFAULT '',
    ttl                interval,                          -- RSS <ttl>, when the feed gives one
    last_polled_at     timestamptz,
    last_success_at    timestamptz,
    next_poll_at       timestamptz NOT NULL DEFAULT now(),
    consecutive_errors integer     NOT NULL DEFAULT 0 CHECK (consecutive_errors >= 0),
    last_error         text        NOT NULL DEFAULT '',
    last_error_at      timestamptz,
    disabled           boolean     NOT NULL DEFAULT false,
    disabled_reason    text        NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- The poller's claim query: enabled feeds whose next poll is due.
CREATE INDEX feeds_due_idx ON feeds (next_poll_at) WHERE NOT disabled;

COMMENT ON TABLE feeds IS 'Feeds polled by stancewatch, with their HTTP cache validators and error state.';
COMMENT ON COLUMN feeds.consecutive_errors IS 'Failed polls in a row; reset by a successful poll. The feed is disabled at poll.max_errors.';

CREATE TABLE articles (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feed_id       bigint REFERENCES feeds (id) ON DELETE SET NULL, -- feed it was first seen in
    guid          text        NOT NULL DEFAULT '',                 -- GUID in that feed
    url           text        NOT NULL,                            -- link as published, made absolute
    canonical_url text        NOT NULL UNIQUE,                     -- identity across feeds
    source        text        NOT NULL DEFAULT '',                 -- outlet name
    title         text        NOT NULL DEFAULT '',
    summary       text        NOT NULL DEFAULT '',
    content_text  text        NOT NULL DEFAULT '',                 -- plain text, what the tagger reads
    content_html  text,                                            -- sanitised; NULL once past retention
    author        text        NOT NULL DEFAULT '',
    lang          text        NOT NULL DEFAULT '',                 -- ISO 639-1 code, '' when unknown
    published_at  timestamptz NOT NULL,
    fetched_at    timestamptz NOT NULL DEFAULT now(),              -- first stored
    changed_at    timestamptz NOT NULL DEFAULT now(),              -- last change of title or content
    content_hash  bytea       NOT NULL,
    tsv           tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title), 'A') ||
        setweight(to_tsvector('simple', left(summary, 20000)), 'B') ||
        -- capped: a tsvector holds at most 1 MB
        setweight(to_tsvector('simple', left(content_text, 200000)), 'C')
    ) STORED
);

CREATE INDEX articles_published_at_idx ON articles (published_at);
CREATE INDEX articles_feed_id_idx ON articles (feed_id);
CREATE INDEX articles_source_published_idx ON articles (source, published_at);
CREATE INDEX articles_tsv_idx ON articles USING gin (tsv);

COMMENT ON TABLE articles IS 'Each article once, however many feeds carried it.';
COMMENT ON COLUMN articles.tsv IS 'Full-text vector (simple configuration: no stemming, works for en/uk/ru alike). Query with to_tsquery(''simple'', ''negotiat:*'').';

-- Every feed an article was seen in, with the GUID it had there.
CREATE TABLE article_feeds (
    article_id    bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    feed_id       bigint      NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    guid          text        NOT NULL DEFAULT '',
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, feed_id)
);

CREATE UNIQUE INDEX article_feeds_guid_idx ON article_feeds (feed_id, guid) WHERE guid <> '';
CREATE INDEX article_feeds_feed_idx ON article_feeds (feed_id);

CREATE TABLE article_tags (
    article_id    bigint      PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    relevant      boolean     NOT NULL,
    outlook       text        NOT NULL CHECK (outlook IN ('progress', 'stalemate', 'mixed', 'none')),
    framing       text        NOT NULL CHECK (framing IN ('pro_ukraine', 'pro_russia', 'neutral')),
    scores        jsonb       NOT NULL DEFAULT '{}',  -- every label's score, for analysis
    rules_version text        NOT NULL,
    content_hash  bytea       NOT NULL,               -- articles.content_hash that was tagged
    tagged_at     timestamptz NOT NULL DEFAULT now(),
    -- The taxonomy: an irrelevant article has outlook none and framing neutral.
    CONSTRAINT article_tags_irrelevant_check CHECK (relevant OR (outlook = 'none' AND framing = 'neutral'))
);

CREATE INDEX article_tags_outlook_idx ON article_tags (outlook) WHERE relevant;
CREATE INDEX article_tags_framing_idx ON article_tags (framing) WHERE relevant;
CREATE INDEX article_tags_rules_version_idx ON article_tags (rules_version);

COMMENT ON COLUMN article_tags.content_hash IS 'An article is due for tagging when it has no row here, or this differs from articles.content_hash, or rules_version differs from the running rules.';

CREATE TABLE article_topics (
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic      text   NOT NULL CHECK (topic IN ('territory', 'security_guarantees', 'european_response', 'sanctions',
                                                'ceasefire', 'humanitarian', 'peace_plan', 'us_mediation')),
    score      real   NOT NULL,
    PRIMARY KEY (article_id, topic)
);

CREATE INDEX article_topics_topic_idx ON article_topics (topic, article_id);

CREATE TABLE article_actors (
    article_id bigint  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    actor      text    NOT NULL,  -- canonical name from the gazetteer
    mentions   integer NOT NULL CHECK (mentions > 0),
    PRIMARY KEY (article_id, actor)
);

CREATE INDEX article_actors_actor_idx ON article_actors (actor, article_id);

-- Why each label was given: the rule and the words it matched.
CREATE TABLE tag_evidence (
    id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id   bigint  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    label        text    NOT NULL,  -- relevant, topic:<name>, outlook:<value>, framing:<value>, actor:<name>
    rule_id      text    NOT NULL,
    field        text    NOT NULL CHECK (field IN ('title', 'body')),
    matched_text text    NOT NULL,
    start_offset integer NOT NULL CHECK (start_offset >= 0), -- byte offsets into the field's text
    end_offset   integer NOT NULL CHECK (end_offset >= start_offset),
    weight       real    NOT NULL DEFAULT 0
);

CREATE INDEX tag_evidence_article_idx ON tag_evidence (article_id);

COMMENT ON COLUMN tag_evidence.start_offset IS 'Byte offset into articles.title (field title) or articles.content_text (field body).';

CREATE TABLE digests (
    day          date        PRIMARY KEY,
    timezone     text        NOT NULL,
    generated_at timestamptz NOT NULL DEFAULT now(),
    markdown     text        NOT NULL,
    html         text        NOT NULL,
    data         jsonb       NOT NULL,  -- the digest as JSON, as written to DAY.json
    stats        jsonb       NOT NULL   -- headline figures
);

-- One row per poll of a feed: what happened, for `feeds list` and for
-- analysts checking coverage gaps. Trimmed by housekeeping.
CREATE TABLE feed_polls (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feed_id          bigint      NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    started_at       timestamptz NOT NULL,
    duration_ms      integer     NOT NULL,
    outcome          text        NOT NULL CHECK (outcome IN ('ok', 'not_modified', 'error', 'gone')),
    http_status      integer,
    items            integer     NOT NULL DEFAULT 0,
    new_articles     integer     NOT NULL DEFAULT 0,
    updated_articles integer     NOT NULL DEFAULT 0,
    error            text        NOT NULL DEFAULT ''
);

CREATE INDEX feed_polls_feed_started_idx ON feed_polls (feed_id, started_at);
CREATE INDEX feed_polls_started_idx ON feed_polls (started_at);

-- The public interface for people who query the database directly. Its
-- columns are stable: later versions may add columns at the end, never
-- rename or drop one.
CREATE VIEW article_labels AS
SELECT a.id                           AS article_id,
       a.url,
       a.title,
       a.source,
       a.published_at,
       a.lang,
       t.relevant,
       coalesce(tp.topics, '{}'::text[]) AS topics,
       t.outlook,
       t.framing
FROM articles a
JOIN article_tags t ON t.article_id = a.id
LEFT JOIN LATERAL (
    SELECT array_agg(x.topic ORDER BY x.topic) AS topics
    FROM article_topics x
    WHERE x.article_id = a.id
) tp ON true;

COMMENT ON VIEW article_labels IS 'One row per tagged article: the four labels of shared/taxonomy.md. Stable columns; see docs/schema.md.';
