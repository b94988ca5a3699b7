package tagger

import (
	"fmt"
	"math"
	"regexp"
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

// reader parses one file, collecting problems.
type reader struct {
	file     string
	problems *[]problem
	rule     string // the rule, actor or example being read, for messages
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
	for _, kv := range r.mapping(doc.Content[0], "the top level") {
		switch kv.key {
		case "settings":
			fs.settings = r.settings(kv.val)
		case "terms":
			fs.terms = append(fs.terms, r.terms(kv.val)...)
		case "rules":
			fs.rules = append(fs.rules, entries(r, kv.val, "rules", r.ruleSpec)...)
		case "actors":
			fs.rules = append(fs.rules, entries(r, kv.val, "actors", r.actorSpec)...)
		case "examples":
			fs.examples = append(fs.examples, entries(r, kv.val, "examples", r.exampleSpec)...)
		default:
			r.bad(kv.keyNode, "unknown section %q (want settings, terms, rules, actors or examples)", kv.key)
		}
	}
	return fs
}

// entries reads each item of a list of rules, actors or examples,
// leaving out those too broken to read; the item's name, once known, is
// in every problem found inside it.
func entries[T any](r *reader, n *yaml.Node, what string, read func(*yaml.Node) *T) []*T {
	var out []*T
	for _, item := range r.sequence(n, what) {
		r.rule = ""
		if v := read(item); v != nil {
			out = append(out, v)
		}
	}
	r.rule = ""
	return out
}

// named finds the key that names an entry (a rule's id, an actor's or an
// example's name) before the other keys are read, so that their problems
// can say which entry they are in.
func (r *reader) named(kvs []keyVal, key, kind string) string {
	var name string
	for _, kv := range kvs {
		if kv.key == key {
			name = r.str(kv.val, key)
			r.rule = fmt.Sprintf("%s %q", kind, name)
		}
	}
	return name
}

func (r *reader) terms(n *yaml.Node) []*termSpec {
	var out []*termSpec
	for _, t := range r.mapping(n, "terms") {
		items := r.strings(t.val, "term set "+t.key)
		if len(items) == 0 {
			r.bad(t.val, "term set %q is empty", t.key)
		}
		if !idPattern.MatchString(t.key) {
			r.bad(t.keyNode, "term set name %q: use lower-case letters, digits, '_', '.' and '-'", t.key)
		}
		out = append(out, &termSpec{file: r.file, name: t.key, line: t.keyNode.Line, items: items})
	}
	return out
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

// field is one key a mapping may have and how to read its value; name
// is what messages call the value ("settings.max_hits", "weight").
type field struct {
	key  string
	read func(v *yaml.Node, name string) // nil: read elsewhere (an entry's name)
}

// fields is the one walk over a mapping with known keys: each value goes
// to its field's reader, in the order written, named prefix+key; a key
// not among the fields is reported as unknown (unknown is a format with
// one %q for the key), followed by the keys wanted. It returns the keys
// present.
func (r *reader) fields(kvs []keyVal, prefix, unknown string, fields ...field) map[string]bool {
	present := map[string]bool{}
next:
	for _, kv := range kvs {
		for _, f := range fields {
			if f.key == kv.key {
				present[kv.key] = true
				if f.read != nil {
					f.read(kv.val, prefix+kv.key)
				}
				continue next
			}
		}
		want := make([]string, len(fields))
		for i, f := range fields {
			want[i] = f.key
		}
		r.bad(kv.keyNode, unknown+" (want %s)", kv.key, strings.Join(want, ", "))
	}
	return present
}

// section reads a nested mapping of settings such as settings.negation:
// its values are named what.key and unknown keys are "in what".
func (r *reader) section(n *yaml.Node, what string, fields ...field) map[string]bool {
	return r.fields(r.mapping(n, what), what+".", "unknown key %q in "+what, fields...)
}

// The common kinds of field.

func (r *reader) textField(key string, dst *string) field {
	return field{key, func(v *yaml.Node, name string) { *dst = r.str(v, name) }}
}

func (r *reader) listField(key string, dst *[]string) field {
	return field{key, func(v *yaml.Node, name string) { *dst = r.strings(v, name) }}
}

func (r *reader) amountField(key string, dst *float64) field {
	return field{key, func(v *yaml.Node, name string) { *dst = r.nonNegative(v, name) }}
}

func (r *reader) countField(key string, dst *int, min int) field {
	return field{key, func(v *yaml.Node, name string) { *dst = r.integer(v, name, min) }}
}

// choiceField is a string that must be one of options.
func (r *reader) choiceField(key string, dst *string, options ...string) field {
	return field{key, func(v *yaml.Node, name string) {
		*dst = r.str(v, name)
		for _, o := range options {
			if *dst == o {
				return
			}
		}
		last := len(options) - 1
		r.bad(v, "%s must be %s or %s, not %q", name, strings.Join(options[:last], ", "), options[last], *dst)
	}}
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
		reportedWeight: 1, contradictedWeight: 1, headWeight: 1, leanRatio: 1, voice: voiceSpec{modalWindow: 4, modalAfterWindow: 2, concededWeight: 1}}
	present := r.fields(r.mapping(n, "settings"), "settings.", "unknown key %q in settings",
		field{"field_weights", func(v *yaml.Node, _ string) { s.fieldWeights = r.fieldWeights(v, fieldWeights{1, 1, 1}) }},
		r.countField("max_hits", &s.maxHits, 1),
		r.countField("actor_evidence", &s.actorEvid, 0),
		field{"negation", func(v *yaml.Node, name string) {
			r.section(v, name,
				r.countField("window", &s.negWindow, 1),
				r.listField("words", &s.negWords),
				r.countField("after_window", &s.afterWindow, 1),
				r.listField("after_words", &s.afterWords),
				r.listField("elliptic", &s.elliptic),
				r.listField("not", &s.notNeg),
				r.listField("through", &s.negThrough),
				r.listField("barriers", &s.barriers))
		}},
		r.listField("furniture", &s.furniture),
		r.listField("furniture_inline", &s.furnitureInline),
		field{"voice", func(v *yaml.Node, name string) {
			r.section(v, name,
				r.listField("reporting", &s.voice.reporting),
				r.listField("hearsay", &s.voice.hearsay),
				r.listField("relative", &s.voice.relative),
				r.listField("background", &s.voice.background),
				r.listField("back_reference", &s.voice.backReference),
				r.listField("back_reference_open", &s.voice.backRefOpen),
				r.listField("modal", &s.voice.modal),
				r.listField("modal_after", &s.voice.modalAfter),
				r.countField("modal_after_window", &s.voice.modalAfterWindow, 1),
				r.listField("conditional", &s.voice.conditional),
				r.countField("modal_window", &s.voice.modalWindow, 1),
				r.listField("hoped_clause", &s.voice.hopedClause),
				r.listField("concessive", &s.voice.concessive),
				r.listField("contrast", &s.voice.contrast),
				r.listField("contrast_opening", &s.voice.contrastOpening),
				r.amountField("conceded_weight", &s.voice.concededWeight),
				r.listField("headline_labels", &s.voice.headlineLabels),
				r.listField("alternative", &s.voice.alternative),
				r.listField("speaker_topic", &s.voice.speakerTopic),
				r.listField("indirect_question", &s.voice.indirectQuestion),
				r.listField("indirect_question_not", &s.voice.indirectQuestionNot))
		}},
		field{"relevance", func(v *yaml.Node, name string) {
			r.section(v, name, r.amountField("threshold", &s.relevance),
				r.amountField("outlook_weight", &s.relOutlookWeight),
				r.amountField("outlook_headline_weight", &s.relOutlookTitle),
				r.countField("outlook_max", &s.relOutlookMax, 0),
				r.listField("outlook_not", &s.relOutlookNot),
				r.listField("outlook_names", &s.relOutlookNames))
		}},
		field{"topics", func(v *yaml.Node, name string) {
			r.section(v, name,
				r.amountField("threshold", &s.topicMin),
				field{"thresholds", func(v *yaml.Node, name string) { r.topicThresholds(v, name, s.topicMins) }})
		}},
		field{"outlook", func(v *yaml.Node, name string) {
			r.section(v, name, r.amountField("margin", &s.outlookMarg), r.amountField("min", &s.outlookMin), r.amountField("ratio", &s.outlookRatio),
				r.amountField("reported_weight", &s.reportedWeight), r.amountField("contradicted_weight", &s.contradictedWeight),
				r.amountField("head_weight", &s.headWeight), r.amountField("mixed_min", &s.mixedMin),
				r.amountField("lean_ratio", &s.leanRatio), r.choiceField("lone_aside", &s.loneAside, "count", "drop", "drop_any"),
				r.choiceField("soft_alone", &s.softAlone, "weigh", "progress"),
				r.choiceField("headline_quotes", &s.headQuotes, "quoted", "own"),
				r.listField("elsewhere", &s.elsewhere), r.listField("this_war", &s.thisWar),
				r.listField("other_talks", &s.otherTalks), r.listField("peace_words", &s.peaceWords),
				r.listField("history", &s.history), r.listField("polls", &s.polls), r.listField("side_tracks", &s.sideTracks), r.listField("outsiders", &s.outsiders), r.listField("side_deals", &s.sideDeals), r.listField("side_deal_links", &s.sideDealLinks), r.listField("anchors", &s.anchors),
				r.listField("exchange_track", &s.exchangeTrack), r.amountField("exchange_mixed", &s.exchangeMixed),
				r.listField("ukraine_side", &s.ukraineSide), r.listField("russia_side", &s.russiaSide))
		}},
		field{"framing", func(v *yaml.Node, name string) {
			r.section(v, name, r.amountField("margin", &s.framingMarg), r.amountField("min", &s.framingMin), r.amountField("ratio", &s.framingRatio))
		}},
	)
	for _, k := range []string{"relevance", "topics", "outlook", "framing"} {
		if !present[k] {
			r.bad(n, "settings.%s is missing: its thresholds must be set in the rule files", k)
		}
	}
	return s
}

// topicThresholds reads the per-topic thresholds, keyed by topic name.
func (r *reader) topicThresholds(n *yaml.Node, what string, mins map[string]float64) {
	for _, t := range r.mapping(n, what) {
		if !isTopic(t.key) {
			r.bad(t.keyNode, "%s: %q is not a topic (want one of %s)", what, t.key, strings.Join(topicNames, ", "))
		}
		mins[t.key] = r.nonNegative(t.val, what+"."+t.key)
	}
}

func (r *reader) fieldWeights(n *yaml.Node, def fieldWeights) fieldWeights {
	fw := def
	r.fields(r.mapping(n, "field_weights"), "field_weights.", "unknown field %q in field_weights",
		r.amountField("title", &fw.title),
		r.amountField("lead", &fw.lead),
		r.amountField("body", &fw.body))
	return fw
}

func (r *reader) ruleSpec(n *yaml.Node) *ruleSpec {
	rs := &ruleSpec{file: r.file, line: n.Line, weight: 1, quotedWeight: 1}
	kvs := r.mapping(n, "a rule")
	if rs.id = r.named(kvs, "id", "rule"); rs.id == "" {
		r.bad(n, "rule without an id")
		return nil
	}
	if !idPattern.MatchString(rs.id) {
		r.bad(n, "id must use lower-case letters, digits, '_', '.' and '-'")
	}
	r.fields(kvs, "", "unknown key %q",
		field{"id", nil},
		field{"label", func(v *yaml.Node, name string) { rs.label, rs.labelLine = r.str(v, name), v.Line }},
		r.textField("description", &rs.description),
		field{"weight", func(v *yaml.Node, name string) {
			if rs.weight = r.float(v, name); rs.weight == 0 {
				r.bad(v, "weight 0 would make the rule do nothing; remove the rule instead")
			}
		}},
		field{"scope", func(v *yaml.Node, name string) {
			rs.scope = r.strings(v, name)
			for _, s := range rs.scope {
				if s != "title" && s != "lead" && s != "body" {
					r.bad(v, "scope %q is not one of title, lead, body", s)
				}
			}
		}},
		field{"field_weights", func(v *yaml.Node, _ string) {
			fw := r.fieldWeights(v, fieldWeights{-1, -1, -1})
			rs.fieldWeights = &fw
		}},
		r.choiceField("quotes", &rs.quotes, "include", "exclude", "only"),
		r.amountField("quoted_weight", &rs.quotedWeight),
		r.choiceField("case", &rs.letterCase, "any", "lower"),
		r.choiceField("modal", &rs.modal, "apply", "ignore"),
		r.choiceField("claim", &rs.claim, "firm", "soft", "offer", "implied"),
		r.choiceField("negation", &rs.negation, "ignore", "cancel", "flip"),
		r.textField("flip_to", &rs.flipTo),
		r.countField("max_hits", &rs.maxHits, 1),
		r.listField("langs", &rs.langs),
		field{"match", func(v *yaml.Node, _ string) { rs.match = r.cond(v) }},
		r.excludeField(rs),
		r.testsField(rs),
	)
	if rs.label == "" {
		r.bad(n, "no label")
	}
	if rs.match == nil {
		r.bad(n, "no match: a rule needs something to match")
	}
	return rs
}

// actorSpec reads an entry of the actors gazetteer as a rule: its aliases
// are the phrases it matches, its label actor:<name>.
func (r *reader) actorSpec(n *yaml.Node) *ruleSpec {
	rs := &ruleSpec{file: r.file, line: n.Line, weight: 1, actor: true, negation: "ignore", quotes: "include", quotedWeight: 1}
	kvs := r.mapping(n, "an actor")
	name := r.named(kvs, "name", "actor")
	if strings.TrimSpace(name) == "" {
		r.bad(n, "actor without a name")
		return nil
	}
	rs.label = "actor:" + name
	rs.id = "actor." + strings.ToLower(strings.Join(strings.Fields(name), "_"))
	var kind string
	r.fields(kvs, "", "unknown key %q",
		field{"name", nil},
		r.choiceField("kind", &kind, "person", "body", "country"),
		r.textField("description", &rs.description),
		field{"aliases", func(v *yaml.Node, name string) {
			al := r.strings(v, name)
			if len(al) == 0 {
				r.bad(v, "no aliases")
			}
			rs.match = &condSpec{op: "any", line: v.Line}
			for _, a := range al {
				rs.match.kids = append(rs.match.kids, &condSpec{op: "phrase", text: a, line: v.Line})
			}
		}},
		r.excludeField(rs),
		r.testsField(rs),
	)
	if rs.match == nil {
		r.bad(n, "no aliases")
	}
	return rs
}

func (r *reader) excludeField(rs *ruleSpec) field {
	return field{"exclude", func(v *yaml.Node, _ string) { rs.excludes = r.excludes(v) }}
}

func (r *reader) testsField(rs *ruleSpec) field {
	return field{"tests", func(v *yaml.Node, _ string) { rs.tests = r.tests(v) }}
}

var condOps = "phrase, terms, any, all, none, affirmed, near (with within), n_of (with of)"

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
		c := &condSpec{op: "any", line: n.Line, kids: r.conds(n.Content)}
		if len(c.kids) == 0 {
			r.bad(n, "empty list")
			return nil
		}
		return c
	case yaml.MappingNode:
		return r.condMapping(n)
	}
	r.bad(n, "a condition must be a phrase, a list or a mapping with one of %s", condOps)
	return nil
}

