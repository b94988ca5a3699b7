package tagger

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/stancewatch/stancewatch/taxonomy"
)

// topicNames are the topics of the taxonomy, in its order.
var topicNames = taxonomy.Topics()

func isTopic(s string) bool { return taxonomy.IsTopic(s) }

// Label ids: the fixed labels first, then one per actor.
const (
	lblRelevant   = 0
	lblTopic0     = 1 // lblTopic0+i is topic:topicNames[i]
	lblProgress   = lblTopic0 + taxonomy.NumTopics
	lblStalemate  = lblProgress + 1
	lblMixed      = lblProgress + 2
	lblProUkraine = lblProgress + 3
	lblProRussia  = lblProgress + 4
	numFixed      = lblProgress + 5
)

func fixedLabels() []string {
	l := []string{"relevant"}
	for _, t := range topicNames {
		l = append(l, "topic:"+t)
	}
	// The scored values: "none" and "neutral" are what is left when no
	// other value wins.
	for _, o := range taxonomy.Outlooks() {
		if o != taxonomy.OutlookNone {
			l = append(l, "outlook:"+o)
		}
	}
	for _, f := range taxonomy.Framings() {
		if f != taxonomy.FramingNeutral {
			l = append(l, "framing:"+f)
		}
	}
	return l
}

// Condition operators.
const (
	opLeaf = iota
	opAny
	opAll
	opNone
	opNear
	opNOf
	// opAffirmed: the matches of its items that no negation denies.
	opAffirmed
)

// cnode is a compiled condition.
type cnode struct {
	op     uint8
	group  int32 // opLeaf
	kids   []*cnode
	n      int
	within window
}

// positional reports whether the condition yields matches with a place
// in the text (everything except none).
func (c *cnode) positional() bool { return c.op != opNone }

// Quote handling and negation modes of a rule.
const (
	quotesInclude = iota
	quotesExclude
	quotesOnly
)

const (
	negIgnore = iota
	negCancel
	negFlip
)

// rule is a compiled rule.
type rule struct {
	id        string
	file      string
	label     int32
	flip      int32 // label of negated matches under negFlip
	weight    float64
	fw        fieldWeights
	scope     [3]bool // title, lead, rest of body
	quotes    uint8
	quotedW   float64 // weight multiplier inside quotation marks
	lowerOnly bool    // only matches written in lower case, not opening a sentence
	// presupposed: a modal before the match does not make it hypothetical
	// ("a bid to revive the stalled talks" still says they stalled)
	presupposed bool
	// soft: a readout's courtesy ("productive", "a warm tone") that counts
	// only when nothing in the article says the talks are stuck
	soft bool
	// offer: one side's move toward a deal (accepting, backing, ready to
	// sign) that counts only while nobody in the article is heard refusing
	offer bool
	// implied: a mixed cue that names only the stuck half ("the key
	// question is still open") and implies the rest moved; it counts as
	// mixed when the article has a progress cue, else as stalemate
	implied   bool
	negation  uint8
	maxHits   int     // 0: no limit
	langs     []int32 // the languages it is for (Engine.langs), or all
	match     *cnode
	excludes  []exclusion
	actor     bool
	tests     []testSpec
	positives []int32 // groups one of which must match for the rule to hold (compiler.triggers)
}

// exclusion drops a rule's matches with a match of node within the
// window.
type exclusion struct {
	node   *cnode
	within window
}

// compiler builds an Engine from parsed files.
type compiler struct {
	e        *Engine
	lex      *lexBuilder
	problems []problem
	terms    map[string]*termSpec
	resolved map[string][]int32 // term set -> phrase ids
	phraseID map[string]int32   // by phraseKey
	// byText remembers the phrase of each rule text already compiled: the
	// same words recur across rules and term sets, and need not be
	// normalised again.
	byText     map[string]int32
	groupID    map[string]int32
	labelID    map[string]int32
	phraseNode []int32   // phrase id -> trie node
	groups     [][]int32 // group -> phrases
	cur        problem   // where we are, for messages
	z          tokenizer // normalises phrases
}

func (c *compiler) bad(line int, format string, args ...any) {
	p := c.cur
	p.line = line
	p.msg = fmt.Sprintf(format, args...)
	c.problems = append(c.problems, p)
}

