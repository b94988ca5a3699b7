package tagger

import (
	"math"
	"slices"
	"strings"
)

// decide turns what the rules found into the taxonomy's answers and keeps
// the evidence of the labels given.
func (e *Engine) decide(st *docState) Result {
	return e.decideTally(st, e.tally(st))
}

// decideTally is decide from a tally already taken (which it leaves as
// it is).
func (e *Engine) decideTally(st *docState, t Tally) Result {
	th := e.thresholds
	l := th.Decide(&t)
	res := Result{Relevant: l.Relevant, Outlook: l.Outlook, Framing: l.Framing, Scores: e.scores(&th, &t)}

	if cap(st.given) < len(e.labels) {
		st.given = make([]bool, len(e.labels))
	}
	given := st.given[:len(e.labels)]
	clear(given)
	given[lblRelevant] = res.Relevant
	res.Topics = e.givenTopics(&t, l.Topics, given)
	outlookEvidence := int32(-1) // label the outlook evidence is filed under
	switch res.Outlook {
	case "progress":
		given[lblProgress] = true
	case "stalemate":
		given[lblStalemate] = true
	case "mixed":
		given[lblProgress], given[lblStalemate], given[lblMixed] = true, true, true
		outlookEvidence = lblMixed
	}
	switch res.Framing {
	case "pro_ukraine":
		given[lblProUkraine] = true
	case "pro_russia":
		given[lblProRussia] = true
	}
	res.Actors = e.actors(st, given)
	e.weighOutlook(st, &th, &t)
	res.Evidence = e.gatherEvidence(st, given, outlookEvidence)
	return res
}

// softContradiction is the stalemate weight, as counted, that contradicts
// a soft claim: one cue of a full-weight rule, reported or in the body.
const softContradiction = 0.75

