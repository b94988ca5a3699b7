package tagger

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalisation is per word: case folding (simple lower case), ё/е,
// apostrophe variants inside words, dashes as word separators, and
// Unicode NFKC for the rare words whose characters it would change.

// Field numbers of a token.
const (
	fieldTitle = 0
	fieldBody  = 1
)

// token is one word of a document. Start and End are byte offsets into
// the original, un-normalised field string, so evidence can point at the
// exact text a reader sees.
type token struct {
	start, end int32 // bytes in the original field
	nstart     int32 // normalised form: doc.norm[nstart:nend]
	nend       int32
	sent       int32 // sentence number across the document
	para       int32 // paragraph number within the field
	field      uint8
	lead       bool // in the title or the body's lead (markLead)
	quoted     bool // inside quotation marks
	clause     bool // a clause boundary (punctuation, sentence start) comes right before it
	sentStart  bool
}

// tokenizer turns fields into tokens. One is reused per document.
type tokenizer struct {
	toks []token
	norm []byte
	sent int32

	// per-field state
	s         string
	field     uint8
	para      int32
	quotes    []rune // open quotation marks, innermost last
	pendSent  bool   // a sentence ended; the next token starts a new one
	pendPara  bool
	pendClaus bool
	fieldToks int
	scratch   []byte
}

func (z *tokenizer) reset() {
	z.toks = z.toks[:0]
	z.norm = z.norm[:0]
	z.sent = 0
}

// apostrophe reports whether r is one of the characters used as an
// apostrophe inside words (Ukrainian об'єднаних, English don't).
func apostrophe(r rune) bool {
	switch r {
	case '\'', '\u2019', '\u02BC', '\u2018', '`', '\u00B4', '\u2032', '\u02B9':
		return true
	}
	return false
}

// dash reports whether r is a hyphen or dash; all of them separate words.
func dash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\uFE58', '\uFE63', '\uFF0D':
		return true
	}
	return false
}

// ignorable reports format characters that may sit inside a word without
// ending it (soft hyphen, zero-width joiners).
func ignorable(r rune) bool {
	switch r {
	case '\u00AD', '\u200C', '\u200D', '\u2060', '\uFEFF':
		return true
	}
	return false
}

func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	if r == '\u02BC' || r == '\u02B9' {
		return false // modifier letters used as apostrophes
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// foldRune is the per-character part of normalisation: lower case and
// the letters that the press spells both ways (ё/е).
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	r = unicode.ToLower(r)
	if r == 'ё' {
		return 'е'
	}
	return r
}

// runeAt decodes the rune at i (ASCII fast path).
func runeAt(s string, i int) (rune, int) {
	if i >= len(s) {
		return -1, 0
	}
	c := s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	// Two-byte sequences (Cyrillic, Latin accents) decoded inline.
	if c&0xE0 == 0xC0 && c >= 0xC2 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
		return rune(c&0x1F)<<6 | rune(s[i+1]&0x3F), 2
	}
	return utf8.DecodeRuneInString(s[i:])
}

// prevRune decodes the rune ending at i.
func prevRune(s string, i int) rune {
	if i <= 0 {
		return -1
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return rune(c)
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

// add tokenizes one field and appends its tokens. Paragraphs are
// separated by blank lines; the title is paragraph 0 of its own field.
func (z *tokenizer) add(s string, field uint8) {
	from := len(z.toks)
	z.s, z.field, z.para, z.fieldToks = s, field, 0, 0
	z.quotes = z.quotes[:0]
	z.pendSent, z.pendPara, z.pendClaus = true, false, true
	// Paragraphs are separated by blank lines; a text without any blank
	// line but with line breaks has one paragraph per line.
	lineParas := !hasBlankLine(s)

	i := 0
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if asciiFold[c] != 0 {
				i = z.word(i)
				continue
			}
			if c == ' ' {
				i++
				continue
			}
		}
		r, size := runeAt(s, i)
		// Cyrillic letters first, then the general punctuation block
		// (dashes, quotes, spaces), which is never a word; only the rest
		// needs the Unicode tables.
		if cyrillicLetter(r) || r >= utf8.RuneSelf && (r < 0x2000 || r > 0x206F) && wordRune(r) {
			i = z.word(i)
			continue
		}
		z.punctuation(r, i, size, lineParas)
		i += size
	}
	if field == fieldBody {
		z.markLead(from)
	}
}