func compile(files []*fileSpec, problems []problem) (*Engine, []problem) {
	e := &Engine{trie: newPhraseTrie()}
	c := &compiler{e: e, lex: newLexBuilder(), problems: problems, terms: map[string]*termSpec{},
		resolved: map[string][]int32{}, phraseID: map[string]int32{}, byText: map[string]int32{}, groupID: map[string]int32{}, labelID: map[string]int32{}}
	e.labels = fixedLabels()
	for i, l := range e.labels {
		c.labelID[l] = int32(i)
	}

	var settings []*settingsSpec
	for _, f := range files {
		if f.settings != nil {
			settings = append(settings, f.settings)
		}
		for _, t := range f.terms {
			if prev, ok := c.terms[t.name]; ok {
				c.cur = problem{file: t.file}
				c.bad(t.line, "term set %q is already defined in %s:%d", t.name, prev.file, prev.line)
				continue
			}
			c.terms[t.name] = t
		}
	}
	switch {
	case len(settings) == 0:
		c.problems = append(c.problems, problem{file: "(rules)", msg: "no settings section in any rule file: thresholds, field weights and the negation vocabulary must be set in one"})
		e.settings = settingsSpec{fieldWeights: fieldWeights{1, 1, 1}, maxHits: 3}
	case len(settings) > 1:
		c.problems = append(c.problems, problem{file: settings[1].file, line: settings[1].line,
			msg: fmt.Sprintf("a second settings section (the first is in %s:%d); keep one", settings[0].file, settings[0].line)})
		fallthrough
	default:
		e.settings = *settings[0]
	}

	// Negation words and barriers are phrases like any other.
	c.cur = problem{file: e.settings.file}
	e.negGroup = c.group(c.phrases(e.settings.negWords, e.settings.line))
	e.negWordGroup = c.optionalGroup(singleWords(e.settings.negWords), e.settings.line)
	e.afterGroup = c.group(c.phrases(e.settings.afterWords, e.settings.line))
	e.ellipticGroup = c.optionalGroup(e.settings.elliptic, e.settings.line)
	e.notNegGroup = c.optionalGroup(e.settings.notNeg, e.settings.line)
	e.throughGroup = c.optionalGroup(e.settings.negThrough, e.settings.line)
	e.barrierGroup = c.group(c.phrases(e.settings.barriers, e.settings.line))
	v := &e.settings.voice
	e.reportGroup = c.optionalGroup(v.reporting, e.settings.line)
	e.hearsayGroup = c.optionalGroup(v.hearsay, e.settings.line)
	e.relativeGroup = c.optionalGroup(v.relative, e.settings.line)
	e.backgroundGroup = c.optionalGroup(v.background, e.settings.line)
	e.backRefGroup = c.optionalGroup(v.backReference, e.settings.line)
	e.backRefOpenGroup = c.optionalGroup(v.backRefOpen, e.settings.line)
	e.modalGroup = c.optionalGroup(v.modal, e.settings.line)
	e.modalAfterGroup = c.optionalGroup(v.modalAfter, e.settings.line)
	e.condGroup = c.optionalGroup(v.conditional, e.settings.line)
	e.hopedGroup = c.optionalGroup(v.hopedClause, e.settings.line)
	e.concessGroup = c.optionalGroup(v.concessive, e.settings.line)
	e.contrastGroup = c.optionalGroup(v.contrast, e.settings.line)
	e.openContrastGroup = c.optionalGroup(v.contrastOpening, e.settings.line)
	e.labelGroup = c.optionalGroup(v.headlineLabels, e.settings.line)
	e.altGroup = c.optionalGroup(v.alternative, e.settings.line)
	e.topicGroup = c.optionalGroup(v.speakerTopic, e.settings.line)
	e.askGroup = c.optionalGroup(v.indirectQuestion, e.settings.line)
	e.askNotGroup = c.optionalGroup(v.indirectQuestionNot, e.settings.line)
	e.furnitureGroup = c.optionalGroup(e.settings.furniture, e.settings.line)
	e.inlineFurnitureGroup = c.optionalGroup(e.settings.furnitureInline, e.settings.line)
	e.elsewhereGroup = c.optionalTermsGroup(e.settings.elsewhere, e.settings.line)
	e.thisWarGroup = c.optionalTermsGroup(e.settings.thisWar, e.settings.line)
	e.relNotGroup = c.optionalTermsGroup(e.settings.relOutlookNot, e.settings.line)
	e.relNamesGroup = c.optionalTermsGroup(e.settings.relOutlookNames, e.settings.line)
	e.otherTalksGroup = c.optionalTermsGroup(e.settings.otherTalks, e.settings.line)
	e.peaceGroup = c.optionalTermsGroup(e.settings.peaceWords, e.settings.line)
	e.historyGroup = c.optionalTermsGroup(e.settings.history, e.settings.line)
	e.sideTrackGroup = c.optionalTermsGroup(e.settings.sideTracks, e.settings.line)
	e.outsiderGroup = c.optionalTermsGroup(e.settings.outsiders, e.settings.line)
	e.sideDealGroup = c.optionalTermsGroup(e.settings.sideDeals, e.settings.line)
	e.sideLinkGroup = c.optionalTermsGroup(e.settings.sideDealLinks, e.settings.line)
	if (e.sideDealGroup < 0) != (e.sideLinkGroup < 0) {
		c.bad(e.settings.line, "settings.outlook: side_deals and side_deal_links go together")
	}
	e.anchorGroup = c.optionalTermsGroup(e.settings.anchors, e.settings.line)
	e.exchangeGroup = c.optionalTermsGroup(e.settings.exchangeTrack, e.settings.line)
	e.ukraineGroup = c.optionalTermsGroup(e.settings.ukraineSide, e.settings.line)
	e.russiaGroup = c.optionalTermsGroup(e.settings.russiaSide, e.settings.line)
	if (e.ukraineGroup < 0) != (e.russiaGroup < 0) {
		c.bad(e.settings.line, "settings.outlook: ukraine_side and russia_side go together")
	}
	if e.settings.exchangeMixed > 0 && e.exchangeGroup < 0 {
		c.bad(e.settings.line, "settings.outlook.exchange_mixed needs exchange_track")
	}
	e.pollsGroup = c.optionalTermsGroup(e.settings.polls, e.settings.line)
	if (e.otherTalksGroup < 0) != (e.peaceGroup < 0) {
		c.bad(e.settings.line, "settings.outlook: other_talks and peace_words go together")
	}
	if (e.settings.relOutlookWeight != 0 || e.settings.relOutlookTitle != 0) && e.relNamesGroup < 0 {
		c.bad(e.settings.line, "settings.relevance.outlook_weight needs outlook_names")
	}
	if (e.elsewhereGroup < 0) != (e.thisWarGroup < 0) {
		c.bad(e.settings.line, "settings.outlook: elsewhere and this_war go together")
	}

	seen := map[string]*ruleSpec{}
	for _, f := range files {
		for _, rs := range f.rules {
			what := "rule"
			if rs.actor {
				what = "actor"
			}
			c.cur = problem{file: rs.file, rule: fmt.Sprintf("%s %q", what, rs.id)}
			if rs.actor {
				c.cur.rule = fmt.Sprintf("actor %q", strings.TrimPrefix(rs.label, "actor:"))
			}
			if prev, ok := seen[rs.id]; ok {
				c.bad(rs.line, "id %q is already used in %s:%d", rs.id, prev.file, prev.line)
				continue
			}
			seen[rs.id] = rs
			if r := c.rule(rs); r != nil {
				e.rules = append(e.rules, r)
			}
		}
		for _, ex := range f.examples {
			c.cur = problem{file: ex.file, rule: fmt.Sprintf("example %q", ex.name)}
			c.example(ex)
			e.examples = append(e.examples, ex)
		}
	}

	for _, t := range topicNames {
		th, ok := e.settings.topicMins[t]
		if !ok {
			th = e.settings.topicMin
		}
		e.topicMin = append(e.topicMin, th)
	}
	for _, l := range e.labels[numFixed:] {
		e.actorNames = append(e.actorNames, strings.TrimPrefix(l, "actor:"))
	}
	e.thresholds = e.Thresholds()
	e.lex = c.lex.freeze()
	if e.lex == nil {
		c.problems = append(c.problems, problem{file: "(rules)", msg: fmt.Sprintf("too many distinct words (%d) for the lexicon", len(c.lex.words))})
		e.lex = newLexBuilder().freeze()
	}
	e.words = c.lex.words
	for int(len(e.trie.root)) < len(e.words) {
		e.trie.root = append(e.trie.root, -1)
	}
	c.dropUnusedGroups()
	c.link()
	e.trie.freeze()
	packRules(e)
	return e, c.problems
}

