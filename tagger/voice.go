package tagger

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Voice: whose words a cue is, and whether it is asserted at all.
//
// News items are quote-heavy and wire copy attributes nearly every claim,
// so the engine reads each cue in its clause before counting it:
//
//   - reported: inside quotation marks, or in the part of a sentence that
//     a verb of saying or an attribution ("said", "according to", "по
//     словам", "за словами", "як заявив") hands to a speaker. That part is
//     the speaker's, not the outlet's: framing ignores it, and an outlook
//     cue there weighs less and gives way to the article's own voice.
//   - hypothetical: a modal, hope or attempt word before the cue in its
//     clause ("could bring progress", "hopes for a deal", "a chance of a
//     breakthrough", "an effort to secure a breakthrough", "надеются на
//     прогресс"), or a question ("Will Geneva bring a breakthrough?").
//     Hoped-for, attempted or possible movement is not movement: outlook
//     does not count it.
//   - own: everything else, the article's own voice.

// role is the voice of a counted match.
type role uint8

const (
	roleOwn role = iota
	roleReported
	roleHypothetical
)

func (r role) String() string {
	switch r {
	case roleReported:
		return "reported"
	case roleHypothetical:
		return "hypothetical"
	}
	return "own"
}

// tailAttribution is how many words at most may follow a sentence-final
// attribution ("..., Peskov told reporters on Friday") for it to hand the
// words before it to the speaker.
const tailAttribution = 6

// markVoice marks the reported tokens of the document from the matches of
// the reporting vocabulary, and where modal words end (for hypothetical).
func (e *Engine) markVoice(st *docState) {
	toks := st.z.toks
	n := len(toks)
	if cap(st.reported) < n {
		st.reported = make([]bool, n)
		st.modalAt = make([]int32, n)
	}
	st.reported, st.modalAt = st.reported[:n], st.modalAt[:n]
	if cap(st.conceded) < n {
		st.conceded = make([]bool, n)
	}
	st.conceded = st.conceded[:n]
	for i := range st.reported {
		st.reported[i] = toks[i].quoted
		st.modalAt[i] = -1
		st.conceded[i] = false
	}
	if e.modalGroup >= 0 {
		for _, s := range st.hits(e.modalGroup) {
			st.modalAt[s.end-1] = s.start
		}
		// "чи не єдиний" asks nothing: its "чи" is no question word.
		if e.notNegGroup >= 0 {
			unmark(st.hits(e.notNegGroup), st.modalAt)
		}
	}
	st.modalAfterAt = cleared(st.modalAfterAt, n)
	if e.modalAfterGroup >= 0 {
		for _, s := range st.hits(e.modalAfterGroup) {
			st.modalAfterAt[s.start] = true
		}
		// "the progress made possible by the talks" happened.
		if e.notNegGroup >= 0 {
			for _, s := range st.hits(e.notNegGroup) {
				for i := s.start; i < s.end; i++ {
					st.modalAfterAt[i] = false
				}
			}
		}
	}
	st.condEnd = cleared(st.condEnd, n)
	st.condSent = cleared(st.condSent, n)
	if e.condGroup >= 0 {
		for _, s := range st.hits(e.condGroup) {
			// "Если говорить о территориях, то…" names a topic; it sets no
			// condition (settings.negation.not).
			if e.notNegGroup >= 0 && inSpans(s.start, st.hits(e.notNegGroup)) {
				continue
			}
			st.condEnd[s.end-1] = true
			// A sentence that opens with a condition is hypothetical
			// through its main clause too: "If Russia attacks again, the
			// draft foresees the collapse of the deal."
			_, to := sentenceOf(toks, s.start)
			if toks[s.start].sentStart {
				markRange(st.condSent, s.end, to)
				continue
			}
			// A condition reaches into the clause its verb governs: in
			// "санкции, если решит, что Москва тянет время" the stalling
			// is as hypothetical as the deciding (English needs no comma
			// there, and the modal window covers it).
			if end := clauseEnd(toks, s.end); end < to && st.complementAt(end, to) {
				markRange(st.condSent, end, clauseEnd(toks, end+1))
			}
		}
	}
	st.hoped = cleared(st.hoped, n)
	if e.hopedGroup >= 0 {
		for _, s := range st.hits(e.hopedGroup) {
			_, to := sentenceOf(toks, s.start)
			markRange(st.hoped, s.end, to)
		}
	}
	st.background = cleared(st.background, n)
	st.anyBackground = e.backgroundGroup >= 0 && len(st.hits(e.backgroundGroup)) > 0
	if st.anyBackground {
		// "Мораторий, о котором стороны договорились в марте, истек": the
		// clause recalls where the thing came from; the news is the rest.
		for _, s := range st.hits(e.backgroundGroup) {
			markRange(st.background, s.start, clauseEnd(toks, s.end))
		}
	}
	e.markEmbeddedRelatives(st)
	e.markConceded(st)
	st.markQuestions(e.altGroup)
	e.markIndirectQuestions(st)
	e.markHeadlineSpeaker(st)
	e.markParagraphs(st)
	e.markBackReference(st)
	if e.reportGroup < 0 {
		return
	}
	for _, s := range st.hits(e.reportGroup) {
		if e.hearsay(st, s) {
			// "The talks are said to centre on...": hearsay with no
			// speaker; the sentence stays the outlet's.
			continue
		}
		from, to := sentenceOf(toks, s.start)
		// No tail when "что"/"that" opens a complement after the verb:
		// "Выступая в Думе, Лавров заявил, что переговоры зашли в тупик"
		// hands the words after the verb to Lavrov, not the opening clause.
		// Nor when a relative pronoun opens the clause: in "..., — a
		// demand which Kyiv calls capitulation" the attribution speaks for
		// its relative clause, not for the clause the pronoun hangs on.
		if start, ok := tailClause(toks, from, s); ok && int(to-s.end) <= tailAttribution && !st.complementAt(s.end, to) && !st.endsInAs(s) && !e.relativeAt(st, start) && !st.colonBefore(start) {
			// "Talks made no progress, Ushakov said": the clause before
			// the attribution is the speaker's.
			markRange(st.reported, from, start)
			continue
		}
		// "Ushakov said the talks..." / "По словам Ушакова, ...": the rest
		// of the sentence is the speaker's; the subject stays the outlet's.
		markRange(st.reported, s.end, to)
	}
}

