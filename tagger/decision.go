package tagger

// The decision: from what the rules found in an article (its Tally) to
// the taxonomy's answers, under the thresholds of the rule set. It is a
// pure function of the two, so `stancewatch rules calibrate` can sweep
// the thresholds over tallies computed once.

// Outlook sides in a Tally.
const (
	sideProgress = iota
	sideStalemate
	sideMixed
)

// Tally is what the rules found in one article: each label's score with
// every sentence counted once per label (its strongest match), and the
// outlook split by voice.
type Tally struct {
	Relevance float64
	Topics    []float64 // by topic, in the order of Topics()
	// Outlook cues in the article's own voice and in reported speech or
	// quotes, by side: progress, stalemate, mixed.
	Own, Reported [3]float64
	ProUkraine    float64
	ProRussia     float64
}

// Thresholds are the decision's parameters, set in settings.yaml.
type Thresholds struct {
	Relevance float64
	Topics    []float64 // by topic, in the order of Topics()

	OutlookMin, OutlookMargin, OutlookRatio float64
	// ReportedWeight multiplies outlook cues in reported speech;
	// ContradictedWeight multiplies them further when the article's own
	// voice speaks only for the other side.
	ReportedWeight, ContradictedWeight float64

	FramingMin, FramingMargin, FramingRatio float64
}

// Labels are the taxonomy's four answers.
type Labels struct {
	Relevant bool
	Topics   []bool // by topic, in the order of Topics()
	Outlook  string
	Framing  string
}

// Topics lists the taxonomy's topics in the order Tally and Thresholds
// use.
func Topics() []string { return append([]string(nil), topicNames...) }

// Thresholds returns the rule set's thresholds.
func (e *Engine) Thresholds() Thresholds {
	s := &e.settings
	return Thresholds{Relevance: s.relevance, Topics: append([]float64(nil), e.topicMin...),
		OutlookMin: s.outlookMin, OutlookMargin: s.outlookMarg, OutlookRatio: s.outlookRatio,
		ReportedWeight: s.reportedWeight, ContradictedWeight: s.contradictedWeight,
		FramingMin: s.framingMin, FramingMargin: s.framingMarg, FramingRatio: s.framingRatio}
}

// Decide gives the labels of a tally.
func (th *Thresholds) Decide(t *Tally) Labels {
	l := Labels{Relevant: t.Relevance >= th.Relevance && t.Relevance > 0, Outlook: "none", Framing: "neutral"}
	if !l.Relevant {
		return l
	}
	l.Topics = make([]bool, len(t.Topics))
	for i, v := range t.Topics {
		l.Topics[i] = v >= th.Topics[i] && v > 0
	}
	l.Outlook = th.Outlook(t)
	l.Framing = th.Framing(t)
	return l
}

// OutlookScores weighs the outlook cues by voice: reported cues count
// ReportedWeight of an own-voice cue, and when the article's own voice
// speaks for one side only, reported cues for the other side are claims
// it contradicts and count ContradictedWeight of that again.
func (th *Thresholds) OutlookScores(t *Tally) (p, s, m float64) {
	rp, rs := th.ReportedWeight, th.ReportedWeight
	ownP, ownS, ownM := t.Own[sideProgress], t.Own[sideStalemate], t.Own[sideMixed]
	if ownS+ownM > 0 && ownP == 0 {
		rp *= th.ContradictedWeight
	}
	if ownP+ownM > 0 && ownS == 0 {
		rs *= th.ContradictedWeight
	}
	p = ownP + rp*t.Reported[sideProgress]
	s = ownS + rs*t.Reported[sideStalemate]
	m = ownM + th.ReportedWeight*t.Reported[sideMixed]
	return p, s, m
}

// Outlook: when the cues together stay below the minimum, the article
// does not characterise the talks (none). A side wins when it reaches the
// minimum and leads the other side plus the mixed cues by the margin and
// the ratio; otherwise the picture is mixed.
func (th *Thresholds) Outlook(t *Tally) string {
	p, s, m := th.OutlookScores(t)
	if p+s+m < th.OutlookMin {
		return "none"
	}
	return decideSide(p, s+m, s, p+m, th.OutlookMin, th.OutlookMargin, th.OutlookRatio, "progress", "stalemate", "mixed")
}

// Framing: a side of the article's own voice wins when it reaches the
// minimum, leads by the margin and is ratio times the other.
func (th *Thresholds) Framing(t *Tally) string {
	u, r := t.ProUkraine, t.ProRussia
	return decideSide(u, r, r, u, th.FramingMin, th.FramingMargin, th.FramingRatio, "pro_ukraine", "pro_russia", "neutral")
}

// Tally tags doc as far as the decision: what the rules found, before
// any threshold (for calibration).
func (e *Engine) Tally(doc Document) Tally {
	st := e.pool.Get().(*docState)
	defer e.pool.Put(st)
	e.match(st, doc)
	e.evaluate(st, doc, -1)
	return e.tally(st)
}
