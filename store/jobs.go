package store

import (
	"context"
	"fmt"
	"time"
)

// TryExclusive runs fn while holding the transaction-scoped advisory lock
// key, if no other session holds it, and reports whether fn ran. Several
// processes sharing one database use it so that exactly one of them does
// a job. The lock lives in a transaction of its own connection, held open
// until fn returns: a session lock taken through the pool could be
// released on another connection, and a transaction lock cannot outlive
// its connection, so a crashed holder frees the lock at once.
func (s *Store) TryExclusive(ctx context.Context, key int64, fn func(ctx context.Context) error) (bool, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("advisory lock %d: %w", key, err)
	}
	// Rolling back ends the transaction and so releases the lock; there is
	// nothing in it to commit. If the connection died meanwhile, the lock
	// went with it, so a failed rollback is no error of the job's.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var got bool
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, key).Scan(&got); err != nil {
		return false, fmt.Errorf("advisory lock %d: %w", key, err)
	}
	if !got {
		return false, nil
	}
	return true, fn(ctx)
}

// DropOldHTML clears the stored sanitised HTML of articles published
// before cutoff; their plain text, labels and evidence stay. It works in
// batches so that no statement holds many row locks for long, and returns
// how many articles it cleared.
func (s *Store) DropOldHTML(ctx context.Context, cutoff time.Time) (int64, error) {
	var total int64
	for {
		tag, err := s.pool.Exec(ctx, `
			UPDATE articles SET content_html = NULL
			WHERE id IN (SELECT id FROM articles
			             WHERE content_html IS NOT NULL AND published_at < $1
			             LIMIT 5000)`, cutoff)
		if err != nil {
			return total, fmt.Errorf("drop article HTML before %s: %w", cutoff.Format(time.DateOnly), err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < 5000 {
			return total, nil
		}
	}
}

// DeletePollLog deletes the rows of the poll log started before cutoff
// and returns how many it deleted.
func (s *Store) DeletePollLog(ctx context.Context, cutoff time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM feed_polls WHERE started_at < $1`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("delete poll log before %s: %w", cutoff.Format(time.DateOnly), err)
	}
	return tag.RowsAffected(), nil
}

// ReleaseFeeds gives up the leases of feeds a poller claimed but could
// not finish (shutdown, or the database went away mid-poll), so that they
// are polled at the next tick instead of when the lease runs out. Each
// lease is cleared only if it is still the one claimed: a lease that ran
// out and was taken by another poller is left alone.
func (s *Store) ReleaseFeeds(ctx context.Context, feeds []Feed) error {
	if len(feeds) == 0 {
		return nil
	}
	ids, leases := make([]int64, len(feeds)), make([]time.Time, len(feeds))
	for i, f := range feeds {
		ids[i], leases[i] = f.ID, f.LeaseUntil
	}
	_, err := s.pool.Exec(ctx, `
		UPDATE feeds AS f SET lease_until = NULL
		FROM unnest($1::bigint[], $2::timestamptz[]) AS r(id, lease)
		WHERE f.id = r.id AND f.lease_until = r.lease`, ids, leases)
	if err != nil {
		return fmt.Errorf("release %d feeds: %w", len(feeds), err)
	}
	return nil
}
