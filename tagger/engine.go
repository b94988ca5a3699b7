package tagger

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
)

//go:embed rules/*.yaml
var builtin embed.FS

// BuiltinRules returns the rule files built into the binary (for
// `stancewatch rules export`, the starting point of a rules directory).
func BuiltinRules() fs.FS {
	sub, err := fs.Sub(builtin, "rules")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Document is what the tagger reads: the title, and the body as plain
// text with paragraphs separated by blank lines (the first paragraph is
// the lead). Lang is an ISO 639-1 code or "".
type Document struct {
	Title, Body, Lang string
}

// Result is the tagger's answer for one document.
type Result struct {
	Relevant bool
	Topics   []TopicScore // sorted by topic
	Outlook  string       // progress, stalemate, mixed, none
	Framing  string       // pro_ukraine, pro_russia, neutral
	Actors   []Actor      // most mentioned first
	Evidence []Evidence   // by field, then position
	// Scores holds the score of every label (relevant, topic:<name>,
	// outlook:<value>, framing:<value>), also for labels not given.
	Scores map[string]float64
}

// TopicScore is a topic given to a document, with its score.
type TopicScore struct {
	Topic string
	Score float64
}

// Actor is an actor of the gazetteer named in a document.
type Actor struct {
	Name     string
	Mentions int
}

// Evidence is one match behind a label. Start and End are byte offsets
// into the original field string: Title[Start:End] or Body[Start:End]
// equals Text.
type Evidence struct {
	Label  string // relevant, topic:<name>, outlook:<value>, framing:<value>, actor:<Name>
	Rule   string
	Field  string // title or body
	Text   string
	Start  int
	End    int
	Weight float64 // what the match added to the label's score; 0 for context that made it count
	// Voice is "reported" for an outlook cue in quotes or reported
	// speech, "hypothetical" for a hoped-for or possible one (--explain
	// only: it is not counted), empty in the article's own voice.
	Voice string
}

// Engine holds compiled rules.
type Engine struct {
	version  string
	files    []string
	settings settingsSpec

	lex        *lexicon
	words      []wordPattern
	trie       *phraseTrie
	numPhrases int
	numGroups  int     // sets of phrases that conditions match
	groupList  []int32 // the groups of each phrase, one list after another (phraseNode.groups)
	// The rules that a match of group g makes worth evaluating are
	// ruleList[ruleStart[g]:ruleStart[g+1]].
	ruleStart, ruleList []int32
	negGroup            int32
	afterGroup          int32 // negations that follow their cue
	ellipticGroup       int32 // bare negations that end a clause (settings.negation.elliptic)
	notNegGroup         int32 // phrases whose negation word negates nothing, or -1
	throughGroup        int32 // words a negation reaches over (negation.through), or -1
	barrierGroup        int32
	// The voice vocabulary (voice.go); -1 when the rule set has none.
	reportGroup, modalGroup, concessGroup, contrastGroup, labelGroup int32
	hopedGroup                                                       int32 // "hope that": the rest of the sentence is hoped for
	modalAfterGroup                                                  int32 // "is possible" after a cue (settings.voice.modal_after)
	hearsayGroup                                                     int32 // "is said to": no speaker (voice.go)
	relativeGroup                                                    int32 // "which", "котор*": opens a relative clause (voice.go)
	backgroundGroup                                                  int32 // "о котором", "про який": a relative clause of background (voice.go)
	backRefGroup                                                     int32 // "Об этом заявил": the sentence before is the speaker's (voice.go)
	backRefOpenGroup                                                 int32 // "Об этом" opening a sentence, a verb of saying a few words on (voice.go)
	elsewhereGroup, thisWarGroup                                     int32 // other conflicts, this war (settings.outlook)
	negWordGroup                                                     int32 // the one-word negations ("no", "не"), or -1
	condGroup                                                        int32 // conditions: "if", "якщо" (settings.voice.conditional)
	otherTalksGroup, peaceGroup                                      int32 // other negotiations, words of the peace (settings.outlook)
	historyGroup                                                     int32 // past dates: "in 2022" (settings.outlook.history)
	sideDealGroup, sideLinkGroup                                     int32 // side deals of the war and what ties them to the talks (settings.outlook.side_deals)
	sideTrackGroup                                                   int32 // the allies' force planning (settings.outlook.side_tracks)
	outsiderGroup                                                    int32 // states outside the talks and their leaders (settings.outlook.outsiders)
	anchorGroup                                                      int32 // words of the talks and their matter (settings.outlook.anchors)
	exchangeGroup                                                    int32 // swaps of prisoners and bodies (settings.outlook.exchange_track)
	ukraineGroup, russiaGroup                                        int32 // the two sides by name (settings.outlook.ukraine_side, russia_side)
	pollsGroup                                                       int32 // opinion polls (settings.outlook.polls)
	relNamesGroup                                                    int32 // the war's parties, envoys, venues (settings.relevance.outlook_names)
	relNotGroup                                                      int32 // other negotiations (settings.relevance.outlook_not)
	openContrastGroup                                                int32 // "still", "yet": contrast only opening a clause (voice.go)
	altGroup                                                         int32 // "or", "чи": alternatives in a headline's head (voice.go)
	topicGroup                                                       int32 // "о", "on": a label after it is a speaker's topic (voice.go)
	askGroup, askNotGroup                                            int32 // "whether", "ли": an indirect question, and phrases where it asks nothing (voice.go)
	furnitureGroup                                                   int32 // "Read also:" (match.go)
	inlineFurnitureGroup                                             int32 // "… читайте в статье": the paragraph is a link (match.go)

	rules   []*rule
	dropped []bool           // by rule: left out (Without), nil when none is
	langs   map[string]int32 // the language codes of the rules, numbered
	labels  []string
	// Looked up once at load rather than for every document.
	topicMin   []float64 // topic i's threshold
	thresholds Thresholds
	actorNames []string // label numFixed+i without "actor:"
	examples   []*exampleSpec

	pool sync.Pool // *docState
}

func load(fsys fs.FS, root string, cache RuleCache, build string) (*Engine, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read rules %s: %w", root, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("rules %s: no rule files (*.yaml)", root)
	}
	sort.Strings(names)
	var (
		datas [][]byte
		sums  []string
	)
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("read rules: %w", err)
		}
		sum := sha256.Sum256(data)
		sums = append(sums, string(sum[:]))
		datas = append(datas, data)
	}
	// A compiled copy of these very files, made by this very binary, is
	// as good as compiling them again (cache.go).
	var key string
	if cache != nil && build != "" {
		key = cacheKey(build, root, names, sums)
		if data := cache.Get(key); data != nil {
			if e, err := decodeEngine(data, key); err == nil {
				return e, nil
			}
		}
	}
	var problems []problem
	files := make([]*fileSpec, len(names))
	for i, n := range names {
		files[i] = parseFile(path.Join(root, n), datas[i], &problems)
	}
	e, problems := compile(files, problems)
	if len(problems) > 0 {
		le := &LoadError{}
		for _, p := range problems {
			le.Problems = append(le.Problems, p.String())
		}
		return nil, le
	}
	e.version = version(readingVersion, sums)
	for _, n := range names {
		e.files = append(e.files, path.Join(root, n))
	}
	e.pool.New = func() any { return new(docState) }
	if key != "" && cacheable(e) {
		cache.Put(key, encodeEngine(e, key))
	}
	return e, nil
}