// dropUnusedGroups forgets the groups that no condition reads and
// numbers the others from 0. Most groups are made for the items of an
// any and then merged into the any's own group; matching would still
// record matches for them, and the per-group state of a document would
// span all of them.
func (c *compiler) dropUnusedGroups() {
	e := c.e
	renum := make([]int32, len(c.groups)) // new number + 1; 0: unused
	var mark func(n *cnode)
	mark = func(n *cnode) {
		if n == nil {
			return
		}
		if n.op == opLeaf {
			renum[n.group] = 1
		}
		for _, k := range n.kids {
			mark(k)
		}
	}
	for _, r := range e.rules {
		mark(r.match)
		for _, x := range r.excludes {
			mark(x.node)
		}
	}
	specials := e.specialGroups()
	for _, g := range specials {
		if *g >= 0 {
			renum[*g] = 1
		}
	}
	var groups [][]int32
	for g, used := range renum {
		if used != 0 {
			groups = append(groups, c.groups[g])
			renum[g] = int32(len(groups))
		}
	}
	c.groups = groups
	for _, g := range specials {
		if *g >= 0 {
			*g = renum[*g] - 1
		}
	}
	var number func(n *cnode)
	number = func(n *cnode) {
		if n == nil {
			return
		}
		if n.op == opLeaf {
			n.group = renum[n.group] - 1
		}
		for _, k := range n.kids {
			number(k)
		}
	}
	for _, r := range e.rules {
		number(r.match)
		for _, x := range r.excludes {
			number(x.node)
		}
		for i, g := range r.positives {
			r.positives[i] = renum[g] - 1
		}
	}
}

