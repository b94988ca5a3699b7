package digest_test

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/digest"
	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/taxonomy"
)

func TestDigestCountsMatchGold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, arts, ids := fixtureStore(t)
	dg, err := digest.Build(ctx, st, fixtureDay, digest.Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	e := expect(arts)
	if e.articles[0] < 20 || e.relevant[0] < 10 || e.articles[1] == 0 {
		t.Fatalf("fixture too thin: %d articles, %d relevant on the day, %d the day before", e.articles[0], e.relevant[0], e.articles[1])
	}
	if dg.Day != "2026-03-29" || dg.Timezone != "Europe/Kyiv" || dg.Partial || dg.Empty {
		t.Errorf("day %s zone %s partial %v empty %v", dg.Day, dg.Timezone, dg.Partial, dg.Empty)
	}
	if got := dg.End.Sub(dg.Start); got != 23*time.Hour {
		t.Errorf("the day Kyiv springs forward lasts %s, want 23h", got)
	}

	h := dg.Headline
	checkFigure(t, "articles", h.Articles, func(d int) int { return e.articles[d] })
	checkFigure(t, "outlets", h.Outlets, func(d int) int { return e.outlets[d] })
	checkFigure(t, "relevant", h.Relevant, func(d int) int { return e.relevant[d] })
	checkFigure(t, "relevant outlets", h.RelevantOutlets, func(d int) int { return e.relevantOutlets[d] })
	for _, o := range []string{"progress", "stalemate", "mixed", "none"} {
		checkFigure(t, "outlook "+o, h.Outlook[o], func(d int) int { return e.outlook[d][o] })
	}
	if h.Untagged != 0 {
		t.Errorf("untagged = %d, want 0", h.Untagged)
	}

	checkLean(t, h, e)
	checkTopics(t, dg, e)
	checkFraming(t, dg, e)
	checkActors(t, dg, e)
	checkStories(t, dg, arts, ids, e)
	checkSnippets(t, dg)
}

// checkLean: the lean and the reading, from the gold counts.
func checkLean(t *testing.T, h digest.Headline, e expected) {
	t.Helper()
	wantLean, top, tie := "", 0, false
	for _, o := range []string{"progress", "stalemate", "mixed"} {
		if n := e.outlook[0][o]; n > top {
			wantLean, top, tie = o, n, false
		} else if n == top && n > 0 {
			tie = true
		}
	}
	if tie {
		wantLean = "split"
	}
	if h.Lean != wantLean {
		t.Errorf("lean = %q, want %q (outlooks %v)", h.Lean, wantLean, e.outlook[0])
	}
	if wantLean != "split" {
		want := "Coverage leaned to " + map[string]string{"mixed": "a mixed picture"}[wantLean]
		if wantLean != "mixed" {
			want = "Coverage leaned to " + wantLean
		}
		want += ": " + strconv.Itoa(top) + " of " + strconv.Itoa(e.relevant[0]) + " relevant articles"
		if !strings.HasPrefix(h.Reading, want) {
			t.Errorf("reading = %q, want it to start %q", h.Reading, want)
		}
		if !strings.Contains(h.Reading, "the previous day") || !strings.Contains(h.Reading, "previous 7 days") {
			t.Errorf("reading %q does not compare with the previous day and the 7-day average", h.Reading)
		}
	}

}

// checkTopics: today's count, the change and the 14-day trend.
func checkTopics(t *testing.T, dg *digest.Digest, e expected) {
	t.Helper()
	if len(dg.Topics) != len(taxonomy.Topics()) || len(dg.TrendDays) != digest.TrendDays {
		t.Fatalf("%d topics, %d trend days", len(dg.Topics), len(dg.TrendDays))
	}
	if dg.TrendDays[13] != "2026-03-29" || dg.TrendDays[0] != "2026-03-16" {
		t.Errorf("trend days %s .. %s", dg.TrendDays[0], dg.TrendDays[13])
	}
	for i, tp := range dg.Topics {
		if i > 0 && dg.Topics[i-1].Articles < tp.Articles {
			t.Errorf("topics not sorted by count: %s before %s", dg.Topics[i-1].Topic, tp.Topic)
		}
		if tp.Articles != e.topics[0][tp.Topic] || tp.PreviousDay != e.topics[1][tp.Topic] || tp.Change != tp.Articles-tp.PreviousDay {
			t.Errorf("topic %s: %d (prev %d, change %d), want %d (prev %d)", tp.Topic, tp.Articles, tp.PreviousDay, tp.Change,
				e.topics[0][tp.Topic], e.topics[1][tp.Topic])
		}
		for k, n := range tp.Trend {
			if want := e.topics[13-k][tp.Topic]; n != want {
				t.Errorf("topic %s trend day %s: %d, want %d", tp.Topic, dg.TrendDays[k], n, want)
			}
		}
	}

}