// tally sums each label's matches with every sentence counted once per
// label: its strongest match (in the article's own voice before reported
// speech). The other matches of the sentence stay evidence with weight 0.
func (e *Engine) tally(st *docState) Tally {
	t := Tally{Topics: make([]float64, len(topicNames))}
	order := st.order[:0]
	for i, c := range st.contribs {
		if c.label < numFixed {
			order = append(order, int32(i))
		}
	}
	toks := st.z.toks
	cs := st.contribs
	st.tallyKeys = sortTally(order, cs, toks, st.tallyKeys)
	var soft []int32    // counted soft claims, added once the stalemate side is known
	var offers []int32  // counted one-sided offers, likewise
	var implied []int32 // counted mixed cues that name only the stuck half
	// conceded is the stalemate weight said in a concessive clause ("while
	// no document was signed, both called it productive"): the sentence
	// gives it away, so it does not contradict a soft claim.
	var conceded float64
	overruled := st.backgroundOverruled(cs)
	prev := int32(-1)    // the contribution before, unless overruled
	repeatsRead := false // titleRepeats runs once, at the first outlook or framing cue
	for _, i := range order {
		c := &cs[i]
		if c.label >= lblProgress {
			if !repeatsRead {
				st.repeats, repeatsRead = st.titleRepeats(st.repeats[:0]), true
			}
			if inSpans(c.h.start, st.repeats) {
				// The headline printed again: its state of the talks and
				// its framing counted there. Topics and relevance keep it:
				// a headline's subject is the item's, and their thresholds
				// were set on pages that repeat it.
				c.weight = 0
				prev = i
				continue
			}
		}
		if c.label >= lblProgress && c.label <= lblMixed && st.background[c.h.start] && overruled(c) {
			// "The moratorium, agreed in March, has lapsed": the clause
			// recalls the past, and the article's news says otherwise. It
			// does not take its sentence's place for the label.
			c.weight = 0
			continue
		}
		if prev >= 0 && cs[prev].label == c.label && toks[cs[prev].h.start].sent == toks[c.h.start].sent {
			c.weight = 0 // the sentence already counted for this label
			continue
		}
		prev = i
		switch {
		case c.label == lblRelevant:
			t.Relevance += c.weight
		case c.label < lblProgress:
			t.Topics[c.label-lblTopic0] += c.weight
		case c.label <= lblMixed:
			if e.rules[c.rule].soft && c.label == lblProgress {
				soft = append(soft, i)
				continue
			}
			if e.rules[c.rule].offer && c.label == lblProgress {
				offers = append(offers, i)
				continue
			}
			if e.rules[c.rule].implied && c.label == lblMixed {
				implied = append(implied, i)
				continue
			}
			t.addOutlook(c, toks)
			if c.label == lblStalemate && st.conceded[c.h.start] {
				conceded += c.weight
			}
		case c.label == lblProUkraine:
			t.ProUkraine += c.weight
		case c.label == lblProRussia:
			t.ProRussia += c.weight
		}
	}
	// "Productive", said the envoy, while no deal came: the taxonomy's
	// talks called productive count only when nothing contradicts them,
	// that is unless the stalemate cues match the substantive progress.
	// Less than one full cue (softContradiction) contradicts nothing: "in
	// difficult conditions", said or quoted, describes the talks'
	// circumstances, not their failure.
	s := t.Own[sideStalemate] + t.Reported[sideStalemate]
	// "Kyiv accepted the truce; Moscow keeps rejecting it": one side's
	// move toward a deal is progress only while nobody is heard refusing.
	// Against a refusal it is the other half of the stalemate.
	for _, i := range offers {
		if s >= softContradiction && e.offerRefused(st, &cs[i]) {
			cs[i].weight = 0
		} else {
			t.addOutlook(&cs[i], toks)
		}
	}
	firm := s - conceded
	stuck := firm >= softContradiction && firm >= t.Own[sideProgress]+t.Reported[sideProgress]
	for _, i := range soft {
		if stuck {
			cs[i].weight = 0
		} else {
			t.addOutlook(&cs[i], toks)
			t.Soft += cs[i].weight
		}
	}
	// "The key question is still open": with something moved in the
	// article the picture is mixed (the taxonomy's clarification 4); with
	// nothing moved it is the stalemate itself, counted once a sentence.
	// The moved half is a progress cue, a readout's courtesy or one side's
	// offer (counted or not), or a mixed cue that names both halves
	// ("despite the swap agreed, ..."), even one that its sentence's
	// stronger cue outweighs.
	moved := t.Own[sideProgress]+t.Reported[sideProgress] > 0 || len(soft) > 0 || len(offers) > 0
	for _, i := range order {
		if moved {
			break
		}
		moved = cs[i].label == lblMixed && !e.rules[cs[i].rule].implied
	}
	for _, i := range implied {
		c := &cs[i]
		if !moved {
			if st.stalemateIn(cs, order, toks[c.h.start].sent) {
				c.weight = 0
				continue
			}
			c.label = lblStalemate
		}
		t.addOutlook(c, toks)
	}
	st.order = order
	if e.settings.exchangeMixed > 0 {
		t.Exchange = e.exchangeProgress(st)
	}
	if la := e.settings.loneAside; (la == "drop" || la == "drop_any") && e.loneAside(st, la == "drop_any") {
		t.Own, t.Reported, t.Head = [3]float64{}, [3]float64{}, [3]float64{}
	}
	t.Relevance += e.outlookRelevance(st)
	return t
}

// offerRefused reports whether a counted stalemate cue stands against one
// side's move toward a deal: one of the other side's, or one whose side
// the article does not name. When the side that moved is the only one
// heard refusing ("Moscow accepted the energy truce but refused a full
// ceasefire"), it has said yes to part and no to the rest: the move
// stands beside the refusal, a mixed picture.
func (e *Engine) offerRefused(st *docState, c *contrib) bool {
	side := e.partyBefore(st, c.h.start)
	switch side {
	case bothSides:
		return false // "Kyiv and Moscow accepted the swap": no one side's move
	case 0:
		return true
	}
	for i := range st.contribs {
		d := &st.contribs[i]
		if d.label == lblStalemate && d.weight > 0 && e.partyBefore(st, d.h.start) != side {
			return true
		}
	}
	return false
}

// partyWindow is how many words before a cue its party is looked for.
const partyWindow = 8

// bothSides is partyBefore's answer when both sides stand before a cue
// in its clause: "Kyiv and Moscow agreed".
const bothSides = 3

// partyBefore is the side named nearest before token t in its clause,
// within partyWindow words: 1 for Ukraine, 2 for Russia, 0 for none, and
// bothSides when both are named there.
func (e *Engine) partyBefore(st *docState, t int32) int {
	if e.ukraineGroup < 0 {
		return 0
	}
	toks := st.z.toks
	from, _ := sentenceOf(toks, t)
	for j := t; j > from; j-- {
		if toks[j].clause {
			from = j
			break
		}
	}
	best, side, seen := int32(-1), 0, 0
	for g, sd := range [2]int32{e.ukraineGroup, e.russiaGroup} {
		for _, h := range st.hits(sd) {
			if h.end > t || h.start < t-partyWindow || h.start < from {
				continue
			}
			seen |= g + 1
			if h.start > best {
				best, side = h.start, g+1
			}
		}
	}
	if seen == bothSides {
		return bothSides
	}
	return side
}

