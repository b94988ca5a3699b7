package tagger

import (
	"math"
	"slices"
	"strings"
)

// decide turns label scores into the taxonomy's answers and keeps the
// evidence of the labels given.
func (e *Engine) decide(st *docState, doc Document) Result {
	s := &e.settings
	sc := st.scores
	res := Result{Outlook: "none", Framing: "neutral", Scores: make(map[string]float64, numFixed)}
	for i := 0; i < numFixed; i++ {
		res.Scores[e.labels[i]] = round(sc[i])
	}

	res.Relevant = sc[lblRelevant] >= s.relevance && sc[lblRelevant] > 0
	if cap(st.given) < len(e.labels) {
		st.given = make([]bool, len(e.labels))
	}
	given := st.given[:len(e.labels)]
	clear(given)
	given[lblRelevant] = res.Relevant
	outlookEvidence := int32(-1) // label the outlook evidence is filed under
	if res.Relevant {
		nTopics := 0
		for i := range topicNames {
			if v := sc[lblTopic0+i]; v >= e.topicMin[i] && v > 0 {
				nTopics++
			}
		}
		if nTopics > 0 {
			res.Topics = make([]TopicScore, 0, nTopics)
		}
		for i, t := range topicNames {
			if v := sc[lblTopic0+i]; v >= e.topicMin[i] && v > 0 {
				res.Topics = append(res.Topics, TopicScore{Topic: t, Score: round(v)})
				given[lblTopic0+i] = true
			}
		}
		slices.SortFunc(res.Topics, func(a, b TopicScore) int { return strings.Compare(a.Topic, b.Topic) })
		res.Outlook = decideOutlook(s, sc[lblProgress], sc[lblStalemate], sc[lblMixed])
		switch res.Outlook {
		case "progress":
			given[lblProgress] = true
		case "stalemate":
			given[lblStalemate] = true
		case "mixed":
			given[lblProgress], given[lblStalemate], given[lblMixed] = true, true, true
			outlookEvidence = lblMixed
		}
		pu, pr := sc[lblProUkraine], sc[lblProRussia]
		res.Framing = decideSide(pu, pr, pr, pu, s.framingMin, s.framingMarg, s.framingRatio, "pro_ukraine", "pro_russia", "neutral")
		switch res.Framing {
		case "pro_ukraine":
			given[lblProUkraine] = true
		case "pro_russia":
			given[lblProRussia] = true
		}
	}

	// Results are allocated at their final size: they are most of what a
	// Tag allocates, and the garbage collector's work grows with it.
	nActors := 0
	for l := numFixed; l < len(e.labels); l++ {
		if st.mentions[l] > 0 {
			nActors++
		}
	}
	if nActors > 0 {
		res.Actors = make([]Actor, 0, nActors)
	}
	for l := numFixed; l < len(e.labels); l++ {
		if st.mentions[l] > 0 {
			res.Actors = append(res.Actors, Actor{Name: e.actorNames[l-numFixed], Mentions: st.mentions[l]})
			given[l] = true
		}
	}
	slices.SortFunc(res.Actors, func(a, b Actor) int {
		if a.Mentions != b.Mentions {
			return b.Mentions - a.Mentions
		}
		return strings.Compare(a.Name, b.Name)
	})

	// Evidence is gathered as compact references, sorted and deduplicated,
	// and only then turned into strings.
	refs := st.refs[:0]
	for ci, c := range st.contribs {
		if !given[c.label] || c.weight < 0 && c.label < numFixed {
			continue // evidence only for labels given, and only what argued for them
		}
		label := c.label
		if outlookEvidence >= 0 && (c.label == lblProgress || c.label == lblStalemate) {
			label = outlookEvidence
		}
		anchor := c.h.span
		if c.negated {
			anchor = c.negSpan // show the negation with the cue: "no breakthrough"
		}
		refs = append(refs, st.ref(label, c.rule, anchor, int32(ci)))
		for _, sp := range st.sups[c.h.sup : c.h.sup+c.h.nsup] {
			refs = append(refs, st.ref(label, c.rule, sp, -1))
		}
	}
	// Sort by a packed key (field, start, label, rule) with the ref's
	// index in the low bits: plain integers sort fast.
	keys := st.keys[:0]
	for i, r := range refs {
		keys = append(keys, uint64(r.field)<<63|uint64(r.start&0x7FFFFF)<<40|uint64(r.label&0x3FF)<<30|uint64(r.rule&0x3FFF)<<16|uint64(i&0xFFFF))
	}
	if len(refs) > 0xFFFF {
		slices.SortFunc(refs, compareRefs) // too many for the packed index
		for i := range keys {
			keys[i] = uint64(i)
		}
	} else {
		slices.Sort(keys)
	}
	big := len(refs) > 0xFFFF
	at := func(k uint64) evRef {
		if big {
			return refs[k]
		}
		return refs[k&0xFFFF]
	}
	// The same span can support a label through several rules or as
	// context several times; keep it once per label and rule. Keys that
	// differ above the index bits belong to different refs; only equal
	// ones need the refs compared. The kept keys are compacted in place.
	kept := keys[:0]
	for _, k := range keys {
		if n := len(kept); n > 0 && (big || k>>16 == kept[n-1]>>16) {
			r, prev := at(k), at(kept[n-1])
			if r.field == prev.field && r.start == prev.start && r.end == prev.end && r.label == prev.label && r.rule == prev.rule {
				continue
			}
		}
		kept = append(kept, k)
	}
	st.keys = keys
	res.Evidence = make([]Evidence, len(kept))
	for i, k := range kept {
		r := at(k)
		field, text := "body", st.doc.Body
		if r.field == fieldTitle {
			field, text = "title", st.doc.Title
		}
		w := 0.0
		if r.contrib >= 0 {
			w = round(st.contribs[r.contrib].weight)
		}
		res.Evidence[i] = Evidence{Label: e.labels[r.label], Rule: e.rules[r.rule].id, Field: field,
			Text: text[r.start:r.end], Start: int(r.start), End: int(r.end), Weight: w}
	}
	st.refs = refs
	return res
}