// checkFraming: the framing by outlet.
func checkFraming(t *testing.T, dg *digest.Digest, e expected) {
	t.Helper()
	if len(dg.Framing) != len(e.framing) {
		t.Errorf("framing table has %d outlets, want %d", len(dg.Framing), len(e.framing))
	}
	for _, f := range dg.Framing {
		w := e.framing[f.Source]
		if [3]int{f.ProUkraine, f.Neutral, f.ProRussia} != w || f.Total != w[0]+w[1]+w[2] {
			t.Errorf("framing of %s: %+v, want %v", f.Source, f, w)
		}
	}

}

// checkActors: the test's own count of relevant articles naming each.
func checkActors(t *testing.T, dg *digest.Digest, e expected) {
	t.Helper()
	if len(dg.Actors) == 0 {
		t.Fatal("no actors")
	}
	for i, a := range dg.Actors {
		if a.Articles != e.actors[a.Actor] {
			t.Errorf("actor %s named in %d articles, want %d", a.Actor, a.Articles, e.actors[a.Actor])
		}
		if i > 0 && dg.Actors[i-1].Articles < a.Articles {
			t.Errorf("actors not sorted: %s before %s", dg.Actors[i-1].Actor, a.Actor)
		}
	}
	most := 0
	for _, n := range e.actors {
		most = max(most, n)
	}
	if dg.Actors[0].Articles != most {
		t.Errorf("first actor %s has %d articles, the most is %d", dg.Actors[0].Actor, dg.Actors[0].Articles, most)
	}

}

func checkFigure(t *testing.T, name string, f digest.Figure, get func(d int) int) {
	t.Helper()
	want := avg7(get)
	if f.Count != get(0) || f.PreviousDay != get(1) || f.Change != get(0)-get(1) || math.Abs(f.Avg7-want) > 0.006 ||
		math.Abs(f.ChangeAvg7-(float64(get(0))-want)) > 0.011 {
		t.Errorf("%s = %s change %d/%.2f; want %d (prev %d, avg7 %.2f)", name, fmtFigure(f), f.Change, f.ChangeAvg7, get(0), get(1), want)
	}
}

// storyMembership maps each article of the digest's stories to its
// story, and fails for an article in two stories.
func storyMembership(t *testing.T, dg *digest.Digest) map[int64]string {
	t.Helper()
	storyOf := map[int64]string{}
	for _, s := range dg.Stories {
		for _, a := range s.Articles {
			if _, ok := storyOf[a.ID]; ok {
				t.Errorf("article %d in two stories", a.ID)
			}
			storyOf[a.ID] = s.ID
		}
	}
	return storyOf
}

