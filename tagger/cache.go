package tagger

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"slices"
	"sort"
)

// The compiled-rules cache. Parsing the YAML and compiling the rules
// takes tens of milliseconds, a large part of a short `stancewatch tag`
// run; the compiled engine, written to a file once, reads back in a few.
// A cache file is keyed by everything the compiled engine depends on:
// the rule files (names and contents) and the build of the binary (its
// Go build ID), so an edited rule or a rebuilt binary never reads an
// engine compiled from something else. A file that does not read back
// whole and valid (truncated, corrupt, an older format, another key) is
// ignored and rewritten: the cache can cost a compile, never change an
// answer.

// RuleCache keeps compiled rule sets between runs, by key. Get returns
// nil for a key it does not hold; Put is best effort: a cache that cannot
// keep a rule set only means compiling it next time. The tagger does no
// I/O of its own; stancewatch keeps the files in the user's cache
// directory (cmd/stancewatch/rulescache.go).
type RuleCache interface {
	Get(key string) []byte
	Put(key string, data []byte)
}

// WithCache reads compiled rules from c when the rule files and the
// program are the same as when they were put there, and puts them there
// after compiling. build must change whenever the program does
// (stancewatch passes its Go build ID); with build "" the cache is not
// used.
func WithCache(c RuleCache, build string) LoadOption {
	return func(s *source) { s.cache, s.build = c, build }
}

// cacheMagic opens every cache entry; the number after it is the format,
// to be raised whenever what is written changes.
const cacheMagic = "stancewatch compiled rules\n\x0d"

// cacheKey names the cache file of a rule set: a hash of the binary's
// build, the source's name and each file's name and content hash.
func cacheKey(build, root string, names []string, sums []string) string {
	h := sha256.New()
	for _, s := range []string{build, root} {
		binary.Write(h, binary.LittleEndian, uint64(len(s)))
		h.Write([]byte(s))
	}
	for i, n := range names {
		binary.Write(h, binary.LittleEndian, uint64(len(n)))
		h.Write([]byte(n))
		h.Write([]byte(sums[i]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// encodeEngine writes the compiled engine: the magic, the key, the
// payload's length and SHA-256, then the payload.
func encodeEngine(e *Engine, key string) []byte {
	w := &encoder{}
	w.engine(e)
	sum := sha256.Sum256(w.b)
	out := append([]byte(cacheMagic), key...)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(w.b)))
	out = append(out, sum[:]...)
	return append(out, w.b...)
}

var errCache = errors.New("tagger: bad rules cache")

// decodeEngine reads what encodeEngine wrote for key; any difference is
// an error.
func decodeEngine(data []byte, key string) (*Engine, error) {
	head := len(cacheMagic) + len(key)
	if len(data) < head+8+sha256.Size || string(data[:len(cacheMagic)]) != cacheMagic || string(data[len(cacheMagic):head]) != key {
		return nil, errCache
	}
	n := binary.LittleEndian.Uint64(data[head:])
	payload := data[head+8+sha256.Size:]
	if uint64(len(payload)) != n {
		return nil, errCache
	}
	if sum := sha256.Sum256(payload); !bytes.Equal(sum[:], data[head+8:head+8+sha256.Size]) {
		return nil, errCache
	}
	r := &decoder{b: payload}
	e := r.engine()
	if r.err != nil || len(r.b) != 0 {
		return nil, errCache
	}
	return e, nil
}

// encoder appends values: integers as varints, floats as their bits,
// strings and slices after their length. A slice's length is written
// plus one, with 0 for nil, so that the engine reads back exactly as
// compiled.
type encoder struct{ b []byte }

func (w *encoder) int(v int)       { w.b = binary.AppendVarint(w.b, int64(v)) }
func (w *encoder) float(v float64) { w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v)) }
func (w *encoder) str(s string)    { w.int(len(s)); w.b = append(w.b, s...) }

func (w *encoder) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

func (w *encoder) length(isNil bool, n int) {
	if isNil {
		w.int(0)
	} else {
		w.int(n + 1)
	}
}

func (w *encoder) int32s(v []int32) {
	w.length(v == nil, len(v))
	for _, x := range v {
		w.int(int(x))
	}
}

func (w *encoder) strs(v []string) {
	w.length(v == nil, len(v))
	for _, s := range v {
		w.str(s)
	}
}

func (w *encoder) floats(v []float64) {
	w.length(v == nil, len(v))
	for _, f := range v {
		w.float(f)
	}
}

// decoder reads what encoder wrote. The first error sticks; every read
// after it returns zero values.
type decoder struct {
	b   []byte
	err error
}