// packRules lays the rules out one after another, each with its
// conditions in the order the evaluation visits them (a node, then its
// items), instead of wherever compiling left them among the other
// allocations: a document's candidate rules are evaluated in order and
// the walk then reads memory forwards.
func packRules(e *Engine) {
	nodes, kids := 0, 0
	for _, r := range e.rules {
		nodes, kids = countCond(r.match, nodes, kids)
		for _, x := range r.excludes {
			nodes, kids = countCond(x.node, nodes, kids)
		}
	}
	p := &condPacker{nodes: make([]cnode, 0, nodes), kids: make([]*cnode, 0, kids)}
	rules := make([]rule, len(e.rules))
	for i, r := range e.rules {
		rules[i] = *r
		rules[i].match = p.pack(r.match)
		rules[i].excludes = make([]exclusion, len(r.excludes))
		for j, x := range r.excludes {
			rules[i].excludes[j] = exclusion{p.pack(x.node), x.within}
		}
		e.rules[i] = &rules[i]
	}
}

// countCond adds the nodes and items of condition n to the counts.
func countCond(n *cnode, nodes, kids int) (int, int) {
	if n == nil {
		return nodes, kids
	}
	nodes, kids = nodes+1, kids+len(n.kids)
	for _, k := range n.kids {
		nodes, kids = countCond(k, nodes, kids)
	}
	return nodes, kids
}

// condPacker copies conditions into two arrays sized beforehand
// (countCond), so that the pointers into them stay valid.
type condPacker struct {
	nodes []cnode
	kids  []*cnode
}

func (p *condPacker) pack(n *cnode) *cnode {
	if n == nil {
		return nil
	}
	p.nodes = append(p.nodes, *n)
	out := &p.nodes[len(p.nodes)-1]
	if len(n.kids) > 0 {
		from := len(p.kids)
		p.kids = p.kids[:from+len(n.kids)]
		out.kids = p.kids[from:len(p.kids):len(p.kids)]
		for i, k := range n.kids {
			out.kids[i] = p.pack(k)
		}
	}
	return out
}

