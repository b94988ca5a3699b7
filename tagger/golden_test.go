package tagger

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

var update = flag.Bool("update", false, "rewrite testdata/golden-results.jsonl from the current code")

const goldenFile = "testdata/golden-results.jsonl"

type goldenDoc struct {
	id  string
	doc Document
}

// goldenDocs is what the golden test tags: every gold article as is,
// upper-cased (case folding, also of Cyrillic) and in NFD (the NFKC
// path of normalisation), plus the texts of the rule files' tests and
// examples and the fuzz seeds, which hold the odd cases (apostrophes,
// quotes, abbreviations, negations).
func goldenDocs(t *testing.T, e *Engine) []goldenDoc {
	all, err := filepath.Glob(filepath.Join("..", "testdata", "gold", "*.jsonl"))
	if err != nil || len(all) == 0 {
		t.Fatalf("no gold files: %v", err)
	}
	// feed-b is the held-out set: nobody reads its outputs, and a failing
	// golden test would print them.
	var files []string
	for _, f := range all {
		if filepath.Base(f) != "feed-b.jsonl" {
			files = append(files, f)
		}
	}
	more, _ := filepath.Glob(filepath.Join("testdata", "*.jsonl"))
	for _, f := range more {
		if filepath.Base(f) != filepath.Base(goldenFile) {
			files = append(files, f)
		}
	}
	var out []goldenDoc
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for n, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var a struct{ ID, Title, Body, Lang string }
			if err := json.Unmarshal([]byte(l), &a); err != nil {
				t.Fatalf("%s:%d: %v", f, n+1, err)
			}
			id := a.ID
			if id == "" {
				id = fmt.Sprintf("%s:%d", filepath.Base(f), n+1)
			}
			out = append(out,
				goldenDoc{id, Document{a.Title, a.Body, a.Lang}},
				goldenDoc{id + "/upper", Document{strings.ToUpper(a.Title), strings.ToUpper(a.Body), ""}},
				goldenDoc{id + "/nfd", Document{norm.NFD.String(a.Title), norm.NFD.String(a.Body), a.Lang}})
		}
	}
	for _, r := range e.rules {
		for i, tc := range r.tests {
			out = append(out, goldenDoc{fmt.Sprintf("test:%s:%d", r.id, i), Document{Title: tc.title, Body: tc.body}})
		}
	}
	for _, ex := range e.examples {
		out = append(out, goldenDoc{"example:" + ex.name, Document{ex.title, ex.body, ex.lang}})
	}
	for i, s := range [][2]string{
		{"Peace talks on Ukraine", "No breakthrough, Kremlin says.\n\n“Kyiv regime”, he said."},
		{"", "«Переговори» — без прориву; прорыва нет.\u00AD\u0301"},
		{"ＰＥＡＣＥ", "Witkoff’s 28-point plan; U.S. envoy. 1,000.5 \"\" '' „“ »«"},
		{"\xff\xfe", "\x00\x80 talks\xc3"},
		{"ﬁnal ceasefire ﬂag", "Пу\u0301тин and Zelensky\u2019s talks; Зеленський\u02BCs; N\u00BA 5; e\u0301tat; x\u200Dy"},
	} {
		out = append(out, goldenDoc{fmt.Sprintf("seed:%d", i), Document{Title: s[0], Body: s[1]}})
	}
	return out
}

// TestGoldenResults pins the tagger's complete output (labels, scores,
// topics, actors, evidence with offsets and text, and Explain's list of
// every match) with the built-in rules. Optimisations must leave it
// unchanged; a deliberate change of output is recorded with
// `go test ./tagger -run TestGoldenResults -update`.
func TestGoldenResults(t *testing.T) {
	e, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, g := range goldenDocs(t, e) {
		res := e.Tag(g.doc)
		res2, all := e.Explain(g.doc)
		line, err := json.Marshal(struct {
			ID      string
			Result  Result
			Explain []Evidence
		}{g.id, res, all.Matches})
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := json.Marshal(res2); !bytes.Equal(again, mustJSON(t, res)) {
			t.Errorf("%s: Explain's result differs from Tag's", g.id)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if *update {
		if err := os.WriteFile(goldenFile, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	got := bytes.Split(buf.Bytes(), []byte("\n"))
	wl := bytes.Split(want, []byte("\n"))
	if len(got) != len(wl) {
		t.Errorf("%d results, golden file has %d", len(got), len(wl))
	}
	bad := 0
	for i := 0; i < len(got) && i < len(wl); i++ {
		if !bytes.Equal(got[i], wl[i]) {
			if bad++; bad <= 5 {
				t.Errorf("line %d differs:\n got %s\nwant %s", i+1, clip(string(got[i]), 2000), clip(string(wl[i]), 2000))
			}
		}
	}
	if bad > 5 {
		t.Errorf("%d lines differ in all", bad)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