func (r *decoder) fail() { r.err, r.b = errCache, nil }

func (r *decoder) int() int {
	v, n := binary.Varint(r.b)
	if n <= 0 || v != int64(int(v)) {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

func (r *decoder) int32() int32 {
	v := r.int()
	if v != int(int32(v)) {
		r.fail()
		return 0
	}
	return int32(v)
}

func (r *decoder) uint8() uint8 {
	v := r.int()
	if v < 0 || v > math.MaxUint8 {
		r.fail()
		return 0
	}
	return uint8(v)
}

func (r *decoder) float() float64 {
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

func (r *decoder) bool() bool {
	if len(r.b) < 1 || r.b[0] > 1 {
		r.fail()
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}

func (r *decoder) str() string {
	n := r.int()
	if n < 0 || n > len(r.b) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// length reads a slice length written by encoder.length; nil is -1.
// Every element takes at least a byte, which bounds a corrupt length.
func (r *decoder) length() int {
	n := r.int() - 1
	if n < -1 || n > len(r.b) {
		r.fail()
		return -1
	}
	return n
}

// decodeList reads a length and that many items with one; a nil list
// (length -1) stays nil.
func decodeList[T any](r *decoder, one func() T) []T {
	n := r.length()
	if n < 0 {
		return nil
	}
	v := make([]T, n)
	for i := range v {
		v[i] = one()
	}
	return v
}

func (r *decoder) int32s() []int32   { return decodeList(r, r.int32) }
func (r *decoder) strs() []string    { return decodeList(r, r.str) }
func (r *decoder) floats() []float64 { return decodeList(r, r.float) }

// The engine, field by field. Derived fields (thresholds, actor names,
// the packed rule layout) are rebuilt as compile builds them.

func (w *encoder) engine(e *Engine) {
	w.str(e.version)
	w.strs(e.files)
	w.settings(&e.settings)
	lx := e.lex
	w.length(lx.slots == nil, len(lx.slots))
	for i := range lx.slots {
		w.int(int(lx.slots[i]))
		w.int(int(lx.exact[i]))
		w.int(int(lx.glob[i]))
	}
	w.length(e.words == nil, len(e.words))
	for _, wp := range e.words {
		w.str(wp.text)
		w.bool(wp.glob)
	}
	w.int32s(e.trie.root)
	w.length(e.trie.nodes == nil, len(e.trie.nodes))
	for _, nd := range e.trie.nodes {
		for _, v := range [...]int32{nd.depth, nd.first, nd.n, nd.groups, nd.ngroups} {
			w.int(int(v))
		}
	}
	w.int32s(e.trie.word)
	w.int32s(e.trie.next)
	w.int(e.numPhrases)
	w.int(e.numGroups)
	w.int32s(e.groupList)
	w.int32s(e.ruleStart)
	w.int32s(e.ruleList)
	for _, g := range e.specialGroups() {
		w.int(int(*g))
	}
	w.length(e.rules == nil, len(e.rules))
	for _, r := range e.rules {
		w.rule(r)
	}
	w.length(e.langs == nil, len(e.langs))
	for _, k := range sortedKeys(e.langs) {
		w.str(k)
		w.int(int(e.langs[k]))
	}
	w.strs(e.labels)
	w.floats(e.topicMin)
	w.strs(e.actorNames)
	w.length(e.examples == nil, len(e.examples))
	for _, ex := range e.examples {
		w.example(ex)
	}
}

func (r *decoder) engine() *Engine {
	e := &Engine{trie: &phraseTrie{}, lex: &lexicon{}}
	e.version = r.str()
	e.files = r.strs()
	r.settings(&e.settings)
	if n := r.length(); n >= 0 {
		e.lex.slots, e.lex.exact, e.lex.glob = make([]uint32, n), make([]int32, n), make([]int32, n)
		for i := 0; i < n; i++ {
			v := r.int()
			if v < 0 || v > math.MaxUint32 {
				r.fail()
			}
			e.lex.slots[i] = uint32(v)
			e.lex.exact[i], e.lex.glob[i] = r.int32(), r.int32()
		}
	}
	if n := r.length(); n >= 0 {
		e.words = make([]wordPattern, n)
		for i := range e.words {
			e.words[i] = wordPattern{text: r.str(), glob: r.bool()}
		}
	}
	e.trie.root = r.int32s()
	if n := r.length(); n >= 0 {
		e.trie.nodes = make([]phraseNode, n)
		for i := range e.trie.nodes {
			e.trie.nodes[i] = phraseNode{depth: r.int32(), first: r.int32(), n: r.int32(), groups: r.int32(), ngroups: r.int32()}
		}
	}
	e.trie.word = r.int32s()
	e.trie.next = r.int32s()
	e.numPhrases = r.int()
	e.numGroups = r.int()
	e.groupList = r.int32s()
	e.ruleStart = r.int32s()
	e.ruleList = r.int32s()
	for _, g := range e.specialGroups() {
		*g = r.int32()
	}
	if n := r.length(); n >= 0 {
		e.rules = make([]*rule, n)
		for i := range e.rules {
			e.rules[i] = r.rule()
		}
	}
	if n := r.length(); n >= 0 {
		e.langs = make(map[string]int32, n)
		for range n {
			k := r.str()
			e.langs[k] = r.int32()
		}
	}
	e.labels = r.strs()
	e.topicMin = r.floats()
	e.actorNames = r.strs()
	if n := r.length(); n >= 0 {
		e.examples = make([]*exampleSpec, n)
		for i := range e.examples {
			e.examples[i] = r.example()
		}
	}
	if r.err != nil || !r.consistent(e) {
		r.fail()
		return nil
	}
	e.thresholds = e.Thresholds()
	e.trie.indexKids()
	packRules(e)
	e.pool.New = func() any { return new(docState) }
	return e
}

// consistent checks the indexes the matcher follows without bounds
// checks of its own design (a base in a lexicon slot, a node's edges): a
// file that passed its checksum is what was written, but a decoder that
// trusts no input costs little.
func (r *decoder) consistent(e *Engine) bool {
	lx := e.lex
	if len(lx.slots) < 256 {
		return false
	}
	for _, v := range lx.slots {
		if int(v>>lexShift)+256 > len(lx.slots) {
			return false
		}
	}
	for _, nd := range e.trie.nodes {
		if nd.first < 0 || nd.n < 0 || int(nd.first)+int(nd.n) > len(e.trie.word) ||
			nd.groups < 0 || nd.ngroups < 0 || int(nd.groups)+int(nd.ngroups) > len(e.groupList) {
			return false
		}
	}
	if len(e.trie.word) != len(e.trie.next) || len(e.trie.root) < len(e.words) || len(e.ruleStart) != e.numGroups+1 ||
		len(e.trie.nodes) <= len(e.trie.root) {
		return false
	}
	for w, k := range e.trie.root {
		if k != int32(w+1) { // the matcher finds word w's node at w+1 (phraseTrie.renumber)
			return false
		}
	}
	valid := func(v []int32, n int) bool {
		for _, x := range v {
			if x < -1 || int(x) >= n {
				return false
			}
		}
		return true
	}
	return valid(e.trie.root, len(e.trie.nodes)) && valid(e.trie.next, len(e.trie.nodes)) &&
		valid(e.groupList, e.numGroups) && valid(e.ruleList, len(e.rules)) &&
		valid(lx.exact, len(e.words)) && valid(lx.glob, len(e.words))
}

// specialGroups are the groups the engine reads by name.
func (e *Engine) specialGroups() []*int32 {
	return []*int32{&e.negGroup, &e.afterGroup, &e.ellipticGroup, &e.notNegGroup, &e.throughGroup, &e.barrierGroup, &e.reportGroup, &e.modalGroup, &e.modalAfterGroup,
		&e.concessGroup, &e.contrastGroup, &e.labelGroup, &e.hopedGroup, &e.hearsayGroup, &e.openContrastGroup, &e.furnitureGroup,
		&e.elsewhereGroup, &e.thisWarGroup, &e.backRefGroup, &e.backRefOpenGroup, &e.inlineFurnitureGroup, &e.relNotGroup, &e.condGroup, &e.negWordGroup, &e.relNamesGroup, &e.otherTalksGroup, &e.peaceGroup, &e.historyGroup, &e.pollsGroup, &e.relativeGroup, &e.backgroundGroup, &e.sideTrackGroup, &e.sideDealGroup, &e.sideLinkGroup, &e.anchorGroup, &e.altGroup, &e.exchangeGroup, &e.ukraineGroup, &e.russiaGroup, &e.topicGroup, &e.askGroup, &e.askNotGroup, &e.outsiderGroup}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (w *encoder) settings(s *settingsSpec) {
	w.str(s.file)
	w.int(s.line)
	w.fieldWeights(s.fieldWeights)
	for _, v := range [...]int{s.maxHits, s.actorEvid, s.negWindow, s.afterWindow, s.relOutlookMax} {
		w.int(v)
	}
	for _, v := range [...][]string{s.negWords, s.afterWords, s.elliptic, s.notNeg, s.barriers, s.negThrough, s.furniture, s.elsewhere, s.thisWar, s.furnitureInline, s.relOutlookNot, s.relOutlookNames, s.otherTalks, s.peaceWords, s.history, s.polls, s.sideTracks, s.sideDeals, s.sideDealLinks, s.anchors, s.exchangeTrack, s.ukraineSide, s.russiaSide, s.outsiders} {
		w.strs(v)
	}
	w.length(s.topicMins == nil, len(s.topicMins))
	for _, k := range sortedKeys(s.topicMins) {
		w.str(k)
		w.float(s.topicMins[k])
	}
	for _, v := range s.floatFields() {
		w.float(*v)
	}
	v := &s.voice
	for _, l := range v.lists() {
		w.strs(*l)
	}
	w.int(v.modalWindow)
	w.int(v.modalAfterWindow)
	w.float(v.concededWeight)
	w.str(s.loneAside)
	w.str(s.headQuotes)
	w.str(s.softAlone)
}

func (r *decoder) settings(s *settingsSpec) {
	s.file = r.str()
	s.line = r.int()
	s.fieldWeights = r.fieldWeights()
	for _, v := range [...]*int{&s.maxHits, &s.actorEvid, &s.negWindow, &s.afterWindow, &s.relOutlookMax} {
		*v = r.int()
	}
	for _, v := range [...]*[]string{&s.negWords, &s.afterWords, &s.elliptic, &s.notNeg, &s.barriers, &s.negThrough, &s.furniture, &s.elsewhere, &s.thisWar, &s.furnitureInline, &s.relOutlookNot, &s.relOutlookNames, &s.otherTalks, &s.peaceWords, &s.history, &s.polls, &s.sideTracks, &s.sideDeals, &s.sideDealLinks, &s.anchors, &s.exchangeTrack, &s.ukraineSide, &s.russiaSide, &s.outsiders} {
		*v = r.strs()
	}
	if n := r.length(); n >= 0 {
		s.topicMins = make(map[string]float64, n)
		for range n {
			k := r.str()
			s.topicMins[k] = r.float()
		}
	}
	for _, v := range s.floatFields() {
		*v = r.float()
	}
	v := &s.voice
	for _, l := range v.lists() {
		*l = r.strs()
	}
	v.modalWindow = r.int()
	v.modalAfterWindow = r.int()
	v.concededWeight = r.float()
	s.loneAside = r.str()
	s.headQuotes = r.str()
	s.softAlone = r.str()
}

// floatFields are the settings' numbers that are floats, in a fixed order.
func (s *settingsSpec) floatFields() []*float64 {
	return []*float64{&s.relevance, &s.topicMin, &s.outlookMin, &s.outlookMarg, &s.outlookRatio, &s.framingMin, &s.framingMarg,
		&s.framingRatio, &s.reportedWeight, &s.contradictedWeight, &s.headWeight, &s.mixedMin, &s.leanRatio, &s.relOutlookWeight, &s.relOutlookTitle, &s.exchangeMixed}
}

// lists are the voice vocabulary's word lists, in a fixed order.
func (v *voiceSpec) lists() []*[]string {
	return []*[]string{&v.reporting, &v.hearsay, &v.modal, &v.hopedClause, &v.concessive, &v.contrast, &v.contrastOpening, &v.headlineLabels, &v.backReference, &v.conditional, &v.backRefOpen, &v.relative, &v.background, &v.alternative, &v.speakerTopic, &v.indirectQuestion, &v.indirectQuestionNot, &v.modalAfter}
}

func (w *encoder) fieldWeights(f fieldWeights) {
	w.float(f.title)
	w.float(f.lead)
	w.float(f.body)
}

func (r *decoder) fieldWeights() fieldWeights {
	return fieldWeights{title: r.float(), lead: r.float(), body: r.float()}
}

func (w *encoder) window(v window) {
	w.int(v.unit)
	w.int(v.n)
}

func (r *decoder) window() window { return window{unit: r.int(), n: r.int()} }

func (w *encoder) rule(r *rule) {
	w.str(r.id)
	w.str(r.file)
	w.int(int(r.label))
	w.int(int(r.flip))
	w.float(r.weight)
	w.fieldWeights(r.fw)
	for _, b := range r.scope {
		w.bool(b)
	}
	w.int(int(r.quotes))
	w.float(r.quotedW)
	w.bool(r.lowerOnly)
	w.bool(r.presupposed)
	w.bool(r.soft)
	w.bool(r.offer)
	w.bool(r.implied)
	w.int(int(r.negation))
	w.int(r.maxHits)
	w.int32s(r.langs)
	w.cond(r.match)
	w.int(len(r.excludes))
	for _, x := range r.excludes {
		w.cond(x.node)
		w.window(x.within)
	}
	w.bool(r.actor)
	w.length(r.tests == nil, len(r.tests))
	for _, t := range r.tests {
		w.str(t.kind)
		w.str(t.title)
		w.str(t.body)
		w.int(t.line)
	}
	w.int32s(r.positives)
}

func (r *decoder) rule() *rule {
	ru := &rule{id: r.str(), file: r.str(), label: r.int32(), flip: r.int32(), weight: r.float(), fw: r.fieldWeights()}
	for i := range ru.scope {
		ru.scope[i] = r.bool()
	}
	ru.quotes = r.uint8()
	ru.quotedW = r.float()
	ru.lowerOnly = r.bool()
	ru.presupposed = r.bool()
	ru.soft = r.bool()
	ru.offer = r.bool()
	ru.implied = r.bool()
	ru.negation = r.uint8()
	ru.maxHits = r.int()
	ru.langs = r.int32s()
	ru.match = r.cond(0)
	if n := r.int(); n > 0 && n <= len(r.b) {
		ru.excludes = make([]exclusion, n)
		for i := range ru.excludes {
			ru.excludes[i] = exclusion{r.cond(0), r.window()}
		}
	} else if n != 0 {
		r.fail()
	}
	ru.actor = r.bool()
	if n := r.length(); n >= 0 {
		ru.tests = make([]testSpec, n)
		for i := range ru.tests {
			ru.tests[i] = testSpec{kind: r.str(), title: r.str(), body: r.str(), line: r.int()}
		}
	}
	ru.positives = r.int32s()
	return ru
}

// cond writes a condition tree in pre-order; nil is a 0 byte.
func (w *encoder) cond(n *cnode) {
	if n == nil {
		w.bool(false)
		return
	}
	w.bool(true)
	w.int(int(n.op))
	w.int(int(n.group))
	w.int(n.n)
	w.window(n.within)
	w.length(n.kids == nil, len(n.kids))
	for _, k := range n.kids {
		w.cond(k)
	}
}

// maxCondDepth bounds the nesting a corrupt file could ask the decoder
// to recurse into.
const maxCondDepth = 64

func (r *decoder) cond(depth int) *cnode {
	if !r.bool() {
		return nil
	}
	if depth > maxCondDepth {
		r.fail()
		return nil
	}
	n := &cnode{op: r.uint8(), group: r.int32(), n: r.int(), within: r.window()}
	if k := r.length(); k >= 0 {
		n.kids = make([]*cnode, k)
		for i := range n.kids {
			if n.kids[i] = r.cond(depth + 1); n.kids[i] == nil {
				r.fail()
				return nil
			}
		}
	}
	return n
}

func (w *encoder) example(ex *exampleSpec) {
	for _, s := range [...]string{ex.file, ex.name, ex.title, ex.body, ex.lang} {
		w.str(s)
	}
	w.int(ex.line)
	w.length(ex.expect == nil, len(ex.expect))
	for _, k := range sortedKeys(ex.expect) {
		w.str(k)
		// The values rulefile.go's expect reads: a bool, a string or a
		// list of strings.
		switch v := ex.expect[k].(type) {
		case bool:
			w.int(0)
			w.bool(v)
		case string:
			w.int(1)
			w.str(v)
		case []string:
			w.int(2)
			w.strs(v)
		default:
			panic("tagger: cannot cache an example's expect value")
		}
	}
}

func (r *decoder) example() *exampleSpec {
	ex := &exampleSpec{file: r.str(), name: r.str(), title: r.str(), body: r.str(), lang: r.str(), line: r.int()}
	if n := r.length(); n >= 0 {
		ex.expect = make(map[string]any, n)
		for range n {
			k := r.str()
			switch r.int() {
			case 0:
				ex.expect[k] = r.bool()
			case 1:
				ex.expect[k] = r.str()
			case 2:
				ex.expect[k] = r.strs()
			default:
				r.fail()
			}
		}
	}
	return ex
}

// cacheable reports whether every example's expectations can be cached.
func cacheable(e *Engine) bool {
	for _, ex := range e.examples {
		for _, v := range ex.expect {
			switch v.(type) {
			case bool, string, []string:
			default:
				return false
			}
		}
	}
	return !slices.ContainsFunc(e.rules, func(r *rule) bool { return r == nil })
}
