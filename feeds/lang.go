package feeds

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// normalizeLang reduces a language tag ("en-US", "ru_RU", "UK") to its
// lower-case primary subtag; "" when it is not a plausible ISO 639 code.
func normalizeLang(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if len(tag) < 2 || len(tag) > 3 {
		return ""
	}
	for _, r := range tag {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return ""
		}
	}
	return strings.ToLower(tag)
}

// englishWords are frequent in any English text and rare as words in
// other languages written in Latin script.
var englishWords = map[string]bool{
	"the": true, "and": true, "of": true, "to": true, "that": true, "for": true,
	"with": true, "was": true, "said": true, "has": true, "have": true, "from": true,
	"will": true, "would": true, "they": true, "this": true,
}

// guessLang tells Ukrainian from Russian by the letters only one of them
// uses (і ї є ґ against ы э ъ ё), and English from other Latin-script
// languages by its commonest words. It reads the first 2,000 bytes and
// returns "" when unsure.
func guessLang(text string) string {
	c := langCounts{ascii: true}
	for _, r := range text[:min(len(text), 2000)] {
		c.add(r)
	}
	c.endWord()
	return c.verdict()
}

// langCounts are the letters and words guessLang has read.
type langCounts struct {
	cyr, lat, uk, ru, words, english int
	word                             [8]byte // the current word, lower-cased, when short and ASCII
	n                                int     // the current word's length
	ascii                            bool    // the current word is ASCII so far
}

func (c *langCounts) add(r rune) {
	switch {
	case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		c.lat++
		if c.n < len(c.word) {
			c.word[c.n] = byte(r) | 0x20
		}
		c.n++
		return
	case r == '\'' || r == '-':
		c.n++ // inside a word: "don't", "well-known"
		c.ascii = false
		return
	case r < utf8.RuneSelf:
		c.endWord()
		return
	}
	if !c.letter(r) {
		c.endWord()
		return
	}
	c.n++
	c.ascii = false
}

// letter counts a non-ASCII letter by its script; false for anything
// else, which ends a word.
func (c *langCounts) letter(r rune) bool {
	switch {
	case r == 'і' || r == 'ї' || r == 'є' || r == 'ґ' || r == 'І' || r == 'Ї' || r == 'Є' || r == 'Ґ':
		c.uk++
		c.cyr++
	case r == 'ы' || r == 'э' || r == 'ъ' || r == 'ё' || r == 'Ы' || r == 'Э' || r == 'Ъ' || r == 'Ё':
		c.ru++
		c.cyr++
	case unicode.Is(unicode.Cyrillic, r):
		c.cyr++
	case unicode.IsLetter(r):
		if unicode.Is(unicode.Latin, r) {
			c.lat++
		}
	default:
		return false
	}
	return true
}

func (c *langCounts) endWord() {
	if c.n > 0 {
		c.words++
		if c.ascii && c.n <= len(c.word) && englishWords[string(c.word[:c.n])] {
			c.english++
		}
	}
	c.n, c.ascii = 0, true
}

func (c *langCounts) verdict() string {
	switch {
	case c.cyr > c.lat:
		switch {
		case c.uk > c.ru:
			return "uk"
		case c.ru > c.uk:
			return "ru"
		}
	case c.lat > 0 && c.words >= 5 && c.english*100 >= c.words*8:
		return "en"
	}
	return ""
}
