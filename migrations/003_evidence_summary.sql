-- Evidence read from an article's summary says so. When a feed carries no
-- full text the tagger reads the summary as the body; field 'summary'
-- tells that the offsets point into articles.summary, not content_text.

ALTER TABLE tag_evidence DROP CONSTRAINT tag_evidence_field_check;
ALTER TABLE tag_evidence ADD CONSTRAINT tag_evidence_field_check
    CHECK (field IN ('title', 'body', 'summary'));

-- Evidence stored before this migration: the tagger read the summary
-- exactly when content_text was empty.
UPDATE tag_evidence e SET field = 'summary'
FROM articles a
WHERE a.id = e.article_id AND e.field = 'body' AND a.content_text = '' AND a.summary <> '';

COMMENT ON COLUMN tag_evidence.field IS 'Where the match is: title, body (articles.content_text) or summary (articles.summary, read as the body when the feed gave no full text).';
COMMENT ON COLUMN tag_evidence.start_offset IS 'Byte offset into articles.title, content_text or summary, as field says.';
