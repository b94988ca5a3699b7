package tagger

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a run of tokens [start, end).
type span struct{ start, end int32 }

// hit is one match of a condition: an anchor span (what is counted) and
// supporting spans (the context that let it count), stored in
// docState.sups[sup : sup+nsup].
type hit struct {
	span
	sup, nsup int32
}

// contrib is what one hit of a rule adds to one label.
type contrib struct {
	rule    int32
	label   int32
	h       hit
	negated bool
	negSpan span // the match with its negation, shown as evidence when negated
	weight  float64
	role    role // outlook matches: own voice or reported
}

func isOutlookLabel(l int32) bool { return l == lblProgress || l == lblStalemate || l == lblMixed }

// docState is the per-document scratch space, reused through a pool.
type docState struct {
	z    tokenizer
	doc  Document
	wids []int32 // word-pattern ids of the current token

	active, next []liveState

	// The matches of each group with any, in text order: group g's are
	// slots[gslot[g]-1] (gslot 0: none), the groups in the order first
	// matched in touched. Slots keep the lists of a document together,
	// where a list per group would be spread over the whole rule set.
	gslot   []int32
	slots   []slot
	touched []int32
	negAt   []int32 // token -> first token of a negator ending there, or -1
	through []int32 // token -> first token of a negation.through word ending there, or -1
	negWord []bool  // token is a one-word negation ("no", "не")
	negFrom []int32 // token -> last token of a following negator starting there, or -1
	barrier []bool

	reported      []bool    // token in quotes or reported speech (voice.go)
	hoped         []bool    // token in a clause hoped or expected for (voice.go)
	modalAt       []int32   // token -> first token of a modal word ending there, or -1
	modalAfterAt  []bool    // token opens a possibility said after a cue (voice.modal_after)
	condEnd       []bool    // token ends a condition word (settings.voice.conditional)
	condSent      []bool    // token in a sentence that opens with a condition word
	provision     []bool    // token in a numbered point of a plan (voice.go)
	background    []bool    // token in a relative clause of background (voice.go)
	anyBackground bool      // the document has such a clause
	conceded      []bool    // token in a clause given away by a concession or contrast
	question      []bool    // token in a sentence that ends in a question mark
	pollItem      bool      // the item is about an opinion poll (aboutPoll)
	noAnchors     bool      // a rule test: no anchor check (unanchored)
	anchorsRead   bool      // anchorSent and anchorPara are this document's
	anchorSent    []bool    // sentence names the talks or their matter (readAnchors)
	anchorPara    []bool    // body paragraph does
	sidesRead     bool      // linked and sideItem are this document's (readSideDeals)
	linked        bool      // the document names the talks (settings.outlook.side_deal_links)
	sideItem      bool      // the headline is a side deal (settings.outlook.side_deals)
	muted         []contrib // outlook matches not counted: hypothetical (for --explain)
	order         []int32   // contributions by label and sentence (decide.go)
	repeats       []span    // body stretches repeating a title sentence (titleRepeats)
	tallyKeys     []uint64  // scratch space for sorting order

	sortedRefs []evRef
	bigRefs    bool

	cands []uint64  // bit set of the rules to evaluate
	negs  []negMark // scratch: the negation of each match of a rule

	arena     []hit
	sups      []span
	contribs  []contrib
	refs      []evRef
	keys      []uint64
	given     []bool
	cancelled int
	scores    []float64
	mentions  []int
}

func (st *docState) spanText(s span) string {
	a, b := st.z.toks[s.start], st.z.toks[s.end-1]
	return st.fieldText(a.field)[a.start:b.end]
}

// fieldText is the original text of a field: the title or the body.
func (st *docState) fieldText(field uint8) string {
	if field == fieldTitle {
		return st.doc.Title
	}
	return st.doc.Body
}

// liveState is a state of the phrase trie that phrases go on from, with
// its node's kidMask.
type liveState struct {
	node int32
	kids uint64
}

