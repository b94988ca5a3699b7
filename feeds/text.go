package feeds

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The tagger reads plain text: entities decoded, tags stripped, runs of
// white space folded to one space, and paragraphs separated by one blank
// line ("\n\n"), so that the lead paragraph is everything before the first
// blank line. A <br> is a line break ("\n"); two in a row end a paragraph.

// htmlTag recognises markup in a string, to tell HTML from plain text.
var htmlTag = regexp.MustCompile(`<(?:[a-zA-Z][a-zA-Z0-9]*[\s/>]|/[a-zA-Z][a-zA-Z0-9]*\s*>|!--)`)

// blankLines splits plain text into paragraphs.
var blankLines = regexp.MustCompile(`\n[ \t\r\f\v\x{00A0}]*\n`)

func looksLikeHTML(s string) bool { return htmlTag.MatchString(s) }

// toText converts a feed's HTML (or plain text) to the tagger's text.
func toText(s string) string {
	s = cleanString(s)
	if s == "" {
		return ""
	}
	if !looksLikeHTML(s) {
		return plainText(html.UnescapeString(s))
	}
	return htmlText(s)
}

// plainText folds white space inside paragraphs and keeps the blank
// lines between them.
func plainText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var tb textBuilder
	for _, para := range blankLines.Split(s, -1) {
		tb.paragraph()
		tb.text(para)
	}
	return tb.String()
}

// skipped elements carry no readable text.
func skipped(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe,
		atom.Object, atom.Head, atom.Title, atom.Svg, atom.Math, atom.Select, atom.Button:
		return true
	}
	return false
}

// block elements start and end a paragraph.
func block(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Li, atom.Ul, atom.Ol, atom.Dl, atom.Dt, atom.Dd, atom.Blockquote,
		atom.Pre, atom.Table, atom.Tr, atom.Thead, atom.Tbody, atom.Tfoot, atom.Caption,
		atom.Section, atom.Article, atom.Header, atom.Footer, atom.Aside, atom.Nav,
		atom.Figure, atom.Figcaption, atom.Hr, atom.Address, atom.Main, atom.Details,
		atom.Summary, atom.Form, atom.Fieldset, atom.Body, atom.Html:
		return true
	}
	return false
}

func htmlText(s string) string {
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var tb textBuilder
	skip := 0
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return tb.String()
		case xhtml.TextToken:
			if skip == 0 {
				tb.text(string(z.Text()))
			}
		case xhtml.StartTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case skipped(a):
				skip++
			case a == atom.Br:
				tb.lineBreak()
			case a == atom.Td || a == atom.Th:
				tb.space()
			case block(a):
				tb.paragraph()
			}
		case xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			switch a := atom.Lookup(name); {
			case a == atom.Br:
				tb.lineBreak()
			case block(a):
				tb.paragraph()
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case skipped(a):
				if skip > 0 {
					skip--
				}
			case a == atom.Td || a == atom.Th:
				tb.space()
			case block(a):
				tb.paragraph()
			}
		}
	}
}

// textBuilder writes words with single spaces between them and the
// strongest break asked for between two words.
type textBuilder struct {
	b       strings.Builder
	pending int // 0 none, 1 space, 2 line break, 3 paragraph break
}

func (t *textBuilder) want(level int) {
	if t.b.Len() > 0 && level > t.pending {
		t.pending = level
	}
}

func (t *textBuilder) space()     { t.want(1) }
func (t *textBuilder) paragraph() { t.want(3) }

func (t *textBuilder) lineBreak() {
	if t.pending == 2 {
		t.pending = 3 // <br><br>: a paragraph
		return
	}
	t.want(2)
}

func (t *textBuilder) text(s string) {
	for len(s) > 0 {
		// A run of white space, wherever it is, folds into one break.
		i := 0
		for i < len(s) {
			if c := s[i]; c < utf8.RuneSelf {
				if !asciiSpace[c] {
					break
				}
				i++
				continue
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			if !isSpace(r) {
				break
			}
			i += n
		}
		if i > 0 {
			t.want(1)
			s = s[i:]
			continue
		}
		// A run of other characters is copied in one go.
		for i < len(s) {
			if c := s[i]; c < utf8.RuneSelf {
				if asciiSpace[c] {
					break
				}
				i++
				continue
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			if isSpace(r) {
				break
			}
			i += n
		}
		switch t.pending {
		case 1:
			t.b.WriteByte(' ')
		case 2:
			t.b.WriteByte('\n')
		case 3:
			t.b.WriteString("\n\n")
		}
		t.pending = 0
		t.b.WriteString(s[:i])
		s = s[i:]
	}
}

// asciiSpace marks the ASCII white space characters.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

func (t *textBuilder) String() string { return t.b.String() }

// isSpace is Unicode white space, which includes the no-break space that
// feeds use between numbers and units, plus the zero-width characters
// that only get in the way of matching.
func isSpace(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF':
		return true
	}
	return unicode.IsSpace(r)
}

// oneLine is for titles, names and authors: text on a single line.
func oneLine(s string) string {
	t := toText(s)
	if strings.IndexByte(t, '\n') < 0 {
		return t
	}
	return strings.Join(strings.Fields(t), " ")
}

// foldSpace puts plain text (not HTML) on one line.
func foldSpace(s string) string {
	return strings.Join(strings.Fields(cleanString(s)), " ")
}

// cleanString makes a feed's string safe to store: valid UTF-8 and no NUL
// bytes, which PostgreSQL text cannot hold.
func cleanString(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

// textToHTML turns plain text into paragraphs for display.
func textToHTML(text string) string {
	if text == "" {
		return ""
	}
	var b strings.Builder
	for _, p := range strings.Split(text, "\n\n") {
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(p), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

// truncateRunes cuts s to at most n runes, at a word boundary when one
// is near, adding an ellipsis.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if n == 0 {
			cut = i
			break
		}
		n--
	}
	if sp := strings.LastIndexAny(s[:cut], " \n"); sp > cut*3/4 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " \n") + "…"
}