// link lays out what the matcher reads for each match in flat lists:
// the groups of each phrase (in the trie node where it ends) and the
// rules of each group. The per-phrase and per-group lists it builds them
// from are left behind: tens of thousands of small objects that the
// garbage collector would otherwise scan for as long as the engine lives.
func (c *compiler) link() {
	e := c.e
	e.numGroups, e.numPhrases = len(c.groups), len(c.phraseNode)
	groupRules := make([][]int32, len(c.groups))
	for i, r := range e.rules {
		for _, g := range r.positives {
			groupRules[g] = append(groupRules[g], int32(i))
		}
	}
	e.ruleStart, e.ruleList = flatten(groupRules)
	phraseGroups := make([][]int32, len(c.phraseNode))
	for g, ps := range c.groups {
		for _, p := range ps {
			phraseGroups[p] = append(phraseGroups[p], int32(g))
		}
	}
	for p, node := range c.phraseNode {
		nd := &e.trie.nodes[node]
		nd.groups, nd.ngroups = int32(len(e.groupList)), int32(len(phraseGroups[p]))
		e.groupList = append(e.groupList, phraseGroups[p]...)
	}
}

// flatten lays lists out one after another: list i is
// flat[start[i]:start[i+1]]. The matcher reads them for every match, and
// one array of offsets stays in cache where a slice header per list
// would not.
func flatten(lists [][]int32) (start, flat []int32) {
	start = make([]int32, 0, len(lists)+1)
	for _, l := range lists {
		start = append(start, int32(len(flat)))
		flat = append(flat, l...)
	}
	return append(start, int32(len(flat))), flat
}

func (c *compiler) label(name string, line int) int32 {
	if id, ok := c.labelID[name]; ok {
		return id
	}
	if a, ok := strings.CutPrefix(name, "actor:"); ok && strings.TrimSpace(a) != "" && a == strings.TrimSpace(a) {
		id := int32(len(c.e.labels))
		c.e.labels = append(c.e.labels, name)
		c.labelID[name] = id
		return id
	}
	c.bad(line, "unknown label %q: want relevant, topic:<%s>, outlook:progress|stalemate|mixed, framing:pro_ukraine|pro_russia or actor:<Name>",
		name, strings.Join(topicNames, "|"))
	return -1
}

func (c *compiler) rule(rs *ruleSpec) *rule {
	s := &c.e.settings
	r := &rule{id: rs.id, file: rs.file, weight: rs.weight, quotedW: rs.quotedWeight, fw: s.fieldWeights, maxHits: s.maxHits,
		langs: c.langNumbers(rs.langs), actor: rs.actor, tests: rs.tests, flip: -1}
	labelLine := rs.labelLine
	if labelLine == 0 {
		labelLine = rs.line
	}
	if r.label = c.label(rs.label, labelLine); r.label < 0 {
		return nil
	}
	ruleReach(r, rs)
	c.ruleModes(r, rs)
	if r.label >= numFixed && rs.weight < 0 {
		c.bad(rs.line, "an actor rule cannot have a negative weight")
	}
	if !c.ruleConditions(r, rs) {
		return nil
	}
	if len(rs.tests) == 0 || !hasTest(rs.tests, "ruleid", "negated") || !hasTest(rs.tests, "ok") {
		c.bad(rs.line, "needs tests: at least one `ruleid:` text it must match and one `ok:` text it must not")
	}
	return r
}

// langNumbers numbers language codes (Engine.langs): the evaluation
// compares a rule's languages with a document's for every rule it
// considers, and numbers compare faster than strings.
func (c *compiler) langNumbers(codes []string) []int32 {
	if c.e.langs == nil {
		c.e.langs = map[string]int32{}
	}
	var out []int32
	for _, code := range codes {
		n, ok := c.e.langs[code]
		if !ok {
			n = int32(len(c.e.langs))
			c.e.langs[code] = n
		}
		out = append(out, n)
	}
	return out
}

// ruleReach sets where a rule looks (its scope) and how much a match
// there counts: the rule's own field weights over the settings', and its
// cap on hits (none for actors: every mention counts).
func ruleReach(r *rule, rs *ruleSpec) {
	if rs.fieldWeights != nil {
		for _, p := range []struct {
			dst *float64
			v   float64
		}{{&r.fw.title, rs.fieldWeights.title}, {&r.fw.lead, rs.fieldWeights.lead}, {&r.fw.body, rs.fieldWeights.body}} {
			if p.v >= 0 {
				*p.dst = p.v
			}
		}
	}
	if rs.maxHits > 0 {
		r.maxHits = rs.maxHits
	}
	if r.label >= numFixed {
		r.maxHits = 0
	}
	if len(rs.scope) == 0 {
		r.scope = [3]bool{true, true, true}
	}
	for _, sc := range rs.scope {
		switch sc {
		case "title":
			r.scope[0] = true
		case "lead":
			r.scope[1] = true
		case "body":
			r.scope[1], r.scope[2] = true, true
		}
	}
}

