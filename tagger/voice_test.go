package tagger

import (
	"strings"
	"testing"
)

const voiceSettings = `
settings:
  field_weights: {title: 2, lead: 1, body: 1}
  negation:
    window: 3
    words: [no, not, не]
    not: [only to find, made possible]
    barriers: [but, however, но]
    through: [possible, able, chance, готова]
  voice:
    reporting: [said, says, according to, по словам, за словами, заявил, described as]
    hearsay: [are said to, is said to]
    back_reference: [об этом заявил, про це заявив]
    modal: [could, hope*, chance, possible, to find, может, сподіва*]
    conditional: [if, если]
    modal_window: 4
    modal_after: [is possible, was possible, возможен, вероятно]
    modal_after_window: 2
    hoped_clause: [hope that]
    concessive: [although, хотя]
    contrast: [but, however, но]
    contrast_opening: [still, yet]
    conceded_weight: 0.5
    headline_labels: [analysis, live, talks]
    alternative: [or, или]
    speaker_topic: [on, о]
    indirect_question: [whether, ли, невідомо чи]
    indirect_question_not: [вряд ли]
  relevance: {threshold: 1}
  topics: {threshold: 1}
  outlook: {min: 1, margin: 0.5, ratio: 2, reported_weight: 1, contradicted_weight: 0.25}
  framing: {min: 1, margin: 0.5, ratio: 1.5}
`

const voiceRules = `
rules:
  - id: rel
    label: relevant
    match: [talks, переговор*]
    tests: [{ruleid: "talks"}, {ok: "walks"}]
  - id: progress
    label: outlook:progress
    match: [progress, breakthrough, closer, прогресс*]
    tests: [{ruleid: "progress"}, {ok: "stasis"}]
  - id: stalemate
    label: outlook:stalemate
    match: [deadlock, stalled, rejected, тупик*]
    tests: [{ruleid: "deadlock"}, {ok: "lock"}]
  - id: regime
    label: framing:pro_russia
    match: [Kyiv regime, киевск* режим*]
    tests: [{ruleid: "the Kyiv regime"}, {ok: "Kyiv"}]
`

func voiceEngine(t *testing.T) *Engine {
	t.Helper()
	return voiceEngineWith(t, voiceRules)
}

// voiceEngineWith loads rules under the voice test settings.
func voiceEngineWith(t *testing.T, rules string) *Engine {
	t.Helper()
	return engineWith(t, voiceSettings, rules)
}

func voiceOf(evs []Evidence, text string) (string, bool) {
	for _, ev := range evs {
		if strings.EqualFold(ev.Text, text) {
			return ev.Voice, true
		}
	}
	return "", false
}