// evRef is a piece of evidence before it becomes strings.
type evRef struct {
	field      uint8
	start, end int32 // bytes in the field
	label      int32
	rule       int32
	contrib    int32 // the contribution whose anchor it is, or -1 for context
}

func (st *docState) ref(label, rule int32, s span, contrib int32) evRef {
	a, b := &st.z.toks[s.start], &st.z.toks[s.end-1]
	return evRef{field: a.field, start: a.start, end: b.end, label: label, rule: rule, contrib: contrib}
}

// compareRefs orders evidence by field (title first), position, label and
// rule; anchors before context of the same span.
func compareRefs(a, b evRef) int {
	switch {
	case a.field != b.field:
		return int(a.field) - int(b.field)
	case a.start != b.start:
		return int(a.start - b.start)
	case a.label != b.label:
		return int(a.label - b.label)
	case a.rule != b.rule:
		return int(a.rule - b.rule)
	case a.end != b.end:
		return int(a.end - b.end)
	case (a.contrib < 0) != (b.contrib < 0):
		if a.contrib >= 0 {
			return -1
		}
		return 1
	}
	return 0
}

// sortEvidence orders evidence by field (title first), then position.
func sortEvidence(ev []Evidence) {
	slices.SortStableFunc(ev, func(a, b Evidence) int {
		switch {
		case a.Field != b.Field:
			if a.Field == "title" {
				return -1
			}
			return 1
		case a.Start != b.Start:
			return a.Start - b.Start
		}
		return strings.Compare(a.Label, b.Label)
	})
}

func (st *docState) evidence(label, rule string, s span, w float64) Evidence {
	a, b := st.z.toks[s.start], st.z.toks[s.end-1]
	field, text := "body", st.doc.Body
	if a.field == fieldTitle {
		field, text = "title", st.doc.Title
	}
	return Evidence{Label: label, Rule: rule, Field: field, Text: text[a.start:b.end], Start: int(a.start), End: int(b.end), Weight: w}
}

// decideOutlook: when progress, stalemate and mixed cues together stay
// below min, the article does not characterise the talks (none). A side
// wins when it reaches min and leads the other side plus the mixed cues
// by the margin and the ratio; otherwise the picture is mixed.
func decideOutlook(s *settingsSpec, p, st, m float64) string {
	if p+st+m < s.outlookMin {
		return "none"
	}
	return decideSide(p, st+m, st, p+m, s.outlookMin, s.outlookMarg, s.outlookRatio, "progress", "stalemate", "mixed")
}

// decideSide picks side a when a reaches min and beats againstA (what
// speaks against it) by margin and ratio, side b likewise, and tie
// otherwise (also when neither reaches min).
func decideSide(a, againstA, b, againstB, min, margin, ratio float64, aName, bName, tie string) string {
	switch {
	case a >= min && a-againstA >= margin && a >= ratio*againstA:
		return aName
	case b >= min && b-againstB >= margin && b >= ratio*againstB:
		return bName
	}
	return tie
}

func round(v float64) float64 { return math.Round(v*1000) / 1000 }