// match tokenizes doc and finds every phrase in one pass.
func (e *Engine) match(st *docState, doc Document) {
	st.doc = doc
	st.z.reset()
	st.z.add(doc.Title, fieldTitle)
	st.z.add(doc.Body, fieldBody)
	toks := st.z.toks

	if len(st.gslot) < e.numGroups {
		st.gslot = make([]int32, e.numGroups)
	}
	for i, g := range st.touched {
		st.gslot[g] = 0
		st.slots[i] = slot{spans: st.slots[i].spans[:0]}
	}
	st.touched = st.touched[:0]

	// The loop keeps its slices in locals, stored back once at the end:
	// a slice stored into the (heap) state costs a write barrier while
	// the garbage collector runs.
	active, next, ws := st.active[:0], st.next[:0], st.wids[:0]
	nodes, kidMask := e.trie.nodes, e.trie.kidMask
	for t := range toks {
		tk := &toks[t]
		if tk.sentStart {
			active = active[:0]
		}
		ws = e.lex.lookup(st.z.norm[tk.nstart:tk.nend], ws[:0])
		if len(ws) == 0 {
			active = active[:0]
			continue
		}
		// The states the token leads to, in order: for each of its word
		// patterns, the phrases it starts, then those it continues. Each
		// records its match and stays live if phrases go on from it.
		next = next[:0]
		for _, w := range ws {
			k := w + 1 // the root's child for w (phraseTrie.renumber)
			nd := &nodes[k]
			if nd.ngroups > 0 {
				e.emit(st, e.groupList[nd.groups:nd.groups+nd.ngroups], int32(t)+1-nd.depth, int32(t)+1)
			}
			if nd.n > 0 {
				next = append(next, liveState{k, kidMask[k]})
			}
			bit := wordBit(w)
			for _, a := range active {
				if a.kids&bit == 0 {
					continue // no edge for w: the common case, known without the node
				}
				if k := e.trie.child(a.node, w); k >= 0 {
					nd := &nodes[k]
					if nd.ngroups > 0 {
						e.emit(st, e.groupList[nd.groups:nd.groups+nd.ngroups], int32(t)+1-nd.depth, int32(t)+1)
					}
					if nd.n > 0 {
						next = append(next, liveState{k, kidMask[k]})
					}
				}
			}
		}
		active, next = next, active
	}
	st.active, st.next, st.wids = active, next, ws
	e.dropFurniture(st)

	n := len(toks)
	if cap(st.negAt) < n {
		st.negAt = make([]int32, n)
		st.negFrom = make([]int32, n)
		st.barrier = make([]bool, n)
	}
	if cap(st.through) < n {
		st.through = make([]int32, n)
	}
	st.negAt, st.negFrom, st.barrier, st.through = st.negAt[:n], st.negFrom[:n], st.barrier[:n], st.through[:n]
	for i := range st.negAt {
		st.negAt[i], st.negFrom[i], st.through[i] = -1, -1, -1
		st.barrier[i] = false
	}
	if e.throughGroup >= 0 {
		for _, s := range st.hits(e.throughGroup) {
			st.through[s.end-1] = s.start
		}
	}
	st.negWord = cleared(st.negWord, n)
	if e.negWordGroup >= 0 {
		for _, s := range st.hits(e.negWordGroup) {
			st.negWord[s.start] = true
		}
	}
	for _, s := range st.hits(e.negGroup) {
		st.negAt[s.end-1] = s.start
	}
	for _, s := range st.hits(e.afterGroup) {
		st.negFrom[s.start] = s.end - 1
	}
	if e.notNegGroup >= 0 {
		// "чи не єдиний результат" is "nearly the only result": the "не"
		// in it negates nothing.
		unmark(st.hits(e.notNegGroup), st.negAt, st.negFrom)
	}
	for _, s := range st.hits(e.barrierGroup) {
		for i := s.start; i < s.end; i++ {
			st.barrier[i] = true
		}
	}
	e.markVoice(st)
	st.pollItem = e.isPollItem(st)
}

// unmark sets every token of the spans to -1 (no mark) in each of marks.
func unmark(spans []span, marks ...[]int32) {
	for _, s := range spans {
		for i := s.start; i < s.end; i++ {
			for _, m := range marks {
				m[i] = -1
			}
		}
	}
}

// dropFurniture forgets every match in the links to other articles that
// pages carry inside the text ("Read also: Talks collapse in Geneva",
// "Читайте також:" above a headline): a body paragraph that opens with a
// furniture label, and the next paragraph too when the label stands
// alone on its line, with the dated lines of a list under it ("21.03.2025
// Talks resume in Riyadh"). Their headlines are other stories.
func (e *Engine) dropFurniture(st *docState) {
	labels := e.furnitureGroup >= 0 && len(st.hits(e.furnitureGroup)) > 0
	inline := e.inlineFurnitureGroup >= 0 && len(st.hits(e.inlineFurnitureGroup)) > 0
	if !labels && !inline {
		return
	}
	toks := st.z.toks
	var drop []span
	if inline {
		// "Подробный анализ … читайте в статье «…»": a promotion anywhere
		// in a body paragraph makes the paragraph a link.
		for _, h := range st.hits(e.inlineFurnitureGroup) {
			if toks[h.start].field == fieldBody {
				drop = append(drop, span{st.paragraphStart(h.start), st.paragraphEnd(h.end)})
			}
		}
	}
	var labelHits []span
	if labels {
		labelHits = st.hits(e.furnitureGroup)
	}
	for _, h := range labelHits {
		first := &toks[h.start]
		if first.field != fieldBody || h.start > 0 && toks[h.start-1].field == fieldBody && toks[h.start-1].para == first.para {
			continue // not at the start of a body paragraph
		}
		// Alone on its line, the label's "paragraph" ends where it does and
		// the link is the next line; a list goes on in dated lines.
		alone := int(h.end) == len(toks) || toks[h.end].para != first.para
		end := st.paragraphEnd(h.end)
		if alone {
			for int(end) < len(toks) && toks[end].field == fieldBody && st.startsWithDigit(end) {
				end = st.paragraphEnd(end)
			}
		}
		drop = append(drop, span{h.start, end})
	}
	if len(drop) == 0 {
		return
	}
	for i, g := range st.touched {
		if g == e.furnitureGroup || g == e.inlineFurnitureGroup {
			continue
		}
		hs := st.slots[i].spans
		kept := hs[:0]
		for _, s := range hs {
			if !inSpans(s.start, drop) {
				kept = append(kept, s)
			}
		}
		st.slots[i].spans = kept
	}
}

// paragraphStart is the first token of the body paragraph of token t.
func (st *docState) paragraphStart(t int32) int32 {
	toks := st.z.toks
	for t > 0 && toks[t-1].field == toks[t].field && toks[t-1].para == toks[t].para {
		t--
	}
	return t
}

// paragraphEnd is the token after the body paragraph of token t (t
// itself when it is past the body).
func (st *docState) paragraphEnd(t int32) int32 {
	toks := st.z.toks
	if int(t) >= len(toks) || toks[t].field != fieldBody {
		return t
	}
	p := toks[t].para
	for int(t) < len(toks) && toks[t].field == fieldBody && toks[t].para == p {
		t++
	}
	return t
}

func (st *docState) startsWithDigit(t int32) bool {
	tk := &st.z.toks[t]
	return tk.nend > tk.nstart && st.z.norm[tk.nstart] >= '0' && st.z.norm[tk.nstart] <= '9'
}

func inSpans(t int32, spans []span) bool {
	for _, s := range spans {
		if t >= s.start && t < s.end {
			return true
		}
	}
	return false
}

