package feeds

import (
	"strings"
	"unicode"
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
// languages by its commonest words. It returns "" when unsure.
func guessLang(text string) string {
	var cyr, lat, uk, ru, words, english int
	seen := 0
	for w := range strings.FieldsSeq(text) {
		if seen >= 400 {
			break
		}
		seen++
		lw := strings.ToLower(strings.Trim(w, ".,;:!?\"'()«»“”„—–-"))
		if englishWords[lw] {
			english++
		}
		words++
		for _, r := range lw {
			switch {
			case r == 'і' || r == 'ї' || r == 'є' || r == 'ґ':
				uk++
				cyr++
			case r == 'ы' || r == 'э' || r == 'ъ' || r == 'ё':
				ru++
				cyr++
			case unicode.Is(unicode.Cyrillic, r):
				cyr++
			case unicode.Is(unicode.Latin, r):
				lat++
			}
		}
	}
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