// Text taken from a web page often opens with lines that are not the
// article: a dateline, a menu, the headline repeated, a photo caption.
// Such a first paragraph is no lead alone; the lead then runs on through
// the first paragraph of prose (leadProseWords words or more, ending a
// sentence) among the first leadScanParas. A body whose first paragraph
// is prose, or that has no prose paragraph that early, keeps its first
// paragraph as the lead.
const (
	leadProseWords = 5
	leadScanParas  = 6
)

// markLead marks the body's lead; the body's tokens start at from.
func (z *tokenizer) markLead(from int) {
	toks := z.toks[from:]
	for i := 0; i < len(toks); {
		p := toks[i].para
		if p >= leadScanParas {
			return
		}
		j := i + 1
		for j < len(toks) && toks[j].para == p {
			j++
		}
		if j-i >= leadProseWords && endsSentence(z.s, int(toks[j-1].end)) {
			for k := range toks[:j] {
				toks[k].lead = true
			}
			return
		}
		i = j
	}
}

// endsSentence reports whether the text after a paragraph's last word
// (at end) closes a sentence before the line ends.
func endsSentence(s string, end int) bool {
	for _, r := range s[end:] {
		switch {
		case r == '.' || r == '!' || r == '?' || r == '…':
			return true
		case r == '\n':
			return false
		case r == ' ' || r == '\u00A0' || r == ')' || r == ']' || isQuoteRune(r):
		default:
			return false
		}
	}
	return false
}

// punctuation updates the sentence, paragraph, clause and quotation
// state for a character that is not part of a word.
func (z *tokenizer) punctuation(r rune, i, size int, lineParas bool) {
	switch {
	case r == '\n':
		z.lineBreak(i, lineParas)
	case r == '.' || r == '!' || r == '?' || r == '…':
		if r != '.' || !z.abbreviation(i) {
			z.endSentenceSoft(i + size)
		}
	case r == ',' || r == ';' || r == ':' || r == '(' || r == ')' || r == '[' || r == ']':
		z.pendClaus = true
	case dash(r):
		// A spaced dash separates clauses; a hyphen inside a word does not.
		if unicode.IsSpace(prevRune(z.s, i)) {
			z.pendClaus = true
		}
	case isQuoteRune(r):
		z.quote(r, i, size)
	}
}

// lineBreak handles the line break at i: it ends a sentence, and a
// paragraph when a blank line follows (or when the text has no blank
// lines, so that each line is one).
func (z *tokenizer) lineBreak(i int, lineParas bool) {
	s := z.s
	j := i + 1
	for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r') {
		j++
	}
	if lineParas || j < len(s) && s[j] == '\n' {
		z.pendPara = true
	}
	// A line break ends a sentence too: headings and list items
	// rarely end with a full stop.
	z.endSentence(i)
}

// hasBlankLine reports whether s has two line breaks with only spaces
// between them.
func hasBlankLine(s string) bool {
	for i := strings.IndexByte(s, '\n'); i >= 0; {
		j := i + 1
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r') {
			j++
		}
		if j < len(s) && s[j] == '\n' {
			return true
		}
		k := strings.IndexByte(s[j:], '\n')
		if k < 0 {
			return false
		}
		i = j + k
	}
	return false
}

// endSentence starts a new sentence at the next token; at is where the
// text goes on.
func (z *tokenizer) endSentence(at int) {
	z.pendSent, z.pendClaus = true, true
	// Quotation marks do not run across sentences that end a paragraph
	// (an unbalanced quote must not swallow the rest of the article),
	// unless the quotation plainly goes on: a quote of several paragraphs
	// that opens once and closes once («… ¶ … », – сказав він).
	if z.pendPara && !z.quoteGoesOn(at) {
		z.quotes = z.quotes[:0]
	}
}