// hits returns the matches of group g (>= 0) in the document.
func (st *docState) hits(g int32) []span {
	if s := st.gslot[g]; s > 0 {
		return st.slots[s-1].spans
	}
	return nil
}

// emit records a phrase match in each of its groups (the phrase's
// groups). Within a group, overlapping matches count once: the longest
// wins ("peace talks" over "talks", "Vladimir Putin" over "Putin").
func (e *Engine) emit(st *docState, groups []int32, start, end int32) {
	gslot := st.gslot
	for _, g := range groups {
		s := gslot[g]
		if s == 0 {
			s = st.touch(g)
		}
		sl := &st.slots[s-1]
		if start >= sl.lastEnd {
			// The common case, after the group's last match: known
			// without reading that match.
			sl.spans = append(sl.spans, span{start, end})
			sl.lastEnd = end
			continue
		}
		hs := &sl.spans // changed in place: no write barrier on the fast path
		drop := false
		for n := len(*hs); n > 0; n-- {
			last := (*hs)[n-1]
			if start >= last.end {
				break
			}
			if end-start > last.end-last.start {
				*hs = (*hs)[:n-1]
				continue
			}
			drop = true
			break
		}
		if !drop {
			*hs = append(*hs, span{start, end})
		}
		sl.lastEnd = 0
		if n := len(*hs); n > 0 {
			sl.lastEnd = (*hs)[n-1].end
		}
	}
}

// slot holds one group's matches in a document, and where the last
// one ends.
type slot struct {
	spans   []span
	lastEnd int32
}

// touch gives group g, matched for the first time in the document, its
// slot.
func (st *docState) touch(g int32) int32 {
	st.touched = append(st.touched, g)
	s := int32(len(st.touched))
	st.gslot[g] = s
	if len(st.slots) < int(s) {
		st.slots = append(st.slots, slot{})
	}
	return s
}

// evaluate runs the rules that can match (only, when >= 0: that one rule)
// and records their contributions.
func (e *Engine) evaluate(st *docState, doc Document, only int) {
	st.arena, st.sups, st.contribs, st.muted, st.cancelled = st.arena[:0], st.sups[:0], st.contribs[:0], st.muted[:0], 0
	if len(st.scores) < len(e.labels) {
		st.scores = make([]float64, len(e.labels))
		st.mentions = make([]int, len(e.labels))
	}
	for i := range st.scores {
		st.scores[i], st.mentions[i] = 0, 0
	}
	// A rule test is one sentence without the article around it: the
	// anchor check, which looks there for the talks, is left out.
	st.noAnchors, st.anchorsRead, st.sidesRead = only >= 0, false, false
	if only >= 0 {
		e.evalRule(st, e.rules[only], int32(only))
		return
	}
	// Candidate rules as a bit set: walking its words yields them in
	// order, without sorting.
	words := (len(e.rules) + 63) / 64
	if len(st.cands) < words {
		st.cands = make([]uint64, words)
	}
	cands := st.cands[:words]
	docLang := int32(-1) // a language no rule is for
	if n, ok := e.langs[doc.Lang]; ok {
		docLang = n
	}
	for _, g := range st.touched {
		for _, r := range e.ruleList[e.ruleStart[g]:e.ruleStart[g+1]] {
			cands[r/64] |= 1 << (r % 64)
		}
	}
	for wi, w := range cands {
		cands[wi] = 0
		for ; w != 0; w &= w - 1 {
			r := int32(wi*64 + bits.TrailingZeros64(w))
			rl := e.rules[r]
			if e.dropped != nil && e.dropped[r] {
				continue
			}
			if len(rl.langs) > 0 && doc.Lang != "" && !slices.Contains(rl.langs, docLang) {
				continue
			}
			if !st.canHold(rl.match) {
				continue // most candidates: a broad item matched, a specific one did not
			}
			e.evalRule(st, rl, r)
		}
	}
}

// canHold reports whether condition n could hold given which groups have
// matches: what an evaluation needs at the least, checked without
// walking any match. A false answer is exact (the evaluation would find
// nothing); a true one only lets the evaluation run. A none could always
// hold; an item of an all or a near must, some item of an any, n items
// of an n_of.
func (st *docState) canHold(n *cnode) bool {
	switch n.op {
	case opLeaf:
		return len(st.hits(n.group)) > 0
	case opNone:
		return true
	case opAll, opNear:
		for _, k := range n.kids {
			if !st.canHold(k) {
				return false
			}
		}
		return true
	case opAny, opAffirmed:
		for _, k := range n.kids {
			if k.positional() && st.canHold(k) {
				return true
			}
		}
		return false
	}
	held := 0 // n_of
	for _, k := range n.kids {
		if st.canHold(k) {
			held++
		}
	}
	return held >= n.n
}

// evaluator evaluates one rule's conditions.
type evaluator struct {
	e   *Engine
	st  *docState
	r   *rule
	all bool // admit every match regardless of the rule's scope and quotes
}