// markBackReference hands the sentence before "Об этом заявил Лавров." /
// "Про це сказав Умєров." to the speaker: the Russian and Ukrainian
// wire form puts the claim first and the attribution in the next
// sentence. Only a sentence of the same field, and only when the
// attribution opens its sentence.
func (e *Engine) markBackReference(st *docState) {
	toks := st.z.toks
	mark := func(from int32) {
		if from == 0 || toks[from-1].field != toks[from].field {
			return
		}
		prev, _ := sentenceOf(toks, from-1)
		markRange(st.reported, prev, from)
	}
	if e.backRefGroup >= 0 {
		for _, s := range st.hits(e.backRefGroup) {
			if from, _ := sentenceOf(toks, s.start); s.start == from {
				mark(from)
			}
		}
	}
	// "Об этом 30 декабря заявил министр": a date, a place or "в эфире"
	// may stand between the opening and the verb of saying. An outlet
	// relaying a report ("Об этом пишет Reuters", hearsay) hands nothing
	// over, as with the fixed phrases.
	if e.backRefOpenGroup >= 0 && e.reportGroup >= 0 {
		verbs := st.hits(e.reportGroup)
		for _, s := range st.hits(e.backRefOpenGroup) {
			from, to := sentenceOf(toks, s.start)
			if s.start != from {
				continue
			}
			for _, v := range verbs {
				if v.start >= s.end && v.start < to && v.start <= s.end+backRefReach {
					if !e.hearsay(st, v) {
						mark(from)
					}
					break
				}
			}
		}
	}
}

// backRefReach is how many words may stand between a back reference's
// opening and its verb of saying.
const backRefReach = 5

// colonBefore reports whether a colon stands right before token t: a
// clause after a colon ("Мораторий истек: стороны обвиняют друг друга")
// states what came of the one before; it is no attribution of it, which
// follows a comma or a dash.
func (st *docState) colonBefore(t int32) bool {
	toks := st.z.toks
	if t == 0 || toks[t-1].field != toks[t].field {
		return false
	}
	return strings.Contains(st.fieldText(toks[t].field)[toks[t-1].end:toks[t].start], ":")
}