func TestVoiceRoles(t *testing.T) {
	e := voiceEngine(t)
	cases := []struct {
		name, body string
		cue, voice string // the cue's voice in --explain ("" for own)
		outlook    string
	}{
		{"own voice", "The talks stalled on Friday.", "stalled", "", "stalemate"},
		{"after a verb of saying", "Lavrov said the talks stalled.", "stalled", "reported", "stalemate"},
		{"passive hearsay names no speaker", "The talks are said to have stalled.", "stalled", "", "stalemate"},
		{"before a closing attribution", "The talks made progress, an aide said.", "progress", "reported", "progress"},
		{"after according to", "According to Kyiv, the talks made progress.", "progress", "reported", "progress"},
		{"по словам", "По словам Ушакова, переговоры зашли в тупик.", "тупик", "reported", "stalemate"},
		{"a complement after a mid-sentence verb", "Выступая в Думе, Ушаков заявил, что переговоры зашли в тупик.", "тупик", "reported", "stalemate"},
		{"in quotes", `The envoy spoke of "real progress" in the talks.`, "progress", "reported", "progress"},
		{"hoped for", "Both sides hope for a breakthrough in the talks.", "breakthrough", "hypothetical", "none"},
		{"a chance of", "There is a chance of progress at the talks.", "progress", "hypothetical", "none"},
		{"an aim", "The envoys flew in to find a breakthrough in the talks.", "breakthrough", "hypothetical", "none"},
		{"a result, not an aim", "They sent a plan, only to find progress in the talks.", "progress", "", "progress"},
		{"possible, in Russian", "Переговоры может ждать прогресс.", "прогресс", "hypothetical", "none"},
		{"what a hope-that clause hopes for, past its commas", "Officials hope that, once the summer is over and the envoys return, the talks make progress.", "progress", "hypothetical", "none"},
		{"negated, not hoped", "The talks brought no breakthrough.", "no breakthrough", "", "stalemate"},
		{"negated under a condition", "Tariffs follow if the talks bring no breakthrough.", "no breakthrough", "hypothetical", "none"},
		{"negated under a condition, in Russian", "Если переговоры опять не дадут прогресса, санкции усилят.", "не дадут прогресса", "hypothetical", "none"},
		{"a modal verb leaves a failure counted", "The talks could bring no breakthrough.", "no breakthrough", "", "stalemate"},
		{"after described as, not a tail", "The offer, which Kyiv described as a breakthrough, came late.", "breakthrough", "reported", "progress"},
		{"handed back by the next sentence", "Переговоры зашли в тупик. Об этом заявил Ушаков.", "тупик", "reported", "stalemate"},
		{"not by a later one", "Переговоры зашли в тупик. Делегации уехали. Об этом заявил Ушаков.", "тупик", "", "stalemate"},
		{"not when the attribution does not open its sentence", "Переговоры зашли в тупик. Вчера об этом заявил Ушаков.", "тупик", "", "stalemate"},
		{"asked in an indirect question", "Asked whether the talks made progress, the aide smiled.", "progress", "hypothetical", "none"},
		{"an indirect question with its predicate first", "На вопрос, ждать ли прогресса в переговорах, министр промолчал.", "прогресса", "hypothetical", "none"},
		{"the answer to an indirect question is stated", "Asked whether a deal was close, officials pointed to the deadlock.", "deadlock", "", "stalemate"},
		{"the clause before an indirect question is stated", "The talks stalled and nobody knows whether they resume.", "stalled", "", "stalemate"},
		{"a question word that asks nothing", "Переговоры вряд ли выйдут из тупика.", "тупика", "", "stalemate"},
		{"a possibility, alone, is hypothetical", "It was possible to make progress in the talks.", "progress", "hypothetical", "none"},
		{"a possibility denied is a failure", "It was not possible to make progress in the talks.", "not possible to make progress", "", "stalemate"},
		{"an ability denied, auxiliaries between", "The envoys have not been able to make progress.", "not been able to make progress", "", "stalemate"},
		{"a readiness denied, in Russian", "Москва не готова обеспечить в переговорах прогресс.", "не готова обеспечить в переговорах прогресс", "", "stalemate"},
		{"a chance denied, in a question, asks", "Is there not a chance of progress?", "progress", "hypothetical", "none"},
		{"a denial too far before the word", "Not one envoy said it was possible to make progress.", "progress", "hypothetical", "none"},
		{"a possibility said after the cue", "In the talks, real progress is possible by June.", "progress", "hypothetical", "none"},
		{"a possibility said after the cue, in Russian", "На переговорах прогресс возможен уже весной.", "прогресс", "hypothetical", "none"},
		{"a possibility too far after the cue", "Progress came at the talks in Geneva, which is possible to visit.", "progress", "", "progress"},
		{"a possibility in an aside after the cue", "Тупик, вероятно, сохранится на переговорах.", "тупик", "hypothetical", "none"},
		{"a possibility that happened", "The progress made possible by the envoys surprised the talks.", "progress", "", "progress"},
		{"a possibility in the next clause", "The talks stalled, and progress is possible later.", "stalled", "", "stalemate"},
	}
	for _, c := range cases {
		res, all := e.Explain(Document{Title: "Talks", Body: c.body})
		v, ok := voiceOf(all.Matches, c.cue)
		if !ok {
			t.Errorf("%s: no match %q in %q", c.name, c.cue, c.body)
			continue
		}
		if v != c.voice {
			t.Errorf("%s: %q has voice %q, want %q", c.name, c.cue, v, c.voice)
		}
		if res.Outlook != c.outlook {
			t.Errorf("%s: outlook %s, want %s (scores %v)", c.name, res.Outlook, c.outlook, res.Scores)
		}
	}
}