func (e *Engine) evalRule(st *docState, r *rule, ri int32) {
	ev := &evaluator{e: e, st: st, r: r}
	ok, hits := ev.node(r.match)
	if !ok || len(hits) == 0 {
		return
	}
	for _, x := range r.excludes {
		ev.all = true
		_, ex := ev.node(x.node)
		ev.all = false
		if len(ex) > 0 {
			kept := hits[:0:0]
			for _, h := range hits {
				if !ev.nearAny(h.span, ex, x.within) {
					kept = append(kept, h)
				}
			}
			hits = kept
		}
	}
	if r.lowerOnly {
		hits = st.lowerCase(hits)
	}
	if r.negation != negIgnore {
		st.negs = ev.negations(hits, st.negs[:0])
	}
	first := len(st.contribs)
	for i, h := range hits {
		negated, negSpan := false, span{}
		if r.negation != negIgnore {
			negSpan, negated = st.negs[i].span, st.negs[i].negated
		}
		label := r.label
		progressCue := label == lblProgress && r.weight > 0
		if isOutlookLabel(label) && (e.aboutElsewhere(st, h.span) || e.inClauseWith(st, e.historyGroup, h.span) || progressCue && e.inClauseWith(st, e.sideTrackGroup, h.span) || e.onSideDeal(st, h.span, progressCue) || e.aboutPoll(st, h.span) || e.unanchored(st, h.span) || progressCue && e.outsidersCue(st, h.span)) {
			st.cancelled++
			continue
		}
		if negated {
			if r.negation == negCancel {
				st.cancelled++
				continue
			}
			label = r.flip
		} else if label == lblProgress && ev.deniedByEllipsis(h.span) {
			// "The swap was agreed, the ceasefire was not": the step
			// stands beside its denial for the rest, a mixed picture.
			label = lblMixed
		}
		w := r.weight * ev.fieldWeight(h.start)
		if r.quotedW != 1 && ev.quoted(h.span) && !(ev.e.settings.headQuotes == "own" && isOutlookLabel(label) && ev.st.z.toks[h.start].field == fieldTitle) {
			w *= r.quotedW
		}
		c := contrib{rule: ri, label: label, h: h, negated: negated, negSpan: negSpan, weight: w}
		if isOutlookLabel(label) && !ev.readVoice(&c) {
			st.muted = append(st.muted, c) // hoped-for or possible: not counted
			continue
		}
		st.contribs = append(st.contribs, c)
	}
	mine := st.contribs[first:]
	// The strongest matches count first; a rule adds at most maxHits
	// matches to each label.
	slices.SortStableFunc(mine, func(a, b contrib) int {
		if a.label != b.label {
			return int(a.label - b.label)
		}
		return cmp.Compare(math.Abs(b.weight), math.Abs(a.weight))
	})
	kept := mine[:0]
	count := 0
	for i, c := range mine {
		if i > 0 && c.label != mine[i-1].label {
			count = 0
		}
		count++
		if c.label >= numFixed {
			st.mentions[c.label]++
			if count > e.settings.actorEvid {
				continue // counted, but no more evidence
			}
		} else if r.maxHits > 0 && count > r.maxHits {
			continue
		}
		st.scores[c.label] += c.weight
		kept = append(kept, c)
	}
	st.contribs = st.contribs[:first+len(kept)]
}

func (ev *evaluator) fieldWeight(t int32) float64 {
	tk := &ev.st.z.toks[t]
	switch {
	case tk.field == fieldTitle:
		return ev.r.fw.title
	case tk.lead:
		return ev.r.fw.lead
	}
	return ev.r.fw.body
}

// admit applies the rule's scope and quote handling to a match.
func (ev *evaluator) admit(s span) bool {
	if ev.all {
		return true
	}
	toks := ev.st.z.toks
	tk := &toks[s.start]
	switch {
	case tk.field == fieldTitle:
		if !ev.r.scope[0] {
			return false
		}
	case tk.lead:
		if !ev.r.scope[1] {
			return false
		}
	default:
		if !ev.r.scope[2] {
			return false
		}
	}
	switch ev.r.quotes {
	case quotesExclude:
		return !ev.st.reportedSpan(s) // only the article's own voice
	case quotesOnly:
		return ev.quoted(s)
	}
	return true
}

func (ev *evaluator) quoted(s span) bool {
	toks := ev.st.z.toks
	return toks[s.start].quoted || toks[s.end-1].quoted
}

// negMark is whether a match is negated, and the span with its negation.
type negMark struct {
	span    span
	negated bool
}

// negations reads the negation of each of a rule's matches. Words denied
// in one match are denied in every match of the rule that shares them:
// "no deal was reached, and ceasefire talks remain stuck" reaches no
// ceasefire through the same "reached".
func (ev *evaluator) negations(hits []hit, out []negMark) []negMark {
	denied := 0
	for _, h := range hits {
		s, ok := ev.negated(h.span)
		out = append(out, negMark{s, ok})
		if ok {
			denied++
		}
	}
	if denied == 0 || denied == len(hits) {
		return out
	}
	n := len(out)
	for i := range n {
		if out[i].negated {
			continue
		}
		for j := range n {
			if out[j].negated && ev.st.shareWords(hits[i], hits[j]) {
				out[i] = out[j]
				break
			}
		}
	}
	return out
}

// shareWords reports whether two matches share a word, in their anchors
// or in the context that let them count ("deal ... reached").
func (st *docState) shareWords(a, b hit) bool {
	for i := int32(-1); i < a.nsup; i++ {
		x := a.span
		if i >= 0 {
			x = st.sups[a.sup+i]
		}
		for j := int32(-1); j < b.nsup; j++ {
			y := b.span
			if j >= 0 {
				y = st.sups[b.sup+j]
			}
			if x.start < y.end && y.start < x.end {
				return true
			}
		}
	}
	return false
}

// negated finds a negation of the match s in its clause: a negation word
// within the window before it ("no breakthrough", "far from a deal"), or
// one of the following negations right after it ("прорыва нет"). It
// returns the span to show as evidence (the match with its negation),
// or ok false.
func (ev *evaluator) negated(s span) (span, bool) {
	st := ev.st
	toks := st.z.toks
	set := &ev.e.settings
	// A negation phrase may end inside the cue it negates: "no tangible"
	// before the cue "tangible results". Not when the cue opens with its
	// own negation word: "sees no" does not deny "no movement", it says it.
	for j := s.start; j < s.end && !st.negWord[s.start]; j++ {
		if st.negAt[j] >= 0 && st.negAt[j] < s.start {
			return span{st.negAt[j], s.end}, true
		}
	}
	for j := s.start - 1; j >= 0 && j >= s.start-int32(set.negWindow); j-- {
		if toks[j+1].clause {
			break
		}
		// A negation may end on a barrier word: "anything but", "not yet".
		if st.negAt[j] >= 0 {
			return span{st.negAt[j], s.end}, true
		}
		if st.barrier[j] {
			break
		}
	}
	if neg, ok := ev.negatedThrough(s); ok {
		return span{neg, s.end}, true
	}
	for j := s.end; j < int32(len(toks)) && j < s.end+int32(set.afterWindow); j++ {
		if toks[j].clause {
			// A short aside between commas leaves the clause open:
			// "Прогресса, к сожалению, пока нет", "Progress, the envoy
			// said, remains elusive".
			k, ok := st.asideEnd(j)
			if !ok {
				break
			}
			j = k
		}
		if st.barrier[j] {
			break
		}
		if st.negFrom[j] >= 0 {
			return span{s.start, st.negFrom[j] + 1}, true
		}
	}
	return span{}, false
}