// exchangeProgress sums the counted progress cues in sentences that name
// a swap of prisoners or bodies (settings.outlook.exchange_track).
func (e *Engine) exchangeProgress(st *docState) float64 {
	hs := st.hits(e.exchangeGroup)
	if len(hs) == 0 {
		return 0
	}
	toks := st.z.toks
	sum := 0.0
	for _, i := range st.order {
		c := &st.contribs[i]
		if c.label != lblProgress || c.weight == 0 {
			continue
		}
		sent := toks[c.h.start].sent
		for _, h := range hs {
			if toks[h.start].sent == sent {
				sum += c.weight
				break
			}
		}
	}
	return sum
}

// titleRepeats appends the stretches of the body that repeat the title
// word for word, or one of its sentences: pages print the headline again
// atop the text, alone or under a site name or a date ("Новини України -
// Фінішна пряма. Узгодження ... триває"), and what it says has counted
// once, in the headline. A stretch of fewer than minRepeat words is left
// alone: "Peace talks" recurs in prose.
func (st *docState) titleRepeats(out []span) []span {
	const minRepeat = 4
	toks := st.z.toks
	nt := 0
	for nt < len(toks) && toks[nt].field == fieldTitle {
		nt++
	}
	if nt >= minRepeat && toks[nt-1].sent != toks[0].sent {
		out = st.repeatsOf(0, nt, nt, false, out) // the whole title, across its sentences
	}
	for a := 0; a < nt; {
		b := a + 1
		for b < nt && toks[b].sent == toks[a].sent {
			b++
		}
		if b-a >= minRepeat {
			out = st.repeatsOf(a, b, nt, true, out)
		}
		a = b
	}
	return out
}

// repeatsOf appends each body stretch (the body starts at token body),
// in the paragraphs atop the text, that repeats title tokens [a, b) word
// for word (in one sentence when oneSentence) and starts in none found
// already.
func (st *docState) repeatsOf(a, b, body int, oneSentence bool, out []span) []span {
	toks, norm := st.z.toks, st.z.norm
	word := func(x int) []byte {
		tk := &toks[x]
		return norm[tk.nstart:tk.nend]
	}
	// Compared as strings converted in place: no copy is made.
	same := func(x, y int) bool { return string(word(x)) == string(word(y)) }
	first, n := word(a), b-a
	for i := body; i+n <= len(toks) && toks[i].para < leadScanParas; i++ {
		if string(word(i)) != string(first) || oneSentence && toks[i+n-1].sent != toks[i].sent || inSpans(int32(i), out) {
			continue
		}
		k := 1
		for k < n && same(a+k, i+k) {
			k++
		}
		if k == n {
			out = append(out, span{int32(i), int32(i + n)})
			i += n - 1
		}
	}
	return out
}

// addOutlook adds an outlook cue to its side: reported, or own (and
// head, when it stands in the headline or lead).
func (t *Tally) addOutlook(c *contrib, toks []token) {
	side := c.label - lblProgress
	switch {
	case c.role == roleReported:
		t.Reported[side] += c.weight
	case toks[c.h.start].lead: // the headline or the lead
		t.Own[side] += c.weight
		t.Head[side] += c.weight
	default:
		t.Own[side] += c.weight
	}
}