// quoteGoesOn reports whether the quotation open at a paragraph's end is
// closed further on before any new one of its kind opens, within the
// next few paragraphs' length. Only marks that tell opening from closing
// count; plain '"' reopens each paragraph in English copy anyway.
func (z *tokenizer) quoteGoesOn(at int) bool {
	var opener, closer rune
	switch z.top() {
	case '«':
		opener, closer = '«', '»'
	case '“':
		opener, closer = '“', '”'
	case '„':
		opener, closer = '„', '“'
	default:
		return false
	}
	const reach = 2000 // bytes: a long quotation, not the rest of the article
	rest := z.s[at:]
	if len(rest) > reach {
		rest = rest[:reach]
	}
	for _, r := range rest {
		switch r {
		case closer:
			return true
		case opener:
			return false
		}
	}
	return false
}

// endSentenceSoft ends a sentence at terminal punctuation unless the next
// word starts in lower case ("e.g. the", "3.5 per cent").
func (z *tokenizer) endSentenceSoft(j int) {
	s := z.s
	for j < len(s) {
		r, size := runeAt(s, j)
		if wordRune(r) {
			if j > 0 && !unicode.IsSpace(prevRune(s, j)) && !isQuoteRune(prevRune(s, j)) {
				return // "3.5", "U.S": no space after the point
			}
			if unicode.IsLower(r) || unicode.IsDigit(r) {
				return
			}
			break
		}
		j += size
	}
	z.endSentence(j)
}

// abbreviation reports whether the full stop at i ends an abbreviation
// or an initial rather than a sentence.
func (z *tokenizer) abbreviation(i int) bool {
	if len(z.toks) == 0 {
		return false
	}
	t := &z.toks[len(z.toks)-1]
	if int(t.end) != i || t.field != z.field {
		return false
	}
	w := z.norm[t.nstart:t.nend]
	if utf8.RuneCount(w) == 1 {
		return true // initials: "U.S.", "J. D. Vance", "В. Путин"
	}
	// Most words before a full stop are longer than any abbreviation:
	// no need to hash them.
	return len(w) <= maxAbbreviation && abbreviations[string(w)]
}

// maxAbbreviation is the length in bytes of the longest abbreviation.
const maxAbbreviation = 8

// abbreviations end with a full stop that does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "gen": true, "lt": true, "col": true,
	"sen": true, "rep": true, "gov": true, "prof": true, "jr": true, "sr": true, "vs": true, "no": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "approx": true, "est": true,
	"т": true, "г": true, "гг": true, "им": true, "ул": true, "тыс": true, "млн": true, "млрд": true,
	"тис": true, "див": true, "ст": true, "пп": true,
}

func isQuoteRune(r rune) bool {
	switch r {
	case '"', '«', '»', '„', '“', '”', '‹', '›', '‘', '’', '\'':
		return true
	}
	return false
}

// quote updates the quotation state for a non-word character.
func (z *tokenizer) quote(r rune, i, size int) {
	switch r {
	case '«', '„', '‹':
		z.open(r)
	case '»':
		z.close('«')
	case '›':
		z.close('‹')
	case '“':
		if z.top() == '„' {
			z.close('„')
		} else {
			z.open('“')
		}
	case '”':
		if !z.close('“') {
			z.close('„')
		}
	case '"', '‘', '\'', '’':
		z.plainQuote(r, i, size)
	}
}

// plainQuote handles the marks that look the same whether they open or
// close a quotation: the characters around them decide.
func (z *tokenizer) plainQuote(r rune, i, size int) {
	s := z.s
	before, after := prevRune(s, i), rune(-1)
	if i+size < len(s) {
		after, _ = runeAt(s, i+size)
	}
	opening := before == -1 || unicode.IsSpace(before) || before == '(' || before == '[' || dash(before) || before == '/'
	if r == '"' {
		if opening || z.top() != '"' && after != -1 && wordRune(after) {
			z.open('"')
		} else {
			z.close('"')
		}
		return
	}
	// Single quotes double as apostrophes; treat them as quotation
	// marks only at a word's edge ("US 'not close' to a deal").
	switch {
	case opening && after != -1 && wordRune(after):
		z.open('\'')
	case before != -1 && !unicode.IsSpace(before) && (after == -1 || !wordRune(after)):
		z.close('\'')
	}
}

func (z *tokenizer) top() rune {
	if len(z.quotes) == 0 {
		return 0
	}
	return z.quotes[len(z.quotes)-1]
}

