package tagger

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

const testSettings = `
settings:
  field_weights: {title: 2, lead: 1.5, body: 1}
  max_hits: 3
  actor_evidence: 2
  negation:
    window: 3
    words: [no, not, never, far from, failed to, no tangible, sees no, anything but, без, не]
    not: [not only]
    barriers: [but, however]
  furniture: [read also, читайте також]
  furniture_inline: [читайте в статье, read more in our]
  relevance: {threshold: 2}
  topics: {threshold: 1, thresholds: {ceasefire: 2}}
  outlook: {min: 1, margin: 1}
  framing: {min: 1, margin: 1}
`

// engine loads rules (YAML text of one file) with the test settings.
func engine(t *testing.T, rules string) *Engine {
	t.Helper()
	return engineWith(t, testSettings, rules)
}

// engineWith loads rules with the given settings file.
func engineWith(t *testing.T, settings, rules string) *Engine {
	t.Helper()
	e, err := loadPair(settings, rules)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return e
}

// loadPair loads a rule set of one settings and one rules file.
func loadPair(settings, rules string) (*Engine, error) {
	return Load(FromFS(fstest.MapFS{
		"settings.yaml": {Data: []byte(settings)},
		"rules.yaml":    {Data: []byte(rules)},
	}, "test"))
}

// tests is the boilerplate every rule needs.
const tests = `
    tests:
      - ruleid: "x"
      - ok: "y"`

func rulesYAML(body string) string {
	return strings.ReplaceAll(body, "TESTS", tests)
}

// relevantOnTalks makes every article that says "talks" relevant, so that
// a test's other rules decide its answer.
const relevantOnTalks = `  - id: rel
    label: relevant
    weight: 5
    match: talks
    TESTS
`

// outlookCase is an article body and the outlook it must get.
type outlookCase struct{ body, outlook string }

// wantOutlooks tags each body and checks its outlook.
func wantOutlooks(t *testing.T, e *Engine, cases []outlookCase) {
	t.Helper()
	for _, tc := range cases {
		if r := e.Tag(Document{Body: tc.body}); r.Outlook != tc.outlook {
			t.Errorf("%q: outlook %s, want %s", tc.body, r.Outlook, tc.outlook)
		}
	}
}

func evidenceOf(r Result, label string) []string {
	var out []string
	for _, e := range r.Evidence {
		if e.Label == label {
			out = append(out, e.Text)
		}
	}
	return out
}

func TestGlobsTermSetsAndOverlap(t *testing.T) {
	e := engine(t, rulesYAML(`
terms:
  talks: [negotiat*, peace talks, talks, переговор*]
  places: [$talks, Geneva]
rules:
  - id: rel
    label: relevant
    weight: 1
    match: $places
    max_hits: 10
    TESTS
`))
	r := e.Tag(Document{Body: "Negotiators held peace talks in Geneva; переговоры продолжатся. Negotiation."})
	got := evidenceOf(r, "relevant")
	want := []string{"Negotiators", "peace talks", "Geneva", "переговоры", "Negotiation"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("evidence %q, want %q (peace talks once, not also talks)", got, want)
	}
	if r.Scores["relevant"] != 3 || !r.Relevant {
		t.Errorf("relevance score %v, want 3 (five matches in two sentences of the lead, each sentence once at weight 1.5)", r.Scores["relevant"])
	}
	if r := e.Tag(Document{Body: "The negotiable nego issue"}); r.Scores["relevant"] != 0 {
		t.Errorf("negotiat* matched negotiable? score %v", r.Scores["relevant"])
	}
}

func TestCombinators(t *testing.T) {
	e := engine(t, rulesYAML(`
rules:
  - id: all
    label: topic:sanctions
    match:
      all: [sanction*, Russia*, {none: [Belarus*]}]
    TESTS
  - id: nof
    label: topic:territory
    match: {n_of: 2, of: [Donbas*, Crimea, Zaporizhzhia]}
    TESTS
  - id: near
    label: topic:security_guarantees
    match:
      near: [guarantee*, Ukrain*]
      within: 3
    TESTS
  - id: sentence
    label: topic:humanitarian
    match:
      near: [exchange*, prisoner*]
      within: sentence
    TESTS
  - id: affirmed
    label: topic:ceasefire
    match:
      near: [{affirmed: [progress]}, truce]
      within: sentence
    TESTS
`))
	for _, tc := range []struct {
		body   string
		topics string
	}{
		{"New sanctions on Russia.", "sanctions"},
		{"New sanctions on Russia and Belarus.", ""},
		{"Sanctions on Iran.", ""},
		{"Donbas and Crimea.", "territory"},
		{"Only Crimea.", ""},
		{"Guarantees for Ukraine.", "security_guarantees"},
		{"Guarantees, the man said at length about many things, for Ukraine.", ""},
		// A word window stays inside the sentence.
		{"They offered guarantees. Ukraine declined.", ""},
		{"An exchange took place. Prisoners came home.", ""},
		{"An exchange of prisoners took place.", "humanitarian"},
		// affirmed: only matches no negation denies
		{"Progress on a truce.", "ceasefire"},
		{"No progress on a truce.", ""},
	} {
		r := e.Tag(Document{Title: "", Body: tc.body})
		var got []string
		for k, v := range r.Scores {
			if strings.HasPrefix(k, "topic:") && v > 0 {
				got = append(got, strings.TrimPrefix(k, "topic:"))
			}
		}
		if strings.Join(got, ",") != tc.topics {
			t.Errorf("%q: topics scored %v, want %q", tc.body, got, tc.topics)
		}
	}
}