// conds parses a list of conditions, leaving out the ones in error.
func (r *reader) conds(items []*yaml.Node) []*condSpec {
	var out []*condSpec
	for _, k := range items {
		if kc := r.cond(k); kc != nil {
			out = append(out, kc)
		}
	}
	return out
}

// condMapping parses a condition written as a mapping: one operator, and
// within or of when the operator takes them.
func (r *reader) condMapping(n *yaml.Node) *condSpec {
	op, within, of := r.condKeys(n)
	if op == nil {
		return nil
	}
	c := &condSpec{op: op.key, line: op.keyNode.Line}
	switch op.key {
	case "phrase":
		c.text = r.str(op.val, "phrase")
	case "terms":
		c.text = strings.TrimPrefix(r.str(op.val, "terms"), "$")
	case "any", "all", "none", "affirmed", "near":
		if c.kids = r.conds(r.sequence(op.val, op.key)); len(c.kids) == 0 {
			r.bad(op.val, "%s needs at least one item", op.key)
			return nil
		}
		if op.key == "near" {
			r.near(c, op, within)
		}
	case "n_of":
		return r.nOf(c, op, of)
	}
	return c
}

// condKeys sorts a condition's keys into its one operator and the
// optional within and of, checking that they go together; op is nil if
// the condition cannot be read.
func (r *reader) condKeys(n *yaml.Node) (op, within, of *keyVal) {
	kvs := r.mapping(n, "a condition")
	for i := range kvs {
		switch kv := &kvs[i]; kv.key {
		case "phrase", "terms", "any", "all", "none", "affirmed", "near", "n_of":
			if op != nil {
				r.bad(kv.keyNode, "one operator per condition: %q and %q are both here; nest them", op.key, kv.key)
				return nil, nil, nil
			}
			op = kv
		case "within":
			within = kv
		case "of":
			of = kv
		default:
			r.bad(kv.keyNode, "unknown key %q in a condition (want %s)", kv.key, condOps)
			return nil, nil, nil
		}
	}
	if op == nil {
		r.bad(n, "a condition needs one of %s", condOps)
		return nil, nil, nil
	}
	if within != nil && op.key != "near" {
		r.bad(within.keyNode, "within goes with near, not %s", op.key)
	}
	if of != nil && op.key != "n_of" {
		r.bad(of.keyNode, "of goes with n_of, not %s", op.key)
	}
	return op, within, of
}

