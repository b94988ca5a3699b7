package digest

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stancewatch/stancewatch/store"
)

// window cuts text as the store does: radius bytes either side of
// [start, end), on byte offsets that may split a rune.
func window(text string, start, end, radius int, label string) store.EvidenceWindow {
	ws := max(0, start-radius)
	we := min(len(text), end+radius)
	return store.EvidenceWindow{ArticleID: 1, Label: label, Field: "body", Matched: text[start:end],
		Start: start, End: end, WindowStart: ws, Window: []byte(text[ws:we]), FieldLength: len(text)}
}

func snippetText(sn *Snippet) string {
	var b strings.Builder
	for _, p := range sn.Parts {
		if p.Match {
			b.WriteString("[" + p.Text + "]")
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

func TestSnippetCutsOnRuneAndWordBoundaries(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("Переговори щодо території зайшли в глухий кут. ", 12) + "Сторони не зблизилися щодо Донбасу, заявив посадовець. " +
		strings.Repeat("Обмін полоненими відбувся. ", 12)
	match := "Донбасу"
	start := strings.Index(text, match)
	// Cyrillic letters are two bytes: some of these radii cut one in half.
	cutMidRune := 0
	for radius := snippetRadius - 3; radius <= snippetRadius+3; radius++ {
		ev := window(text, start, start+len(match), radius, "topic:territory")
		if !utf8.Valid(ev.Window) {
			cutMidRune++
		}
		sn := makeSnippet(ev, []store.EvidenceWindow{ev})
		got := snippetText(sn)
		if !utf8.ValidString(got) || strings.ContainsRune(got, utf8.RuneError) {
			t.Errorf("radius %d: snippet is not clean UTF-8: %q", radius, got)
		}
		if !strings.Contains(got, "["+match+"]") {
			t.Errorf("radius %d: match not marked: %q", radius, got)
		}
		if !sn.Before || !sn.After {
			t.Errorf("radius %d: a cut snippet must say so at both ends (%v, %v)", radius, sn.Before, sn.After)
		}
		// Whole words only: the first and last words are words of the text.
		words := strings.Fields(strings.NewReplacer("[", "", "]", "").Replace(got))
		for _, w := range []string{words[0], words[len(words)-1]} {
			if !strings.Contains(" "+text+" ", " "+w+" ") {
				t.Errorf("radius %d: snippet starts or ends with a partial word %q: %q", radius, w, got)
			}
		}
	}
	if cutMidRune == 0 {
		t.Error("no window was cut inside a rune: the test checks nothing")
	}
}

func TestSnippetMarksEveryMatchInside(t *testing.T) {
	t.Parallel()
	text := "Talks stalled again: no breakthrough on territory, and no progress on guarantees."
	a := window(text, strings.Index(text, "breakthrough"), strings.Index(text, "breakthrough")+len("breakthrough"), 200, "outlook:stalemate")
	b := window(text, strings.Index(text, "territory"), strings.Index(text, "territory")+len("territory"), 200, "topic:territory")
	c := window(text, strings.Index(text, "stalled"), strings.Index(text, "stalled")+len("stalled"), 200, "outlook:stalemate")
	sn := makeSnippet(b, []store.EvidenceWindow{a, b, c})
	want := "Talks [stalled] again: no [breakthrough] on [territory], and no progress on guarantees."
	if got := snippetText(sn); got != want || sn.Before || sn.After {
		t.Errorf("snippet %q (before %v after %v), want %q with no ellipses", got, sn.Before, sn.After, want)
	}
	// Adjacent matches keep the space between them.
	d := window(text, strings.Index(text, "no breakthrough"), strings.Index(text, "no breakthrough")+2, 200, "outlook:stalemate")
	sn = makeSnippet(a, []store.EvidenceWindow{a, d})
	if got := snippetText(sn); !strings.Contains(got, "[no] [breakthrough]") {
		t.Errorf("adjacent matches: %q", got)
	}
}

func TestValidWindowRejectsStaleOffsets(t *testing.T) {
	t.Parallel()
	text := "The talks stalled."
	ev := window(text, 4, 9, 20, "relevant")
	if !validWindow(ev) {
		t.Fatal("a good row was rejected")
	}
	ev.Matched = "peace" // the article changed since it was tagged
	if validWindow(ev) {
		t.Error("a row whose offsets point at other words was accepted")
	}
	ev = window(text, 4, 9, 20, "relevant")
	ev.End = 400
	if validWindow(ev) {
		t.Error("a row pointing past the text was accepted")
	}
}