func TestSupportingEvidence(t *testing.T) {
	e := engine(t, rulesYAML(`
rules:
  - id: ctx
    label: relevant
    weight: 2
    match:
      near: [talks, [Ukrain*, Kremlin]]
      within: sentence
    TESTS
`))
	r := e.Tag(Document{Body: "Kremlin news. The talks on Ukraine resumed."})
	if len(r.Evidence) != 2 || r.Evidence[0].Text != "talks" || r.Evidence[0].Weight != 1.5*2 ||
		r.Evidence[1].Text != "Ukraine" || r.Evidence[1].Weight != 0 {
		t.Errorf("evidence %+v: want talks (weight 3: lead 1.5 x 2) with Ukraine as context (weight 0)", r.Evidence)
	}
}

func TestScopeFieldWeightsAndMaxHits(t *testing.T) {
	e := engine(t, rulesYAML(`
rules:
  - id: title-only
    label: topic:peace_plan
    scope: [title]
    match: plan
    TESTS
  - id: weighted
    label: topic:ceasefire
    weight: 0.5
    field_weights: {body: 2}
    max_hits: 2
    match: ceasefire
    TESTS
`))
	r := e.Tag(Document{Title: "A plan", Body: "The lead has a plan and little else.\n\nBody ceasefire. A ceasefire. Ceasefire. Ceasefire, ceasefire."})
	if got := r.Scores["topic:peace_plan"]; got != 2 {
		t.Errorf("title-only rule scored %v, want 2 (title weight 2, body ignored)", got)
	}
	if got := r.Scores["topic:ceasefire"]; got != 2 {
		t.Errorf("weighted rule scored %v, want 2 (2 hits x 0.5 x body weight 2)", got)
	}
	// A sentence counts once per label, however many matches it holds.
	r = e.Tag(Document{Title: "A plan", Body: "The lead has a plan and little else.\n\nBody ceasefire, ceasefire, ceasefire, ceasefire."})
	if got := r.Scores["topic:ceasefire"]; got != 1 {
		t.Errorf("one sentence with four matches scored %v, want 1 (counted once: 0.5 x body weight 2)", got)
	}
}

func TestExclude(t *testing.T) {
	e := engine(t, rulesYAML(`
rules:
  - id: guarantees
    label: topic:security_guarantees
    match: security guarantee*
    exclude: [deposit*, saver*]
    TESTS
  - id: guarantees-para
    label: topic:territory
    match: territory
    exclude: {within: paragraph, any: [football, penalty]}
    TESTS
  - id: talks-moving
    label: outlook:progress
    match: progress
    exclude: {within: 3, any: [troops]}
    TESTS
  - id: two-windows
    label: topic:humanitarian
    match: agreed
    exclude:
      - {within: 1, any: [could]}
      - {within: sentence, any: [Qatar]}
    TESTS
  - id: before-only
    label: topic:ceasefire
    match: ceasefire
    exclude: {before: 2, any: [after a]}
    TESTS
`))
	r := e.Tag(Document{Body: "Security guarantees for savers were extended. Security guarantees for Ukraine were discussed."})
	if got := evidenceOf(r, "topic:security_guarantees"); len(got) != 0 || r.Scores["topic:security_guarantees"] != 1.5 {
		t.Errorf("score %v, want 1.5: only the second sentence counts", r.Scores["topic:security_guarantees"])
	}
	r = e.Tag(Document{Body: "The lead says nothing of note today.\n\nThey gave away territory. A penalty followed.\n\nRussia wants territory."})
	if got := r.Scores["topic:territory"]; got != 1 {
		t.Errorf("territory scored %v, want 1 (the football paragraph excluded)", got)
	}
	// A word window stays in the sentence: "troops" three words on, but
	// in the next sentence, does not make the talks' progress the army's.
	r = e.Tag(Document{Body: "The lead says nothing of note today.\n\nThe envoys report progress. Troops hold the line."})
	if got := r.Scores["outlook:progress"]; got != 1 {
		t.Errorf("progress scored %v, want 1 (the exclude word is in the next sentence)", got)
	}
	r = e.Tag(Document{Body: "The lead says nothing of note today.\n\nThe envoys report progress by troops near the river."})
	if got := r.Scores["outlook:progress"]; got != 0 {
		t.Errorf("progress scored %v, want 0 (the exclude word is in its sentence)", got)
	}
	const lead = "The lead says nothing of note today.\n\n"
	for _, c := range []struct {
		label, body string
		want        float64
	}{
		// Several exclusions, each with its own window.
		{"topic:humanitarian", "The sides agreed on a swap.", 1},
		{"topic:humanitarian", "The sides could have agreed on a swap.", 0},
		{"topic:humanitarian", "The sides agreed on a swap, with Qatar's help at the end.", 0},
		{"topic:humanitarian", "The sides could well, perhaps, have agreed on a swap.", 1},
		// A before window looks back only: "after a ceasefire" is a point
		// in time, "a ceasefire after a call" is not; and it stays in the
		// sentence.
		{"topic:ceasefire", "Troops deploy after a ceasefire.", 0},
		{"topic:ceasefire", "Troops deploy after a full ceasefire.", 0},
		{"topic:ceasefire", "Troops deploy after a long and full ceasefire.", 1},
		{"topic:ceasefire", "Kyiv backed a ceasefire after a call.", 1},
		{"topic:ceasefire", "It came after a call. A ceasefire followed.", 1},
	} {
		if got := e.Tag(Document{Body: lead + c.body}).Scores[c.label]; got != c.want {
			t.Errorf("%q: %s scored %v, want %v", c.body, c.label, got, c.want)
		}
	}
}

