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
	text = text[:min(len(text), 2000)]
	var cyr, lat, uk, ru, words, english int
	var word [8]byte // the current word, lower-cased, when short and ASCII
	n, ascii := 0, true
	endWord := func() {
		if n > 0 {
			words++
			if ascii && n <= len(word) && englishWords[string(word[:n])] {
				english++
			}
		}
		n, ascii = 0, true
	}
	for _, r := range text {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			lat++
			if n < len(word) {
				word[n] = byte(r) | 0x20
			}
			n++
			continue
		case r < utf8.RuneSelf:
			if r == '\'' || r == '-' {
				n++ // inside a word: "don't", "well-known"
				ascii = false
				continue
			}
			endWord()
			continue
		case r == 'і' || r == 'ї' || r == 'є' || r == 'ґ' || r == 'І' || r == 'Ї' || r == 'Є' || r == 'Ґ':
			uk++
			cyr++
		case r == 'ы' || r == 'э' || r == 'ъ' || r == 'ё' || r == 'Ы' || r == 'Э' || r == 'Ъ' || r == 'Ё':
			ru++
			cyr++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.IsLetter(r):
			if unicode.Is(unicode.Latin, r) {
				lat++
			}
		default:
			endWord()
			continue
		}
		n++
		ascii = false
	}
	endWord()
	switch {
	case cyr > lat:
		switch {
		case uk > ru:
			return "uk"
		case ru > uk:
			return "ru"
		}
	case lat > 0 && words >= 5 && english*100 >= words*8:
		return "en"
	}
	return ""
}