// outlookRelevance counts the sentences that state where the talks
// stand and name this war's parties, envoys or venues
// (settings.relevance.outlook_weight, outlook_names):
// "Kremlin sees no breakthrough with Kyiv" covers the talks even when no
// relevance rule's diplomacy word stands beside Ukraine. It adds a
// relevance contribution for each, with the outlook rule as its evidence,
// and returns their sum. An article that names another conflict gets
// none: its outlook cues may be that conflict's; so does one about other
// negotiations that never names this war's parties.
func (e *Engine) outlookRelevance(st *docState) float64 {
	set := &e.settings
	if set.relOutlookWeight == 0 && set.relOutlookTitle == 0 || set.relOutlookMax == 0 || e.relNamesGroup < 0 {
		return 0
	}
	if e.elsewhereGroup >= 0 && len(st.hits(e.elsewhereGroup)) > 0 {
		return 0
	}
	// A venue or an envoy names these talks unless the article is about
	// other negotiations and never names this war's parties: Geneva also
	// hosts trade talks.
	if e.thisWarGroup >= 0 && len(st.hits(e.thisWarGroup)) == 0 && e.relNotGroup >= 0 && len(st.hits(e.relNotGroup)) > 0 {
		return 0
	}
	toks := st.z.toks
	n := len(st.contribs)
	sum, counted := 0.0, 0
	// An agreement that Moscow signs in an article that never names
	// Ukraine ("Moscow and Beijing sign a gas memorandum") is other
	// business.
	namesUkraine := e.ukraineGroup < 0 || len(st.hits(e.ukraineGroup)) > 0
	for _, i := range st.order {
		c := st.contribs[i]
		if !isOutlookLabel(c.label) || c.weight <= 0 {
			continue
		}
		// Progress verbs (agreed, signed, welcomed) serve every kind of
		// agreement ("unions and the railway signed a deal in Kyiv"): they
		// count in the headline only, where an item states its news; a
		// deadlock or a rejection is the talks' anywhere.
		tk := &toks[c.h.start]
		if c.label == lblProgress && (tk.field != fieldTitle || !namesUkraine) {
			continue
		}
		sent := tk.sent
		if e.sentenceCounted(st, n, sent) {
			continue
		}
		if !st.inSentence(e.relNamesGroup, sent) || e.relNotGroup >= 0 && st.inSentence(e.relNotGroup, sent) {
			continue
		}
		w := set.relOutlookWeight
		if tk.field == fieldTitle {
			w = set.relOutlookTitle
		}
		st.contribs = append(st.contribs, contrib{rule: c.rule, label: lblRelevant, h: c.h, role: c.role, weight: w})
		sum += w
		if counted++; counted == set.relOutlookMax {
			break
		}
	}
	return sum
}

// loneAside reports whether the article's outlook cues stand in one
// sentence only, a reported one (with anyVoice, any one) in the body past
// the lead that no relevance rule reads as about the talks: a minister
// "rejecting" demands in the fourth paragraph of a piece on troops for
// Europe, or leaders who "agreed" on aid to Kyiv, is an aside, not the
// item's verdict on where the talks stand (settings.outlook.lone_aside).
func (e *Engine) loneAside(st *docState, anyVoice bool) bool {
	toks := st.z.toks
	sent := int32(-1)
	counted := false
	for _, i := range st.order {
		c := &st.contribs[i]
		if !isOutlookLabel(c.label) {
			continue
		}
		// A cue that counts for nothing still says the item speaks of the
		// talks' state elsewhere: a headline's "productive" that the body's
		// "no deal" cancels leaves that "no deal" no aside.
		counted = counted || c.weight > 0
		tk := &toks[c.h.start]
		if !anyVoice && c.role != roleReported || tk.lead || tk.field != fieldBody || st.leadGoesOn(c.h.start) {
			return false
		}
		if sent >= 0 && tk.sent != sent {
			return false
		}
		sent = tk.sent
	}
	if sent < 0 || !counted {
		return false
	}
	for _, c := range st.contribs {
		if c.label == lblRelevant && toks[c.h.start].sent == sent {
			return false
		}
	}
	return true
}

// leadGoesOn reports whether token t is in a sentence that a lead ending
// in a colon introduces ("He said:" and the quote on the next line): the
// lead's statement goes on there.
func (st *docState) leadGoesOn(t int32) bool {
	toks := st.z.toks
	for t > 0 && toks[t-1].sent == toks[t].sent {
		t--
	}
	return t > 0 && toks[t-1].lead && st.colonBefore(t)
}

// sentenceCounted reports whether a relevance contribution from index n
// on already stands in sentence sent.
func (e *Engine) sentenceCounted(st *docState, n int, sent int32) bool {
	for _, c := range st.contribs[n:] {
		if st.z.toks[c.h.start].sent == sent {
			return true
		}
	}
	return false
}