func (z *tokenizer) open(r rune) {
	if len(z.quotes) < 8 {
		z.quotes = append(z.quotes, r)
	}
}

// close pops the innermost opener of kind r; it reports false when no
// such quotation is open.
func (z *tokenizer) close(r rune) bool {
	for k := len(z.quotes) - 1; k >= 0; k-- {
		if z.quotes[k] == r {
			z.quotes = z.quotes[:k]
			return true
		}
	}
	return false
}

// word reads the word starting at i, appends its token and returns the
// index after it. Apostrophes between letters stay in the word; an
// English possessive ('s) is left out. This is the tagger's hottest
// loop: ASCII letters and digits go eight at a time, Cyrillic letters
// through a table, and only other characters are decoded. The steps it
// calls are small enough to be inlined: a call per word would cost more
// than a tenth of the tokeniser's time.
func (z *tokenizer) word(i int) int {
	s := z.s
	start := i
	buf := z.norm // local copy: appends in the loop stay in registers
	nstart := len(buf)
	apos := -1 // byte offset of the last apostrophe kept
	numeric := true
	slow := false // a character that NFKC may change: normalise the word
	// Latin and Cyrillic letters in one word: Latin look-alikes typed into
	// Cyrillic words (by some sites against copying, or by accident).
	latin, cyrillic := false, false
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if f := asciiFold[c]; f != 0 {
				if i+8 <= len(s) {
					// Eight bytes at a time while they are ASCII letters and
					// digits (most words end within the first eight).
					n, folded, letters := asciiRun(load64(s, i))
					if n > 0 {
						buf = append64(buf, folded, n)
						run := letters&(1<<(8*n)-1) != 0
						numeric = numeric && !run
						latin = latin || run
						i += n
						continue
					}
				}
				if f > '9' {
					numeric, latin = false, true
				}
				buf = append(buf, f)
				i++
				continue
			}
			if numeric && numberSeparator(s, i) {
				buf = append(buf, c)
				i++
				continue
			}
			if !asciiApostrophe(c) {
				break // ASCII space or punctuation: the common end of a word
			}
		} else if twoByteCyrillic(s, i) {
			// U+0400-U+047F, the Cyrillic letters of Ukrainian and Russian
			// text: folded through a table, without decoding.
			f := cyrillicFold[int(c&1)<<6|int(s[i+1]&0x3F)]
			buf = append(buf, f[0], f[1])
			numeric, cyrillic = false, true
			i += 2
			continue
		}
		r, size := runeAt(s, i)
		switch {
		case cyrillicLetter(r):
			// Cyrillic letters: the common case after ASCII, kept fast.
			numeric, cyrillic = false, true
			buf = utf8.AppendRune(buf, foldCyrillic(r))
			i += size
			continue
		case wordRune(r):
			// Never an ASCII digit here: those are read above.
			numeric = false
			if !nfkcStable(r) {
				slow = true
			}
			buf = utf8.AppendRune(buf, foldRune(r))
			i += size
			continue
		case ignorable(r):
			i += size
			continue
		case apostrophe(r) && letterAt(s, i+size):
			apos = i
			buf = append(buf, '\'')
			i += size
			continue
		}
		break
	}
	// Stored back as a new length while the array is the same (append
	// only moves it to a larger one): storing the slice itself into the
	// heap tokenizer costs a write barrier while the garbage collector
	// runs, and this is once a word.
	if cap(buf) == cap(z.norm) {
		z.norm = z.norm[:len(buf)]
	} else {
		z.norm = buf
	}
	if i == start {
		// Never stall on a character the caller took for a word start.
		_, size := runeAt(s, i)
		return i + max(size, 1)
	}
	end := i
	if slow {
		z.renormalise(nstart, s[start:end])
	}
	if latin && cyrillic {
		z.cyrillicLookalikes(nstart)
	}
	// English possessive: Ukraine's -> ukraine (token ends before the apostrophe).
	if apos >= 0 && z.dropPossessive(nstart) {
		end = apos
	}
	if len(z.norm) == nstart {
		return i
	}
	z.advance()
	tk := z.newToken()
	tk.start, tk.end = int32(start), int32(end)
	tk.nstart, tk.nend = int32(nstart), int32(len(z.norm))
	tk.sent, tk.para, tk.field, tk.lead = z.sent, z.para, z.field, z.para == 0 || z.field == fieldTitle
	tk.quoted, tk.clause, tk.sentStart = len(z.quotes) > 0, z.pendClaus, z.pendSent
	z.pendSent, z.pendClaus = false, false
	return i
}