func TestNegation(t *testing.T) {
	e := engine(t, rulesYAML(`
rules:
  - id: progress
    label: outlook:progress
    match: [breakthrough, close to a deal, productive, tangible results]
    TESTS
  - id: stuck
    label: outlook:stalemate
    match: [rejected, deadlock, no movement]
    TESTS
  - id: flipped
    label: outlook:stalemate
    negation: flip
    match: [obstacles]
    TESTS
  - id: cancel
    label: topic:ceasefire
    negation: cancel
    weight: 3
    match: ceasefire
    TESTS
`+relevantOnTalks))
	for _, tc := range []struct {
		body, outlook string
		evidence      []string
	}{
		{"Talks. A breakthrough came.", "progress", []string{"breakthrough"}},
		{"Talks. There was no breakthrough.", "stalemate", []string{"no breakthrough"}},
		{"Talks. They are far from close to a deal.", "stalemate", []string{"far from close to a deal"}},
		{"Talks. No deal yet, but a breakthrough came.", "progress", []string{"breakthrough"}},
		{"Talks. Not today; the talks were productive.", "progress", []string{"productive"}},
		{"Talks. They said the meeting was not productive at all.", "stalemate", []string{"not productive"}},
		{"Talks. Встреча прошла без прорыва.", "none", nil},
		// "not only" negates nothing (settings.negation.not).
		{"Talks. Not only a breakthrough came, a text was signed too.", "progress", []string{"breakthrough"}},
		// A negation phrase that ends inside its cue still negates it.
		{"Talks. The summit brought no tangible results.", "stalemate", []string{"no tangible results"}},
		// Not when the cue opens with that negation word: "sees no" ends
		// on the "no" of "no movement", which it says, not denies.
		{"Talks. Kyiv sees no movement.", "stalemate", []string{"no movement"}},
		// A negation may end on a barrier word ("but" ends a negation's
		// reach, and "anything but" is one).
		{"Talks. The meeting was anything but productive.", "stalemate", []string{"anything but productive"}},
		// A denied setback is not movement: negated stalemate cues drop
		// out unless their rule flips them on purpose.
		{"Talks. The offer was not rejected outright.", "none", nil},
		{"Talks. The envoy saw no deadlock.", "none", nil},
		{"Talks. There are no obstacles left.", "progress", []string{"no obstacles"}},
	} {
		r := e.Tag(Document{Body: tc.body})
		ev := append(evidenceOf(r, "outlook:progress"), evidenceOf(r, "outlook:stalemate")...)
		if r.Outlook != tc.outlook || strings.Join(ev, "|") != strings.Join(tc.evidence, "|") {
			t.Errorf("%q: outlook %s evidence %q, want %s %q", tc.body, r.Outlook, ev, tc.outlook, tc.evidence)
		}
	}
	if r := e.Tag(Document{Body: "Talks. There is no ceasefire."}); r.Scores["topic:ceasefire"] != 0 {
		t.Errorf("cancelled match still scored %v", r.Scores["topic:ceasefire"])
	}
}

func TestQuotesAndFraming(t *testing.T) {
	e := engine(t, rulesYAML(`
rules:
`+relevantOnTalks+`  - id: pr
    label: framing:pro_russia
    weight: 2
    match: [Kyiv regime, киевск* режим*]
    TESTS
  - id: pr-quoted
    label: framing:pro_ukraine
    quotes: only
    match: invasion
    TESTS
`))
	r := e.Tag(Document{Body: `Talks went on. Putin again spoke of the "Kyiv regime", and Lavrov of the «киевского режима».`})
	if r.Framing != "neutral" || r.Scores["framing:pro_russia"] != 0 {
		t.Errorf("quoted words framed the article: %s %v", r.Framing, r.Scores)
	}
	r = e.Tag(Document{Body: "Talks went on while the Kyiv regime stalled."})
	if r.Framing != "pro_russia" {
		t.Errorf("own-voice 'Kyiv regime': framing %s, want pro_russia", r.Framing)
	}
	r = e.Tag(Document{Body: `Talks. He called it an "invasion".`})
	if r.Scores["framing:pro_ukraine"] == 0 {
		t.Error("quotes: only rule did not score a quoted match")
	}
}

func TestRelevanceGateAndDecisions(t *testing.T) {
	e := engine(t, rulesYAML(`
rules:
  - id: rel
    label: relevant
    match: peace talks
    TESTS
  - id: cf
    label: topic:ceasefire
    match: ceasefire
    TESTS
  - id: pp
    label: topic:peace_plan
    match: plan
    TESTS
  - id: prog
    label: outlook:progress
    match: agreed
    TESTS
  - id: stal
    label: outlook:stalemate
    match: deadlock
    TESTS
  - id: pu
    label: framing:pro_ukraine
    match: invasion
    TESTS
  - id: putin
    label: actor:Putin
    match: [Putin, Vladimir Putin, Путин*]
    TESTS
`))
	// Irrelevant: below the relevance threshold (one body match = 1 < 2).
	r := e.Tag(Document{Body: "The lead says nothing of note today.\n\nPeace talks. A ceasefire was agreed; the invasion. Vladimir Putin, Putin, Путина, Putin."})
	if r.Relevant || len(r.Topics) != 0 || r.Outlook != "none" || r.Framing != "neutral" {
		t.Errorf("irrelevant article got labels: %+v", r)
	}
	if len(r.Actors) != 1 || r.Actors[0].Mentions != 4 || len(evidenceOf(r, "actor:Putin")) != 2 {
		t.Errorf("actors %+v, %d pieces of evidence: want Putin x4 with 2 pieces (actor_evidence)", r.Actors, len(evidenceOf(r, "actor:Putin")))
	}
	for _, ev := range r.Evidence {
		if !strings.HasPrefix(ev.Label, "actor:") {
			t.Errorf("irrelevant article has evidence for %s", ev.Label)
		}
	}
	if r.Scores["topic:ceasefire"] != 1 {
		t.Errorf("scores are kept for irrelevant articles too; ceasefire %v", r.Scores["topic:ceasefire"])
	}

	r = e.Tag(Document{Title: "Peace talks", Body: "A plan; a ceasefire. It was agreed. A deadlock broken; agreed again."})
	if !r.Relevant || len(r.Topics) != 1 || r.Topics[0].Topic != "peace_plan" {
		t.Errorf("topics %+v: want peace_plan only (ceasefire's own threshold is 2)", r.Topics)
	}
	if r.Outlook != "progress" {
		t.Errorf("outlook %s (scores %v), want progress: 3 vs 1.5 with margin 1", r.Outlook, r.Scores)
	}
	r = e.Tag(Document{Title: "Peace talks", Body: "It was agreed. Then a deadlock."})
	if r.Outlook != "mixed" {
		t.Errorf("outlook %s, want mixed when neither side leads by the margin", r.Outlook)
	}
	for _, ev := range r.Evidence {
		if strings.HasPrefix(ev.Label, "outlook:") && ev.Label != "outlook:mixed" {
			t.Errorf("mixed article has evidence labelled %s", ev.Label)
		}
	}
}