// markEmbeddedRelatives marks as background a relative clause set inside
// its sentence, between commas: in "the peace process, which weeks ago
// seemed to gather pace, has ground to a halt" the clause recalls the
// thing's past and the sentence's news comes after it. A relative clause
// that ends its sentence ("..., which Moscow has not accepted") adds news
// of its own and stays as it is.
func (e *Engine) markEmbeddedRelatives(st *docState) {
	if e.relativeGroup < 0 {
		return
	}
	toks := st.z.toks
	n := int32(len(toks))
	for _, s := range st.hits(e.relativeGroup) {
		// The pronoun opens its clause, alone or after a preposition
		// ("по которым", "on which").
		from := s.start
		if !toks[from].clause && from > 0 && toks[from-1].clause {
			from--
		}
		if !toks[from].clause || toks[from].sentStart {
			continue
		}
		end := clauseEnd(toks, s.end)
		if end < n && !toks[end].sentStart && toks[end].field == toks[from].field {
			markRange(st.background, from, end)
			st.anyBackground = true
		}
	}
}

// clauseEnd returns the first token from t on that opens a new clause
// (or the end of the document): where the clause holding t-1 ends.
func clauseEnd(toks []token, t int32) int32 {
	for int(t) < len(toks) && !toks[t].clause {
		t++
	}
	return t
}

// relativeAt reports whether a relative pronoun (settings.voice.relative)
// starts at token t.
func (e *Engine) relativeAt(st *docState, t int32) bool {
	if e.relativeGroup < 0 {
		return false
	}
	for _, h := range st.hits(e.relativeGroup) {
		if h.start == t {
			return true
		}
	}
	return false
}

// hearsay reports whether the reporting match s is part of a hearsay
// phrase (settings.voice.hearsay: "are said to", "was reported to").
func (e *Engine) hearsay(st *docState, s span) bool {
	if e.hearsayGroup < 0 {
		return false
	}
	for _, h := range st.hits(e.hearsayGroup) {
		if h.start <= s.start && s.end <= h.end {
			return true
		}
	}
	return false
}

// markConceded marks what a concession or contrast gives away: the
// clause after "although"/"despite"/"хоча"/"несмотря на", and what comes
// before "but"/"however"/"але"/"однако" in its sentence (the previous
// sentence when the contrast opens one). The point of such a sentence is
// the other side of it.
func (e *Engine) markConceded(st *docState) {
	toks := st.z.toks
	if e.concessGroup >= 0 {
		for _, s := range st.hits(e.concessGroup) {
			markRange(st.conceded, s.end, clauseEnd(toks, s.end))
		}
	}
	if e.contrastGroup >= 0 {
		for _, s := range st.hits(e.contrastGroup) {
			st.markContrast(s)
		}
	}
	if e.openContrastGroup >= 0 {
		for _, s := range st.hits(e.openContrastGroup) {
			if toks[s.start].clause {
				st.markContrast(s)
			}
		}
	}
}

// markContrast marks what a contrast word at s gives away: its sentence up
// to it, or the previous sentence as well when it opens one.
func (st *docState) markContrast(s span) {
	toks := st.z.toks
	from, _ := sentenceOf(toks, s.start)
	if s.start == from && from > 0 {
		from, _ = sentenceOf(toks, from-1)
	}
	markRange(st.conceded, from, s.start)
}

// markQuestions marks the sentences that end in a question mark ("Will
// the talks bring a breakthrough?"): what they ask about is not asserted.
func (st *docState) markQuestions(alt int32) {
	toks := st.z.toks
	n := len(toks)
	if cap(st.question) < n {
		st.question = make([]bool, n)
	}
	st.question = st.question[:n]
	clear(st.question)
	from := 0
	for i := range toks {
		if i+1 < n && !toks[i+1].sentStart {
			continue
		}
		text := st.fieldText(toks[i].field)
		if endsInQuestion(text[toks[i].end:]) {
			// Only the part after a colon, semicolon or dash asks: "The
			// core has not changed: what would Kyiv get?"
			j := i
			for j > from && !breaksQuestion(text[toks[j-1].end:toks[j].start]) {
				j--
			}
			for ; j <= i; j++ {
				st.question[j] = true
			}
		}
		from = i + 1
	}
	if alt >= 0 {
		st.markAlternatives(alt)
	}
}

