// Package digest builds the daily digest: how one day's coverage of the
// talks moved (headline figures and the outlook reading, topics with their
// trend, framing by outlet, stories grouped across outlets, the actors
// named most) from the labels in the database, and renders it as
// Markdown, HTML and JSON. See docs/digest.md.
package digest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/taxonomy"
)

// SchemaVersion is the version of the JSON structure; it changes only
// when a field is renamed, removed or changes meaning.
const SchemaVersion = 1

// TrendDays is the length of the topic trend, ending on the digest's day.
const TrendDays = 14

// Digest is one day's digest. Its JSON form is the documented, stable
// structure written to DAY.json and stored in digests.data.
type Digest struct {
	SchemaVersion int       `json:"schema_version"`
	Day           string    `json:"day"` // YYYY-MM-DD
	Timezone      string    `json:"timezone"`
	Start         time.Time `json:"start"` // the day's bounds, end exclusive
	End           time.Time `json:"end"`
	GeneratedAt   time.Time `json:"generated_at"`
	// Partial is true when the day had not ended when the digest was built.
	Partial bool `json:"partial"`
	// Empty is true when no article was published that day.
	Empty     bool            `json:"empty"`
	Headline  Headline        `json:"headline"`
	TrendDays []string        `json:"trend_days"` // the TrendDays dates of every trend, oldest first
	Topics    []TopicSummary  `json:"topics"`
	Framing   []OutletFraming `json:"framing_by_outlet"`
	Stories   []Story         `json:"stories"`
	Actors    []ActorCount    `json:"actors"`
	Notes     []string        `json:"notes,omitempty"` // data problems met while building, e.g. bad evidence offsets
}

// Figure is a count with its change from the previous day and from the
// mean of the seven days before the digest's day.
type Figure struct {
	Count       int     `json:"count"`
	PreviousDay int     `json:"previous_day"`
	Change      int     `json:"change"`      // Count - PreviousDay
	Avg7        float64 `json:"avg7"`        // mean over the 7 days before, 2 decimals
	ChangeAvg7  float64 `json:"change_avg7"` // Count - Avg7
}

// Headline holds the figures at the top of the digest. It is also stored
// on its own in digests.stats.
type Headline struct {
	Articles        Figure `json:"articles"`         // articles published that day
	Outlets         Figure `json:"outlets"`          // distinct outlets among them
	Relevant        Figure `json:"relevant"`         // articles about the talks
	RelevantOutlets Figure `json:"relevant_outlets"` // distinct outlets among those
	Untagged        int    `json:"untagged"`         // articles not tagged yet (counted in articles only)
	// Outlook counts relevant articles per outlook: progress, stalemate,
	// mixed, none.
	Outlook map[string]Figure `json:"outlook"`
	// Lean is the outlook coverage leaned to: progress, stalemate, mixed;
	// "split" when two tie for the lead; "none" when no relevant article
	// characterised the talks; "" when there was no relevant article.
	Lean string `json:"lean"`
	// LeanShare is the lean outlook's share of relevant articles today,
	// the previous day and pooled over the 7 days before (0..1; -1 when
	// that period had no relevant article).
	LeanShare    float64 `json:"lean_share"`
	LeanPrevious float64 `json:"lean_share_previous_day"`
	LeanAvg7     float64 `json:"lean_share_avg7"`
	Reading      string  `json:"reading"` // one sentence
	Stories      int     `json:"stories"` // relevant stories after grouping copies
}

// TopicSummary is one topic's line in the digest.
type TopicSummary struct {
	Topic       string          `json:"topic"`
	Articles    int             `json:"articles"` // relevant articles with the topic
	PreviousDay int             `json:"previous_day"`
	Change      int             `json:"change"`
	Trend       []int           `json:"trend"` // articles per day over TrendDays, oldest first, today last
	TopStories  []TopicStoryRef `json:"top_stories"`
}

// TopicStoryRef points at a story of Digest.Stories, with the evidence
// snippet that shows why the story has the topic.
type TopicStoryRef struct {
	Story   string   `json:"story"` // Story.ID
	Snippet *Snippet `json:"snippet"`
}