func TestEvidenceOffsets(t *testing.T) {
	e := engine(t, rulesYAML(`
rules:
  - id: rel
    label: relevant
    weight: 3
    max_hits: 10
    match: [переговор*, Київ*, Києв*, peace talk*]
    TESTS
`))
	doc := Document{Title: "ＰＥＡＣＥ talks in «Києві»", Body: "Переговори — у Києві.\n\n“Peace talks” resumed; Witkoff’s team."}
	r := e.Tag(doc)
	if len(r.Evidence) != 5 {
		t.Fatalf("evidence %+v", r.Evidence)
	}
	for _, ev := range r.Evidence {
		src := doc.Body
		if ev.Field == "title" {
			src = doc.Title
		}
		if src[ev.Start:ev.End] != ev.Text {
			t.Errorf("%+v: field[%d:%d] = %q", ev, ev.Start, ev.End, src[ev.Start:ev.End])
		}
	}
	if r.Evidence[0].Text != "ＰＥＡＣＥ talks" {
		t.Errorf("first evidence %q, want the full-width original", r.Evidence[0].Text)
	}
}

func TestLangs(t *testing.T) {
	e := engine(t, rulesYAML(`
rules:
  - id: ru
    label: relevant
    langs: [ru]
    weight: 5
    match: мир
    TESTS
`))
	if r := e.Tag(Document{Body: "мир", Lang: "uk"}); r.Relevant {
		t.Error("a rule for ru ran on a uk document")
	}
	if r := e.Tag(Document{Body: "мир", Lang: "ru"}); !r.Relevant {
		t.Error("a rule for ru did not run on a ru document")
	}
	if r := e.Tag(Document{Body: "мир"}); !r.Relevant {
		t.Error("a document of unknown language skipped a language-specific rule")
	}
}

func TestRuleTestsAndExamples(t *testing.T) {
	e := engine(t, `
rules:
  - id: progress
    label: outlook:progress
    match: breakthrough
    tests:
      - ruleid: "A breakthrough."
      - ok: "No breakthrough."
      - negated: "No breakthrough."
      - ruleid: "Nothing here."
      - ok: "Another breakthrough."
      - negated: "A breakthrough."
examples:
  - name: wrong
    body: "A breakthrough."
    expect: {relevant: true}
`)
	fails := e.TestRules()
	var got []string
	for _, f := range fails {
		got = append(got, fmt.Sprintf("%s/%s:%d", f.Rule, f.Kind, f.Line))
	}
	want := []string{"progress/ruleid:10", "progress/ok:11", "progress/negated:12", "example:wrong/example:14"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("failures %v, want %v", got, want)
	}
	if !strings.Contains(fails[1].Problem, `"breakthrough"`) || !strings.Contains(fails[3].Problem, "relevant is false") {
		t.Errorf("messages do not say what matched: %q / %q", fails[1].Problem, fails[3].Problem)
	}
}

func TestLoadErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		want  []string
	}{
		"unknown key": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: relevant\n    weigth: 2\n    match: x" + tests},
			[]string{`test/a.yaml:4: rule "r1": unknown key "weigth"`}},
		"unknown label": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: topic:football\n    match: x" + tests},
			[]string{`test/a.yaml:3: rule "r1": unknown label "topic:football"`}},
		"no tests": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: relevant\n    match: x\n    tests: [{ruleid: x}]"},
			[]string{`rule "r1": needs tests`}},
		"short glob": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: relevant\n    match: [ok, \"ne*\"]" + tests},
			[]string{`test/a.yaml:4: rule "r1": phrase "ne*": the glob ne* is too short`}},
		"inner star": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: relevant\n    match: \"ne*go\"" + tests},
			[]string{`* may only end a word`}},
		"unknown term set": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: relevant\n    match: $nope" + tests},
			[]string{`rule "r1": unknown term set $nope`}},
		"term loop": {map[string]string{"a.yaml": "terms:\n  a: [$b]\n  b: [$a]\nrules:\n  - id: r1\n    label: relevant\n    match: $a" + tests},
			[]string{`loop: a -> b -> a`}},
		"duplicate id": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: relevant\n    match: x" + tests, "b.yaml": "rules:\n  - id: r1\n    label: relevant\n    match: x" + tests},
			[]string{`test/b.yaml:2: rule "r1": id "r1" is already used in test/a.yaml:2`}},
		"two operators": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: relevant\n    match: {any: [a], all: [b]}" + tests},
			[]string{`one operator per condition`}},
		"before not a number": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: relevant\n    match: x\n    exclude: {before: sentence, any: [y]}" + tests},
			[]string{`before must be a number of words`}},
		"near without within": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: relevant\n    match: {near: [a, b]}" + tests},
			[]string{`near needs within`}},
		"only none": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: relevant\n    match: {none: [a]}" + tests},
			[]string{`a rule needs something to match`}},
		"bad yaml": {map[string]string{"a.yaml": "rules:\n  - id: [unclosed"},
			[]string{`test/a.yaml: not valid YAML`}},
		"flip without target": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: relevant\n    negation: flip\n    match: x" + tests},
			[]string{`negation: flip needs flip_to`}},
		"missing settings": {map[string]string{"settings.yaml": "settings:\n  relevance: {threshold: 1}\n"},
			[]string{`settings.topics is missing`, `settings.outlook is missing`}},
		"several at once": {map[string]string{"a.yaml": "rules:\n  - id: r1\n    label: nope\n    match: x" + tests + "\n  - id: r2\n    match: y" + tests},
			[]string{`rule "r1": unknown label`, `rule "r2": no label`}},
	} {
		fsys := fstest.MapFS{"settings.yaml": {Data: []byte(testSettings)}}
		for n, c := range tc.files {
			fsys[n] = &fstest.MapFile{Data: []byte(c)}
		}
		_, err := Load(FromFS(fsys, "test"))
		if err == nil {
			t.Errorf("%s: loaded", name)
			continue
		}
		var le *LoadError
		if !errors.As(err, &le) || len(le.Problems) == 0 {
			t.Errorf("%s: %v is not a LoadError with problems", name, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", name, err, w)
			}
		}
	}
}