// markIndirectQuestions marks what an indirect question asks ("asked
// whether a deal was close", "на вопрос, близок ли мир", "невідомо, чи
// погодиться Москва") as a question, like a sentence ending in a question
// mark: from the word before the question word (the predicate "ли"
// follows) to the end of its clause. A question word inside a phrase of
// settings.voice.indirect_question_not asks nothing ("вряд ли").
func (e *Engine) markIndirectQuestions(st *docState) {
	if e.askGroup < 0 {
		return
	}
	toks := st.z.toks
	var not []span
	if e.askNotGroup >= 0 {
		not = st.hits(e.askNotGroup)
	}
	for _, h := range st.hits(e.askGroup) {
		if overlapsAny(h, not) {
			continue
		}
		from := h.end - 1
		if from > 0 && !toks[from].clause {
			from--
		}
		markRange(st.question, from, clauseEnd(toks, h.end))
	}
}

// maxAlternativeHead is the most words a headline's head may have and
// still be a pair of alternatives ("Peace or capitulation:"), not a
// statement that happens to hold an "or".
const maxAlternativeHead = 5

// markAlternatives marks a headline's head that names alternatives
// before a colon or dash ("Breakthrough or betrayal: talks open in
// Miami", "Прорив чи зрада: ..."): it asks which, like a question.
func (st *docState) markAlternatives(alt int32) {
	hits := st.hits(alt)
	if len(hits) == 0 || hits[0].start >= maxAlternativeHead {
		return // no "or" where a head could hold it
	}
	toks := st.z.toks
	text := st.fieldText(fieldTitle)
	head := 0
	for head <= maxAlternativeHead && head < len(toks) && toks[head].field == fieldTitle {
		if head > 0 && breaksQuestion(text[toks[head-1].end:toks[head].start]) {
			break
		}
		head++
	}
	if head == 0 || head > maxAlternativeHead || head >= len(toks) || toks[head].field != fieldTitle {
		return // no head set off from the rest of the headline
	}
	for _, s := range hits {
		if s.start > 0 && s.end < int32(head) {
			markRange(st.question, 0, int32(head))
			return
		}
	}
}

// breaksQuestion reports whether the text between two words of a question
// ends the asserted part before it.
func breaksQuestion(between string) bool {
	return strings.ContainsAny(between, ":;—–")
}

// endsInQuestion reports whether rest, the text after a sentence's last
// word, starts with a question mark (after closing quotes or brackets).
func endsInQuestion(rest string) bool {
	for _, r := range rest {
		switch r {
		case '?', '？':
			return true
		case ' ', '"', '\'', '»', '“', '”', '’', ')', ']':
			continue
		}
		return false
	}
	return false
}

// markProvision marks the body paragraph at p if it is a numbered point
// ("7. Ukraine agrees to enshrine...", "2) Стороны подпишут..."): a
// plan's or memorandum's provisions, what its authors propose, not where
// the talks stand.
func (st *docState) markProvision(p int) {
	toks := st.z.toks
	body := st.doc.Body
	tk := &toks[p]
	if !listNumber(body[tk.start:tk.end]) || int(tk.end) >= len(body) || body[tk.end] != '.' && body[tk.end] != ')' {
		return
	}
	markRange(st.provision, int32(p), st.paragraphEnd(int32(p)))
}

// markParagraphs reads the opening of each body paragraph: a numbered
// point (markProvision), a bulleted point of a list that a colon opens
// ("Among its provisions:" then "— Ukraine's army would be capped..."),
// or "Speaker: words" (markParagraphSpeaker).
func (e *Engine) markParagraphs(st *docState) {
	toks := st.z.toks
	body := st.doc.Body
	st.provision = cleared(st.provision, len(toks))
	listOpen := false // the paragraph before opened a list, or was a point of one
	for p := range toks {
		if toks[p].field != fieldBody || p > 0 && toks[p-1].field == fieldBody && toks[p-1].para == toks[p].para {
			continue // not a paragraph's first token
		}
		end := st.paragraphEnd(int32(p))
		bullet := bulleted(body, int(toks[p].start))
		switch c := body[toks[p].start]; {
		case c >= '0' && c <= '9':
			st.markProvision(p)
		case bullet && listOpen:
			markRange(st.provision, int32(p), end)
		default:
			e.markParagraphSpeaker(st, p)
		}
		listOpen = bullet && listOpen || opensList(body, int(toks[end-1].end)) && !e.saysAt(st, end-1)
	}
}