// sortTally orders the contributions order lists by label, sentence,
// voice, weight (strongest first) and index. The first three and the
// index are packed into integers, which sort several times faster than
// through a comparison function; runs of the same label, sentence and
// voice (a few matches at most) are then ordered by weight. keys is
// scratch space, returned for reuse.
func sortTally(order []int32, cs []contrib, toks []token, keys []uint64) []uint64 {
	const maxSent = 1 << 24
	keys = keys[:0]
	for _, i := range order {
		c := &cs[i]
		sent := toks[c.h.start].sent
		if sent >= maxSent || c.label >= 64 || c.role > 3 {
			slices.SortFunc(order, func(a, b int32) int { return compareTally(cs, toks, a, b) })
			return keys
		}
		keys = append(keys, uint64(c.label)<<58|uint64(sent)<<34|uint64(c.role)<<32|uint64(uint32(i)))
	}
	slices.Sort(keys)
	for k, key := range keys {
		order[k] = int32(uint32(key))
	}
	for from := 0; from < len(keys); {
		to := from + 1
		for to < len(keys) && keys[to]>>32 == keys[from]>>32 {
			to++
		}
		if to-from > 1 {
			run := order[from:to]
			for j := 1; j < len(run); j++ {
				for m := j; m > 0 && compareTally(cs, toks, run[m-1], run[m]) > 0; m-- {
					run[m-1], run[m] = run[m], run[m-1]
				}
			}
		}
		from = to
	}
	return keys
}

// compareTally is the order of sortTally as a comparison.
func compareTally(cs []contrib, toks []token, a, b int32) int {
	ca, cb := &cs[a], &cs[b]
	switch {
	case ca.label != cb.label:
		return int(ca.label - cb.label)
	case toks[ca.h.start].sent != toks[cb.h.start].sent:
		return int(toks[ca.h.start].sent - toks[cb.h.start].sent)
	case ca.role != cb.role:
		return int(ca.role) - int(cb.role)
	case ca.weight != cb.weight:
		if ca.weight > cb.weight {
			return -1
		}
		return 1
	}
	return int(a - b)
}

// scores are the label scores stored with the result: outlook as the
// decision weighs it.
func (e *Engine) scores(th *Thresholds, t *Tally) map[string]float64 {
	sc := make(map[string]float64, numFixed)
	sc[e.labels[lblRelevant]] = round(t.Relevance)
	for i, v := range t.Topics {
		sc[e.labels[lblTopic0+i]] = round(v)
	}
	p, s, m := th.OutlookScores(t)
	sc[e.labels[lblProgress]], sc[e.labels[lblStalemate]], sc[e.labels[lblMixed]] = round(p), round(s), round(m)
	sc[e.labels[lblProUkraine]], sc[e.labels[lblProRussia]] = round(t.ProUkraine), round(t.ProRussia)
	return sc
}

// weighOutlook sets the weight of outlook matches to what they added
// under the thresholds' voice and headline weights.
func (e *Engine) weighOutlook(st *docState, th *Thresholds, t *Tally) {
	rp, rs := th.reportedWeights(t)
	toks := st.z.toks
	for i := range st.contribs {
		c := &st.contribs[i]
		if !isOutlookLabel(c.label) {
			continue
		}
		if c.role == roleOwn {
			if toks[c.h.start].lead {
				c.weight *= th.HeadWeight
			}
			continue
		}
		switch c.label {
		case lblProgress:
			c.weight *= rp
		case lblStalemate:
			c.weight *= rs
		case lblMixed:
			c.weight *= th.ReportedWeight
		}
	}
}

func (e *Engine) givenTopics(t *Tally, topics []bool, given []bool) []TopicScore {
	n := 0
	for _, ok := range topics {
		if ok {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]TopicScore, 0, n)
	for i, ok := range topics {
		if ok {
			out = append(out, TopicScore{Topic: topicNames[i], Score: round(t.Topics[i])})
			given[lblTopic0+i] = true
		}
	}
	slices.SortFunc(out, func(a, b TopicScore) int { return strings.Compare(a.Topic, b.Topic) })
	return out
}