// Version identifies the rule set as this engine reads it: a hash of the
// rule files' contents and of readingVersion. Articles tagged under
// another version are due for re-tagging.
func (e *Engine) Version() string { return e.version }

// readingVersion names how the engine reads rules: the tokeniser, voice,
// negation and the decision. Change it with any change to the engine that
// changes what the same rules give (testdata/golden-results.jsonl changes
// with rule files unchanged), so that stored articles are re-tagged after
// an upgrade and answers kept under the old reading are not mixed with
// new ones.
const readingVersion = "2026-12-07.15"

// version hashes the reading and the rule files' contents. It depends on
// the contents only, not on the files' names or order, so moving rules
// between files or directories keeps it.
func version(reading string, sums []string) string {
	sums = slices.Clone(sums)
	sort.Strings(sums)
	h := sha256.New()
	h.Write([]byte(reading))
	for _, s := range sums {
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Files lists the rule files the engine was loaded from.
func (e *Engine) Files() []string { return append([]string(nil), e.files...) }

// Stats describes the size of the rule set.
type Stats struct {
	Rules, Actors, Phrases, Words, Examples int
}

// Stats counts what the engine holds.
func (e *Engine) Stats() Stats {
	s := Stats{Phrases: e.numPhrases, Words: len(e.words), Examples: len(e.examples)}
	for _, r := range e.rules {
		if r.actor {
			s.Actors++
		} else {
			s.Rules++
		}
	}
	return s
}

// Tag labels one document. It is safe to call from several goroutines.
func (e *Engine) Tag(doc Document) Result {
	st := e.pool.Get().(*docState)
	defer e.pool.Put(st)
	e.match(st, doc)
	e.evaluate(st, doc, -1)
	return e.decide(st)
}

// Explanation is what Explain adds to a Result.
type Explanation struct {
	// Matches are every match of every rule, under the label it scored
	// for, whether or not that label was given: the answer to "why not?"
	// when a label is missing.
	Matches []Evidence
	// Tally is what the decision was taken from. Kept with an answer, it
	// lets the thresholds be calibrated on a set whose texts are gone.
	Tally Tally
}

// Explain tags doc like Tag and also says how the answer came about.
func (e *Engine) Explain(doc Document) (Result, Explanation) {
	st := e.pool.Get().(*docState)
	defer e.pool.Put(st)
	e.match(st, doc)
	e.evaluate(st, doc, -1)
	t := e.tally(st)
	res := e.decideTally(st, t)
	var all []Evidence
	for _, cs := range [2][]contrib{st.contribs, st.muted} {
		for _, c := range cs {
			if c.label >= numFixed {
				continue
			}
			anchor := c.h.span
			if c.negated {
				anchor = c.negSpan
			}
			ev := st.evidence(e.labels[c.label], e.rules[c.rule].id, anchor, round(c.weight))
			if isOutlookLabel(c.label) && c.role != roleOwn {
				ev.Voice = c.role.String()
			}
			if c.role == roleHypothetical {
				ev.Weight = 0
			}
			all = append(all, ev)
		}
	}
	sortEvidence(all)
	return res, Explanation{Matches: all, Tally: t}
}

// RuleTestFailure is a rule test or example that did not come out as its
// rule file says.
type RuleTestFailure struct {
	File    string
	Line    int
	Rule    string // rule id, "actor.<name>" or "example:<name>"
	Kind    string // ruleid, ok, negated or example
	Text    string
	Problem string
}

func (f RuleTestFailure) String() string {
	return fmt.Sprintf("%s:%d: %s: %s test: %s\n    text: %q", f.File, f.Line, f.Rule, f.Kind, f.Problem, clip(f.Text, 160))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// TestRules runs the tests written in the rule files: each rule's
// `ruleid:` texts must make it match (for its own label), `ok:` texts
// must not, `negated:` texts must make it match negated; each example
// must get the labels it expects. It returns the failures.
func (e *Engine) TestRules() []RuleTestFailure {
	var out []RuleTestFailure
	st := new(docState)
	for i, r := range e.rules {
		for _, t := range r.tests {
			doc := Document{Title: t.title, Body: t.body}
			e.match(st, doc)
			e.evaluate(st, doc, i)
			own, negated := 0, 0
			for _, c := range st.contribs {
				if c.negated {
					negated++
				} else if c.label == r.label {
					own++
				}
			}
			negated += st.cancelled
			f := RuleTestFailure{File: r.file, Line: t.line, Rule: r.id, Kind: t.kind, Text: strings.TrimSpace(t.title + "\n" + t.body)}
			switch {
			case t.kind == "ruleid" && own == 0:
				f.Problem = "should match but did not"
				if negated > 0 {
					f.Problem = "should match but the match was negated"
				}
			case t.kind == "ok" && own > 0:
				f.Problem = fmt.Sprintf("should not match but matched %s", e.describe(st, i))
			case t.kind == "negated" && negated == 0:
				f.Problem = "should match negated but did not"
				if own > 0 {
					f.Problem = "should match negated but matched without negation"
				}
			default:
				continue
			}
			out = append(out, f)
		}
	}
	for _, ex := range e.examples {
		res := e.Tag(Document{Title: ex.title, Body: ex.body, Lang: ex.lang})
		if msg := checkExample(ex, res); msg != "" {
			out = append(out, RuleTestFailure{File: ex.file, Line: ex.line, Rule: "example:" + ex.name, Kind: "example",
				Text: strings.TrimSpace(ex.title + "\n" + ex.body), Problem: msg})
		}
	}
	return out
}

// describe quotes what rule i matched in the last evaluated document.
func (e *Engine) describe(st *docState, i int) string {
	var parts []string
	for _, c := range st.contribs {
		if c.rule == int32(i) && !c.negated {
			parts = append(parts, fmt.Sprintf("%q", st.spanText(c.h.span)))
		}
	}
	return strings.Join(parts, ", ")
}

func checkExample(ex *exampleSpec, res Result) string {
	var msgs []string
	if v, ok := ex.expect["relevant"].(bool); ok && v != res.Relevant {
		msgs = append(msgs, fmt.Sprintf("relevant is %v, want %v", res.Relevant, v))
	}
	if v, ok := ex.expect["topics"].([]string); ok {
		var got []string
		for _, t := range res.Topics {
			got = append(got, t.Topic)
		}
		want := append([]string(nil), v...)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			msgs = append(msgs, fmt.Sprintf("topics are [%s], want [%s]", strings.Join(got, " "), strings.Join(want, " ")))
		}
	}
	if v, ok := ex.expect["outlook"].(string); ok && v != res.Outlook {
		msgs = append(msgs, fmt.Sprintf("outlook is %s, want %s (progress %.2g, stalemate %.2g, mixed %.2g)", res.Outlook, v,
			res.Scores["outlook:progress"], res.Scores["outlook:stalemate"], res.Scores["outlook:mixed"]))
	}
	if v, ok := ex.expect["framing"].(string); ok && v != res.Framing {
		msgs = append(msgs, fmt.Sprintf("framing is %s, want %s (pro_ukraine %.2g, pro_russia %.2g)", res.Framing, v,
			res.Scores["framing:pro_ukraine"], res.Scores["framing:pro_russia"]))
	}
	if v, ok := ex.expect["actors"].([]string); ok {
		have := map[string]bool{}
		for _, a := range res.Actors {
			have[a.Name] = true
		}
		for _, a := range v {
			if !have[a] {
				msgs = append(msgs, fmt.Sprintf("actor %s not found", a))
			}
		}
	}
	return strings.Join(msgs, "; ")
}