// The subject of a verb of saying stays the outlet's own words: framing
// counts it; the reported clause after the verb it does not.
func TestReportedSpeechIsNotOwnVoiceForFraming(t *testing.T) {
	e := voiceEngine(t)
	if r := e.Tag(Document{Title: "Talks", Body: "Peskov said the Kyiv regime must withdraw before any talks."}); r.Framing != "neutral" {
		t.Errorf("framing %s from a paraphrase of Peskov, want neutral", r.Framing)
	}
	if r := e.Tag(Document{Title: "Talks", Body: "The Kyiv regime said it would skip the talks."}); r.Framing != "pro_russia" {
		t.Errorf("framing %s from the outlet's own subject, want pro_russia", r.Framing)
	}
	// A headline "Speaker: words" is the speaker's; a section label is not.
	if r := e.Tag(Document{Title: "Kremlin aide: the Kyiv regime wrecked the talks", Body: "Talks."}); r.Framing != "neutral" {
		t.Errorf("framing %s from a headline attributed to a speaker, want neutral", r.Framing)
	}
	if r := e.Tag(Document{Title: "Analysis: the Kyiv regime wrecked the talks", Body: "Talks."}); r.Framing != "pro_russia" {
		t.Errorf("framing %s from an analysis headline in the own voice, want pro_russia", r.Framing)
	}
	// A topic or venue before the colon is no speaker either.
	if r := e.Tag(Document{Title: "Geneva talks: the Kyiv regime wrecked the round", Body: "Talks."}); r.Framing != "pro_russia" {
		t.Errorf("framing %s from a topic headline in the own voice, want pro_russia", r.Framing)
	}
	// A label after a speaker and a topic word is the speaker's topic, not
	// a rubric: the whole headline is the speaker's, the name too, and the
	// head may run past three words.
	for _, title := range []string{"Peskov on talks: the Kyiv regime wrecked the round", "Ushakov on the talks in Geneva: the Kyiv regime wrecked the round", "Kremlin aide on talks: the Kyiv regime wrecked the round"} {
		if r := e.Tag(Document{Title: title, Body: "Talks."}); r.Framing != "neutral" {
			t.Errorf("framing %s from %q, a speaker's headline on a topic, want neutral", r.Framing, title)
		}
	}
	if r := e.Tag(Document{Title: "Talks on the Kyiv regime: the round stalled", Body: "Talks."}); r.Framing != "pro_russia" {
		t.Errorf("framing %s from a rubric headline with a topic word after the label, want pro_russia", r.Framing)
	}
	// So is a body paragraph of that form (a headline or subhead repeated
	// in the text), but not one opening with a section label or with
	// lower-case words.
	if r := e.Tag(Document{Title: "Talks", Body: "Talks went on.\n\nKremlin aide: the Kyiv regime wrecked the talks."}); r.Framing != "neutral" {
		t.Errorf("framing %s from a body paragraph attributed to a speaker, want neutral", r.Framing)
	}
	for _, body := range []string{"Talks went on.\n\nAnalysis: the Kyiv regime wrecked the talks.", "Talks went on.\n\nin short: the Kyiv regime wrecked the talks."} {
		if r := e.Tag(Document{Title: "Talks", Body: body}); r.Framing != "pro_russia" {
			t.Errorf("framing %s from %q, a paragraph in the own voice, want pro_russia", r.Framing, body)
		}
	}
	// So is "words — Speaker", but not a dash before lower-case words or a
	// section label.
	for _, title := range []string{"The Kyiv regime wrecked the talks — Kremlin aide", "The Kyiv regime wrecked the talks - RIA Novosti", "Киевский режим сорвал переговоры — Ушаков", "Киевский режим сорвал переговоры, — депутат"} {
		if r := e.Tag(Document{Title: title, Body: "Talks."}); r.Framing != "neutral" {
			t.Errorf("framing %s from %q, a headline with its speaker after a dash, want neutral", r.Framing, title)
		}
	}
	// And "words: Source", the wire headline's source after a final colon,
	// but not a colon before lower-case words or a section label.
	for _, title := range []string{"The Kyiv regime wrecked the talks: Kremlin", "The Kyiv regime wrecked the talks: Kremlin Aide Ushakov", "Киевский режим сорвал переговоры: Ушаков"} {
		if r := e.Tag(Document{Title: title, Body: "Talks."}); r.Framing != "neutral" {
			t.Errorf("framing %s from %q, a headline with its source after a colon, want neutral", r.Framing, title)
		}
	}
	for _, title := range []string{"The Kyiv regime wrecked the talks — and the truce", "The Kyiv regime wrecked the talks — Analysis", "Kyiv regime-Moscow talks stalled", "The Kyiv regime wrecked the talks: what we know", "The Kyiv regime wrecked the talks: Analysis"} {
		if r := e.Tag(Document{Title: title, Body: "Talks."}); r.Framing != "pro_russia" {
			t.Errorf("framing %s from %q, a headline in the own voice, want pro_russia", r.Framing, title)
		}
	}
}