func TestVersion(t *testing.T) {
	a := fstest.MapFS{"settings.yaml": {Data: []byte(testSettings)}, "r.yaml": {Data: []byte(rulesYAML("rules:\n  - id: r\n    label: relevant\n    match: x\n    TESTS"))}}
	b := fstest.MapFS{"00.yaml": a["r.yaml"], "sub/zz.yaml": a["settings.yaml"]}
	c := fstest.MapFS{"settings.yaml": a["settings.yaml"], "r.yaml": {Data: []byte(rulesYAML("rules:\n  - id: r\n    label: relevant\n    match: xy\n    TESTS"))}}
	ea, errA := Load(FromFS(a, "a"))
	eb, errB := Load(FromFS(b, "b"))
	ec, errC := Load(FromFS(c, "c"))
	if errA != nil || errB != nil || errC != nil {
		t.Fatal(errA, errB, errC)
	}
	if ea.Version() != eb.Version() || len(ea.Version()) != 16 {
		t.Errorf("same contents under other names: %s vs %s", ea.Version(), eb.Version())
	}
	if ea.Version() == ec.Version() {
		t.Error("changed rules kept the version")
	}
	// Another reading of the same files is another version.
	sums := []string{"a", "b"}
	if version("1", sums) == version("2", sums) || version("1", sums) != version("1", []string{"b", "a"}) {
		t.Error("the version must follow the reading and not the files' order")
	}
}

