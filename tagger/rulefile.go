package tagger

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file reads rule files into specs; compile.go turns specs into the
// engine. Every problem is reported with its file, line and rule id.

// problem is one thing wrong in the rule files.
type problem struct {
	file string
	line int
	rule string // rule id, actor or example name, when known
	msg  string
}

func (p problem) String() string {
	var b strings.Builder
	b.WriteString(p.file)
	if p.line > 0 {
		fmt.Fprintf(&b, ":%d", p.line)
	}
	if p.rule != "" {
		fmt.Fprintf(&b, ": %s", p.rule)
	}
	b.WriteString(": ")
	b.WriteString(p.msg)
	return b.String()
}

// LoadError lists every problem found while loading rule files.
type LoadError struct {
	Problems []string // "file:line: rule "id": what is wrong"
}

func (e *LoadError) Error() string {
	if len(e.Problems) == 1 {
		return "rules: " + e.Problems[0]
	}
	return fmt.Sprintf("rules: %d problems:\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// Window units for near and exclude.
const (
	withinTokens = iota
	withinSentence
	withinParagraph
	withinArticle
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
	negation        string
	flipTo          string
	maxHits         int
	langs           []string
	match           *condSpec
	exclude         *condSpec
	excludeWithin   window
	tests           []testSpec
	actor           bool // from the actors gazetteer
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
	barriers     []string
	voice        voiceSpec
	relevance    float64
	topicMin     float64
	topicMins    map[string]float64
	outlookMin   float64
	outlookMarg  float64
	outlookRatio float64
	framingMin   float64
	framingMarg  float64
	framingRatio float64
	// How the outlook weighs reported cues (see voice.go), and reported
	// cues that the article's own voice contradicts.
	reportedWeight     float64
	contradictedWeight float64
	headWeight         float64
}

// voiceSpec is the vocabulary that tells whose words a cue is.
type voiceSpec struct {
	reporting      []string // verbs of saying and attributions
	modal          []string // modal, hope and attempt words
	modalWindow    int
	concessive     []string // "although", "despite": the clause they open is conceded
	contrast       []string // "but", "however": what comes before them is conceded
	concededWeight float64
	headlineLabels []string // "Analysis:", "Live:": no speaker before a headline's colon
}

type fileSpec struct {
	path     string
	settings *settingsSpec
	terms    []*termSpec
	rules    []*ruleSpec
	examples []*exampleSpec
}

// reader parses one file, collecting problems.
type reader struct {
	file     string
	problems *[]problem
	rule     string
}

func (r *reader) bad(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	*r.problems = append(*r.problems, problem{file: r.file, line: line, rule: r.rule, msg: fmt.Sprintf(format, args...)})
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.\-]*$`)

func parseFile(path string, data []byte, problems *[]problem) *fileSpec {
	r := &reader{file: path, problems: problems}
	fs := &fileSpec{path: path}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		r.bad(nil, "not valid YAML: %v", err)
		return fs
	}
	if len(doc.Content) == 0 {
		return fs // empty file
	}
	top := doc.Content[0]
	for _, kv := range r.mapping(top, "the top level") {
		switch kv.key {
		case "settings":
			fs.settings = r.settings(kv.val)
		case "terms":
			for _, t := range r.mapping(kv.val, "terms") {
				items := r.strings(t.val, "term set "+t.key)
				if len(items) == 0 {
					r.bad(t.val, "term set %q is empty", t.key)
				}
				if !idPattern.MatchString(t.key) {
					r.bad(t.keyNode, "term set name %q: use lower-case letters, digits, '_', '.' and '-'", t.key)
				}
				fs.terms = append(fs.terms, &termSpec{file: path, name: t.key, line: t.keyNode.Line, items: items})
			}
		case "rules":
			for _, n := range r.sequence(kv.val, "rules") {
				if rs := r.ruleSpec(n); rs != nil {
					fs.rules = append(fs.rules, rs)
				}
			}
		case "actors":
			for _, n := range r.sequence(kv.val, "actors") {
				if rs := r.actorSpec(n); rs != nil {
					fs.rules = append(fs.rules, rs)
				}
			}
		case "examples":
			for _, n := range r.sequence(kv.val, "examples") {
				if ex := r.exampleSpec(n); ex != nil {
					fs.examples = append(fs.examples, ex)
				}
			}
		default:
			r.bad(kv.keyNode, "unknown section %q (want settings, terms, rules, actors or examples)", kv.key)
		}
	}
	return fs
}

type keyVal struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
}

func (r *reader) mapping(n *yaml.Node, what string) []keyVal {
	if n.Kind != yaml.MappingNode {
		r.bad(n, "%s must be a mapping", what)
		return nil
	}
	var out []keyVal
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if seen[k.Value] {
			r.bad(k, "key %q appears twice in %s", k.Value, what)
			continue
		}
		seen[k.Value] = true
		out = append(out, keyVal{key: k.Value, keyNode: k, val: n.Content[i+1]})
	}
	return out
}

func (r *reader) sequence(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		r.bad(n, "%s must be a list", what)
		return nil
	}
	return n.Content
}

func (r *reader) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode {
		r.bad(n, "%s must be a string", what)
		return ""
	}
	return n.Value
}

func (r *reader) strings(n *yaml.Node, what string) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range r.sequence(n, what) {
		out = append(out, r.str(c, "each item of "+what))
	}
	return out
}

func (r *reader) float(n *yaml.Node, what string) float64 {
	f, err := strconv.ParseFloat(n.Value, 64)
	if n.Kind != yaml.ScalarNode || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		r.bad(n, "%s must be a number, not %q", what, n.Value)
		return 0
	}
	return f
}

func (r *reader) nonNegative(n *yaml.Node, what string) float64 {
	f := r.float(n, what)
	if f < 0 {
		r.bad(n, "%s must not be negative", what)
	}
	return f
}

func (r *reader) integer(n *yaml.Node, what string, min int) int {
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		r.bad(n, "%s must be a whole number, not %q", what, n.Value)
		return min
	}
	if v < min {
		r.bad(n, "%s must be at least %d", what, min)
		return min
	}
	return v
}

func (r *reader) settings(n *yaml.Node) *settingsSpec {
	s := &settingsSpec{file: r.file, line: n.Line, fieldWeights: fieldWeights{1, 1, 1}, maxHits: 3, actorEvid: 3,
		negWindow: 3, afterWindow: 2, outlookRatio: 1, framingRatio: 1, topicMins: map[string]float64{},
		reportedWeight: 1, contradictedWeight: 1, headWeight: 1, voice: voiceSpec{modalWindow: 4, concededWeight: 1}}
	required := map[string]bool{"relevance": false, "topics": false, "outlook": false, "framing": false}
	for _, kv := range r.mapping(n, "settings") {
		switch kv.key {
		case "field_weights":
			s.fieldWeights = r.fieldWeights(kv.val, fieldWeights{1, 1, 1})
		case "max_hits":
			s.maxHits = r.integer(kv.val, "settings.max_hits", 1)
		case "actor_evidence":
			s.actorEvid = r.integer(kv.val, "settings.actor_evidence", 0)
		case "negation":
			for _, x := range r.mapping(kv.val, "settings.negation") {
				switch x.key {
				case "window":
					s.negWindow = r.integer(x.val, "settings.negation.window", 1)
				case "words":
					s.negWords = r.strings(x.val, "settings.negation.words")
				case "after_window":
					s.afterWindow = r.integer(x.val, "settings.negation.after_window", 1)
				case "after_words":
					s.afterWords = r.strings(x.val, "settings.negation.after_words")
				case "barriers":
					s.barriers = r.strings(x.val, "settings.negation.barriers")
				default:
					r.bad(x.keyNode, "unknown key %q in settings.negation (want window, words, after_window, after_words, barriers)", x.key)
				}
			}
		case "voice":
			s.voice = r.voice(kv.val, s.voice)
		case "relevance":
			required[kv.key] = true
			r.numbers(kv.val, "settings.relevance", map[string]*float64{"threshold": &s.relevance})
		case "topics":
			required[kv.key] = true
			for _, x := range r.mapping(kv.val, "settings.topics") {
				switch x.key {
				case "threshold":
					s.topicMin = r.nonNegative(x.val, "settings.topics.threshold")
				case "thresholds":
					for _, t := range r.mapping(x.val, "settings.topics.thresholds") {
						if !isTopic(t.key) {
							r.bad(t.keyNode, "settings.topics.thresholds: %q is not a topic (want one of %s)", t.key, strings.Join(topicNames, ", "))
						}
						s.topicMins[t.key] = r.nonNegative(t.val, "settings.topics.thresholds."+t.key)
					}
				default:
					r.bad(x.keyNode, "unknown key %q in settings.topics (want threshold, thresholds)", x.key)
				}
			}
		case "outlook":
			required[kv.key] = true
			r.numbers(kv.val, "settings.outlook", map[string]*float64{"min": &s.outlookMin, "margin": &s.outlookMarg, "ratio": &s.outlookRatio,
				"reported_weight": &s.reportedWeight, "contradicted_weight": &s.contradictedWeight, "head_weight": &s.headWeight})
		case "framing":
			required[kv.key] = true
			r.numbers(kv.val, "settings.framing", map[string]*float64{"min": &s.framingMin, "margin": &s.framingMarg, "ratio": &s.framingRatio})
		default:
			r.bad(kv.keyNode, "unknown key %q in settings", kv.key)
		}
	}
	for _, k := range []string{"relevance", "topics", "outlook", "framing"} {
		if !required[k] {
			r.bad(n, "settings.%s is missing: its thresholds must be set in the rule files", k)
		}
	}
	return s
}

// voice reads settings.voice.
func (r *reader) voice(n *yaml.Node, v voiceSpec) voiceSpec {
	for _, x := range r.mapping(n, "settings.voice") {
		switch x.key {
		case "reporting":
			v.reporting = r.strings(x.val, "settings.voice.reporting")
		case "modal":
			v.modal = r.strings(x.val, "settings.voice.modal")
		case "modal_window":
			v.modalWindow = r.integer(x.val, "settings.voice.modal_window", 1)
		case "concessive":
			v.concessive = r.strings(x.val, "settings.voice.concessive")
		case "contrast":
			v.contrast = r.strings(x.val, "settings.voice.contrast")
		case "conceded_weight":
			v.concededWeight = r.nonNegative(x.val, "settings.voice.conceded_weight")
		case "headline_labels":
			v.headlineLabels = r.strings(x.val, "settings.voice.headline_labels")
		default:
			r.bad(x.keyNode, "unknown key %q in settings.voice (want reporting, modal, modal_window, concessive, contrast, conceded_weight, headline_labels)", x.key)
		}
	}
	return v
}

// numbers reads a mapping of non-negative numbers into the given fields.
func (r *reader) numbers(n *yaml.Node, what string, fields map[string]*float64) {
	for _, kv := range r.mapping(n, what) {
		dst, ok := fields[kv.key]
		if !ok {
			keys := make([]string, 0, len(fields))
			for k := range fields {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			r.bad(kv.keyNode, "unknown key %q in %s (want %s)", kv.key, what, strings.Join(keys, ", "))
			continue
		}
		*dst = r.nonNegative(kv.val, what+"."+kv.key)
	}
}

func (r *reader) fieldWeights(n *yaml.Node, def fieldWeights) fieldWeights {
	fw := def
	for _, kv := range r.mapping(n, "field_weights") {
		switch kv.key {
		case "title":
			fw.title = r.nonNegative(kv.val, "field_weights.title")
		case "lead":
			fw.lead = r.nonNegative(kv.val, "field_weights.lead")
		case "body":
			fw.body = r.nonNegative(kv.val, "field_weights.body")
		default:
			r.bad(kv.keyNode, "unknown field %q in field_weights (want title, lead, body)", kv.key)
		}
	}
	return fw
}

func (r *reader) ruleSpec(n *yaml.Node) *ruleSpec {
	rs := &ruleSpec{file: r.file, line: n.Line, weight: 1, quotedWeight: 1}
	r.rule = ""
	defer func() { r.rule = "" }()
	kvs := r.mapping(n, "a rule")
	for _, kv := range kvs {
		if kv.key == "id" {
			rs.id = r.str(kv.val, "id")
			r.rule = fmt.Sprintf("rule %q", rs.id)
		}
	}
	if rs.id == "" {
		r.bad(n, "rule without an id")
		return nil
	}
	if !idPattern.MatchString(rs.id) {
		r.bad(n, "id must use lower-case letters, digits, '_', '.' and '-'")
	}
	for _, kv := range kvs {
		switch kv.key {
		case "id":
		case "label":
			rs.label, rs.labelLine = r.str(kv.val, "label"), kv.val.Line
		case "description":
			rs.description = r.str(kv.val, "description")
		case "weight":
			rs.weight = r.float(kv.val, "weight")
			if rs.weight == 0 {
				r.bad(kv.val, "weight 0 would make the rule do nothing; remove the rule instead")
			}
		case "scope":
			rs.scope = r.strings(kv.val, "scope")
			for _, s := range rs.scope {
				if s != "title" && s != "lead" && s != "body" {
					r.bad(kv.val, "scope %q is not one of title, lead, body", s)
				}
			}
		case "field_weights":
			fw := r.fieldWeights(kv.val, fieldWeights{-1, -1, -1})
			rs.fieldWeights = &fw
		case "quotes":
			rs.quotes = r.str(kv.val, "quotes")
			if rs.quotes != "include" && rs.quotes != "exclude" && rs.quotes != "only" {
				r.bad(kv.val, "quotes must be include, exclude or only, not %q", rs.quotes)
			}
		case "quoted_weight":
			rs.quotedWeight = r.nonNegative(kv.val, "quoted_weight")
		case "negation":
			rs.negation = r.str(kv.val, "negation")
			if rs.negation != "ignore" && rs.negation != "cancel" && rs.negation != "flip" {
				r.bad(kv.val, "negation must be ignore, cancel or flip, not %q", rs.negation)
			}
		case "flip_to":
			rs.flipTo = r.str(kv.val, "flip_to")
		case "max_hits":
			rs.maxHits = r.integer(kv.val, "max_hits", 1)
		case "langs":
			rs.langs = r.strings(kv.val, "langs")
		case "match":
			rs.match = r.cond(kv.val)
		case "exclude":
			rs.exclude, rs.excludeWithin = r.exclude(kv.val)
		case "tests":
			rs.tests = r.tests(kv.val)
		default:
			r.bad(kv.keyNode, "unknown key %q (want id, label, description, weight, scope, field_weights, quotes, quoted_weight, negation, flip_to, max_hits, langs, match, exclude, tests)", kv.key)
		}
	}
	if rs.label == "" {
		r.bad(n, "no label")
	}
	if rs.match == nil {
		r.bad(n, "no match: a rule needs something to match")
	}
	return rs
}

func (r *reader) actorSpec(n *yaml.Node) *ruleSpec {
	rs := &ruleSpec{file: r.file, line: n.Line, weight: 1, actor: true, negation: "ignore", quotes: "include", quotedWeight: 1}
	r.rule = ""
	defer func() { r.rule = "" }()
	kvs := r.mapping(n, "an actor")
	var name string
	for _, kv := range kvs {
		if kv.key == "name" {
			name = r.str(kv.val, "name")
			r.rule = fmt.Sprintf("actor %q", name)
		}
	}
	if strings.TrimSpace(name) == "" {
		r.bad(n, "actor without a name")
		return nil
	}
	rs.label = "actor:" + name
	rs.id = "actor." + strings.ToLower(strings.Join(strings.Fields(name), "_"))
	for _, kv := range kvs {
		switch kv.key {
		case "name":
		case "kind":
			k := r.str(kv.val, "kind")
			if k != "person" && k != "body" && k != "country" {
				r.bad(kv.val, "kind must be person, body or country, not %q", k)
			}
		case "description":
			rs.description = r.str(kv.val, "description")
		case "aliases":
			al := r.strings(kv.val, "aliases")
			if len(al) == 0 {
				r.bad(kv.val, "no aliases")
			}
			rs.match = &condSpec{op: "any", line: kv.val.Line}
			for _, a := range al {
				rs.match.kids = append(rs.match.kids, &condSpec{op: "phrase", text: a, line: kv.val.Line})
			}
		case "exclude":
			rs.exclude, rs.excludeWithin = r.exclude(kv.val)
		case "tests":
			rs.tests = r.tests(kv.val)
		default:
			r.bad(kv.keyNode, "unknown key %q (want name, kind, description, aliases, exclude, tests)", kv.key)
		}
	}
	if rs.match == nil {
		r.bad(n, "no aliases")
	}
	return rs
}

var condOps = "phrase, terms, any, all, none, near (with within), n_of (with of)"

// cond parses a match condition: a phrase, a $term-set reference, a list
// (any of), or a mapping with one operator.
func (r *reader) cond(n *yaml.Node) *condSpec {
	switch n.Kind {
	case yaml.ScalarNode:
		if strings.HasPrefix(n.Value, "$") {
			return &condSpec{op: "terms", text: n.Value[1:], line: n.Line}
		}
		return &condSpec{op: "phrase", text: n.Value, line: n.Line}
	case yaml.SequenceNode:
		c := &condSpec{op: "any", line: n.Line}
		for _, k := range n.Content {
			if kc := r.cond(k); kc != nil {
				c.kids = append(c.kids, kc)
			}
		}
		if len(c.kids) == 0 {
			r.bad(n, "empty list")
			return nil
		}
		return c
	case yaml.MappingNode:
	default:
		r.bad(n, "a condition must be a phrase, a list or a mapping with one of %s", condOps)
		return nil
	}
	kvs := r.mapping(n, "a condition")
	var op *keyVal
	var within, of *keyVal
	for i := range kvs {
		kv := &kvs[i]
		switch kv.key {
		case "phrase", "terms", "any", "all", "none", "near", "n_of":
			if op != nil {
				r.bad(kv.keyNode, "one operator per condition: %q and %q are both here; nest them", op.key, kv.key)
				return nil
			}
			op = kv
		case "within":
			within = kv
		case "of":
			of = kv
		default:
			r.bad(kv.keyNode, "unknown key %q in a condition (want %s)", kv.key, condOps)
			return nil
		}
	}
	if op == nil {
		r.bad(n, "a condition needs one of %s", condOps)
		return nil
	}
	if within != nil && op.key != "near" {
		r.bad(within.keyNode, "within goes with near, not %s", op.key)
	}
	if of != nil && op.key != "n_of" {
		r.bad(of.keyNode, "of goes with n_of, not %s", op.key)
	}
	c := &condSpec{op: op.key, line: op.keyNode.Line}
	switch op.key {
	case "phrase":
		c.text = r.str(op.val, "phrase")
	case "terms":
		c.text = strings.TrimPrefix(r.str(op.val, "terms"), "$")
	case "any", "all", "none", "near":
		for _, k := range r.sequence(op.val, op.key) {
			if kc := r.cond(k); kc != nil {
				c.kids = append(c.kids, kc)
			}
		}
		if len(c.kids) == 0 {
			r.bad(op.val, "%s needs at least one item", op.key)
			return nil
		}
		if op.key == "near" {
			if len(c.kids) < 2 {
				r.bad(op.val, "near needs at least two items")
			}
			if within == nil {
				r.bad(op.keyNode, "near needs within: a number of words, sentence or paragraph")
			} else {
				c.within = r.window(within.val)
			}
		}
	case "n_of":
		c.n = r.integer(op.val, "n_of", 1)
		if of == nil {
			r.bad(op.keyNode, "n_of needs of: a list of conditions")
			return nil
		}
		for _, k := range r.sequence(of.val, "of") {
			if kc := r.cond(k); kc != nil {
				c.kids = append(c.kids, kc)
			}
		}
		if c.n > len(c.kids) {
			r.bad(op.val, "n_of %d but only %d conditions", c.n, len(c.kids))
		}
	}
	return c
}

func (r *reader) window(n *yaml.Node) window {
	switch n.Value {
	case "sentence":
		return window{unit: withinSentence}
	case "paragraph":
		return window{unit: withinParagraph}
	case "article":
		return window{unit: withinArticle}
	}
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || v < 0 {
		r.bad(n, "within must be a number of words, sentence, paragraph or article, not %q", n.Value)
	}
	return window{unit: withinTokens, n: v}
}

// exclude parses `exclude:` — a list of phrases, or a mapping with an
// optional within (default sentence) and one condition operator.
func (r *reader) exclude(n *yaml.Node) (*condSpec, window) {
	w := window{unit: withinSentence}
	if n.Kind != yaml.MappingNode {
		return r.cond(n), w
	}
	rest := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "within" {
			w = r.window(n.Content[i+1])
			continue
		}
		rest.Content = append(rest.Content, n.Content[i], n.Content[i+1])
	}
	return r.cond(rest), w
}

func (r *reader) tests(n *yaml.Node) []testSpec {
	var out []testSpec
	for _, item := range r.sequence(n, "tests") {
		kvs := r.mapping(item, "a test")
		if len(kvs) != 1 {
			r.bad(item, "a test is one of `ruleid: TEXT` (must match), `ok: TEXT` (must not match) or `negated: TEXT` (must match negated)")
			continue
		}
		kv := kvs[0]
		if kv.key != "ruleid" && kv.key != "ok" && kv.key != "negated" {
			r.bad(kv.keyNode, "unknown test kind %q (want ruleid, ok or negated)", kv.key)
			continue
		}
		t := testSpec{kind: kv.key, line: kv.keyNode.Line}
		if kv.val.Kind == yaml.MappingNode {
			for _, f := range r.mapping(kv.val, "a test text") {
				switch f.key {
				case "title":
					t.title = r.str(f.val, "title")
				case "body":
					t.body = r.str(f.val, "body")
				default:
					r.bad(f.keyNode, "unknown key %q in a test text (want title, body)", f.key)
				}
			}
		} else {
			t.body = r.str(kv.val, "a test text")
		}
		if strings.TrimSpace(t.title+t.body) == "" {
			r.bad(kv.val, "empty test text")
			continue
		}
		out = append(out, t)
	}
	return out
}

func (r *reader) exampleSpec(n *yaml.Node) *exampleSpec {
	ex := &exampleSpec{file: r.file, line: n.Line, expect: map[string]any{}}
	r.rule = ""
	defer func() { r.rule = "" }()
	kvs := r.mapping(n, "an example")
	for _, kv := range kvs {
		if kv.key == "name" {
			ex.name = r.str(kv.val, "name")
			r.rule = fmt.Sprintf("example %q", ex.name)
		}
	}
	if ex.name == "" {
		r.bad(n, "example without a name")
		return nil
	}
	for _, kv := range kvs {
		switch kv.key {
		case "name":
		case "title":
			ex.title = r.str(kv.val, "title")
		case "body":
			ex.body = r.str(kv.val, "body")
		case "lang":
			ex.lang = r.str(kv.val, "lang")
		case "expect":
			for _, e := range r.mapping(kv.val, "expect") {
				switch e.key {
				case "relevant":
					b, err := strconv.ParseBool(e.val.Value)
					if err != nil {
						r.bad(e.val, "expect.relevant must be true or false")
					}
					ex.expect["relevant"] = b
				case "topics", "actors":
					ex.expect[e.key] = r.strings(e.val, "expect."+e.key)
				case "outlook", "framing":
					ex.expect[e.key] = r.str(e.val, "expect."+e.key)
				default:
					r.bad(e.keyNode, "unknown key %q in expect (want relevant, topics, outlook, framing, actors)", e.key)
				}
			}
		default:
			r.bad(kv.keyNode, "unknown key %q in an example (want name, title, body, lang, expect)", kv.key)
		}
	}
	if len(ex.expect) == 0 {
		r.bad(n, "example has no expect")
	}
	return ex
}