// numberSeparator reports whether the comma or full stop at i is
// followed by a digit: in a number (1,000 and 3.5) it stays in the word.
func numberSeparator(s string, i int) bool {
	return (s[i] == ',' || s[i] == '.') && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9'
}

// asciiApostrophe reports the ASCII characters used as apostrophes.
func asciiApostrophe(c byte) bool { return c == '\'' || c == '`' }

// twoByteCyrillic reports whether s[i:] starts with a letter of
// U+0400-U+047F (lead byte D0 or D1).
func twoByteCyrillic(s string, i int) bool {
	return (s[i] == 0xD0 || s[i] == 0xD1) && i+1 < len(s) && s[i+1]&0xC0 == 0x80
}

// letterAt reports whether a letter (not a digit) starts at i, so that
// an apostrophe before it is inside a word.
func letterAt(s string, i int) bool {
	r, _ := runeAt(s, i)
	return r != -1 && wordRune(r) && !unicode.IsDigit(r)
}

// dropPossessive removes a final 's after a letter from the word
// normalised from nstart; it reports whether there was one.
func (z *tokenizer) dropPossessive(nstart int) bool {
	n := z.norm[nstart:]
	if len(n) > 2 && n[len(n)-2] == '\'' && n[len(n)-1] == 's' && n[len(n)-3] < utf8.RuneSelf {
		z.norm = z.norm[:len(z.norm)-2]
		return true
	}
	return false
}

// advance moves the pending paragraph and sentence breaks onto the
// token about to be appended.
func (z *tokenizer) advance() {
	if z.pendPara && z.fieldToks > 0 {
		z.para++
	}
	z.pendPara = false
	z.fieldToks++
	if z.pendSent && len(z.toks) > 0 {
		z.sent++
	}
}

// newToken appends a token to be filled in place: cheaper than
// appending a composite literal.
func (z *tokenizer) newToken() *token {
	if len(z.toks) == cap(z.toks) {
		z.toks = append(z.toks, token{})[:len(z.toks)]
	}
	z.toks = z.toks[:len(z.toks)+1]
	return &z.toks[len(z.toks)-1]
}

// load64 reads s[i:i+8] as a little-endian word (one load once compiled).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// asciiRun looks at eight bytes of text (x, first byte lowest): n is how
// many of them, from the first, are ASCII letters or digits; folded is x
// with its upper-case letters lowered; letters has the high bit set in
// the bytes that are letters. A byte b < 0x80 is within [lo, hi] when
// b + (0x80-lo) sets its high bit and b + (0x7F-hi) does not; the sums
// cannot carry into the next byte. (Kept small enough to be inlined.)
func asciiRun(x uint64) (n int, folded, letters uint64) {
	x7 := x &^ highs
	y := x7 | ones*0x20 // lower case, for letters
	letters = (y + ones*(0x80-'a')) &^ (y + ones*(0x7F-'z')) & highs
	digits := (x7 + ones*(0x80-'0')) &^ (x7 + ones*(0x7F-'9'))
	ok := (letters | digits) &^ x // not for bytes >= 0x80
	return bits.TrailingZeros64(^ok&highs) >> 3, x | letters>>2, letters
}

// append64 appends the first n bytes of x (first byte lowest) to buf.
func append64(buf []byte, x uint64, n int) []byte {
	l := len(buf)
	if cap(buf)-l < 8 {
		buf = append(buf, make([]byte, 8)...)[:l]
	}
	binary.LittleEndian.PutUint64(buf[l:l+8], x)
	return buf[:l+n]
}

// asciiFold maps ASCII letters and digits to their folded form and
// everything else to 0.
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = byte(c), byte(c)
	}
	return t
}()

// cyrillicLetter reports the letters of the Cyrillic block (not its
// combining marks and signs).
func cyrillicLetter(r rune) bool {
	return 0x400 <= r && r <= 0x4FF && r != 0x482 && (r < 0x483 || r > 0x489)
}