func TestConcurrentTagging(t *testing.T) {
	e := engine(t, rulesYAML(`
rules:
  - id: rel
    label: relevant
    weight: 3
    match: [talk*, Ukrain*]
    TESTS
  - id: prog
    label: outlook:progress
    match: progress
    TESTS
`))
	docs := []Document{
		{Title: "Talks on Ukraine", Body: "No progress.\n\nUkraine talks progress."},
		{Title: "Nothing", Body: "Football."},
		{Body: strings.Repeat("Talks progress on Ukraine. ", 200)},
	}
	want := make([]Result, len(docs))
	for i, d := range docs {
		want[i] = e.Tag(d)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				k := (g + i) % len(docs)
				if got := e.Tag(docs[k]); fmt.Sprint(got) != fmt.Sprint(want[k]) {
					errs <- fmt.Sprintf("doc %d differs under concurrency", k)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// The links to other stories that pages carry inside the text are not
// the article: a paragraph that opens with a furniture label counts for
// nothing, nor does the line after a label that stands alone.
func TestFurnitureLinksCountForNothing(t *testing.T) {
	e := engine(t, rulesYAML(`
rules:
`+relevantOnTalks+`  - id: stuck
    label: outlook:stalemate
    match: [collapse, провал*]
    TESTS
`))
	wantOutlooks(t, e, []outlookCase{
		{"The talks resumed on Monday.\n\nRead also: Talks collapse in Geneva", "none"},
		{"The talks resumed on Monday.\nЧитайте також\nПровал переговорів у Женеві\nThe envoys met again.", "none"},
		// A label in mid-paragraph is prose, not a link.
		{"The talks resumed on Monday. Read also what the envoys said of the collapse.", "stalemate"},
		// Only the line after a lone label is the link.
		{"The talks resumed.\nЧитайте також\nПровал у Женеві\nThe talks collapse again.", "stalemate"},
		// A list of dated headlines under a lone label is all links.
		{"The talks resumed.\nЧитайте також\n- 21.03.2025 Talks resume\n- 20.03.2025 Talks collapse", "none"},
		// A promotion anywhere in a paragraph makes the paragraph a link.
		{"The talks resumed.\n\nWhy the Geneva round ended in collapse: read more in our explainer.", "none"},
		{"The talks resumed.\n\nО провале в Женеве подробно читайте в статье «Итоги недели».\n\nThe talks collapse again.", "stalemate"},
	})
}

// An outlook cue in the body counts only where its paragraph, or the
// sentence before it, names the talks or their matter
// (outlook.anchors); a headline's cue always counts.
func TestOutlookCueNeedsAnchor(t *testing.T) {
	settings := strings.Replace(testSettings, "outlook: {min: 1, margin: 1}",
		"outlook: {min: 1, margin: 1, anchors: [talks, plan, $matter]}", 1)
	stuck := relevantOnTalks + `  - id: stuck
    label: outlook:stalemate
    match: [refused]
    TESTS
`
	e := engineWith(t, settings, rulesYAML("terms:\n  matter: [truce]\nrules:\n"+stuck))
	wantOutlooks(t, e, []outlookCase{
		// arms, not the talks: nothing around names them
		{"The talks went on.\n\nThe union asked for a pay rise. The board refused.", "none"},
		// the paragraph names the plan
		{"The talks went on.\n\nKyiv put forward a plan on Monday. Officials met. Moscow refused.", "stalemate"},
		// the sentence before, across a paragraph break
		{"The talks went on. Kyiv put forward a truce.\n\nMoscow refused.", "stalemate"},
		// two sentences back in another paragraph is too far
		{"Kyiv put forward a truce. The talks went on.\n\nOfficials met. Moscow refused.", "none"},
		// a term set in the list
		{"The talks went on.\n\nMoscow refused the truce.", "stalemate"},
	})
	if r := e.Tag(Document{Title: "Moscow refused", Body: "The talks went on."}); r.Outlook != "stalemate" {
		t.Errorf("headline cue without an anchor: outlook %s, want stalemate", r.Outlook)
	}
	// Without the setting every cue counts.
	plain := engineWith(t, testSettings, rulesYAML("rules:\n"+stuck))
	wantOutlooks(t, plain, []outlookCase{{"The talks went on.\n\nThe union asked for a pay rise. The board refused.", "stalemate"}})
}

// An outlook cue in a sentence about another conflict, with no word of
// this war in it, is that conflict's (settings.outlook.elsewhere and
// this_war); beside this war's name it still counts.
func TestOutlookCueAboutAnotherConflict(t *testing.T) {
	settings := strings.Replace(testSettings, "outlook: {min: 1, margin: 1}",
		"outlook: {min: 1, margin: 1, elsewhere: [$conflicts, Sudan], this_war: [$sides]}", 1)
	e := engineWith(t, settings, rulesYAML(`
terms:
  conflicts: [Gaza, Israel*]
  sides: [Ukrain*, Russia*]
rules:
`+relevantOnTalks+`  - id: stuck
    label: outlook:stalemate
    match: [rejected]
    TESTS
`))
	wantOutlooks(t, e, []outlookCase{
		{"The talks went on.\n\nOn Gaza, any such plan is rejected.", "none"},
		{"The talks went on.\n\nIn Sudan the truce was rejected.", "none"},
		{"The talks went on.\n\nThe plan was rejected.", "stalemate"},
		{"The talks went on.\n\nRussia rejected the plan, as Israel did on Gaza.", "stalemate"},
	})
	// Other negotiations: a cue in a sentence that names them and no word
	// of the peace is theirs.
	others := strings.Replace(testSettings, "outlook: {min: 1, margin: 1}",
		"outlook: {min: 1, margin: 1, other_talks: [loan, accession, peace treaty with Japan], peace_words: [peace, truce]}", 1)
	e2 := engineWith(t, others, rulesYAML(`
rules:
`+relevantOnTalks+`  - id: stuck
    label: outlook:stalemate
    match: [rejected, collapsed]
    TESTS
`))
	wantOutlooks(t, e2, []outlookCase{
		{"The talks went on.\n\nHopes for the loan collapsed.", "none"},
		{"The talks went on.\n\nThe accession plan was rejected.", "none"},
		{"The talks went on.\n\nThe peace plan and the loan were rejected.", "stalemate"},
		{"The talks went on.\n\nThe plan was rejected.", "stalemate"},
		// a peace word inside the other talks' name is theirs
		{"The talks went on.\n\nTalks on a peace treaty with Japan collapsed.", "none"},
		{"The talks went on.\n\nThe peace plan was rejected, as the peace treaty with Japan was.", "stalemate"},
	})
	// One without the other is a rule set mistake, reported at load.
	half := strings.Replace(testSettings, "outlook: {min: 1, margin: 1}", "outlook: {min: 1, margin: 1, elsewhere: [Gaza]}", 1)
	_, err := loadPair(half, rulesYAML("rules:\n"+relevantOnTalks))
	if err == nil || !strings.Contains(err.Error(), "elsewhere and this_war go together") {
		t.Errorf("elsewhere without this_war: err %v", err)
	}
}

// A cue whose first actor in its sentence is a state outside the talks
// (outlook.outsiders) is that state's view or move, not the state of the
// talks: the first actor before the cue, or for reported words with none
// before them the first after (the attribution that follows). A side
// named first keeps the cue the sides'.
func TestOutlookCueOfAnOutsider(t *testing.T) {
	const sides = "outlook: {min: 1, margin: 1, ukraine_side: [Kyiv], russia_side: [Moscow]"
	rules := rulesYAML(`
rules:
` + relevantOnTalks + `  - id: moved
    label: outlook:progress
    match: [progress]
    TESTS
`)
	settings := strings.Replace(testSettings, "outlook: {min: 1, margin: 1}",
		sides+", outsiders: [Beijing, Lula]}\n  voice: {reporting: [said]}", 1)
	wantOutlooks(t, engineWith(t, settings, rules), []outlookCase{
		{"The talks went on. Beijing hailed the progress.", "none"},
		{"The talks went on. Lula said that Kyiv and Moscow had made progress.", "none"},
		{"The talks went on. Kyiv told Beijing that progress was made.", "progress"},
		{"The talks went on. Progress was made, Beijing said.", "none"},
		{"The talks went on. Progress was made in Moscow, Beijing said.", "progress"},
		{"The talks went on. Beijing hailed the talks.\n\nThere was progress.", "progress"},
	})
	// Without the setting the same sentence is read as the talks' state.
	plain := strings.Replace(testSettings, "outlook: {min: 1, margin: 1}", sides+"}", 1)
	wantOutlooks(t, engineWith(t, plain, rules), []outlookCase{{"The talks went on. Beijing hailed the progress.", "progress"}})
}

// A sentence that says where the talks stand and names the war's parties
// covers the talks even with no relevance rule's words in it; not when
// the sentence names other negotiations or the article another conflict,
// and from a progress verb, which serves every kind of agreement, only in
// the headline.
func TestOutlookStatementCoversTheTalks(t *testing.T) {
	settings := strings.Replace(testSettings, "relevance: {threshold: 2}",
		"relevance: {threshold: 2, outlook_weight: 1, outlook_max: 2, outlook_not: [accession], outlook_names: [$sides, Istanbul], outlook_headline_weight: 2}", 1)
	settings = strings.Replace(settings, "outlook: {min: 1, margin: 1}",
		"outlook: {min: 1, margin: 1, elsewhere: [Gaza], this_war: [$sides]}", 1)
	e := engineWith(t, settings, rulesYAML(`
terms:
  sides: [Kyiv, Kremlin, Moscow]
rules:
  - id: stuck
    label: outlook:stalemate
    match: [deadlock, rejected]
    TESTS
  - id: moved
    label: outlook:progress
    match: [agreed]
    TESTS
`))
	cases := []struct {
		title, body string
		relevant    bool
	}{
		{"Kremlin sees deadlock", "Kyiv rejected the latest offer.", true},
		{"Talks", "The Kremlin sees deadlock. The weather was fine.", false},                // one sentence: 1 < 2
		{"Kremlin sees deadlock", "Kyiv rejected the offer. Moscow rejected it too.", true}, // capped at two, still enough
		{"Kremlin sees deadlock", "Kyiv rejected the offer, as Gaza talks went on.", false},
		{"Kyiv accession talks in deadlock", "Kyiv rejected the latest offer.", false},
		{"Istanbul round in deadlock", "Kyiv rejected the latest offer.", true}, // a venue of the talks names them
		{"Istanbul round in deadlock", "The weather was fine.", true},           // also with no side named
		{"Istanbul round in deadlock", "The accession round is next.", false},   // other negotiations, no side named
		{"Deadlock", "It was rejected.", false},                                 // names neither side
		{"Deadlock with the Kremlin", "The weather was fine.", true},            // a headline statement alone
		{"Kremlin and Kyiv agreed", "The weather was fine.", true},              // progress too, in the headline
		{"Weather", "Kremlin and Kyiv agreed on a loan.", false},
	}
	for _, c := range cases {
		r := e.Tag(Document{Title: c.title, Body: c.body})
		if r.Relevant != c.relevant {
			t.Errorf("%q / %q: relevant %v, want %v (scores %v)", c.title, c.body, r.Relevant, c.relevant, r.Scores)
		}
		if r.Relevant && len(evidenceOf(r, "relevant")) == 0 {
			t.Errorf("%q: relevant with no evidence", c.title)
		}
	}
	// With the sides named (outlook.ukraine_side), an agreement in the
	// headline covers the talks only in an article that names Ukraine:
	// Moscow signs other deals too.
	sided := strings.Replace(settings, "this_war: [$sides]}", "this_war: [$sides], ukraine_side: [Kyiv], russia_side: [Moscow, Kremlin]}", 1)
	e2 := engineWith(t, sided, rulesYAML(`
terms:
  sides: [Kyiv, Kremlin, Moscow]
rules:
  - id: moved
    label: outlook:progress
    match: [agreed]
    TESTS
`))
	for _, c := range []struct {
		title, body string
		relevant    bool
	}{
		{"Moscow and Beijing agreed", "The weather was fine.", false},
		{"Moscow and Beijing agreed", "Kyiv was not told.", true},
		{"Kremlin and Kyiv agreed", "The weather was fine.", true},
	} {
		if r := e2.Tag(Document{Title: c.title, Body: c.body}); r.Relevant != c.relevant {
			t.Errorf("%q / %q: relevant %v, want %v (scores %v)", c.title, c.body, r.Relevant, c.relevant, r.Scores)
		}
	}
}

// A rule with case: lower counts only matches written in lower case that
// do not open a sentence.
func TestLowerCaseRule(t *testing.T) {
	e := engine(t, rulesYAML(`
rules:
`+relevantOnTalks+`  - id: low
    label: framing:pro_ukraine
    case: lower
    match: [кремль]
    TESTS
`))
	for _, tc := range []struct {
		body string
		want float64
	}{
		{"The talks went on.\n\nВ Кремль пришли.", 0},
		{"The talks went on.\n\nКремль молчит.", 0},
		{"The talks went on.\n\nкремль молчит.", 0}, // a sentence's first word
		{"The talks went on.\n\nВчера кремль молчал.", 1},
	} {
		if got := e.Tag(Document{Body: tc.body}).Scores["framing:pro_ukraine"]; got != tc.want {
			t.Errorf("%q: score %v, want %v", tc.body, got, tc.want)
		}
	}
}

// TestLeadAfterFurniture: page text that opens with a menu line has its
// lead in the first paragraph of prose, which weighs as the lead.
func TestLeadAfterFurniture(t *testing.T) {
	e := engine(t, rulesYAML("rules:\n"+relevantOnTalks+`  - id: stall
    label: outlook:stalemate
    match: stalled
    TESTS
`))
	score := func(body string) float64 { return e.Tag(Document{Body: body}).Scores["outlook:stalemate"] }
	lead := score("Skip to content\n\nThe talks stalled on Monday, the delegations said.\n\nNothing else happened.")
	body := score("The weather in the capital was mild this week, forecasters said.\n\nThe talks stalled on Monday, the delegations said.")
	if lead != 1.5 || body != 1 {
		t.Errorf("stalemate in the lead after a menu line = %v, in the body = %v; want 1.5 and 1", lead, body)
	}
}

// settings.outlook.soft_alone: a readout's courtesy, quoted and below
// outlook.min, is progress when nothing contradicts it; a stalemate cue
// of full weight cancels it (claim: soft), and "weigh" leaves it under the
// minimum.
func TestSoftClaimDecidesAlone(t *testing.T) {
	rules := rulesYAML(`rules:
` + relevantOnTalks + `  - id: courtesy
    label: outlook:progress
    weight: 1
    quoted_weight: 0.5
    claim: soft
    match: constructive
    TESTS
  - id: firm
    label: outlook:progress
    weight: 1
    quoted_weight: 0.5
    match: agreed
    TESTS
  - id: stuck
    label: outlook:stalemate
    weight: 1
    match: deadlock
    TESTS
`)
	decides := strings.Replace(testSettings, "outlook: {min: 1, margin: 1}", "outlook: {min: 1, margin: 1, soft_alone: progress}", 1)
	wantOutlooks(t, engineWith(t, decides, rules), []outlookCase{
		{`The talks were "constructive", an aide said.`, "progress"},
		{`The talks were "agreed", an aide said.`, "none"},
		{`The talks were "constructive". The deadlock over land remains.`, "stalemate"},
	})
	wantOutlooks(t, engine(t, rules), []outlookCase{
		{`The talks were "constructive", an aide said.`, "none"},
	})
	if _, err := loadPair(strings.Replace(decides, "soft_alone: progress", "soft_alone: always", 1), rules); err == nil || !strings.Contains(err.Error(), "soft_alone") {
		t.Errorf("a bad soft_alone value: got %v, want an error naming it", err)
	}
}

// outlook.side_deals and side_deal_links: a progress cue on a side deal
// of the war (a swap, children returned) counts only in an item that
// names the talks somewhere. An item headlined by a side deal that never
// names the talks has no outlook cue at all.
func TestSideDealNeedsTheTalks(t *testing.T) {
	settings := strings.Replace(testSettings, "outlook: {min: 1, margin: 1}",
		"outlook: {min: 1, margin: 1, side_deals: [swap*, children], side_deal_links: [talks, round]}", 1)
	e := engineWith(t, settings, rulesYAML(`
rules:
  - id: rel
    label: relevant
    weight: 5
    match: war
    TESTS
  - id: agreed
    label: outlook:progress
    match: [agreed]
    TESTS
  - id: stuck
    label: outlook:stalemate
    match: [refused]
    TESTS
`))
	for _, tc := range []struct{ title, body, want string }{
		{"", "In the war the sides agreed a swap.", "none"},
		{"", "In the war the sides agreed a swap at the talks.", "progress"},
		{"", "The talks on the war went on.\n\nThe sides agreed a swap.", "progress"},
		{"", "The talks on the war went on. The sides agreed a swap.", "progress"},
		{"Second round", "In the war the sides agreed a swap.", "progress"},
		{"", "In the war the sides agreed a truce.", "progress"},
		{"", "In the war the sides agreed a truce.\n\nThe children came home.", "progress"},
		{"Children swapped", "Moscow refused a request in the war.", "none"},
		{"Children swapped", "Moscow refused a request in the war at the talks.", "stalemate"},
	} {
		if r := e.Tag(Document{Title: tc.title, Body: tc.body}); r.Outlook != tc.want {
			t.Errorf("%q / %q: outlook %s, want %s", tc.title, tc.body, r.Outlook, tc.want)
		}
	}
	half := strings.Replace(testSettings, "outlook: {min: 1, margin: 1}", "outlook: {min: 1, margin: 1, side_deals: [swap*]}", 1)
	if _, err := loadPair(half, rulesYAML("rules:\n"+relevantOnTalks)); err == nil || !strings.Contains(err.Error(), "side_deals and side_deal_links go together") {
		t.Errorf("side_deals without side_deal_links: err %v", err)
	}
}

// TestWithoutLeavesRulesOut: a rule left out by Without adds nothing and
// the engine's version says so; an id the set lacks is an error.
func TestWithoutLeavesRulesOut(t *testing.T) {
	rules := `
rules:
  - id: rel
    label: relevant
    weight: 2
    match: [peace talks]
    tests: [{ruleid: "peace talks"}, {ok: "talks"}]
  - id: stuck
    label: outlook:stalemate
    match: [deadlock]
    tests: [{ruleid: "a deadlock"}, {ok: "a lock"}]
`
	fsys := fstest.MapFS{"settings.yaml": {Data: []byte(testSettings)}, "r.yaml": {Data: []byte(rules)}}
	doc := Document{Title: "Peace talks end in deadlock", Body: "The peace talks ended in deadlock."}
	full, err := Load(FromFS(fsys, "rules"))
	if err != nil {
		t.Fatal(err)
	}
	less, err := Load(FromFS(fsys, "rules"), Without("stuck"))
	if err != nil {
		t.Fatal(err)
	}
	if got := full.Tag(doc).Outlook; got != "stalemate" {
		t.Fatalf("full rule set: outlook %q, want stalemate", got)
	}
	res := less.Tag(doc)
	if res.Outlook != "none" || !res.Relevant {
		t.Errorf("without stuck: relevant %v, outlook %q; want relevant, none", res.Relevant, res.Outlook)
	}
	if less.Version() == full.Version() {
		t.Errorf("without a rule the version is still %s", full.Version())
	}
	if _, err := Load(FromFS(fsys, "rules"), Without("no.such.rule")); err == nil || !strings.Contains(err.Error(), `"no.such.rule"`) {
		t.Errorf("unknown rule id: err %v, want one naming it", err)
	}
}