// The article's own statement outranks a claim it reports.
func TestOwnVoiceOutranksReportedClaim(t *testing.T) {
	e := voiceEngine(t)
	r := e.Tag(Document{Title: "Envoy says talks moved closer",
		Body: "The envoy says the talks moved closer.\n\nIn fact the talks stalled again. Moscow rejected the text."})
	if r.Outlook != "stalemate" {
		t.Errorf("outlook %s (scores %v), want stalemate: own-voice stalemate over a reported 'closer'", r.Outlook, r.Scores)
	}
	r = e.Tag(Document{Title: "Envoy says talks moved closer", Body: "The envoy says the talks moved closer."})
	if r.Outlook != "progress" {
		t.Errorf("outlook %s (scores %v), want progress when nothing contradicts the claim", r.Outlook, r.Scores)
	}
}

// What "but" or "although" gives away weighs half.
func TestConcessionWeighsHalf(t *testing.T) {
	e := voiceEngine(t)
	r := e.Tag(Document{Title: "Talks", Body: "The talks made progress on prisoners, but the land question stalled."})
	if got := r.Scores["outlook:progress"]; got != 0.5 {
		t.Errorf("progress %v, want 0.5: conceded before 'but'", got)
	}
	if got := r.Scores["outlook:stalemate"]; got != 1 {
		t.Errorf("stalemate %v, want 1: the point after 'but'", got)
	}
	r = e.Tag(Document{Title: "Talks", Body: "Although the talks stalled, progress came on prisoners."})
	if r.Scores["outlook:stalemate"] != 0.5 || r.Scores["outlook:progress"] != 1 {
		t.Errorf("scores %v: want the clause after 'although' at half", r.Scores)
	}
}

// "still" and "yet" give away what comes before them only when they open
// a sentence or clause; as adverbs they concede nothing.
func TestContrastOnlyWhenOpening(t *testing.T) {
	e := voiceEngine(t)
	for _, c := range []struct {
		body string
		want float64 // stalemate score
	}{
		{"The talks stalled and the sides are still apart.", 1},
		{"The talks stalled and no reply came yet.", 1},
		{"The talks stalled. Still, the envoys met again.", 0.5},
		{"The talks stalled, yet the envoys met again.", 0.5},
	} {
		r := e.Tag(Document{Title: "Talks", Body: c.body})
		if got := r.Scores["outlook:stalemate"]; got != c.want {
			t.Errorf("%q: stalemate %v, want %v", c.body, got, c.want)
		}
	}
}