// saysAt reports whether token t ends a verb of saying: "Он заявил:"
// opens direct speech ("— Переговоры зашли в тупик"), not a list.
func (e *Engine) saysAt(st *docState, t int32) bool {
	if e.reportGroup < 0 {
		return false
	}
	for _, s := range st.hits(e.reportGroup) {
		if s.end-1 == t {
			return true
		}
	}
	return false
}

// bulleted reports whether the paragraph whose first word starts at i
// opens with a bullet: a dash, a bullet sign or an asterisk before the
// word, and only spaces between them and the line's start.
func bulleted(body string, i int) bool {
	j := i
	for j > 0 && (body[j-1] == ' ' || body[j-1] == '\t') {
		j--
	}
	var mark string
	for _, m := range []string{"—", "–", "•", "▪", "·", "-", "*"} {
		if strings.HasSuffix(body[:j], m) {
			mark = m
			break
		}
	}
	if mark == "" {
		return false
	}
	j -= len(mark)
	for j > 0 && (body[j-1] == ' ' || body[j-1] == '\t') {
		j--
	}
	return j == 0 || body[j-1] == '\n'
}

// opensList reports whether the text after a paragraph's last word (from
// i to the line's end) holds a colon: the paragraph introduces a list.
func opensList(body string, i int) bool {
	for ; i < len(body) && body[i] != '\n'; i++ {
		if body[i] == ':' {
			return true
		}
	}
	return false
}

