package digest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/stancewatch/stancewatch/store"
)

// attachSnippets gives every story shown under a topic an evidence snippet
// for that topic, and the story itself one for its outlook.
func attachSnippets(ctx context.Context, r *store.DigestReader, dg *Digest) error {
	shown := map[string]bool{}
	for _, t := range dg.Topics {
		for _, ref := range t.TopStories {
			shown[ref.Story] = true
		}
	}
	var ids []int64
	for _, s := range dg.Stories {
		if shown[s.ID] {
			for _, a := range s.Articles {
				ids = append(ids, a.ID)
			}
		}
	}
	rows, err := r.EvidenceWindows(ctx, ids, snippetRadius)
	if err != nil {
		return err
	}
	byArticle := map[int64][]store.EvidenceWindow{}
	bad := 0
	for _, r := range rows {
		if !validWindow(r) {
			bad++ // the article changed since it was tagged, or a tagger bug
			continue
		}
		byArticle[r.ArticleID] = append(byArticle[r.ArticleID], r)
	}
	if bad > 0 {
		dg.Notes = append(dg.Notes, fmt.Sprintf("%d evidence rows left out: their offsets do not point at their matched text (article changed since tagging?)", bad))
	}

	index := map[string]int{}
	for i, s := range dg.Stories {
		index[s.ID] = i
	}
	for ti := range dg.Topics {
		t := &dg.Topics[ti]
		for ri := range t.TopStories {
			s := &dg.Stories[index[t.TopStories[ri].Story]]
			t.TopStories[ri].Snippet = bestSnippet(s, byArticle, "topic:"+t.Topic, "relevant", "outlook:"+s.Outlook)
		}
	}
	for i := range dg.Stories {
		s := &dg.Stories[i]
		if shown[s.ID] {
			s.Snippet = bestSnippet(s, byArticle, "outlook:"+s.Outlook, "relevant", "framing:"+s.Framing)
		}
	}
	return nil
}

// validWindow checks that the row's offsets point at its matched text.
func validWindow(r store.EvidenceWindow) bool {
	from, to := r.Start-r.WindowStart, r.End-r.WindowStart
	if from < 0 || to < from || to > len(r.Window) {
		return false
	}
	return strings.EqualFold(string(r.Window[from:to]), r.Matched)
}

// bestSnippet takes the first label in order of preference that has
// evidence in one of the story's articles (first article first; body text
// or summary before title, since the title is shown anyway). Any evidence will do
// when none of the labels has some.
func bestSnippet(s *Story, byArticle map[int64][]store.EvidenceWindow, labels ...string) *Snippet {
	for _, label := range append(labels, "") {
		for _, field := range []string{"body", "summary", "title"} {
			for _, a := range s.Articles {
				for _, ev := range byArticle[a.ID] {
					if (label == "" || ev.Label == label) && ev.Field == field {
						return makeSnippet(ev, byArticle[a.ID])
					}
				}
			}
		}
	}
	return nil
}

// makeSnippet cuts the text around ev's match on rune (and, where it can,
// word) boundaries, and marks every evidence match of the same article
// and field that falls inside.
func makeSnippet(ev store.EvidenceWindow, all []store.EvidenceWindow) *Snippet {
	w := ev.Window
	from, to := 0, len(w) // the part of w kept
	matchFrom, matchTo := ev.Start-ev.WindowStart, ev.End-ev.WindowStart
	for from < matchFrom && !utf8.RuneStart(w[from]) {
		from++
	}
	to = trimIncompleteRune(w, matchTo, to)
	before := ev.WindowStart+from > 0
	after := ev.WindowStart+to < ev.FieldLength
	// Cut the partial word at each cut end.
	if before {
		if i := bytes.IndexAny(w[from:matchFrom], " \t\n\r"); i >= 0 {
			from += i + 1
		}
	}
	if after {
		if i := bytes.LastIndexAny(w[matchTo:to], " \t\n\r"); i >= 0 {
			to = matchTo + i
		}
	}

	// Matches inside [from, to), merged where they overlap.
	type span struct{ s, e int }
	var spans []span
	for _, o := range all {
		if o.Field != ev.Field {
			continue
		}
		s, e := o.Start-ev.WindowStart, o.End-ev.WindowStart
		if s >= from && e <= to && e > s {
			spans = append(spans, span{s, e})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.s - b.s })
	var merged []span
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.s <= merged[n-1].e {
			merged[n-1].e = max(merged[n-1].e, sp.e)
			continue
		}
		merged = append(merged, sp)
	}

	sn := &Snippet{ArticleID: ev.ArticleID, Label: ev.Label, RuleID: ev.RuleID, Field: ev.Field, Before: before, After: after}
	add := func(b []byte, match bool) {
		text := strings.Join(strings.Fields(displayText(strings.ToValidUTF8(string(b), "\uFFFD"))), " ")
		if text == "" {
			// Only spaces between two matches: keep one.
			if n := len(sn.Parts); n > 0 && len(b) > 0 && !strings.HasSuffix(sn.Parts[n-1].Text, " ") {
				sn.Parts = append(sn.Parts, SnippetPart{Text: " "})
			}
			return
		}
		// Keep the space that Fields dropped at a run's edges.
		if len(sn.Parts) > 0 && startsWithSpace(b) {
			text = " " + text
		}
		if endsWithSpace(b) {
			text += " "
		}
		sn.Parts = append(sn.Parts, SnippetPart{Text: text, Match: match})
	}
	pos := from
	for _, sp := range merged {
		add(w[pos:sp.s], false)
		add(w[sp.s:sp.e], true)
		pos = sp.e
	}
	add(w[pos:to], false)
	if n := len(sn.Parts); n > 0 {
		sn.Parts[n-1].Text = strings.TrimRight(sn.Parts[n-1].Text, " ")
	}
	return sn
}

// trimIncompleteRune moves end back so that w[:end] does not finish
// inside a UTF-8 sequence, never before floor.
func trimIncompleteRune(w []byte, floor, end int) int {
	for i := end - 1; i >= floor && i >= end-utf8.UTFMax; i-- {
		if utf8.RuneStart(w[i]) {
			if !utf8.FullRune(w[i:end]) {
				return i
			}
			return end
		}
	}
	return end
}

func startsWithSpace(b []byte) bool {
	r, _ := utf8.DecodeRune(b)
	return r == ' ' || r == '\n' || r == '\t' || r == '\r'
}

func endsWithSpace(b []byte) bool {
	r, _ := utf8.DecodeLastRune(b)
	return r == ' ' || r == '\n' || r == '\t' || r == '\r'
}