// negatedThrough finds a negation that reaches the match s over a
// possibility, ability or readiness word (settings.negation.through)
// before it in its clause, within the modal window: "it was not possible
// to reach a ceasefire agreement", "did not manage to agree", "no chance
// of a breakthrough". The word alone would make the cue hypothetical; its
// negation states that the deal did not or will not come. It returns the
// negation's first token. Not in a question or a hoped-for clause, which
// ask or hope whatever the words.
func (ev *evaluator) negatedThrough(s span) (int32, bool) {
	st := ev.st
	if ev.e.throughGroup < 0 || st.question[s.start] || st.hoped[s.start] {
		return 0, false
	}
	toks := st.z.toks
	w := int32(ev.e.settings.voice.modalWindow)
	for j := s.start - 1; j >= 0 && j >= s.start-w; j-- {
		if toks[j+1].clause || st.barrier[j] {
			return 0, false
		}
		if st.through[j] < 0 {
			continue
		}
		// The negation ends right before the word or at most
		// maxThroughGap words before it: "not possible", "has not been
		// possible", "neither side has been able".
		for k := st.through[j] - 1; k >= 0 && k >= st.through[j]-maxThroughGap; k-- {
			if toks[k+1].clause || st.barrier[k] {
				return 0, false
			}
			if st.negAt[k] >= 0 {
				return st.negAt[k], true
			}
		}
		return 0, false
	}
	return 0, false
}

// maxThroughGap is how many words (auxiliaries: "has been", "be") may stand
// between a negation and the negation.through word it reaches over.
const maxThroughGap = 3

// maxAside is the length in words of an aside that a clause can hold
// between commas ("к сожалению", "по словам Пескова", "the envoy said").
const maxAside = 3

// asideEnd reports whether the clause opening at token j is a short
// aside between commas that the sentence's clause goes on after, and
// where it goes on. A dash ends no aside: "Kyiv accepted, Donbas — no"
// sets a second subject against the first.
func (st *docState) asideEnd(j int32) (int32, bool) {
	toks := st.z.toks
	if toks[j].sentStart || !st.commaBefore(j) {
		return 0, false
	}
	for k := j + 1; k < int32(len(toks)) && k <= j+maxAside; k++ {
		if toks[k].sentStart {
			return 0, false
		}
		if toks[k].clause {
			return k, st.commaBefore(k)
		}
	}
	return 0, false
}

// commaBefore reports whether what separates token t from the one before
// it in its field is a comma alone.
func (st *docState) commaBefore(t int32) bool {
	toks := st.z.toks
	if t == 0 || toks[t-1].field != toks[t].field {
		return false
	}
	gap := strings.TrimSpace(st.fieldText(toks[t].field)[toks[t-1].end:toks[t].start])
	return gap == ","
}

// within reports whether spans a and b are close enough for w.
func (ev *evaluator) within(a, b span, w window) bool {
	toks := ev.st.z.toks
	ta, tb := &toks[a.start], &toks[b.start]
	switch w.unit {
	case withinArticle:
		return true
	case withinSentence:
		return ta.sent == tb.sent
	case withinParagraph:
		return ta.field == tb.field && ta.para == tb.para
	case withinBefore:
		return ta.sent == tb.sent && b.end <= a.start && a.start-b.end <= int32(w.n)
	}
	// A word window stays in its sentence: what rules out a word's sense,
	// or completes a phrase, is not in the next one ("progress" is not the
	// army's because "troops" opens the next sentence).
	if ta.sent != tb.sent {
		return false
	}
	return gap(a, b) <= int32(w.n)
}

// gap counts the words between two spans (0 when they touch or overlap).
func gap(a, b span) int32 {
	switch {
	case b.start >= a.end:
		return b.start - a.end
	case a.start >= b.end:
		return a.start - b.end
	}
	return 0
}

func (ev *evaluator) nearAny(s span, hs []hit, w window) bool {
	_, ok := ev.nearest(s, hs, w)
	return ok
}

// nearest returns the hit of hs closest to s that is within w. Hits are
// in text order and do not overlap, so a binary search finds the two
// candidates: long documents stay n log n, not quadratic.
func (ev *evaluator) nearest(s span, hs []hit, w window) (hit, bool) {
	j, hi := 0, len(hs) // j: the first hit starting at or after s (a plain loop: cheaper than a generic search with a func)
	for j < hi {
		if m := int(uint(j+hi) >> 1); hs[m].start < s.start {
			j = m + 1
		} else {
			hi = m
		}
	}
	best, found := hit{}, false
	bestGap := int32(math.MaxInt32)
	// The closest hit on each side decides: a farther one on the same side
	// is no nearer and in no nearer sentence or paragraph.
	for _, k := range [2]int{j, j - 1} {
		if k < 0 || k >= len(hs) {
			continue
		}
		h := hs[k]
		if g := gap(s, h.span); g < bestGap && ev.within(s, h.span, w) {
			best, bestGap, found = h, g, true
		}
	}
	return best, found
}

