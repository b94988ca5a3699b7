package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/tagger"
)

// taggingOptions configure Tagging; zero values mean the defaults.
type taggingOptions struct {
	// BatchSize is the number of articles read, tagged and saved per
	// transaction (default 500, config tagger.retag_batch_size).
	BatchSize int
	Logger    *slog.Logger
	// OnTagged, when set, is called after each saved batch with its size
	// and how long tagging it took (not counting the database), for
	// metrics.
	OnTagged func(articles int, took time.Duration)
	// MaxTextBytes bounds the text tagged per article (default
	// feeds.DefaultMaxTextBytes, config poll.max_text_bytes): articles
	// stored before the cap existed are tagged on their first part.
	MaxTextBytes int
}

// Tagging tags stored articles with a rule engine and saves their labels,
// topics, actors and evidence.
type Tagging struct {
	store    *store.Store
	engine   *tagger.Engine
	batch    int
	log      *slog.Logger
	onTagged func(int, time.Duration)
	maxText  int
}

// newTagging returns a Tagging that tags with eng and saves to st.
func newTagging(st *store.Store, eng *tagger.Engine, opts taggingOptions) *Tagging {
	t := &Tagging{store: st, engine: eng, batch: opts.BatchSize, log: opts.Logger, onTagged: opts.OnTagged, maxText: opts.MaxTextBytes}
	if t.maxText <= 0 {
		t.maxText = feeds.DefaultMaxTextBytes
	}
	if t.batch <= 0 {
		t.batch = 500
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	return t
}

// RulesVersion is the version of the rules this Tagging applies.
func (t *Tagging) RulesVersion() string { return t.engine.Version() }

// TagArticles tags the articles with the given ids now — the poller
// calls it after each feed's commit with the new and changed ids — and
// saves their labels in batches. Ids that no longer exist are skipped.
func (t *Tagging) TagArticles(ctx context.Context, ids []int64) error {
	var errs []error
	for len(ids) > 0 {
		n := min(t.batch, len(ids))
		arts, err := t.store.ArticlesByID(ctx, ids[:n])
		if err != nil {
			return fmt.Errorf("tag articles: %w", err)
		}
		if _, err := t.tagAndSave(ctx, arts); err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
		}
		ids = ids[n:]
	}
	if len(errs) > 0 {
		return fmt.Errorf("tag articles: %w", errors.Join(errs...))
	}
	return nil
}

// Retag tags every article that is due: never tagged, tagged under other
// rules, or changed since it was tagged; with a non-zero since, only
// those published at or after it. It works in keyset-ordered batches,
// each read, tagged and saved in its own short transaction, so it never
// holds locks long enough to block the poller, a crash loses at most one
// batch, and a restart resumes with what is still due (pending-ness is
// derived from the data, not remembered). It returns how many articles
// it tagged.
func (t *Tagging) Retag(ctx context.Context, since time.Time) (int, error) {
	version := t.engine.Version()
	total, failed := 0, 0
	var after int64
	for {
		arts, err := t.store.PendingArticles(ctx, version, after, since, t.batch)
		if err != nil {
			return total, fmt.Errorf("retag: %w", err)
		}
		if len(arts) == 0 {
			break
		}
		after = arts[len(arts)-1].ID
		n, err := t.tagAndSave(ctx, arts)
		total += n
		if err != nil {
			if ctx.Err() != nil {
				return total, fmt.Errorf("retag: %w", ctx.Err())
			}
			// Articles that failed stay due; the next run tries again.
			failed += len(arts) - n
			t.log.Error("retag: some articles could not be saved", "err", err)
		}
		if len(arts) < t.batch {
			break
		}
	}
	if failed > 0 {
		return total, fmt.Errorf("retag: %d articles could not be saved and stay due (see the log)", failed)
	}
	if total > 0 {
		t.log.Info("retag: articles tagged", "articles", total, "rules_version", version)
	}
	return total, nil
}

// tagAndSave tags arts and saves them in one transaction. When the batch
// cannot be saved, it saves the articles one by one so that one bad
// article does not keep the others untagged; it returns how many were
// saved.
func (t *Tagging) tagAndSave(ctx context.Context, arts []store.ArticleText) (int, error) {
	if len(arts) == 0 {
		return 0, nil
	}
	start := time.Now()
	version := t.engine.Version()
	ls := make([]store.Labels, len(arts))
	for i, a := range arts {
		body, _ := feeds.CapText(a.Text, t.maxText)
		res := t.engine.Tag(tagger.Document{Title: a.Title, Body: body, Lang: a.Lang})
		ls[i] = labelsFromResult(a, res, version)
	}
	took := time.Since(start)
	err := t.store.SaveLabels(ctx, ls)
	if err == nil {
		if t.onTagged != nil {
			t.onTagged(len(ls), took)
		}
		return len(ls), nil
	}
	if ctx.Err() != nil || len(ls) == 1 {
		return 0, err
	}
	saved := 0
	var errs []error
	for _, l := range ls {
		if err := t.store.SaveLabels(ctx, []store.Labels{l}); err != nil {
			errs = append(errs, fmt.Errorf("article %d: %w", l.ArticleID, err))
			t.log.Error("tagging: cannot save labels", "article", l.ArticleID, "err", err)
			continue
		}
		saved++
	}
	if t.onTagged != nil && saved > 0 {
		t.onTagged(saved, took)
	}
	return saved, errors.Join(errs...)
}

// labelsFromResult turns the tagger's answer for article a into the
// store's labels, recording the rules version and the content hash that
// was read (so an article that changed meanwhile stays due).
func labelsFromResult(a store.ArticleText, r tagger.Result, rulesVersion string) store.Labels {
	l := store.Labels{
		ArticleID:    a.ID,
		Relevant:     r.Relevant,
		Outlook:      r.Outlook,
		Framing:      r.Framing,
		Scores:       r.Scores,
		RulesVersion: rulesVersion,
		ContentHash:  a.ContentHash,
	}
	for _, tp := range r.Topics {
		l.Topics = append(l.Topics, store.TopicScore{Topic: tp.Topic, Score: tp.Score})
	}
	for _, ac := range r.Actors {
		l.Actors = append(l.Actors, store.ActorMentions{Actor: ac.Name, Mentions: ac.Mentions})
	}
	for _, e := range r.Evidence {
		field := e.Field
		if field == "body" && a.FromSummary {
			field = "summary" // the offsets point into the summary the tagger read
		}
		l.Evidence = append(l.Evidence, store.Evidence{Label: e.Label, RuleID: e.Rule, Field: field, Text: e.Text,
			Start: e.Start, End: e.End, Weight: e.Weight})
	}
	return l
}
