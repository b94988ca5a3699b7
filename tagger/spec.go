package tagger

import "strconv"

// The specs are the rule files as written, checked for form but not yet
// for meaning: rulefile.go reads them, compile.go resolves their labels,
// term sets and phrases into the Engine.

// Window units for near and exclude.
const (
	withinTokens = iota
	withinSentence
	withinParagraph
	withinArticle
	withinBefore // exclusions only: ending at most n tokens before the match, in its sentence
)

type window struct {
	unit int
	n    int // tokens between the two matches, for withinTokens
}

func (w window) String() string {
	switch w.unit {
	case withinSentence:
		return "sentence"
	case withinParagraph:
		return "paragraph"
	case withinArticle:
		return "article"
	case withinBefore:
		return "before " + strconv.Itoa(w.n)
	}
	return strconv.Itoa(w.n)
}

// condSpec is a match condition as written.
type condSpec struct {
	op     string // phrase, terms, any, all, none, near, n_of
	text   string // phrase text or term-set name
	kids   []*condSpec
	n      int
	within window
	line   int
}

type testSpec struct {
	kind  string // ruleid, ok, negated
	title string
	body  string
	line  int
}

type ruleSpec struct {
	file, id, label string
	line, labelLine int
	description     string
	weight          float64
	scope           []string
	fieldWeights    *fieldWeights
	quotes          string
	quotedWeight    float64 // multiplier for matches inside quotation marks
	letterCase      string  // "lower": only matches written in lower case
	modal           string  // "ignore": a modal before a match leaves it counted (a presupposed state)
	claim           string  // "soft", "offer" (progress) or "implied" (mixed): see compile.go
	negation        string
	flipTo          string
	maxHits         int
	langs           []string
	match           *condSpec
	excludes        []excludeSpec
	tests           []testSpec
	actor           bool // from the actors gazetteer
}

// excludeSpec is one exclusion of a rule: what, and how near a match
// it must stand to drop it.
type excludeSpec struct {
	cond   *condSpec
	within window
}

type fieldWeights struct{ title, lead, body float64 }

type termSpec struct {
	file, name string
	line       int
	items      []string
}

type exampleSpec struct {
	file, name  string
	line        int
	title, body string
	lang        string
	expect      map[string]any // relevant, topics, outlook, framing, actors
}

// Settings are the global parameters of the rule set; every threshold
// lives here, in the rule files.
type settingsSpec struct {
	file         string
	line         int
	fieldWeights fieldWeights
	maxHits      int
	actorEvid    int
	negWindow    int
	negWords     []string
	afterWindow  int
	afterWords   []string // negations that follow the cue ("прорыва нет")
	// Bare negations that end a clause and deny its predicate by ellipsis:
	// "the swap was agreed, the ceasefire was not", "по территориям — нет".
	elliptic []string
	// Phrases with a negation word in them that negate nothing: "чи не
	// найбільший" (perhaps the largest), "чуть ли не", "not only".
	notNeg   []string
	barriers []string
	// Words a negation reaches over to the cue after them: "not possible
	// to reach a deal", "no chance of a breakthrough" deny the deal.
	negThrough []string
	// Labels of page furniture ("Read also:", "Читайте також"): a body
	// paragraph that opens with one is a link to another article.
	furniture []string
	// Promotions inside a paragraph ("… читайте в статье «…»"): the
	// whole paragraph is a link to another article.
	furnitureInline []string
	relevance       float64
	loneAside       string // outlook.lone_aside: "drop" a lone reported aside, "drop_any" a lone aside in any voice, or "count" it
	// outlook.soft_alone: "progress" lets an uncontradicted soft claim (a
	// readout's "constructive") decide progress below outlook.min; "weigh"
	// weighs it like any cue.
	softAlone string
	// outlook.headline_quotes: "own" weighs a quoted outlook cue in the
	// headline as the outlet's own (no quoted_weight), "quoted" as a quote.
	headQuotes string
	// A counted outlook statement in a sentence that names this war
	// (relevance.outlook_names) covers the talks: it adds relOutlookWeight to
	// relevance, for at most relOutlookMax sentences, unless the sentence
	// names other negotiations (relOutlookNot) or the article names
	// another conflict (outlook.elsewhere).
	relOutlookWeight float64
	relOutlookTitle  float64 // the same, for the headline
	relOutlookMax    int
	relOutlookNot    []string
	relOutlookNames  []string // who or where names the talks (relevance.outlook_names)
	// An outlook cue in a sentence that names other negotiations
	// (outlook.other_talks: an EU loan, accession, NATO spending) and no
	// word of the peace (outlook.peace_words) is those talks'.
	otherTalks []string
	peaceWords []string
	// An outlook cue in a clause dated in the past (outlook.history: "in
	// 2022", "весной 2022") recalls history, not where the talks stand;
	// one in a sentence on an opinion poll (outlook.polls) is the public's.
	history []string
	polls   []string
	// A progress cue in a clause that names a side track outside the talks
	// (outlook.side_tracks: the allies' planning of a post-war force) says
	// nothing of where the talks stand (clarification 3); Moscow rejecting
	// that force still says they are stuck.
	sideTracks []string
	// A progress cue whose first actor in its sentence is a state outside
	// the talks or its leader (outlook.outsiders: China, Xi, Orbán, the
	// Pope) is that outsider's view or move (backing a plan, naming a
	// venue, calling for peace), not movement between the sides.
	outsiders []string
	// A progress cue on a side deal of the war (outlook.side_deals: a swap
	// of prisoners or bodies, children returned, the grain corridor, a
	// bilateral security pact) is a step in the talks only in an item that
	// ties it to them (outlook.side_deal_links: the talks, a round, the
	// delegations, the plan, anywhere; clarifications 1, 3, 9). In an item
	// headlined by a side deal that never names them, no outlook cue
	// counts.
	sideDeals, sideDealLinks []string
	// An outlook cue in the body counts only in a paragraph that names
	// the talks or their matter (outlook.anchors: talks, a plan, a
	// proposal, demands, a truce...), or just after a sentence that does:
	// a bare "refused" or "signed" amid arms or a football transfer says
	// nothing of them. Empty: off.
	anchors []string
	// Progress found only in sentences on the exchange track
	// (outlook.exchange_track: swaps of prisoners and bodies) against a
	// stalemate of at least outlook.exchange_mixed is the taxonomy's
	// swap agreed beside a stuck core: mixed (clarification 4). 0: off.
	exchangeTrack []string
	exchangeMixed float64
	// The two warring sides by name (outlook.ukraine_side, russia_side):
	// whose move a `claim: offer` cue is, and whose refusal stands
	// against it.
	ukraineSide  []string
	russiaSide   []string
	topicMin     float64
	topicMins    map[string]float64
	outlookMin   float64
	outlookMarg  float64
	outlookRatio float64
	framingMin   float64
	framingMarg  float64
	framingRatio float64
	voice        voiceSpec
	// How the outlook weighs reported cues (see voice.go), reported cues
	// that the article's own voice contradicts, and own-voice cues in the
	// headline or lead.
	reportedWeight     float64
	contradictedWeight float64
	headWeight         float64
	// When no side wins outright: mixed needs this much (0: always mixed),
	// else a side this many times the other wins.
	mixedMin  float64
	leanRatio float64
	// An outlook cue in a sentence that names another conflict
	// (elsewhere) and nothing of this war (thisWar) is that conflict's.
	elsewhere []string
	thisWar   []string
}