// listNumber reports whether s is the number of a point: one or two
// digits.
func listNumber(s string) bool {
	if len(s) == 0 || len(s) > 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// markHeadlineSpeaker marks a headline of the form "Speaker: words"
// ("Kremlin: Kyiv is stalling", "Песков: ...", "Зеленський: ...") as the
// speaker's words after the colon. At most three words may name the
// speaker, and a section label ("Analysis:", "Live:", "Аналіз:", from
// settings.voice.headline_labels) is no speaker. A headline "words —
// Speaker" or "words: Source" is read the same way.
func (e *Engine) markHeadlineSpeaker(st *docState) {
	toks := st.z.toks
	title := st.doc.Title
	n := 0
	for n < len(toks) && toks[n].field == fieldTitle {
		n++
	}
	// The speaker is at most three words; with a topic after the name
	// ("Зеленский о переговорах в Стамбуле: …") the head may run to six.
	limit, topical := 3, false
	if e.topicGroup >= 0 {
		for _, p := range st.hits(e.topicGroup) {
			// the topic word must be the headline's, not the body's
			if (p.start == 1 || p.start == 2) && int(p.start) < n {
				limit, topical = 6, true
			}
		}
	}
	for k := 0; k < n-1 && k < limit; k++ {
		if !strings.Contains(title[toks[k].end:toks[k+1].start], ":") {
			continue
		}
		if e.sectionLabel(st, 0, int32(k)+1) {
			return
		}
		// A head with a topic is the speaker's too: the name anchors no
		// framing cue ("Зеленский о переговорах: Россия сорвала их"
		// blames Moscow, not Kyiv). A plain head may be the outlet's own
		// phrase ("Sabotaged peace: how…"), and stays its own.
		_, to := sentenceOf(toks, int32(k))
		from := int32(k + 1)
		if topical {
			from = 0
		}
		markRange(st.reported, from, to)
		return
	}
	// "Words — Speaker" ("Talks on pause — Peskov", "... - Politico"): a
	// name of at most three words after a spaced dash at the end hands
	// what comes before it to that speaker or source. After a comma the
	// dash is the Russian and Ukrainian mark of attribution ("..., —
	// нардеп", "..., – эксперт"), and the speaker may be a common noun.
	// Wire headlines also name their source after a final colon ("Russia
	// backs a 30-day truce: Putin"), in words that are all capitalised.
	for k := n - 1; k > 0 && k >= n-3; k-- {
		gap := title[toks[k-1].end:toks[k].start]
		rest, attributed := strings.CutPrefix(strings.TrimLeft(gap, " "), ",")
		colon := strings.TrimSpace(gap) == ":"
		if !colon && !spacedDash(gap) && !(attributed && spacedDash(rest)) {
			continue
		}
		capitals := k + 1 // a name after a dash starts with a capital
		if colon {
			capitals = n // a source after a colon is capitalised throughout
		}
		if !attributed && !capitalised(title, toks[k:capitals]) || e.sectionLabel(st, int32(k), int32(n)) {
			return
		}
		from, _ := sentenceOf(toks, int32(k-1))
		markRange(st.reported, from, int32(k))
		return
	}
}

// capitalised reports whether each of the tokens of text starts with a
// capital letter.
func capitalised(text string, toks []token) bool {
	for i := range toks {
		if r, _ := utf8.DecodeRuneInString(text[toks[i].start:]); !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// markParagraphSpeaker reads a body paragraph that opens "Speaker:
// words" as the headline form ("Lavrov: Kyiv is not interested in
// peace", "Песков: переговоры на паузе"): pages repeat their headline and
// subheads inside the text. The speaker is at most three words starting
// with a capital letter, and a section label is no speaker.
func (e *Engine) markParagraphSpeaker(st *docState, p int) {
	toks := st.z.toks
	body := st.doc.Body
	if r, _ := utf8.DecodeRuneInString(body[toks[p].start:]); !unicode.IsUpper(r) {
		return
	}
	for k := p; k < len(toks)-1 && k < p+3 && !toks[k+1].sentStart && toks[k+1].para == toks[p].para; k++ {
		if !strings.Contains(body[toks[k].end:toks[k+1].start], ":") {
			continue
		}
		if !e.sectionLabel(st, int32(p), int32(k)+1) {
			_, to := sentenceOf(toks, int32(k))
			markRange(st.reported, int32(k+1), to)
		}
		return
	}
}

// sectionLabel reports whether a section label (settings.voice.
// headline_labels) starts among the tokens [from, to): such a headline
// names no speaker. A label right after a topic word that has words
// before it (settings.voice.speaker_topic: "Лавров о переговорах:",
// "Rubio on the talks:") is what the speaker spoke on, not a rubric.
func (e *Engine) sectionLabel(st *docState, from, to int32) bool {
	if e.labelGroup < 0 {
		return false
	}
	for _, h := range st.hits(e.labelGroup) {
		if h.start >= from && h.start < to && !e.speakersTopic(st, from, h.start) {
			return true
		}
	}
	return false
}

// speakersTopic reports whether a topic word stands before token t, after
// at least one word from from: then t is in what the speaker spoke on
// ("Зеленский о переговорах в Стамбуле").
func (e *Engine) speakersTopic(st *docState, from, t int32) bool {
	if e.topicGroup < 0 {
		return false
	}
	for _, p := range st.hits(e.topicGroup) {
		if p.start > from && p.end <= t {
			return true
		}
	}
	return false
}

// spacedDash reports whether the text between two words is a dash set
// off by spaces (" — ", " – ", " - "), as a headline's trailing source is.
func spacedDash(gap string) bool {
	g := strings.TrimSpace(gap)
	return len(g) < len(gap) && (g == "—" || g == "–" || g == "-" || g == "--")
}

// sentenceOf returns the token range [from, to) of the sentence of token t.
func sentenceOf(toks []token, t int32) (from, to int32) {
	from, to = t, t+1
	for from > 0 && !toks[from].sentStart {
		from--
	}
	for int(to) < len(toks) && !toks[to].sentStart {
		to++
	}
	return from, to
}

// tailClause finds the clause boundary at most four words before an
// attribution, past the sentence's first token: the start of a
// sentence-final attribution such as ", the Kremlin's aide said".
func tailClause(toks []token, from int32, s span) (int32, bool) {
	for j := s.start; j > from && j >= s.start-4; j-- {
		if toks[j].clause {
			return j, true
		}
	}
	return 0, false
}

func markRange(b []bool, from, to int32) {
	for i := from; i < to; i++ {
		b[i] = true
	}
}

// cleared returns b resized to n, all false, reusing its array.
func cleared(b []bool, n int) []bool {
	if cap(b) < n {
		return make([]bool, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// modal reports whether a modal, hope or attempt word stands before the
// match s in its clause, within the settings' modal window, or a
// possibility is said right after it ("progress is possible"), or the
// match is in a question or in what a "hope that" clause hopes for.
func (ev *evaluator) modal(s span) bool {
	st := ev.st
	if st.question[s.start] || st.hoped[s.start] {
		return true
	}
	toks := st.z.toks
	w := int32(ev.e.settings.voice.modalWindow)
	finite := s.start > 0 && st.finiteAux(s.start-1)
	for j := s.start - 1; j >= 0 && j >= s.start-w; j-- {
		if toks[j+1].clause || st.barrier[j] {
			break
		}
		if st.modalAt[j] >= 0 {
			// "Efforts to broker a truce have faltered": the attempt is
			// the subject, and a finite "have" before the cue says the
			// faltering happened. A modal verb ("could have stalled")
			// still hedges it.
			if finite && !st.modalVerb(st.modalAt[j], j+1) {
				break
			}
			return true
		}
	}
	return st.possibleAfter(s, int32(ev.e.settings.voice.modalAfterWindow))
}

// finiteAux reports whether token t is an English finite auxiliary of
// tense or passive ("has", "were"), which makes the verb after it a
// statement of fact.
func (st *docState) finiteAux(t int32) bool {
	tk := &st.z.toks[t]
	switch string(st.z.norm[tk.nstart:tk.nend]) {
	case "has", "have", "had", "is", "are", "was", "were":
		return true
	}
	return false
}

// modalVerb reports whether the modal match [from, to) is an English
// modal verb, which hedges whatever follows it, tense or not.
func (st *docState) modalVerb(from, to int32) bool {
	if to-from != 1 {
		return false
	}
	tk := &st.z.toks[from]
	switch string(st.z.norm[tk.nstart:tk.nend]) {
	case "could", "would", "might", "may", "can", "should", "must", "will", "shall", "cannot":
		return true
	}
	return false
}

// possibleAfter reports whether a possibility word opens within the
// after window following s, in its clause: "a breakthrough is possible",
// "прорыв возможен", "a deal could come within weeks". A short aside
// between commas is looked into and passed over: "ключові питання,
// ймовірно, стануть...".
func (st *docState) possibleAfter(s span, window int32) bool {
	if len(st.modalAfterAt) == 0 {
		return false
	}
	toks := st.z.toks
	for j := s.end; j < int32(len(toks)) && j < s.end+window; j++ {
		if toks[j].clause {
			k, ok := st.asideEnd(j)
			if !ok {
				return false
			}
			for ; j < k; j++ {
				if st.modalAfterAt[j] {
					return true
				}
			}
		}
		if st.barrier[j] {
			return false
		}
		if st.modalAfterAt[j] {
			return true
		}
	}
	return false
}

// conditional reports whether a condition word ("if", "якщо") stands
// before the negated match s (from its negation on) in its clause, within the modal window: "if no deal
// is reached" is no failure to reach one.
func (ev *evaluator) conditional(s span) bool {
	st := ev.st
	toks := st.z.toks
	w := int32(ev.e.settings.voice.modalWindow)
	for j := s.start - 1; j >= 0 && j >= s.start-w; j-- {
		if toks[j+1].clause || st.barrier[j] {
			return false
		}
		if st.condEnd[j] {
			return true
		}
	}
	return false
}

// readVoice sets the voice of an outlook match and weighs a conceded one.
// It reports false for a hypothetical match, which does not count.
func (ev *evaluator) readVoice(c *contrib) bool {
	st := ev.st
	if st.reportedSpan(c.h.span) {
		c.role = roleReported
	}
	if st.conceded[c.h.start] {
		c.weight *= ev.e.settings.voice.concededWeight
	}
	if !ev.r.presupposed && (!c.negated && ev.modal(c.h.span) || c.negated && ev.conditional(c.negSpan) || st.condSent[c.h.start] || st.provision[c.h.start]) {
		c.role = roleHypothetical
		return false
	}
	return true
}

// reportedSpan reports whether the match is in quotes or reported speech.
func (st *docState) reportedSpan(s span) bool {
	return st.reported[s.start] || st.reported[s.end-1]
}

// endsInAs reports whether the attribution s ends in "as" ("described
// as"): the words after it are the description, not a tail.
func (st *docState) endsInAs(s span) bool {
	tk := &st.z.toks[s.end-1]
	return string(st.z.norm[tk.nstart:tk.nend]) == "as"
}

// complementAt reports whether token t (before to) opens a complement
// clause of a verb of saying: "что", "що", "that".
func (st *docState) complementAt(t, to int32) bool {
	if t >= to {
		return false
	}
	tk := &st.z.toks[t]
	switch string(st.z.norm[tk.nstart:tk.nend]) {
	case "что", "що", "that":
		return true
	}
	return false
}