// node evaluates a condition: whether it holds, and its matches.
func (ev *evaluator) node(n *cnode) (bool, []hit) {
	switch n.op {
	case opLeaf:
		return ev.leaf(n)
	case opNone:
		return ev.none(n)
	case opAny:
		return ev.anyOf(n)
	case opAll, opNOf:
		return ev.allOf(n)
	case opNear:
		return ev.near(n)
	case opAffirmed:
		return ev.affirmed(n)
	}
	return false, nil
}

// affirmed keeps the matches of its items that no negation denies: the
// progress half of a contrast is "agreed", not the "progress" of "no
// progress".
func (ev *evaluator) affirmed(n *cnode) (bool, []hit) {
	_, hs := ev.anyOf(n)
	out := hs[:0]
	for _, h := range hs {
		if _, neg := ev.negated(h.span); !neg {
			out = append(out, h)
		}
	}
	return len(out) > 0, out
}

// leaf is a phrase or term set: its group's matches that the rule's
// scope and quote handling admit.
func (ev *evaluator) leaf(n *cnode) (bool, []hit) {
	st := ev.st
	from := len(st.arena)
	for _, s := range st.hits(n.group) {
		if ev.admit(s) {
			st.arena = append(st.arena, hit{span: s})
		}
	}
	hs := st.arena[from:len(st.arena):len(st.arena)]
	return len(hs) > 0, hs
}

// none holds when none of its items matches anywhere in the article.
func (ev *evaluator) none(n *cnode) (bool, []hit) {
	for _, k := range n.kids {
		if ok, _ := ev.nodeIn(k, true); ok {
			return false, nil
		}
	}
	return true, nil
}

// anyOf is the matches of all its items, in text order, leaving out those
// that overlap a match already counted.
func (ev *evaluator) anyOf(n *cnode) (bool, []hit) {
	var room [4][]hit // the items' matches: on the stack for the common few
	found := room[:0]
	for _, k := range n.kids {
		if _, hs := ev.node(k); len(hs) > 0 {
			found = append(found, hs)
		}
	}
	var all []hit
	switch len(found) {
	case 0:
		return false, nil
	case 1:
		all = found[0] // owned by the arena
	default:
		// Merged at the end of the arena, rather than in a new slice, once
		// the items' own evaluations are done with it.
		st := ev.st
		from := len(st.arena)
		for _, hs := range found {
			st.arena = append(st.arena, hs...)
		}
		all = st.arena[from:len(st.arena):len(st.arena)]
	}
	slices.SortStableFunc(all, func(a, b hit) int { return int(a.start - b.start) })
	out := all[:0]
	for _, h := range all {
		if len(out) > 0 && h.start < out[len(out)-1].end {
			continue // overlaps a match already counted
		}
		out = append(out, h)
	}
	return len(out) > 0, out
}

// allOf evaluates all and n_of. The first positional item is what the
// rule counts, so the rule's scope and quote handling apply to it; the
// other items are context and may be anywhere in the article (all only:
// in n_of any satisfied item may be the anchor).
func (ev *evaluator) allOf(n *cnode) (bool, []hit) {
	var anchor []hit
	var room [4][]hit // on the stack for the common few items: no write barriers
	others := room[:0]
	okCount := 0
	for _, k := range n.kids {
		context := n.op == opAll && (anchor != nil || !k.positional())
		ok, hs := ev.nodeIn(k, context)
		if !ok {
			if n.op == opAll {
				return false, nil
			}
			continue
		}
		okCount++
		if !k.positional() {
			continue
		}
		if anchor == nil {
			anchor = hs
		} else {
			others = append(others, hs)
		}
	}
	if okCount < n.n || (n.op == opAll && okCount < len(n.kids)) || len(anchor) == 0 {
		return false, nil
	}
	return true, ev.support(anchor, others, window{unit: withinArticle})
}

// overlapsAny reports whether s shares a token with any of spans.
func overlapsAny(s span, spans []span) bool {
	for _, o := range spans {
		if s.start < o.end && o.start < s.end {
			return true
		}
	}
	return false
}

// nearestApart is nearest among the hits that share no token with taken.
func (ev *evaluator) nearestApart(s span, hs []hit, w window, taken []span) (hit, bool) {
	best, found := hit{}, false
	bestGap := int32(math.MaxInt32)
	for _, h := range hs {
		if overlapsAny(h.span, taken) || !ev.within(s, h.span, w) {
			continue
		}
		if g := gap(s, h.span); g < bestGap {
			best, bestGap, found = h, g, true
		}
	}
	return best, found
}

// near is the matches of its first item that have a match of each other
// item (anywhere, as context) within its window.
func (ev *evaluator) near(n *cnode) (bool, []hit) {
	_, anchor := ev.node(n.kids[0])
	if len(anchor) == 0 {
		return false, nil
	}
	var room [4][]hit // on the stack for the common few items: no write barriers
	others := room[:0]
	for _, k := range n.kids[1:] {
		_, hs := ev.nodeIn(k, true)
		if len(hs) == 0 {
			return false, nil
		}
		others = append(others, hs)
	}
	out := ev.support(anchor, others, n.within)
	return len(out) > 0, out
}

// nodeIn evaluates n as context (everywhere, quotes included) when
// context is true, else under the rule's scope and quote handling.
func (ev *evaluator) nodeIn(n *cnode, context bool) (bool, []hit) {
	if !context || ev.all {
		return ev.node(n)
	}
	ev.all = true
	ok, hs := ev.node(n)
	ev.all = false
	return ok, hs
}