// near completes a near condition: two items or more, and a window.
func (r *reader) near(c *condSpec, op, within *keyVal) {
	if len(c.kids) < 2 {
		r.bad(op.val, "near needs at least two items")
	}
	if within == nil {
		r.bad(op.keyNode, "near needs within: a number of words, sentence or paragraph")
		return
	}
	c.within = r.window(within.val)
}

// nOf completes an n_of condition: its count and the list it counts in.
func (r *reader) nOf(c *condSpec, op, of *keyVal) *condSpec {
	c.n = r.integer(op.val, "n_of", 1)
	if of == nil {
		r.bad(op.keyNode, "n_of needs of: a list of conditions")
		return nil
	}
	c.kids = r.conds(r.sequence(of.val, "of"))
	if c.n > len(c.kids) {
		r.bad(op.val, "n_of %d but only %d conditions", c.n, len(c.kids))
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

// excludes parses `exclude:` — one exclusion, or a list of exclusions
// written as mappings (each with its own within): "could" within four
// words of the match and "Qatar" anywhere in its sentence.
func (r *reader) excludes(n *yaml.Node) []excludeSpec {
	if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
		all := true
		for _, k := range n.Content {
			all = all && k.Kind == yaml.MappingNode && (hasKey(k, "within") || hasKey(k, "before"))
		}
		if all {
			out := make([]excludeSpec, 0, len(n.Content))
			for _, k := range n.Content {
				c, w := r.exclude(k)
				out = append(out, excludeSpec{c, w})
			}
			return out
		}
	}
	c, w := r.exclude(n)
	return []excludeSpec{{c, w}}
}

// hasKey reports whether mapping n has the key.
func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

// exclude parses one exclusion: a list of phrases, or a mapping with an
// optional within (default sentence) or before (a number of words: the
// phrase ends that close before the match, "after a" before "ceasefire"
// but not "a ceasefire after the talks") and one condition operator.
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
		if n.Content[i].Value == "before" {
			if w = r.window(n.Content[i+1]); w.unit != withinTokens {
				r.bad(n.Content[i+1], "before must be a number of words, not %q", n.Content[i+1].Value)
			}
			w.unit = withinBefore
			continue
		}
		rest.Content = append(rest.Content, n.Content[i], n.Content[i+1])
	}
	return r.cond(rest), w
}

