-- Feed ingestion: a lease marks a feed while one stancewatch process polls
-- it, so that several processes sharing the database never fetch the same
-- feed at once (also when `poll --all` ignores the schedule).

ALTER TABLE feeds ADD COLUMN lease_until timestamptz;

COMMENT ON COLUMN feeds.lease_until IS 'Set when a poller claims the feed (SELECT ... FOR UPDATE SKIP LOCKED) and cleared when it saves the poll; a lease left by a crashed poller expires by itself.';