// Evidence stays in text order past the packed key's 8 MiB offset limit.
func TestEvidenceOrderPastEightMiB(t *testing.T) {
	e := voiceEngine(t)
	filler := strings.Repeat("Weather news of the day. ", (9<<20)/25)
	body := "The talks stalled.\n\n" + filler + "\n\nThe talks stalled again.\n\n" + filler + "\n\nA deadlock in the talks."
	r := e.Tag(Document{Title: "Talks", Body: body})
	prev := -1
	n := 0
	for _, ev := range r.Evidence {
		if ev.Field != "body" {
			continue
		}
		if ev.Start < prev {
			t.Fatalf("evidence out of order at %d after %d: %+v", ev.Start, prev, ev)
		}
		if body[ev.Start:ev.End] != ev.Text {
			t.Fatalf("evidence %+v does not slice the body", ev)
		}
		prev = ev.Start
		n++
	}
	if n < 3 || prev < 16<<20 {
		t.Errorf("%d pieces of body evidence, last at %d: want matches past 16 MiB", n, prev)
	}
}

// Words denied in one match are denied in every match of the rule that
// shares them: "no deal was reached, and ceasefire talks..." reaches no
// ceasefire through the same "reached".
func TestNegationCoversMatchesSharingWords(t *testing.T) {
	rules := voiceRules + `
  - id: reach_deal
    label: outlook:progress
    match:
      near: [[deal, ceasefire], [reached]]
      within: 3
    tests: [{ruleid: "a deal was reached"}, {ok: "a deal"}]
`
	e := voiceEngineWith(t, rules)
	for _, c := range []struct{ body, outlook string }{
		{"In Geneva no deal was reached, and ceasefire talks go on.", "stalemate"},
		{"In Geneva a deal was reached, and ceasefire talks go on.", "progress"},
	} {
		res := e.Tag(Document{Title: "Talks", Body: c.body})
		if res.Outlook != c.outlook {
			t.Errorf("%q: outlook %s, want %s (scores %v)", c.body, res.Outlook, c.outlook, res.Scores)
		}
	}
}

// A soft claim ("productive") counts only when the stalemate cues do not
// match the substantive progress: the taxonomy's talks called productive
// "and nothing in the article contradicts it".
func TestSoftClaimYieldsToStalemate(t *testing.T) {
	e := voiceEngineWith(t, voiceRules+`
  - id: courtesy
    label: outlook:progress
    claim: soft
    match: [productive]
    tests: [{ruleid: "productive"}, {ok: "product"}]
`)
	for _, c := range []struct{ body, outlook string }{
		{"The talks were productive.", "progress"},
		{"The envoy called the talks productive. The talks stalled on land.", "stalemate"},
		{"The talks were productive. A breakthrough came on prisoners. The land question stalled.", "mixed"},
	} {
		if r := e.Tag(Document{Title: "Talks", Body: c.body}); r.Outlook != c.outlook {
			t.Errorf("%q: outlook %s, want %s (scores %v)", c.body, r.Outlook, c.outlook, r.Scores)
		}
	}
	if _, err := loadPair(voiceSettings, strings.Replace(voiceRules, "label: outlook:stalemate\n", "label: outlook:stalemate\n    claim: soft\n", 1)); err == nil || !strings.Contains(err.Error(), "claim: soft and offer are for progress rules") {
		t.Errorf("soft stalemate rule: err %v", err)
	}
}

// A headline's head that names alternatives before a colon asks which
// it is: neither alternative is asserted. An "or" later in the headline,
// or in a long head, asks nothing.
func TestHeadlineAlternatives(t *testing.T) {
	e := voiceEngine(t)
	const body = "The talks went on in the capital."
	for _, c := range []struct{ title, outlook string }{
		{"Breakthrough or deadlock: envoys meet again", "none"},
		{"Прорыв или тупик: делегации снова встретились", "none"},
		{"Envoys report a breakthrough: prisoners or land next", "progress"},
		{"A breakthrough on prisoners came after two rounds or more: envoys", "progress"},
		{"Breakthrough for envoys in the capital", "progress"},
	} {
		if r := e.Tag(Document{Title: c.title, Body: body}); r.Outlook != c.outlook {
			t.Errorf("%q: outlook %s, want %s (scores %v)", c.title, r.Outlook, c.outlook, r.Scores)
		}
	}
}

