package tagger

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

type tokView struct {
	text, norm  string
	sent, para  int32
	quoted      bool
	clause      bool
	field       uint8
	start, end  int32
	sentenceBeg bool
}

func tokenize(title, body string) []tokView {
	var z tokenizer
	z.add(title, fieldTitle)
	z.add(body, fieldBody)
	var out []tokView
	for _, t := range z.toks {
		src := body
		if t.field == fieldTitle {
			src = title
		}
		out = append(out, tokView{text: src[t.start:t.end], norm: string(z.norm[t.nstart:t.nend]), sent: t.sent, para: t.para,
			quoted: t.quoted, clause: t.clause, field: t.field, start: t.start, end: t.end, sentenceBeg: t.sentStart})
	}
	return out
}

func norms(ts []tokView) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.norm)
	}
	return strings.Join(s, " ")
}

func TestNormalisation(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Peace TALKS", "peace talks"},
		{"Ukraine's envoy, the Kremlin’s aide", "ukraine envoy the kremlin aide"},
		{"об'єднаних об’єднаних обʼєднаних", "об'єднаних об'єднаних об'єднаних"},
		{"Ёлка ЁЖ ещё", "елка еж еще"},
		{"ＰＥＡＣＥ ﬁnal", "peace final"}, // NFKC: full-width letters, ligatures
		{"Киі\u0308в", "київ"},        // decomposed ї
		{"Russia–Ukraine 28-point Article‑5‑style", "russia ukraine 28 point article 5 style"},
		{"nego\u00ADtiations", "negotiations"}, // soft hyphen inside a word
		{"1,000 troops, 3.5 per cent", "1,000 troops 3.5 per cent"},
		{"don't", "don't"},
		// Latin look-alikes inside Cyrillic words become Cyrillic; Latin
		// words, and Latin letters with no Cyrillic twin, stay.
		{"Перегoвoри в Алясці зaвершилися", "переговори в алясці завершилися"},
		{"ПEРЕMИРИЕ Kyiv peace", "перемирие kyiv peace"},
		{"2025року iPhone-ом", "2025року iphone ом"},
	} {
		if got := norms(tokenize("", tc.in)); got != tc.want {
			t.Errorf("%q: normalised to %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A character the main loop takes for a word start must never stall the
// tokenizer (found by FuzzTag: the Cyrillic enclosing mark U+0488 looped
// forever; a regression hangs this test).
func TestTokenizerAlwaysAdvances(t *testing.T) {
	for _, s := range []string{"\u0488", "a\u0489b", "\u02bc", "\xe8\xe8", "\u00ad", "'", "\u0301x"} {
		if got := norms(tokenize(s, s)); strings.Contains(got, "\u0488") {
			t.Errorf("%q: enclosing mark kept as a word: %q", s, got)
		}
	}
}

func TestOffsetsPointIntoOriginal(t *testing.T) {
	body := "«Київський режим» — “ПЕРЕГОВОРИ” Witkoff’s ﬁnal Ёлка\n\nsecond"
	for _, tk := range tokenize("", body) {
		if body[tk.start:tk.end] != tk.text || tk.text == "" {
			t.Errorf("token %q at %d:%d does not slice the original", tk.text, tk.start, tk.end)
		}
	}
	ts := tokenize("", "Witkoff’s plan")
	if ts[0].text != "Witkoff" {
		t.Errorf("possessive: token text %q, want Witkoff", ts[0].text)
	}
}

func TestSentencesParagraphsAndClauses(t *testing.T) {
	ts := tokenize("Title here", "U.S. envoy Dr. Smith met J. D. Vance. Then, talks began.\n\nSecond paragraph e.g. this one. Third sentence\nHeading line")
	sent := map[string]int32{}
	para := map[string]int32{}
	clause := map[string]bool{}
	for _, tk := range ts {
		sent[tk.norm], para[tk.norm], clause[tk.norm] = tk.sent, tk.para, tk.clause
	}
	if sent["title"] == sent["envoy"] {
		t.Error("title and body share a sentence")
	}
	if sent["u"] != sent["vance"] {
		t.Error("abbreviations and initials (U.S., Dr., J. D.) ended a sentence")
	}
	if sent["then"] == sent["vance"] {
		t.Error("full stop before a capital did not end the sentence")
	}
	if sent["this"] != sent["second"] {
		t.Error("'e.g. this' ended the sentence")
	}
	if sent["heading"] == sent["third"] {
		t.Error("a line break did not end the sentence")
	}
	if para["envoy"] != 0 || para["second"] != 1 || para["title"] != 0 {
		t.Errorf("paragraphs: envoy %d, second %d", para["envoy"], para["second"])
	}
	if !clause["talks"] || clause["began"] {
		t.Error("comma did not start a clause, or a plain word did")
	}
}

func TestParagraphsWithoutBlankLines(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"alpha.\nbeta.\ngamma.", "alpha:0 beta:1 gamma:2"},   // no blank line: one paragraph a line
		{"alpha.\nbeta.\n\ngamma.", "alpha:0 beta:0 gamma:1"}, // blank lines: a line break stays inside
		{"alpha.\n \t\r\nbeta.", "alpha:0 beta:1"},            // a blank line may hold spaces
	} {
		var got []string
		for _, tk := range tokenize("", tc.body) {
			got = append(got, fmt.Sprintf("%s:%d", tk.norm, tk.para))
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%q: %v, want %s", tc.body, got, tc.want)
		}
	}
}

func TestQuotes(t *testing.T) {
	for _, tc := range []struct {
		text   string
		quoted []string
	}{
		{`He called it "the Kyiv regime" again`, []string{"the", "kyiv", "regime"}},
		{"Он назвал «киевский режим» так", []string{"киевский", "режим"}},
		{"Він сказав „київський режим“ тут", []string{"київський", "режим"}},
		{"He said “Kyiv regime” and ‘special operation’ here", []string{"kyiv", "regime", "special", "operation"}},
		{"US 'not close' to a deal; Europeans' demands stay", []string{"not", "close"}},
		{"An “unclosed quote\n\nnext paragraph free", []string{"unclosed", "quote"}},
		// A quotation of two paragraphs that opens and closes once.
		{"«Ми рухаємось\n\nі далі працюємо», – сказав він. Потім вийшов", []string{"ми", "рухаємось", "і", "далі", "працюємо"}},
		// The next quotation opens before any close: the first one ended.
		{"«Одне\n\nІнше «друге» тут", []string{"одне", "друге"}},
	} {
		var got []string
		for _, tk := range tokenize("", tc.text) {
			if tk.quoted {
				got = append(got, tk.norm)
			}
		}
		if strings.Join(got, " ") != strings.Join(tc.quoted, " ") {
			t.Errorf("%q: quoted words %v, want %v", tc.text, got, tc.quoted)
		}
	}
}

// asciiRun (eight bytes at a time) must agree with the byte-wise
// definition on any bytes.
func TestASCIIRun(t *testing.T) {
	alphabet := []byte("aZz09AM,.' -\x7f\x80\xd0\xff@[`{/:")
	rng := rand.New(rand.NewSource(1))
	for k := 0; k < 200000; k++ {
		var b [8]byte
		for j := range b {
			b[j] = alphabet[rng.Intn(len(alphabet))]
			if k%7 == 0 {
				b[j] = byte(rng.Intn(256))
			}
		}
		n, folded, letterBits := asciiRun(load64(string(b[:]), 0))
		letters := letterBits&(1<<(8*n)-1) != 0
		wantN, wantLetters := 0, false
		for wantN < 8 && b[wantN] < 0x80 && asciiFold[b[wantN]] != 0 {
			wantLetters = wantLetters || b[wantN] > '9'
			wantN++
		}
		if n != wantN || letters != wantLetters {
			t.Fatalf("%q: n %d letters %v, want %d %v", b, n, letters, wantN, wantLetters)
		}
		for j := 0; j < n; j++ {
			if got := byte(folded >> (8 * j)); got != asciiFold[b[j]] {
				t.Fatalf("%q: byte %d folds to %q, want %q", b, j, got, asciiFold[b[j]])
			}
		}
	}
}

func TestMaxAbbreviation(t *testing.T) {
	for w := range abbreviations {
		if len(w) > maxAbbreviation {
			t.Errorf("abbreviation %q is longer than maxAbbreviation (%d bytes)", w, maxAbbreviation)
		}
	}
}

// TestLead: the lead is the body's first paragraph, unless that is page
// furniture (a dateline, a menu, a caption, the headline again); then it
// runs on through the first paragraph of prose.
func TestLead(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string // want: the words of the lead
	}{
		{"prose first", "The envoys met in the capital on Monday. Nothing was agreed.\n\nA second paragraph follows here.",
			"the envoys met in the capital on monday nothing was agreed"},
		{"menu and caption", "Skip to content\n\nThe delegations at the table (Photo: Agency)\n\nThe envoys met in the capital on Monday.\n\nMore text comes later.",
			"skip to content the delegations at the table photo agency the envoys met in the capital on monday"},
		{"headline repeated", "Envoys meet in the capital\n\nThe envoys met in the capital on Monday, officials said.\n\nLater text.",
			"envoys meet in the capital the envoys met in the capital on monday officials said"},
		{"short sentence is not enough", "Moscow.\n\nThe envoys met in the capital on Monday.",
			"moscow the envoys met in the capital on monday"},
		{"no prose early", "Menu\n\nWorld\n\nNews\n\nSport\n\nWeather\n\nCulture\n\nThe envoys met in the capital on Monday.",
			"menu"},
		{"one paragraph", "The envoys met in the capital on Monday without a text", "the envoys met in the capital on monday without a text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var z tokenizer
			z.add("Headline", fieldTitle)
			z.add(tc.body, fieldBody)
			var lead []string
			for _, tk := range z.toks {
				if tk.field == fieldBody && tk.lead {
					lead = append(lead, string(z.norm[tk.nstart:tk.nend]))
				}
			}
			if got := strings.Join(lead, " "); got != tc.want {
				t.Errorf("lead = %q, want %q", got, tc.want)
			}
		})
	}
}