func (r *reader) tests(n *yaml.Node) []testSpec {
	var out []testSpec
	for _, item := range r.sequence(n, "tests") {
		if t, ok := r.test(item); ok {
			out = append(out, t)
		}
	}
	return out
}

// test reads one test of a rule: `kind: TEXT` or `kind: {title, body}`.
func (r *reader) test(item *yaml.Node) (testSpec, bool) {
	kvs := r.mapping(item, "a test")
	if len(kvs) != 1 {
		r.bad(item, "a test is one of `ruleid: TEXT` (must match), `ok: TEXT` (must not match) or `negated: TEXT` (must match negated)")
		return testSpec{}, false
	}
	kv := kvs[0]
	if kv.key != "ruleid" && kv.key != "ok" && kv.key != "negated" {
		r.bad(kv.keyNode, "unknown test kind %q (want ruleid, ok or negated)", kv.key)
		return testSpec{}, false
	}
	t := testSpec{kind: kv.key, line: kv.keyNode.Line}
	if kv.val.Kind == yaml.MappingNode {
		r.fields(r.mapping(kv.val, "a test text"), "", "unknown key %q in a test text",
			r.textField("title", &t.title),
			r.textField("body", &t.body))
	} else {
		t.body = r.str(kv.val, "a test text")
	}
	if strings.TrimSpace(t.title+t.body) == "" {
		r.bad(kv.val, "empty test text")
		return testSpec{}, false
	}
	return t, true
}