// actors lists the actors named, most mentioned first. Results are
// allocated at their final size: they are most of what a Tag allocates,
// and the garbage collector's work grows with it.
func (e *Engine) actors(st *docState, given []bool) []Actor {
	n := 0
	for l := numFixed; l < len(e.labels); l++ {
		if st.mentions[l] > 0 {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Actor, 0, n)
	for l := numFixed; l < len(e.labels); l++ {
		if st.mentions[l] > 0 {
			out = append(out, Actor{Name: e.actorNames[l-numFixed], Mentions: st.mentions[l]})
			given[l] = true
		}
	}
	slices.SortFunc(out, func(a, b Actor) int {
		if a.Mentions != b.Mentions {
			return b.Mentions - a.Mentions
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// gatherEvidence turns the matches behind the given labels into
// evidence. It is gathered as compact references, sorted and
// deduplicated, and only then turned into strings.
func (e *Engine) gatherEvidence(st *docState, given []bool, outlookEvidence int32) []Evidence {
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
	kept := st.sortRefs(refs)
	ev := make([]Evidence, len(kept))
	for i, k := range kept {
		r := st.refAt(k)
		field, text := "body", st.doc.Body
		if r.field == fieldTitle {
			field, text = "title", st.doc.Title
		}
		w, voice := 0.0, ""
		if r.contrib >= 0 {
			c := &st.contribs[r.contrib]
			w = round(c.weight)
			if isOutlookLabel(c.label) && c.role != roleOwn {
				voice = c.role.String()
			}
		}
		ev[i] = Evidence{Label: e.labels[r.label], Rule: e.rules[r.rule].id, Field: field,
			Text: text[r.start:r.end], Start: int(r.start), End: int(r.end), Weight: w, Voice: voice}
	}
	st.refs = refs
	return ev
}

// sortRefs orders the refs by a packed key (field, start, label, rule)
// with the ref's index in the low bits (plain integers sort fast) and
// drops repeats: the same span can support a label through several
// rules or as context several times; it is kept once per label and
// rule. Offsets past the key's 23 bits (bodies over 8 MiB) and more refs
// than its 16-bit index fall back to a full compare. It returns the kept
// keys; refAt resolves them.
func (st *docState) sortRefs(refs []evRef) []uint64 {
	keys := st.keys[:0]
	st.bigRefs = len(refs) > 0xFFFF
	for _, r := range refs {
		if r.start > 0x7FFFFF {
			st.bigRefs = true
			break
		}
	}
	st.sortedRefs = refs
	if st.bigRefs {
		slices.SortFunc(refs, compareRefs)
		for i := range refs {
			keys = append(keys, uint64(i))
		}
	} else {
		for i, r := range refs {
			keys = append(keys, uint64(r.field)<<63|uint64(r.start&0x7FFFFF)<<40|uint64(r.label&0x3FF)<<30|uint64(r.rule&0x3FFF)<<16|uint64(i&0xFFFF))
		}
		slices.Sort(keys)
	}
	// Keys that differ above the index bits belong to different refs; only
	// equal ones need the refs compared. Kept keys are compacted in place.
	kept := keys[:0]
	for _, k := range keys {
		if n := len(kept); n > 0 && (st.bigRefs || k>>16 == kept[n-1]>>16) {
			r, prev := st.refAt(k), st.refAt(kept[n-1])
			if r.field == prev.field && r.start == prev.start && r.end == prev.end && r.label == prev.label && r.rule == prev.rule {
				continue
			}
		}
		kept = append(kept, k)
	}
	st.keys = keys
	return kept
}

func (st *docState) refAt(k uint64) evRef {
	if st.bigRefs {
		return st.sortedRefs[k]
	}
	return st.sortedRefs[k&0xFFFF]
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

// backgroundOverruled returns whether an outlook contribution made in a
// relative clause of background (settings.voice.background) is overruled:
// the article says the other side of the talks outside such clauses, with
// at least one full cue (backgroundContradiction). In "Energy truce
// lapses" over "the moratorium, on which the sides agreed in March, ran
// out" the agreement is the past, and the news says otherwise. Alone, or
// against a passing word, such a clause still counts: "Ukraine expects
// the exchanges on which the sides agreed in Istanbul" reports the
// agreement.
// Most articles have no background clause: they skip the sums.
func (st *docState) backgroundOverruled(cs []contrib) func(c *contrib) bool {
	var said [3]float64 // outlook weight said outside background clauses, by side
	if st.anyBackground {
		for i := range cs {
			c := &cs[i]
			if c.label >= lblProgress && c.label <= lblMixed && !st.background[c.h.start] {
				said[c.label-lblProgress] += c.weight
			}
		}
	}
	return func(c *contrib) bool {
		for side, w := range said {
			if int32(side) != c.label-lblProgress && w >= backgroundContradiction {
				return true
			}
		}
		return false
	}
}

// backgroundContradiction is the weight of the other side, said outside
// background clauses, that overrules a background clause: one full cue.
const backgroundContradiction = 1

// stalemateIn reports whether a stalemate cue counted in sentence sent.
func (st *docState) stalemateIn(cs []contrib, order []int32, sent int32) bool {
	for _, i := range order {
		c := &cs[i]
		if c.label == lblStalemate && c.weight != 0 && st.z.toks[c.h.start].sent == sent {
			return true
		}
	}
	return false
}