// ruleModes sets how a rule treats quoted text and what a negated match
// does. Unless the rule says otherwise, framing rules ignore quotes (only
// the article's own voice frames it) and outlook rules flip when negated.
func (c *compiler) ruleModes(r *rule, rs *ruleSpec) {
	var quotes, negation uint8 = quotesInclude, negIgnore
	switch r.label {
	case lblProUkraine, lblProRussia:
		quotes = quotesExclude
	case lblProgress:
		negation = negFlip
	case lblStalemate:
		negation = negCancel
	}
	r.quotes = mode(rs.quotes, quotes, "include", "exclude", "only")
	r.lowerOnly = rs.letterCase == "lower"
	r.presupposed = rs.modal == "ignore"
	r.soft = rs.claim == "soft"
	r.offer = rs.claim == "offer"
	r.implied = rs.claim == "implied"
	if (r.soft || r.offer) && r.label != lblProgress {
		c.bad(rs.line, "claim: soft and offer are for progress rules")
	}
	if r.implied && r.label != lblMixed {
		c.bad(rs.line, "claim: implied is for mixed rules")
	}
	r.negation = mode(rs.negation, negation, "ignore", "cancel", "flip")
	if rs.quotedWeight != 1 && r.quotes != quotesInclude {
		c.bad(rs.line, "quoted_weight only makes sense with quotes: include")
	}
	if r.negation != negFlip {
		if rs.flipTo != "" {
			c.bad(rs.line, "flip_to is set but negation is not flip")
		}
		return
	}
	switch {
	case rs.flipTo != "":
		r.flip = c.label(rs.flipTo, rs.line)
	case r.label == lblProgress:
		r.flip = lblStalemate
	case r.label == lblStalemate:
		r.flip = lblProgress
	default:
		c.bad(rs.line, "negation: flip needs flip_to (the label a negated match counts for)")
	}
}

// mode is the constant of a rule's setting: the index of s among
// names, in the order of their constants, or def when s is not set.
func mode(s string, def uint8, names ...string) uint8 {
	for i, n := range names {
		if s == n {
			return uint8(i)
		}
	}
	return def
}

// ruleConditions compiles a rule's match and exclude conditions and
// lists the groups that make it worth evaluating; false if the rule can
// never match.
func (c *compiler) ruleConditions(r *rule, rs *ruleSpec) bool {
	if rs.match != nil {
		r.match = c.cond(rs.match)
	}
	for _, x := range rs.excludes {
		if x.cond == nil {
			continue
		}
		n := c.cond(x.cond)
		if n != nil && !n.positional() {
			c.bad(x.cond.line, "exclude must list what to exclude, not none")
			continue
		}
		if n != nil {
			r.excludes = append(r.excludes, exclusion{n, x.within})
		}
	}
	if r.match == nil {
		return false
	}
	if !r.match.positional() {
		c.bad(rs.match.line, "match is only a none: a rule needs something to match (put none inside all)")
		return false
	}
	r.positives = c.triggers(r.match)
	return true
}

func hasTest(ts []testSpec, kinds ...string) bool {
	for _, t := range ts {
		for _, k := range kinds {
			if t.kind == k {
				return true
			}
		}
	}
	return false
}