func (r *reader) exampleSpec(n *yaml.Node) *exampleSpec {
	ex := &exampleSpec{file: r.file, line: n.Line, expect: map[string]any{}}
	kvs := r.mapping(n, "an example")
	if ex.name = r.named(kvs, "name", "example"); ex.name == "" {
		r.bad(n, "example without a name")
		return nil
	}
	r.fields(kvs, "", "unknown key %q in an example",
		field{"name", nil},
		r.textField("title", &ex.title),
		r.textField("body", &ex.body),
		r.textField("lang", &ex.lang),
		field{"expect", func(v *yaml.Node, _ string) { r.expect(v, ex.expect) }},
	)
	if len(ex.expect) == 0 {
		r.bad(n, "example has no expect")
	}
	return ex
}

// expect reads what an example must be tagged with.
func (r *reader) expect(n *yaml.Node, expect map[string]any) {
	list := func(key string) field {
		return field{key, func(v *yaml.Node, name string) { expect[key] = r.strings(v, name) }}
	}
	text := func(key string) field {
		return field{key, func(v *yaml.Node, name string) { expect[key] = r.str(v, name) }}
	}
	r.fields(r.mapping(n, "expect"), "expect.", "unknown key %q in expect",
		field{"relevant", func(v *yaml.Node, name string) {
			b, err := strconv.ParseBool(v.Value)
			if err != nil {
				r.bad(v, "%s must be true or false", name)
			}
			expect["relevant"] = b
		}},
		list("topics"), text("outlook"), text("framing"), list("actors"))
}