// voiceSpec is the vocabulary that tells whose words a cue is.
type voiceSpec struct {
	reporting []string // verbs of saying and attributions
	hearsay   []string // passive hearsay ("is said to"): no speaker
	// Relative pronouns ("which", "котор*", "який"): an attribution
	// in the clause one opens speaks for that clause only.
	relative []string
	// A relative clause that recalls what a thing came from ("о котором
	// договорились", "про який домовилися"): background, no news.
	background []string
	// "Об этом заявил", "Про це сказав" opening a sentence: the sentence
	// before it was the speaker's.
	backReference []string
	// backRefOpen opens a sentence that names the speaker of the one
	// before when a verb of saying follows within a few words: "Об этом
	// 30 декабря заявил ...", "Про це в ефірі заявив ...".
	backRefOpen []string
	modal       []string // modal, hope and attempt words
	// Possibility or likelihood said up to modalAfterWindow words after
	// the cue, in its clause: "progress is possible", "прорыв возможен",
	// "a deal could come" predict; they do not report.
	modalAfter       []string
	modalAfterWindow int // words after the cue the possibility may open at
	// Conditions ("if", "unless", "якщо", "если"): unlike a modal verb
	// they make a negated cue hypothetical too: "sanctions if no deal is
	// reached" says nothing of the talks, "could not agree" does.
	conditional []string
	modalWindow int
	// Hope or expectation that opens a clause ("hope that", "надеемся,
	// что"): the rest of the sentence is hoped for, however long.
	hopedClause []string
	concessive  []string // "although", "despite": the clause they open is conceded
	contrast    []string // "but", "however": what comes before them is conceded
	// "still", "yet": contrast only when they open a sentence or clause
	// ("Still, ...", ", yet the talks..."); elsewhere they are adverbs.
	contrastOpening []string
	concededWeight  float64
	headlineLabels  []string // "Analysis:", "Live:": no speaker before a headline's colon
	// "or", "чи": a short headline head naming alternatives ("Breakthrough
	// or betrayal: ...") asks, like a question; it asserts neither.
	alternative []string
	// "о", "про", "on": a headline label right after one is the topic a
	// speaker spoke on ("Лавров о переговорах: …"), not a rubric.
	speakerTopic []string
	// "whether", "ли", "невідомо, чи": an indirect question; what it asks
	// ("asked whether a deal was close") is not asserted. The _not phrases
	// hold a question word that asks nothing ("вряд ли" is "unlikely").
	indirectQuestion    []string
	indirectQuestionNot []string
}

type fileSpec struct {
	path     string
	settings *settingsSpec
	terms    []*termSpec
	rules    []*ruleSpec
	examples []*exampleSpec
}
