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
	// Head is the part of Own found in the headline or the lead.
	Head [3]float64
	// Soft is the part of the progress cues that are soft claims (a
	// readout's "constructive"), counted because nothing contradicts them.
	Soft float64
	// Exchange is the part of the progress cues (own and reported, as
	// found) in sentences on the exchange track (a swap of prisoners or
	// bodies).
	Exchange   float64
	ProUkraine float64
	ProRussia  float64
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
	// HeadWeight multiplies own-voice outlook cues in the headline or
	// lead: the statement of the talks' state that tops an item weighs
	// more than detail further down.
	HeadWeight float64
	// MixedMin and LeanRatio: when no side wins outright, the picture is
	// mixed only if the mixed cues, or both sides, reach MixedMin; else a
	// side LeanRatio times the other wins. MixedMin 0 keeps every such
	// picture mixed.
	MixedMin, LeanRatio float64
	// SoftAlone: an uncontradicted soft claim decides progress even below
	// OutlookMin, when no stalemate or mixed cue stands at all (the
	// taxonomy's "talks called productive and nothing contradicts it").
	SoftAlone bool
	// ExchangeMixed: progress found only on the exchange track, against
	// a stalemate of at least this much, is mixed (0: off).
	ExchangeMixed float64

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
		ReportedWeight: s.reportedWeight, ContradictedWeight: s.contradictedWeight, HeadWeight: s.headWeight,
		MixedMin: s.mixedMin, LeanRatio: s.leanRatio, SoftAlone: s.softAlone == "progress", ExchangeMixed: s.exchangeMixed,
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
	own := th.own(t)
	rp, rs := th.reportedWeights(t)
	p = own[sideProgress] + rp*t.Reported[sideProgress]
	s = own[sideStalemate] + rs*t.Reported[sideStalemate]
	m = own[sideMixed] + th.ReportedWeight*t.Reported[sideMixed]
	return p, s, m
}

// own is the own-voice outlook with the headline and lead weighted up.
func (th *Thresholds) own(t *Tally) [3]float64 {
	var o [3]float64
	for i := range o {
		o[i] = t.Own[i] + (th.HeadWeight-1)*t.Head[i]
	}
	return o
}

// reportedWeights are the weights of reported progress and stalemate
// cues: ReportedWeight, times ContradictedWeight for a side the own
// voice contradicts.
func (th *Thresholds) reportedWeights(t *Tally) (rp, rs float64) {
	rp, rs = th.ReportedWeight, th.ReportedWeight
	if contradicted(t, sideProgress) {
		rp *= th.ContradictedWeight
	}
	if contradicted(t, sideStalemate) {
		rs *= th.ContradictedWeight
	}
	return rp, rs
}

// contradicted: the own voice says nothing for side and something for
// the other side or for a mixed picture.
func contradicted(t *Tally, side int) bool {
	other := sideStalemate
	if side == sideStalemate {
		other = sideProgress
	}
	return t.Own[side] == 0 && t.Own[other]+t.Own[sideMixed] > 0
}

// Outlook: when the cues together stay below the minimum, the article
// does not characterise the talks (none), unless SoftAlone lets an
// uncontradicted soft claim with nothing else heard say progress. A side wins when it reaches the
// minimum and leads the other side plus the mixed cues by the margin and
// the ratio; otherwise the picture is mixed. A side that the article's
// own voice contradicts (it has only reported cues while the own voice
// speaks for the other side) cannot win: at most it makes the picture
// mixed.
func (th *Thresholds) Outlook(t *Tally) string {
	p, s, m := th.OutlookScores(t)
	if p+s+m < th.OutlookMin {
		if th.SoftAlone && t.Soft > 0 && s == 0 && m == 0 {
			return "progress"
		}
		return "none"
	}
	// A contradicted side still counts against the other; it only cannot
	// be chosen.
	winP, winS := p, s
	if contradicted(t, sideProgress) {
		winP = 0
	}
	if contradicted(t, sideStalemate) {
		winS = 0
	}
	o := decideSide(winP, s+m, winS, p+m, th.OutlookMin, th.OutlookMargin, th.OutlookRatio, "progress", "stalemate", "mixed")
	// "Swaps agreed; Russia refused the truce": a step on the exchange
	// track beside a stuck core is mixed, however the weights fall.
	if o == "progress" && th.ExchangeMixed > 0 && s >= th.ExchangeMixed && t.Exchange > 0 && t.Exchange >= t.Own[sideProgress]+t.Reported[sideProgress]-1e-9 {
		return "mixed"
	}
	if o != "mixed" || th.MixedMin <= 0 || m >= th.MixedMin || p >= th.MixedMin && s >= th.MixedMin {
		return o
	}
	// Cues that fall short of a clear side are not yet "real weight on
	// both" (the taxonomy's mixed): a plain lean decides.
	switch {
	case winP > s && winP >= th.LeanRatio*s:
		return "progress"
	case winS > p && winS >= th.LeanRatio*p:
		return "stalemate"
	}
	return o
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