// Story is one story of the day: an article and its copies in other
// outlets (syndicated wire copy, near-identical title and lead).
type Story struct {
	ID          string         `json:"id"` // "a" + the first article's id
	Title       string         `json:"title"`
	URL         string         `json:"url"`
	Source      string         `json:"source"`
	PublishedAt time.Time      `json:"published_at"`
	Outlook     string         `json:"outlook"` // of the first article
	Framing     string         `json:"framing"` // of the first article
	Topics      []string       `json:"topics"`  // union over the articles
	Outlets     []string       `json:"outlets"` // distinct outlets, first publisher first
	Articles    []StoryArticle `json:"articles"`
	Snippet     *Snippet       `json:"snippet"` // best evidence for the story's outlook or relevance
}

// StoryArticle is one article of a story.
type StoryArticle struct {
	ID          int64     `json:"id"` // articles.id
	Title       string    `json:"title"`
	URL         string    `json:"url"`
	Source      string    `json:"source"`
	PublishedAt time.Time `json:"published_at"`
	Outlook     string    `json:"outlook"`
	Framing     string    `json:"framing"`
}

// Snippet is a window of text around the evidence for a label.
type Snippet struct {
	ArticleID int64         `json:"article_id"`
	Label     string        `json:"label"` // e.g. topic:territory
	RuleID    string        `json:"rule_id"`
	Field     string        `json:"field"` // title, body or summary (read for want of full text)
	Before    bool          `json:"ellipsis_before"`
	After     bool          `json:"ellipsis_after"`
	Parts     []SnippetPart `json:"parts"` // the text in order; Match marks matched words
}

// SnippetPart is a run of snippet text.
type SnippetPart struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// OutletFraming counts one outlet's relevant articles per framing.
type OutletFraming struct {
	Source     string `json:"source"`
	ProUkraine int    `json:"pro_ukraine"`
	Neutral    int    `json:"neutral"`
	ProRussia  int    `json:"pro_russia"`
	Total      int    `json:"total"`
}

// ActorCount is how much of the day's relevant coverage named an actor.
type ActorCount struct {
	Actor    string `json:"actor"`
	Articles int    `json:"articles"`
	Mentions int    `json:"mentions"`
}

type resolvedSettings struct {
	now        time.Time
	topStories int
	topActors  int
}

func (o Options) resolve() resolvedSettings {
	s := resolvedSettings{topStories: o.TopStories, topActors: o.TopActors}
	if o.Now != nil {
		s.now = o.Now()
	} else {
		s.now = time.Now()
	}
	if s.topStories <= 0 {
		s.topStories = 5
	}
	if s.topActors <= 0 {
		s.topActors = 15
	}
	return s
}

// leadChars is how much of an article's text takes part in grouping.
const leadChars = 600

// snippetRadius is the context, in bytes, fetched either side of a match.
const snippetRadius = 120

// Build computes the digest of day d from the database. Only the
// options Now, TopStories and TopActors matter here.
func Build(ctx context.Context, st *store.Store, d Day, opts Options) (*Digest, error) {
	set := opts.resolve()
	if err := d.CheckNotFuture(set.now); err != nil {
		return nil, err
	}
	start, end := d.Start(), d.End()
	dg := &Digest{
		SchemaVersion: SchemaVersion,
		Day:           d.String(),
		Timezone:      d.Location().String(),
		Start:         start,
		End:           end,
		GeneratedAt:   set.now.UTC().Truncate(time.Second),
		Partial:       set.now.Before(end),
	}
	for i := 0; i < TrendDays; i++ {
		dg.TrendDays = append(dg.TrendDays, d.AddDays(i-TrendDays+1).String())
	}

	err := st.ReadDigest(ctx, func(r *store.DigestReader) error {
		return dg.read(ctx, r, d, set)
	})
	if err != nil {
		return nil, fmt.Errorf("digest %s: %w", d, err)
	}
	return dg, nil
}