// checkStories: the known copies are one story each, nothing else is
// grouped, and every relevant article of the day is in exactly one story.
func checkStories(t *testing.T, dg *digest.Digest, arts []fixtureArticle, ids map[string]int64, e expected) {
	t.Helper()
	copies := 0
	for _, a := range arts {
		if a.CopyOf != "" && a.DaysBefore == 0 {
			copies++
		}
	}
	if len(dg.Stories) != e.relevant[0]-copies || dg.Headline.Stories != len(dg.Stories) {
		t.Errorf("%d stories (headline %d), want %d relevant articles less %d copies", len(dg.Stories), dg.Headline.Stories, e.relevant[0], copies)
	}
	storyOf := storyMembership(t, dg)
	if len(storyOf) != e.relevant[0] {
		t.Errorf("stories hold %d articles, want %d", len(storyOf), e.relevant[0])
	}
	group := func(gold ...string) {
		t.Helper()
		s := storyOf[ids[gold[0]]]
		for _, g := range gold[1:] {
			if storyOf[ids[g]] != s {
				t.Errorf("%s and %s are copies but in stories %s and %s", gold[0], g, s, storyOf[ids[g]])
			}
		}
	}
	apart := func(a, b string) {
		t.Helper()
		if storyOf[ids[a]] == storyOf[ids[b]] {
			t.Errorf("%s and %s are different stories but grouped in %s", a, b, storyOf[ids[a]])
		}
	}
	group(wireOriginal, wireOriginal+"-copy-harbourcity", wireOriginal+"-copy-lakeside")
	group(wireOriginal2, wireOriginal2+"-copy-riverside")
	apart("dev-a-19", "dev-a-25")
	apart("dev-a-06", "dev-b-07")
	apart(wireOriginal, wireOriginal2)

	// The most carried story comes first and lists every outlet, the
	// original publisher first.
	first := dg.Stories[0]
	if first.ID != storyOf[ids[wireOriginal]] {
		t.Errorf("first story %s (%q), want the three-outlet wire story", first.ID, first.Title)
	}
	want := []string{"Northbridge Wire", "Harbour City Gazette", "Lakeside Evening Post"}
	if !slices.Equal(first.Outlets, want) || len(first.Articles) != 3 {
		t.Errorf("wire story outlets %v (%d articles), want %v", first.Outlets, len(first.Articles), want)
	}
	if first.URL != arts[slices.IndexFunc(arts, func(a fixtureArticle) bool { return a.ID == wireOriginal })].URL {
		t.Errorf("wire story links to %s, not the original", first.URL)
	}

	// Each topic's top stories have the topic and come in rank order.
	rank := map[string]int{}
	byID := map[string]digest.Story{}
	for i, s := range dg.Stories {
		rank[s.ID] = i
		byID[s.ID] = s
	}
	for _, tp := range dg.Topics {
		if n := min(5, tp.Articles); len(tp.TopStories) > n || (tp.Articles > 0 && len(tp.TopStories) == 0) {
			t.Errorf("topic %s: %d top stories for %d articles", tp.Topic, len(tp.TopStories), tp.Articles)
		}
		for i, ref := range tp.TopStories {
			s, ok := byID[ref.Story]
			if !ok || !slices.Contains(s.Topics, tp.Topic) {
				t.Errorf("topic %s lists story %s which does not have the topic", tp.Topic, ref.Story)
			}
			if i > 0 && rank[tp.TopStories[i-1].Story] > rank[ref.Story] {
				t.Errorf("topic %s: top stories out of rank order", tp.Topic)
			}
		}
	}
}

// checkSnippets: every snippet's marked words are evidence words, and the
// snippet for a topic is evidence of that topic when the story has some.
func checkSnippets(t *testing.T, dg *digest.Digest) {
	t.Helper()
	n := 0
	for _, tp := range dg.Topics {
		for _, ref := range tp.TopStories {
			sn := ref.Snippet
			if sn == nil {
				t.Errorf("topic %s story %s has no snippet", tp.Topic, ref.Story)
				continue
			}
			n++
			if sn.Label != "topic:"+tp.Topic {
				t.Errorf("topic %s story %s: snippet is evidence of %s", tp.Topic, ref.Story, sn.Label)
			}
			marked := 0
			for _, p := range sn.Parts {
				if p.Match {
					marked++
					if strings.TrimSpace(p.Text) == "" {
						t.Errorf("empty match in %+v", sn)
					}
				}
			}
			if marked == 0 {
				t.Errorf("topic %s story %s: snippet marks nothing: %+v", tp.Topic, ref.Story, sn.Parts)
			}
		}
	}
	if n == 0 {
		t.Fatal("no snippets at all")
	}
}

// A bad evidence row (offsets that no longer point at its words) is left
// out with a note; the rest of the digest is built.
func TestBadEvidenceIsLeftOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _, ids := fixtureStore(t)
	l, err := st.LabelsOf(ctx, ids[wireOriginal])
	if err != nil {
		t.Fatal(err)
	}
	bad := []store.Evidence{
		{Label: "topic:territory", RuleID: "stale", Field: "body", Text: "ceasefire", Start: 0, End: 9},
		{Label: "topic:territory", RuleID: "past-end", Field: "body", Text: "x", Start: 1 << 20, End: 1<<20 + 1},
	}
	l.Evidence = append(bad, l.Evidence...)
	if err := st.SaveLabels(ctx, []store.Labels{l}); err != nil {
		t.Fatal(err)
	}
	dg, err := digest.Build(ctx, st, fixtureDay, digest.Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(dg.Notes) != 1 || !strings.HasPrefix(dg.Notes[0], "2 evidence rows left out") {
		t.Errorf("notes = %q", dg.Notes)
	}
	for _, tp := range dg.Topics {
		for _, ref := range tp.TopStories {
			if ref.Snippet != nil && (ref.Snippet.RuleID == "stale" || ref.Snippet.RuleID == "past-end") {
				t.Errorf("topic %s shows the bad evidence", tp.Topic)
			}
		}
	}
	checkSnippets(t, dg)
}

func TestStyleSheetIsCSS(t *testing.T) {
	css := string(digest.StyleSheet())
	if strings.Contains(css, "<style") || strings.Contains(css, "</style") || !strings.Contains(css, "--bg:") {
		t.Errorf("StyleSheet is not the bare CSS: %.80q", css)
	}
}