// support keeps the anchor matches that have a match of every other
// condition within w, attaching the nearest one of each as context.
func (ev *evaluator) support(anchor []hit, others [][]hit, w window) []hit {
	st := ev.st
	first := len(st.arena)
next:
	for _, a := range anchor {
		from := int32(len(st.sups))
		st.sups = append(st.sups, st.sups[a.sup:a.sup+a.nsup]...)
		mine := len(st.sups) // the items this near chooses start here
		for i, hs := range others {
			b, ok := ev.nearest(a.span, hs, w)
			if ok && i > 0 && overlapsAny(b.span, st.sups[mine:]) {
				// Each item is its own stretch of text: in "no agreement
				// was reached" the "agreement" that a progress item finds is
				// the stalemate item's, not a second, agreed half.
				b, ok = ev.nearestApart(a.span, hs, w, st.sups[mine:])
			}
			if !ok {
				st.sups = st.sups[:from]
				continue next
			}
			st.sups = append(st.sups, b.span)
			st.sups = append(st.sups, st.sups[b.sup:b.sup+b.nsup]...)
		}
		st.arena = append(st.arena, hit{span: a.span, sup: from, nsup: int32(len(st.sups)) - from})
	}
	return st.arena[first:len(st.arena):len(st.arena)]
}

// aboutElsewhere reports whether the sentence of s names another conflict
// and nothing of this war (settings.outlook.elsewhere, this_war): "on
// Gaza, any such plan is rejected" says nothing of the talks on Ukraine,
// in an article that also covers them; or other negotiations and no word
// of the peace (other_talks, peace_words): "hopes for the EU loan to
// Ukraine collapsed".
func (e *Engine) aboutElsewhere(st *docState, s span) bool {
	if e.elsewhereGroup < 0 && e.otherTalksGroup < 0 {
		return false
	}
	sent := st.z.toks[s.start].sent
	if e.elsewhereGroup >= 0 && st.inSentence(e.elsewhereGroup, sent) && !st.inSentence(e.thisWarGroup, sent) {
		return true
	}
	// "Hopes of approving the EU loan for Ukraine collapsed": other talks.
	// A peace word inside the other talks' name ("the peace treaty with
	// Japan") is theirs, not this war's.
	if e.otherTalksGroup < 0 {
		return false
	}
	other := st.hits(e.otherTalksGroup)
	return st.inSentence(e.otherTalksGroup, sent) && !st.inSentenceBesides(e.peaceGroup, sent, other)
}

// unanchored reports whether neither the paragraph of s nor the
// sentence before it names the talks or their matter
// (settings.outlook.anchors): "the minister refused" after a request
// for fighter jets, "the club signed" a striker. The sentence before
// counts for a cue that answers it across a paragraph break ("Kyiv put
// forward a plan." / "Moscow rejected it."). A headline's cue is the
// item's news and always counts.
func (e *Engine) unanchored(st *docState, s span) bool {
	if e.anchorGroup < 0 || st.noAnchors {
		return false
	}
	tk := &st.z.toks[s.start]
	if tk.field == fieldTitle {
		return false
	}
	if !st.anchorsRead {
		e.readAnchors(st)
	}
	return !st.anchorSent[tk.sent] && (tk.sent == 0 || !st.anchorSent[tk.sent-1]) && !st.anchorPara[tk.para]
}

// onSideDeal reports whether s, an outlook cue (a progress cue when
// progress), is on a side deal of the war in an item that never names the
// talks (settings.outlook.side_deals and side_deal_links): "Russia agreed
// to return six children" or "Kyiv and London signed a security pact"
// is no step in the talks when nothing ties it to them; "the delegations
// agreed in Istanbul to swap 1,000 prisoners" is. In such an item whose
// headline is a side deal no cue speaks of the talks: "Moscow suspended
// its part" in a piece on the grain corridor says nothing of them.
func (e *Engine) onSideDeal(st *docState, s span, progress bool) bool {
	if e.sideDealGroup < 0 || st.noAnchors {
		return false
	}
	if !st.sidesRead {
		e.readSideDeals(st)
	}
	if st.linked {
		return false
	}
	return st.sideItem || progress && st.inSentence(e.sideDealGroup, st.z.toks[s.start].sent)
}

// readSideDeals reads, once per document, whether it names the talks
// (settings.outlook.side_deal_links) and whether its headline is a side
// deal.
func (e *Engine) readSideDeals(st *docState) {
	st.linked = len(st.hits(e.sideLinkGroup)) > 0
	st.sideItem = false
	for _, h := range st.hits(e.sideDealGroup) {
		if st.z.toks[h.start].field == fieldTitle {
			st.sideItem = true
			break
		}
	}
	st.sidesRead = true
}

// readAnchors marks, once per document, the sentences and the body
// paragraphs that name the talks or their matter (settings.outlook.anchors),
// so that each cue's check is two lookups.
func (e *Engine) readAnchors(st *docState) {
	toks := st.z.toks
	st.anchorSent = cleared(st.anchorSent, int(toks[len(toks)-1].sent)+1)
	paras := 0
	for i := len(toks) - 1; i >= 0 && toks[i].field == fieldBody; i-- {
		paras = max(paras, int(toks[i].para)+1)
	}
	st.anchorPara = cleared(st.anchorPara, paras)
	for _, h := range st.hits(e.anchorGroup) {
		at := &toks[h.start]
		st.anchorSent[at.sent] = true
		if at.field == fieldBody {
			st.anchorPara[at.para] = true
		}
	}
	st.anchorsRead = true
}

// inSentenceBesides reports whether group g has a match in sentence sent
// that overlaps none of the spans of not.
func (st *docState) inSentenceBesides(g, sent int32, not []span) bool {
	for _, h := range st.hits(g) {
		if st.z.toks[h.start].sent == sent && !overlapsAny(h, not) {
			return true
		}
	}
	return false
}

