package digest

import "strings"

// displayText is stored text as the digest shows it: without the C0 and
// C1 control characters (tab and newline aside) that a terminal acts on,
// and without the bidirectional formatting characters (U+202A..U+202E,
// U+2066..U+2069, U+200E, U+200F, U+061C) with which a feed's title can
// reverse the text around it on the page. The feeds package strips the
// same set from what it prints; the digest does not import it, since it
// reads only what is stored.
func displayText(s string) string {
	if strings.IndexFunc(s, isHidden) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isHidden(r) {
			return -1
		}
		return r
	}, s)
}

func isHidden(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}
