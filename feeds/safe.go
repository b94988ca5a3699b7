package feeds

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// RedactURL is a URL as it may be printed, logged or stored in an error
// column: a password in it (user:pass@) is replaced by "xxxxx", and
// control characters are removed. A string that does not parse as a URL
// still has anything between "//" and "@" masked.
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	if u, err := url.Parse(raw); err == nil {
		return StripControls(u.Redacted())
	}
	return StripControls(userinfo.ReplaceAllString(raw, "//xxxxx@"))
}

var userinfo = regexp.MustCompile(`//[^/?#]*@`)

// StripControls removes what a terminal or a page would act on instead of
// showing: ANSI escape sequences whole (CSI such as ESC [2J, and OSC such
// as ESC ]0;title BEL), the other C0 controls but tab and newline, DEL,
// C1 controls, and the bidirectional formatting characters that reorder
// the text around them (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F,
// U+061C). Invalid UTF-8 becomes U+FFFD.
func StripControls(s string) string {
	clean := true
	for _, r := range s {
		if isControl(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b || r == 0x9b || r == 0x9d:
			n = escapeLength(s[i:])
		case !isControl(r):
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// escapeLength is the length of the escape sequence at the start of s
// (which starts with ESC, or C1 CSI or OSC): CSI runs to its final byte,
// OSC, DCS, SOS, PM and APC to BEL or ST, any other escape is two bytes.
// An unterminated sequence runs to the end of s.
func escapeLength(s string) int {
	var kind byte
	start := 0
	switch {
	case strings.HasPrefix(s, "\u009b"):
		kind, start = '[', 2
	case strings.HasPrefix(s, "\u009d"):
		kind, start = ']', 2
	case len(s) < 2:
		return len(s)
	default:
		kind, start = s[1], 2
	}
	switch kind {
	case '[':
		for i := start; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']', 'P', 'X', '^', '_':
		for i := start; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	// Other escapes: intermediate bytes, then one final byte (ESC ( B).
	i := 1
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// StripControlsLine is StripControls for one line of a table: newlines
// and tabs become spaces as well.
func StripControlsLine(s string) string {
	s = StripControls(s)
	if strings.ContainsAny(s, "\t\n") {
		s = strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
	}
	return s
}

func isControl(r rune) bool {
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

// TruncatedMark ends a text cut by CapText.
const TruncatedMark = " […] (text cut at poll.max_text_bytes)"

// CapText cuts s to at most max bytes at a character boundary (the
// mark included) and says whether it did; max <= 0 means no cap.
func CapText(s string, max int) (string, bool) {
	if max <= 0 || len(s) <= max {
		return s, false
	}
	cut := max - len(TruncatedMark)
	if cut < 0 {
		cut = 0
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRight(s[:cut], " \n") + TruncatedMark, true
}

// capBytes cuts s to at most max bytes at a character boundary, without
// a mark: for raw input before it is processed.
func capBytes(s string, max int) string {
	if max <= 0 || len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