// An offer (claim: offer), one side's move toward a deal, counts only
// while nobody is heard refusing: against a refusal it is the other half
// of a stalemate, not progress.
func TestOfferYieldsToRefusal(t *testing.T) {
	e := voiceEngineWith(t, voiceRules+`
  - id: offer
    label: outlook:progress
    claim: offer
    match: [accepted the truce, said yes]
    tests: [{ruleid: "accepted the truce"}, {ok: "the truce"}]
`)
	wantOutlooks(t, e, []outlookCase{
		{"After the talks the capital accepted the truce.", "progress"},
		{"After the talks the capital accepted the truce. The other side rejected it within hours.", "stalemate"},
		{"After the talks the capital accepted the truce. A breakthrough came on prisoners.", "progress"},
	})
	if _, err := loadPair(voiceSettings, strings.Replace(voiceRules, "label: outlook:stalemate\n", "label: outlook:stalemate\n    claim: offer\n", 1)); err == nil || !strings.Contains(err.Error(), "claim: soft and offer are for progress rules") {
		t.Errorf("offer stalemate rule: err %v", err)
	}
}

// outlook.lone_aside: drop leaves an article none when its only outlook
// cue is one reported sentence in the body that says nothing of the
// talks; a cue in the lead, a second sentence or a sentence about the
// talks still counts.
func TestLoneReportedAside(t *testing.T) {
	settings := strings.Replace(voiceSettings, "contradicted_weight: 0.25}", "contradicted_weight: 0.25, lone_aside: drop}", 1)
	e := engineWith(t, settings, voiceRules)
	const lead = "Troops for Europe were the theme of the talks.\n\n"
	for _, c := range []struct{ body, outlook string }{
		{lead + "The minister said the offer was rejected.", "none"},
		{lead + "The minister said the talks were rejected.", "stalemate"},
		{"The minister said the offer was rejected.", "stalemate"},
		{lead + "The minister said the offer was rejected. Another said it stalled.", "stalemate"},
		{lead + "The offer was rejected.", "stalemate"},
	} {
		if r := e.Tag(Document{Title: "Talks", Body: c.body}); r.Outlook != c.outlook {
			t.Errorf("%q: outlook %s, want %s", c.body, r.Outlook, c.outlook)
		}
	}
}

// outlook.lone_aside: drop_any leaves an article none when its only
// outlook cue is one sentence in the body, in any voice, that says
// nothing of the talks; drop reads only a reported one so.
func TestLoneAsideAnyVoice(t *testing.T) {
	const lead = "Troops for Europe were the theme of the talks.\n\n"
	for _, c := range []struct{ choice, body, outlook string }{
		{"drop_any", lead + "The offer was rejected.", "none"},
		{"drop", lead + "The offer was rejected.", "stalemate"},
		{"drop_any", lead + "The minister said the offer was rejected.", "none"},
		{"drop_any", lead + "The talks were rejected.", "stalemate"},
		{"drop_any", "The offer was rejected.", "stalemate"},
		{"drop_any", lead + "The offer was rejected. The plan stalled.", "stalemate"},
	} {
		settings := strings.Replace(voiceSettings, "contradicted_weight: 0.25}", "contradicted_weight: 0.25, lone_aside: "+c.choice+"}", 1)
		e := engineWith(t, settings, voiceRules)
		if r := e.Tag(Document{Title: "Talks", Body: c.body}); r.Outlook != c.outlook {
			t.Errorf("%s, %q: outlook %s, want %s", c.choice, c.body, r.Outlook, c.outlook)
		}
	}
}

// outlook.headline_quotes: own weighs a readout word quoted in the
// headline ("talks 'constructive': Kremlin") as the outlet's own
// headline statement; in the body, or with "quoted", quoted_weight
// applies.
func TestHeadlineQuotes(t *testing.T) {
	rules := strings.Replace(voiceRules, "match: [progress, breakthrough, closer, прогресс*]\n",
		"match: [progress, breakthrough, closer, прогресс*]\n    quoted_weight: 0.25\n", 1)
	const body = "The delegations met for two hours."
	for _, c := range []struct {
		mode, title, body, outlook string
	}{
		{"own", `Envoy calls talks a "breakthrough"`, body, "progress"},
		{"quoted", `Envoy calls talks a "breakthrough"`, body, "none"},
		{"own", "Envoy on the talks", `He called the talks a "breakthrough".`, "none"},
		{"own", "Envoy calls talks a breakthrough", body, "progress"},
	} {
		settings := strings.Replace(voiceSettings, "contradicted_weight: 0.25}", "contradicted_weight: 0.25, headline_quotes: "+c.mode+"}", 1)
		e := engineWith(t, settings, rules)
		if r := e.Tag(Document{Title: c.title, Body: c.body}); r.Outlook != c.outlook {
			t.Errorf("%s: %q / %q: outlook %s, want %s (scores %v)", c.mode, c.title, c.body, r.Outlook, c.outlook, r.Scores)
		}
	}
}