// read fills the digest from one snapshot of the database.
func (dg *Digest) read(ctx context.Context, r *store.DigestReader, d Day, set resolvedSettings) error {
	start, end := d.Start(), d.End()
	counts, err := r.DailyCounts(ctx, d.TrendBounds(TrendDays))
	if err != nil {
		return err
	}
	today := counts[len(counts)-1]
	dg.Empty = today.Articles == 0
	dg.Headline = headline(counts)
	dg.Topics = topicSummaries(counts)
	dg.Stories, dg.Framing, dg.Actors = []Story{}, []OutletFraming{}, []ActorCount{}
	if today.Relevant == 0 {
		dg.Headline.Reading = reading(dg.Headline, today.Articles)
		return nil
	}

	arts, err := r.RelevantArticles(ctx, start, end, leadChars)
	if err != nil {
		return err
	}
	for i := range arts {
		// The same instant, written in the digest's zone whatever the
		// process's local zone is: the JSON must not depend on it.
		arts[i].PublishedAt = arts[i].PublishedAt.In(d.Location())
	}
	dg.Stories = groupStories(arts)
	dg.Headline.Stories = len(dg.Stories)
	dg.Headline.Reading = reading(dg.Headline, today.Articles)

	framing, err := r.FramingByOutlet(ctx, start, end)
	if err != nil {
		return err
	}
	for _, f := range framing {
		f.Source = displayText(f.Source)
		dg.Framing = append(dg.Framing, OutletFraming(f))
	}
	actors, err := r.TopActors(ctx, start, end, set.topActors)
	if err != nil {
		return err
	}
	for _, a := range actors {
		dg.Actors = append(dg.Actors, ActorCount(a))
	}
	pickTopStories(dg, set.topStories)
	return attachSnippets(ctx, r, dg)
}

// headline computes the figures from the daily counts (today last).
func headline(counts []store.DayCounts) Headline {
	n := len(counts)
	fig := func(get func(store.DayCounts) int) Figure {
		f := Figure{Count: get(counts[n-1])}
		if n >= 2 {
			f.PreviousDay = get(counts[n-2])
		}
		f.Change = f.Count - f.PreviousDay
		sum := 0
		for i := max(0, n-8); i < n-1; i++ {
			sum += get(counts[i])
		}
		f.Avg7 = round2(float64(sum) / 7) // days without articles count as zero
		f.ChangeAvg7 = round2(float64(f.Count) - f.Avg7)
		return f
	}
	h := Headline{
		Articles:        fig(func(c store.DayCounts) int { return c.Articles }),
		Outlets:         fig(func(c store.DayCounts) int { return c.Outlets }),
		Relevant:        fig(func(c store.DayCounts) int { return c.Relevant }),
		RelevantOutlets: fig(func(c store.DayCounts) int { return c.RelevantOutlets }),
		Untagged:        counts[n-1].Articles - counts[n-1].Tagged,
		Outlook:         map[string]Figure{},
	}
	for _, o := range taxonomy.Outlooks() {
		h.Outlook[o] = fig(func(c store.DayCounts) int { return c.Outlook[o] })
	}
	h.Lean = lean(counts[n-1])
	h.LeanShare, h.LeanPrevious, h.LeanAvg7 = -1, -1, -1
	if h.Lean != "" && h.Lean != "split" {
		share := func(days []store.DayCounts) float64 {
			num, den := 0, 0
			for _, c := range days {
				num += c.Outlook[h.Lean]
				den += c.Relevant
			}
			if den == 0 {
				return -1
			}
			return round2(float64(num) / float64(den))
		}
		h.LeanShare = share(counts[n-1:])
		if n >= 2 {
			h.LeanPrevious = share(counts[n-2 : n-1])
			h.LeanAvg7 = share(counts[max(0, n-8) : n-1])
		}
	}
	return h
}

// lean names the outlook that most relevant articles of the day gave.
func lean(c store.DayCounts) string {
	if c.Relevant == 0 {
		return ""
	}
	best, bestN, tie := "", 0, false
	for _, o := range []string{"progress", "stalemate", "mixed"} {
		switch n := c.Outlook[o]; {
		case n > bestN:
			best, bestN, tie = o, n, false
		case n == bestN && n > 0:
			tie = true
		}
	}
	switch {
	case bestN == 0:
		return "none"
	case tie:
		return "split"
	}
	return best
}

func topicSummaries(days []store.DayCounts) []TopicSummary {
	n := len(days)
	out := make([]TopicSummary, 0, len(taxonomy.Topics()))
	for _, t := range taxonomy.Topics() {
		ts := TopicSummary{Topic: t, Articles: days[n-1].Topics[t], Trend: make([]int, n), TopStories: []TopicStoryRef{}}
		if n >= 2 {
			ts.PreviousDay = days[n-2].Topics[t]
		}
		ts.Change = ts.Articles - ts.PreviousDay
		for i := range days {
			ts.Trend[i] = days[i].Topics[t]
		}
		out = append(out, ts)
	}
	// Busiest first; the taxonomy's order breaks ties (stable sort).
	slices.SortStableFunc(out, func(a, b TopicSummary) int { return b.Articles - a.Articles })
	return out
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