// triggers lists groups of which at least one must have a match for
// condition n to hold (nil for a none, which requires nothing): the rule
// is indexed under them, and evaluated for a document only when one of
// them matched. Of the items of an all or a near, which must all hold,
// the one with the fewest phrases is taken, as the likeliest to be
// missing; most rules' first item is a broad term set that matches in
// nearly every article. Evaluation checks the whole condition against
// the matched groups before it walks it (docState.canHold).
func (c *compiler) triggers(n *cnode) []int32 {
	switch n.op {
	case opLeaf:
		return []int32{n.group}
	case opNone:
		return nil
	case opAll, opNear:
		var best []int32
		bestCost := -1
		for _, k := range n.kids {
			ts := c.triggers(k)
			if ts == nil {
				continue
			}
			if cost := c.phraseCount(ts); bestCost < 0 || cost < bestCost {
				best, bestCost = ts, cost
			}
		}
		return best
	}
	// any and n_of: a match of any of the items may be what holds.
	var out []int32
	for _, k := range n.kids {
		for _, g := range c.triggers(k) {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out
}

// phraseCount is how many phrases the groups hold together: a rough
// measure of how often one of them matches.
func (c *compiler) phraseCount(groups []int32) int {
	n := 0
	for _, g := range groups {
		n += len(c.groups[g])
	}
	return n
}

func (c *compiler) cond(s *condSpec) *cnode {
	switch s.op {
	case "phrase":
		p := c.phrase(s.text, s.line)
		if p < 0 {
			return nil
		}
		return &cnode{op: opLeaf, group: c.group([]int32{p})}
	case "terms":
		ps, ok := c.termSet(s.text, s.line, nil)
		if !ok {
			return nil
		}
		return &cnode{op: opLeaf, group: c.group(ps)}
	}
	n := &cnode{n: s.n, within: s.within}
	for _, k := range s.kids {
		if kn := c.cond(k); kn != nil {
			n.kids = append(n.kids, kn)
		} else {
			return nil
		}
	}
	switch s.op {
	case "any":
		n.op = opAny
		// A list of phrases is one leaf: overlapping matches of its
		// phrases count once, the longest winning.
		var ps []int32
		for _, k := range n.kids {
			if k.op != opLeaf {
				return n
			}
			ps = append(ps, c.groups[k.group]...)
		}
		return &cnode{op: opLeaf, group: c.group(ps)}
	case "all":
		n.op = opAll
	case "none":
		n.op = opNone
	case "affirmed":
		n.op = opAffirmed
	case "near":
		n.op = opNear
		for _, k := range n.kids {
			if !k.positional() {
				c.bad(s.line, "near cannot hold none: its items need a place in the text")
				return nil
			}
		}
	case "n_of":
		n.op = opNOf
	}
	return n
}

// termSet resolves a named term set to phrase ids; items that start with
// $ include other sets.
func (c *compiler) termSet(name string, line int, stack []string) ([]int32, bool) {
	if ps, ok := c.resolved[name]; ok {
		return ps, true
	}
	t, ok := c.terms[name]
	if !ok {
		c.bad(line, "unknown term set $%s", name)
		return nil, false
	}
	for _, s := range stack {
		if s == name {
			c.bad(line, "term sets include each other in a loop: %s -> %s", strings.Join(stack, " -> "), name)
			return nil, false
		}
	}
	saved := c.cur
	c.cur = problem{file: t.file, rule: "term set " + name}
	var ps []int32
	good := true
	for _, item := range t.items {
		if ref, ok := strings.CutPrefix(item, "$"); ok {
			sub, ok := c.termSet(ref, t.line, append(stack, name))
			good = good && ok
			ps = append(ps, sub...)
			continue
		}
		if p := c.phrase(item, t.line); p >= 0 {
			ps = append(ps, p)
		} else {
			good = false
		}
	}
	c.cur = saved
	if good {
		c.resolved[name] = ps
	}
	return ps, good
}

func (c *compiler) phrases(items []string, line int) []int32 {
	var ps []int32
	for _, it := range items {
		if p := c.phrase(it, line); p >= 0 {
			ps = append(ps, p)
		}
	}
	return ps
}

// minGlob is the shortest prefix a glob may have; shorter ones match
// far too many words.
const minGlob = 3

// allDigits reports whether w is a number's first digits: a digit glob
// ("closer to 4*", an estimate) may be shorter than minGlob, since
// numbers are the words it can match.
func allDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// parsePhrase splits a phrase into word patterns, normalised as text is;
// z is scratch space for the normalisation.
func parsePhrase(text string, z *tokenizer) ([]wordPattern, error) {
	var ws []wordPattern
	var words []string
	for chunk := range strings.FieldsSeq(text) {
		glob := strings.HasSuffix(chunk, "*")
		base := strings.TrimSuffix(chunk, "*")
		if strings.Contains(base, "*") {
			return nil, fmt.Errorf("phrase %q: * may only end a word (a prefix glob such as negotiat*)", text)
		}
		words = z.normalizeWords(base, words[:0])
		if len(words) == 0 {
			if glob {
				return nil, fmt.Errorf("phrase %q: a lone * is not a word; use near to allow words in between", text)
			}
			continue // punctuation only
		}
		for i, w := range words {
			ws = append(ws, wordPattern{text: w, glob: glob && i == len(words)-1})
		}
		if last := words[len(words)-1]; glob && utf8.RuneCountInString(last) < minGlob && !allDigits(last) {
			return nil, fmt.Errorf("phrase %q: the glob %s* is too short; a prefix needs at least %d letters", text, last, minGlob)
		}
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("phrase %q has no words", text)
	}
	if len(ws) > 12 {
		return nil, fmt.Errorf("phrase %q is longer than 12 words", text)
	}
	return ws, nil
}

func (c *compiler) phrase(text string, line int) int32 {
	if id, ok := c.byText[text]; ok {
		return id
	}
	ws, err := parsePhrase(text, &c.z)
	if err != nil {
		c.bad(line, "%v", err)
		return -1
	}
	key := phraseKey(ws)
	if id, ok := c.phraseID[key]; ok {
		c.byText[text] = id
		return id
	}
	ids := make([]int32, len(ws))
	for i, w := range ws {
		ids[i] = c.lex.add(w)
	}
	node := c.e.trie.add(ids)
	id := int32(len(c.phraseNode))
	c.phraseNode = append(c.phraseNode, node)
	c.phraseID[key] = id
	c.byText[text] = id
	return id
}

// group returns the id of a set of phrases, shared by every leaf with
// the same phrases.
func (c *compiler) group(ps []int32) int32 {
	ps = append([]int32(nil), ps...)
	slices.Sort(ps)
	ps = slices.Compact(ps)
	// The key is the ids' bytes: cheaper to build than decimal text.
	key := make([]byte, 0, 4*len(ps))
	for _, p := range ps {
		key = binary.LittleEndian.AppendUint32(key, uint32(p))
	}
	if id, ok := c.groupID[string(key)]; ok {
		return id
	}
	id := int32(len(c.groups))
	c.groups = append(c.groups, ps)
	c.groupID[string(key)] = id
	return id
}

func (c *compiler) example(ex *exampleSpec) {
	if strings.TrimSpace(ex.title+ex.body) == "" {
		c.bad(ex.line, "example has no title or body")
	}
	if v, ok := ex.expect["topics"].([]string); ok {
		for _, t := range v {
			if !isTopic(t) {
				c.bad(ex.line, "expect.topics: %q is not a topic", t)
			}
		}
	}
	if v, ok := ex.expect["outlook"].(string); ok && !taxonomy.IsOutlook(v) {
		c.bad(ex.line, "expect.outlook: %q is not progress, stalemate, mixed or none", v)
	}
	if v, ok := ex.expect["framing"].(string); ok && !taxonomy.IsFraming(v) {
		c.bad(ex.line, "expect.framing: %q is not pro_ukraine, pro_russia or neutral", v)
	}
}

// optionalGroup is group for a vocabulary the rule set may leave out: -1
// when it is empty.
// optionalTermsGroup is optionalGroup for items that may name term sets
// ($other_conflicts).
func (c *compiler) optionalTermsGroup(items []string, line int) int32 {
	if len(items) == 0 {
		return -1
	}
	var ps []int32
	for _, it := range items {
		if ref, ok := strings.CutPrefix(it, "$"); ok {
			sub, _ := c.termSet(ref, line, nil)
			ps = append(ps, sub...)
		} else if p := c.phrase(it, line); p >= 0 {
			ps = append(ps, p)
		}
	}
	return c.group(ps)
}

// singleWords keeps the phrases of one word: "no", "не", not "far from".
func singleWords(phrases []string) []string {
	var out []string
	for _, p := range phrases {
		if !strings.ContainsAny(strings.TrimSpace(p), " \t") {
			out = append(out, p)
		}
	}
	return out
}

func (c *compiler) optionalGroup(items []string, line int) int32 {
	if len(items) == 0 {
		return -1
	}
	return c.group(c.phrases(items, line))
}