// A numbered point is a plan's provision, not news of the talks.
func TestNumberedPointsAreProvisions(t *testing.T) {
	e, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	points := "The draft was published on Friday.\n\n7. Kyiv agrees to stay out of NATO.\n\n8. The sides sign a non-aggression agreement."
	if r := e.Tag(Document{Title: "What the peace plan for Ukraine says", Body: points}); r.Outlook != "none" {
		t.Errorf("outlook %s from a plan's numbered points, want none", r.Outlook)
	}
	prose := "The draft was published on Friday.\n\nKyiv agrees to stay out of NATO.\n\nThe sides sign a non-aggression agreement."
	if r := e.Tag(Document{Title: "What the peace plan for Ukraine says", Body: prose}); r.Outlook != "progress" {
		t.Errorf("outlook %s from the same sentences as prose, want progress", r.Outlook)
	}
}

// A bulleted point of a list that a colon opens is a provision too; a
// dash that opens direct speech after "said:" is not.
func TestBulletedPointsAreProvisions(t *testing.T) {
	e, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	list := "The draft was published on Friday. Among its points:\n\n— Kyiv agrees to stay out of NATO.\n\n— The sides sign a non-aggression agreement."
	if r := e.Tag(Document{Title: "What the peace plan for Ukraine says", Body: list}); r.Outlook != "none" {
		t.Errorf("outlook %s from a plan's bulleted points, want none", r.Outlook)
	}
	speech := "Министр рассказал журналистам о переговорах. Он заявил:\n\n— Переговоры зашли в тупик."
	if r := e.Tag(Document{Title: "Итоги встречи в Женеве", Body: speech}); r.Scores["outlook:stalemate"] == 0 {
		t.Errorf("direct speech after a dash read as a provision: no stalemate weight (scores %v)", r.Scores)
	}
	dashes := "The draft was published on Friday.\n\n— Kyiv agrees to stay out of NATO.\n\n— The sides sign a non-aggression agreement."
	if r := e.Tag(Document{Title: "What the peace plan for Ukraine says", Body: dashes}); r.Outlook != "progress" {
		t.Errorf("outlook %s from dashed lines that no colon introduces, want progress", r.Outlook)
	}
}

// "Об этом 30 декабря заявил министр" hands the sentence before to the
// speaker, with a date or a place between the opening and the verb.
func TestBackReferenceWithWordsBetween(t *testing.T) {
	e, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		"Киевский режим снова сорвал переговоры. Об этом 30 декабря заявил министр.",
		"Київський режим знову зірвав переговори. Про це в ефірі телемарафону заявив речник.",
	} {
		if r := e.Tag(Document{Title: "Переговоры", Body: body}); r.Framing != "neutral" {
			t.Errorf("framing %s from %q, the speaker's words, want neutral", r.Framing, body)
		}
	}
	for _, own := range []string{
		"Киевский режим снова сорвал переговоры. Министр приехал 30 декабря.",
		// an outlet relaying a report is hearsay: the words stay the outlet's
		"Киевский режим снова сорвал переговоры. Об этом пишет Reuters.",
		"Київський режим знову зірвав переговори. Про це повідомляє РБК-Україна.",
	} {
		if r := e.Tag(Document{Title: "Переговоры", Body: own}); r.Framing != "pro_russia" {
			t.Errorf("framing %s from %q, the outlet's own words, want pro_russia", r.Framing, own)
		}
	}
}

