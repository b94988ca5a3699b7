package tagger

import (
	"math"
	"sort"
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
	given := make([]bool, len(e.labels))
	given[lblRelevant] = res.Relevant
	outlookEvidence := int32(-1) // label the outlook evidence is filed under
	if res.Relevant {
		for i, t := range topicNames {
			th, ok := s.topicMins[t]
			if !ok {
				th = s.topicMin
			}
			if v := sc[lblTopic0+i]; v >= th && v > 0 {
				res.Topics = append(res.Topics, TopicScore{Topic: t, Score: round(v)})
				given[lblTopic0+i] = true
			}
		}
		sort.Slice(res.Topics, func(i, j int) bool { return res.Topics[i].Topic < res.Topics[j].Topic })
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

	for l := numFixed; l < len(e.labels); l++ {
		if st.mentions[l] > 0 {
			res.Actors = append(res.Actors, Actor{Name: strings.TrimPrefix(e.labels[l], "actor:"), Mentions: st.mentions[l]})
			given[l] = true
		}
	}
	sort.Slice(res.Actors, func(i, j int) bool {
		a, b := res.Actors[i], res.Actors[j]
		if a.Mentions != b.Mentions {
			return a.Mentions > b.Mentions
		}
		return a.Name < b.Name
	})

	for _, c := range st.contribs {
		if !given[c.label] || c.weight < 0 && c.label < numFixed {
			continue // evidence only for labels given, and only what argued for them
		}
		label := e.labels[c.label]
		if outlookEvidence >= 0 && (c.label == lblProgress || c.label == lblStalemate) {
			label = e.labels[outlookEvidence]
		}
		anchor := c.h.span
		if c.neg >= 0 {
			anchor.start = c.neg // show the negation with the cue: "no breakthrough"
		}
		res.Evidence = append(res.Evidence, st.evidence(label, e.rules[c.rule].id, anchor, round(c.weight)))
		for _, sp := range st.sups[c.h.sup : c.h.sup+c.h.nsup] {
			res.Evidence = append(res.Evidence, st.evidence(label, e.rules[c.rule].id, sp, 0))
		}
	}
	sortEvidence(res.Evidence)
	// The same span can support a label through several rules or as
	// context several times; keep it once per label and rule.
	out := res.Evidence[:0]
	for i, ev := range res.Evidence {
		dup := false
		for j := i - 1; j >= 0 && res.Evidence[j].Field == ev.Field && res.Evidence[j].Start == ev.Start; j-- {
			p := res.Evidence[j]
			if p.Label == ev.Label && p.Rule == ev.Rule && p.End == ev.End {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, ev)
		}
	}
	res.Evidence = out
	return res
}

func sortEvidence(ev []Evidence) {
	sort.SliceStable(ev, func(i, j int) bool {
		a, b := ev[i], ev[j]
		if a.Field != b.Field {
			return a.Field == "title"
		}
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return a.Label < b.Label
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
