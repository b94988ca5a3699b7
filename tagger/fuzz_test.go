package tagger_test

import (
	"testing"
	"unicode/utf8"

	"github.com/stancewatch/stancewatch/tagger"
)

// FuzzTag checks, on any input, that tagging does not panic, that the
// labels are consistent with the taxonomy and that every piece of
// evidence slices the original text. `go test` runs the seeds; `go test
// -fuzz FuzzTag ./tagger` explores.
func FuzzTag(f *testing.F) {
	for _, seed := range [][2]string{
		{"Peace talks on Ukraine", "No breakthrough, Kremlin says.\n\n“Kyiv regime”, he said."},
		{"", "«Переговори» — без прориву; прорыва нет.\u00AD\u0301"},
		{"ＰＥＡＣＥ", "Witkoff’s 28-point plan; U.S. envoy. 1,000.5 \"\" '' „“ »«"},
		{"\xff\xfe", "\x00\x80 talks\xc3"},
	} {
		f.Add(seed[0], seed[1])
	}
	e, err := tagger.Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, title, body string) {
		r := e.Tag(tagger.Document{Title: title, Body: body})
		if !r.Relevant && (len(r.Topics) > 0 || r.Outlook != "none" || r.Framing != "neutral") {
			t.Fatalf("irrelevant article with labels: %+v", r)
		}
		for _, ev := range r.Evidence {
			src := body
			if ev.Field == "title" {
				src = title
			}
			if ev.Start < 0 || ev.End > len(src) || ev.Start >= ev.End || src[ev.Start:ev.End] != ev.Text {
				t.Fatalf("evidence %+v does not slice the %s", ev, ev.Field)
			}
			if utf8.ValidString(src) && !utf8.ValidString(ev.Text) {
				t.Fatalf("evidence %q cuts a character", ev.Text)
			}
		}
	})
}