// A page that prints its headline again atop the text says it once: the
// repeat adds nothing to the headline's count.
func TestTitleRepeatCountsOnce(t *testing.T) {
	e, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	title := "Peace talks on Ukraine stall in Geneva"
	rest := "The delegations met for five hours on Friday and will meet again."
	once := e.Tally(Document{Title: title, Body: rest})
	twice := e.Tally(Document{Title: title, Body: title + "\n\n" + rest})
	if once.Own != twice.Own {
		t.Errorf("outlook %v with the headline repeated in the body, %v without: want the same", twice.Own, once.Own)
	}
	// under a site name, in the same line
	if under := e.Tally(Document{Title: title, Body: "Daily Wire News - " + title + "\n\n" + rest}); under.Own != once.Own {
		t.Errorf("outlook %v with the headline repeated under a site name, %v without: want the same", under.Own, once.Own)
	}
	// a headline of two sentences, the first too short to count alone
	two := "Peace talks collapse. Envoys leave Geneva for home"
	if a, b := e.Tally(Document{Title: two, Body: rest}), e.Tally(Document{Title: two, Body: "News - " + two + "\n\n" + rest}); a.Own != b.Own {
		t.Errorf("outlook %v with a two-sentence headline repeated, %v without: want the same", b.Own, a.Own)
	} else if a.Own[sideStalemate] == 0 {
		t.Errorf("no stalemate cue read in %q", two)
	}
	if once.Own[sideStalemate] == 0 {
		t.Errorf("no stalemate cue read in %q", title)
	}
}

// outlook.exchange_mixed: progress found only in sentences on the
// exchange track, beside a stalemate cue, is mixed however the weights
// fall; progress elsewhere, or no stalemate at all, leaves it progress.
func TestExchangeTrackBesideStuckCore(t *testing.T) {
	settings := strings.Replace(voiceSettings, "contradicted_weight: 0.25}", "contradicted_weight: 0.25, exchange_track: [swap*, prisoners], exchange_mixed: 0.25}", 1)
	rules := voiceRules + `
  - id: agreed
    label: outlook:progress
    weight: 3
    match: [agreed]
    tests: [{ruleid: "agreed"}, {ok: "agree"}]
`
	e := engineWith(t, settings, rules)
	wantOutlooks(t, e, []outlookCase{
		{"At the talks the delegations agreed a swap of prisoners.", "progress"},
		{"At the talks the delegations agreed a swap of prisoners. On the truce the talks stalled.", "mixed"},
		{"At the talks the delegations agreed a new text. On the truce the talks stalled.", "progress"},
	})
	if _, err := loadPair(strings.Replace(voiceSettings, "contradicted_weight: 0.25}", "contradicted_weight: 0.25, exchange_mixed: 0.25}", 1), voiceRules); err == nil || !strings.Contains(err.Error(), "exchange_mixed needs exchange_track") {
		t.Errorf("exchange_mixed without exchange_track: err %v", err)
	}
}

// outlook.ukraine_side and russia_side tell whose refusal stands against
// a side's move: the other side's voids it (a stalemate), its own leaves
// a yes to part and a no to the rest (mixed), and a move both sides make
// together is no one side's offer.
func TestOfferAgainstWhoseRefusal(t *testing.T) {
	settings := strings.Replace(voiceSettings, "contradicted_weight: 0.25}", "contradicted_weight: 0.25, ukraine_side: [Kyiv], russia_side: [Moscow]}", 1)
	e := engineWith(t, settings, voiceRules+`
  - id: offer
    label: outlook:progress
    claim: offer
    match: [accepted the truce]
    tests: [{ruleid: "accepted the truce"}, {ok: "the truce"}]
`)
	wantOutlooks(t, e, []outlookCase{
		{"At the talks Kyiv accepted the truce. Moscow rejected it within hours.", "stalemate"},
		{"At the talks Kyiv accepted the truce and rejected the map.", "mixed"},
		{"At the talks Kyiv and Moscow accepted the truce. The deadlock on the map stays.", "mixed"},
		{"At the talks the capital accepted the truce. Moscow rejected it within hours.", "stalemate"},
	})
}