// cyrillicFold holds foldCyrillic of U+0400-U+047F (UTF-8 D0 80 to D1
// BF, indexed by the lead byte's low bit and the continuation byte's low
// six bits), UTF-8 encoded: all of them are letters, fold to two bytes
// and are left alone by NFKC.
var cyrillicFold = func() (t [128][2]byte) {
	for r := rune(0x400); r < 0x480; r++ {
		f := foldCyrillic(r)
		if !cyrillicLetter(r) || !nfkcStable(r) || utf8.RuneLen(f) != 2 {
			panic("tagger: cyrillicFold assumptions")
		}
		utf8.EncodeRune(t[r-0x400][:], f)
	}
	return t
}()

// foldCyrillic lower-cases a Cyrillic letter and spells ё as е.
func foldCyrillic(r rune) rune {
	switch {
	case 0x410 <= r && r <= 0x42F:
		r += 0x20
	case 0x400 <= r && r <= 0x40F:
		r += 0x50
	case r >= 0x460:
		r = unicode.ToLower(r)
	}
	if r == 'ё' {
		return 'е'
	}
	return r
}

// nfkcStable reports word characters that NFKC never changes, so that
// only words with other characters (ligatures, full-width letters,
// combining marks, ...) pay for normalisation.
func nfkcStable(r rune) bool {
	switch {
	case r < 0xA0:
		return true
	case 0xC0 <= r && r <= 0xFF:
		return true // precomposed Latin-1 letters
	case 0x100 <= r && r <= 0x17F:
		return r != 0x132 && r != 0x133 && r != 0x13F && r != 0x140 && r != 0x149 && r != 0x17F
	case 0x400 <= r && r <= 0x4FF:
		return r < 0x483 || r > 0x489
	}
	return false
}

// renormalise replaces the word's normalised form, written from raw,
// with the NFKC form of raw, folded. Only fields that are not already
// NFKC-normal (ligatures, full-width letters, decomposed accents) go
// this way, so common text keeps the fast path.
// latinLookalike maps the (folded) Latin letters that look like Cyrillic
// ones to those letters; 0 for the others.
var latinLookalike = [128]rune{'a': 'а', 'b': 'в', 'c': 'с', 'e': 'е', 'h': 'н', 'i': 'і', 'k': 'к', 'm': 'м', 'o': 'о', 'p': 'р', 't': 'т', 'x': 'х', 'y': 'у'}

// cyrillicLookalikes rewrites the normalised word from nstart, which
// mixes Latin and Cyrillic letters, with its Latin look-alikes in
// Cyrillic: "перегoвoри" typed with Latin o is "переговори" to a reader,
// and must be to the rules. A Latin letter with no Cyrillic twin stays.
func (z *tokenizer) cyrillicLookalikes(nstart int) {
	z.scratch = append(z.scratch[:0], z.norm[nstart:]...)
	z.norm = z.norm[:nstart]
	for _, b := range z.scratch {
		if b < utf8.RuneSelf && latinLookalike[b] != 0 {
			z.norm = utf8.AppendRune(z.norm, latinLookalike[b])
			continue
		}
		z.norm = append(z.norm, b)
	}
}

func (z *tokenizer) renormalise(nstart int, raw string) {
	z.scratch = norm.NFKC.AppendString(z.scratch[:0], raw)
	z.norm = z.norm[:nstart]
	for _, r := range string(z.scratch) {
		switch {
		case wordRune(r):
			z.norm = utf8.AppendRune(z.norm, foldRune(r))
		case apostrophe(r):
			z.norm = append(z.norm, '\'')
		case r == ',' || r == '.':
			z.norm = append(z.norm, byte(r)) // inside a number, as in the fast path
		}
	}
}

// normalizeWords normalises text as the tokenizer does (for rule
// phrases): it appends the normalised words that s splits into to out.
// The tokenizer is reused, as loading normalises some fifteen thousand
// phrases.
func (z *tokenizer) normalizeWords(s string, out []string) []string {
	z.reset()
	z.add(s, fieldBody)
	for _, t := range z.toks {
		out = append(out, string(z.norm[t.nstart:t.nend]))
	}
	return out
}