// aboutPoll reports whether the sentence of s reports an opinion poll
// (settings.outlook.polls): "most Ukrainians reject the plan, a KIIS poll
// shows" is the public's view, not the talks' state.
func (e *Engine) aboutPoll(st *docState, s span) bool {
	if e.pollsGroup < 0 {
		return false
	}
	sent := st.z.toks[s.start].sent
	if st.inSentence(e.pollsGroup, sent) {
		return true
	}
	// In an item about a poll (its headline or the lead's first sentences
	// name one), a sentence that names no peace, truce or settlement
	// reports the public's views too: "Most Ukrainians remain firmly
	// against any territorial concessions. Such are the findings of...".
	return st.pollItem && (e.peaceGroup < 0 || !st.inSentence(e.peaceGroup, sent))
}

// isPollItem reports whether the headline or the first three sentences of
// the lead name an opinion poll (settings.outlook.polls).
func (e *Engine) isPollItem(st *docState) bool {
	if e.pollsGroup < 0 {
		return false
	}
	toks := st.z.toks
	first := int32(-1) // the body's first sentence
	for i := range toks {
		if toks[i].field == fieldBody {
			first = toks[i].sent
			break
		}
	}
	for _, h := range st.hits(e.pollsGroup) {
		tk := &toks[h.start]
		if tk.field == fieldTitle || tk.lead && first >= 0 && tk.sent <= first+2 {
			return true
		}
	}
	return false
}

// inClauseWith reports whether group g (>= 0, or none) has a match in the
// clause of s: a past date (settings.outlook.history) in "Kyiv walked out
// of the talks in 2022" recalls history, not where the talks stand now.
// A phrase that reaches into the clause counts ("since 2022, when the
// dialogue broke off"), and so does one that is a clause of its own just
// before it ("In spring 2022, Kyiv walked out").
func (e *Engine) inClauseWith(st *docState, g int32, s span) bool {
	if g < 0 {
		return false
	}
	hs := st.hits(g)
	if len(hs) == 0 {
		return false
	}
	toks := st.z.toks
	from, to := s.start, s.end
	for from > 0 && !toks[from].clause && !toks[from].sentStart {
		from--
	}
	for int(to) < len(toks) && !toks[to].clause && !toks[to].sentStart {
		to++
	}
	for _, h := range hs {
		if h.start < to && h.end > from {
			return true
		}
		// "In spring 2022, Kyiv walked out": the phrase is a clause of its
		// own that opens the cue's.
		if h.end == from && (toks[h.start].clause || toks[h.start].sentStart) {
			return true
		}
	}
	return false
}

// outsidersCue reports whether the first actor named in cue s's sentence
// before the cue (for reported words with no actor before them, the first
// after, where the attribution follows) is an outsider
// (settings.outlook.outsiders) rather than one of the sides: in "Xi said
// China backs progress toward talks on the Ukrainian crisis" and
// "Slovakia supports the US plan" a state outside the talks states its
// view or makes its move, whichever side is named after it; "Kyiv
// welcomed Beijing's offer" and "Putin told Xi that progress was made"
// are a side's.
func (e *Engine) outsidersCue(st *docState, s span) bool {
	if e.outsiderGroup < 0 {
		return false
	}
	from, to := sentenceOf(st.z.toks, s.start)
	if out, side := e.firstActors(st, from, s.start); out >= 0 || side >= 0 {
		return out >= 0 && (side < 0 || out <= side)
	}
	// No actor before a reported cue: its speaker may follow it ("Progress
	// was made, Beijing said").
	if !st.reported[s.start] {
		return false
	}
	out, side := e.firstActors(st, s.end, to)
	return out >= 0 && (side < 0 || out <= side)
}

// firstActors is where the first outsider and the first side are named
// in tokens [from, to): -1 for none.
func (e *Engine) firstActors(st *docState, from, to int32) (out, side int32) {
	out, side = st.firstHit(e.outsiderGroup, from, to), -1
	for _, g := range [2]int32{e.ukraineGroup, e.russiaGroup} {
		if h := st.firstHit(g, from, to); h >= 0 && (side < 0 || h < side) {
			side = h
		}
	}
	return out, side
}

// firstHit is the first token of group g's first match inside tokens
// [from, to), or -1 (also for g < 0: a group the rule set leaves out).
func (st *docState) firstHit(g, from, to int32) int32 {
	if g < 0 {
		return -1
	}
	for _, h := range st.hits(g) {
		if h.start >= from && h.end <= to {
			return h.start
		}
	}
	return -1
}

// inSentence reports whether group g has a match in sentence sent.
func (st *docState) inSentence(g, sent int32) bool {
	for _, h := range st.hits(g) {
		if st.z.toks[h.start].sent == sent {
			return true
		}
	}
	return false
}

// lowerCase keeps the matches written in lower case that do not open a
// sentence (a rule's case: lower): "россия", "путин" in Russian copy that
// writes them so on purpose.
func (st *docState) lowerCase(hits []hit) []hit {
	kept := hits[:0:0]
	for _, h := range hits {
		if st.z.toks[h.start].sentStart {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(st.spanText(h.span)); unicode.IsLower(r) {
			kept = append(kept, h)
		}
	}
	return kept
}

// deniedByEllipsis reports whether a later clause of the match's sentence
// ends in a bare negation that denies the match's predicate for something
// else (settings.negation.elliptic): "the swap was agreed, the ceasefire
// was not", "по пленным договорились, по территориям — нет". The negation
// must close its clause and stand past a clause boundary after the match.
func (ev *evaluator) deniedByEllipsis(s span) bool {
	e, st := ev.e, ev.st
	if e.ellipticGroup < 0 {
		return false
	}
	toks := st.z.toks
	n := int32(len(toks))
	for _, h := range st.hits(e.ellipticGroup) {
		if h.start <= s.end || toks[h.start].sent != toks[s.start].sent {
			continue
		}
		if h.end < n && !toks[h.end].clause && !toks[h.end].sentStart {
			continue // not the clause's last word: "not on territory"
		}
		for j := s.end; j <= h.start; j++ {
			if toks[j].clause {
				return true
			}
		}
	}
	return false
}
