package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stancewatch/stancewatch/gold"
)

// A labels file of two query blocks, three items, written the way the
// committed ones are.
const fixture = `{"id": "t1-en-001", "source": "Wire (wire.example)", "url": "https://wire.example/a", "published": "2025-03-01T00:00:00Z", "lang": "en", "title": "Envoys meet again", "labels": {"relevant": true, "topics": ["us_mediation"], "outlook": "none", "framing": "neutral"}, "query": "envoys meet march"}
{"id": "t1-en-002", "source": "Paper (paper.example)", "url": "http://www.paper.example/b/", "published": "2025-03-02T00:00:00Z", "lang": "en", "title": "Talks stall", "labels": {"relevant": true, "topics": [], "outlook": "stalemate", "framing": "neutral"}, "query": "envoys meet march"}
{"id": "t1-en-003", "source": "Daily (daily.example)", "url": "https://daily.example/c", "published": "2025-03-03T00:00:00Z", "lang": "en", "title": "Cup final tonight", "labels": {"relevant": false, "topics": [], "outlook": "none", "framing": "neutral"}, "query": "cup final"}
`

func setup(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "t1-en.labels.jsonl"), []byte(fixture), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func realset(t *testing.T, dir, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(append([]string{"-dir", dir}, args...), strings.NewReader(stdin), &out)
	return out.String(), err
}

const excerpt = "Envoys meet again\nThe envoys met in Riyadh on Saturday and agreed to meet again next week."

func TestTodoListsOnlyTheBlocksStillWithoutText(t *testing.T) {
	dir := setup(t)
	out, err := realset(t, dir, "", "todo", "t1-en")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "## t1-en | query: envoys meet march\n   t1-en-001  https://wire.example/a\n   t1-en-002") ||
		!strings.Contains(out, "## t1-en | query: cup final") || !strings.HasSuffix(out, "# items without a text: 3\n") {
		t.Fatalf("todo before any text:\n%s", out)
	}
	for _, id := range []string{"t1-en-001", "t1-en-003"} {
		if _, err := realset(t, dir, excerpt, "put", "t1-en", id); err != nil {
			t.Fatal(err)
		}
	}
	out, err = realset(t, dir, "", "todo", "t1-en")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "cup final") || strings.Contains(out, "t1-en-001") || !strings.Contains(out, "t1-en-002") || !strings.HasSuffix(out, "# items without a text: 1\n") {
		t.Fatalf("todo after two texts:\n%s", out)
	}
	// A set name stands for its three language files.
	if _, err := realset(t, dir, "", "todo", "t1"); err == nil || !strings.Contains(err.Error(), "t1-ru.labels.jsonl") {
		t.Fatalf("todo t1 without the ru file: %v", err)
	}
}

func TestPutDecodesTheToolsJSONStringAndReplaces(t *testing.T) {
	dir := setup(t)
	quoted, _ := json.Marshal(excerpt + "\n\n")
	if _, err := realset(t, dir, string(quoted), "put", "t1-en", "t1-en-002"); err != nil {
		t.Fatal(err)
	}
	arts, err := gold.ReadFile(filepath.Join(dir, "t1-en.labels.jsonl"))
	if err == nil {
		t.Fatal("two items have no text: want a MissingTextError")
	}
	if len(arts) != 1 || arts[0].ID != "t1-en-002" || arts[0].Body != excerpt || arts[0].Title != "Talks stall" {
		t.Fatalf("joined item: %+v", arts)
	}
	// A second put replaces the text, and plain text is taken as it is.
	if _, err := realset(t, dir, "  Another excerpt, long enough to be an item of news.\n", "put", "t1-en", "t1-en-002"); err != nil {
		t.Fatal(err)
	}
	rows, err := readRows(filepath.Join(dir, "texts", "t1-en.jsonl"))
	if err != nil || len(rows) != 1 || rows[0].Body != "Another excerpt, long enough to be an item of news." || rows[0].URL != "http://www.paper.example/b/" || rows[0].Lang != "en" {
		t.Fatalf("texts after a second put: %+v, %v", rows, err)
	}
}

func TestPutRefusesWhatIsNotAnExcerptOfAKnownItem(t *testing.T) {
	dir := setup(t)
	cases := []struct{ stdin, id, want string }{
		{excerpt, "t1-en-009", "has no item t1-en-009"},
		{"too short", "t1-en-001", "shorter than"},
		{`"Envoys meet\nagain`, "t1-en-001", "not one JSON string"},
	}
	for _, c := range cases {
		if _, err := realset(t, dir, c.stdin, "put", "t1-en", c.id); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("put %s with %q: %v, want an error with %q", c.id, c.stdin, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "texts", "t1-en.jsonl")); !os.IsNotExist(err) {
		t.Errorf("a refused put wrote the texts file: %v", err)
	}
}

func TestConcurrentPutsKeepEveryText(t *testing.T) {
	dir := setup(t)
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for _, id := range []string{"t1-en-001", "t1-en-002", "t1-en-003"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := realset(t, dir, excerpt+" "+id, "put", "t1-en", id)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rows, err := readRows(filepath.Join(dir, "texts", "t1-en.jsonl"))
	if err != nil || len(rows) != 3 {
		t.Fatalf("texts after three concurrent puts: %d rows, %v", len(rows), err)
	}
	for _, r := range rows {
		if !strings.HasSuffix(r.Body, r.ID) {
			t.Errorf("%s holds another item's text: %q", r.ID, r.Body)
		}
	}
}

func TestCheckKnowsAPageUnderAnotherSpelling(t *testing.T) {
	dir := setup(t)
	out, err := realset(t, dir, "", "check", "http://wire.example/a/", "https://paper.example/b#top", "https://daily.example/c2")
	if err != nil {
		t.Fatal(err)
	}
	want := "USED by t1-en-001 http://wire.example/a/\nUSED by t1-en-002 https://paper.example/b#top\nNEW https://daily.example/c2\n"
	if out != want {
		t.Fatalf("check:\n%s\nwant:\n%s", out, want)
	}
}

func TestLogNumbersTheQueries(t *testing.T) {
	dir := setup(t)
	for _, q := range []string{"first query", "second query"} {
		if _, err := realset(t, dir, "", "log", "t2-uk", q); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "queries-t2-uk.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := "# Queries run for t2-uk (search tool, corpus pages), in order\n1. first query\n2. second query\n"
	if string(data) != want {
		t.Fatalf("queries file:\n%s", data)
	}
	if _, err := realset(t, dir, "", "log", "t2-uk", "two\nlines"); err == nil {
		t.Fatal("a query of two lines was logged")
	}
}

func addArgs(url string, extra ...string) []string {
	args := []string{"add", "t2-uk", "--url", url, "--source", "Вісті (visti.example)", "--title", "Переговори тривають",
		"--published", "2025-11-20", "--query", "переговори листопад", "--relevant", "yes", "--topics", "us_mediation,peace_plan",
		"--outlook", "progress", "--framing", "neutral", "--note", "the sides report convergence"}
	return append(args, extra...)
}

func TestAddWritesALabelsLineTheGoldReaderTakes(t *testing.T) {
	dir := setup(t)
	quoted, _ := json.Marshal("Переговори тривають\nСторони заявили про зближення позицій щодо плану & гарантій.")
	out, err := realset(t, dir, string(quoted), addArgs("https://visti.example/1")...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "ok t2-uk-001:") {
		t.Fatalf("add said %q", out)
	}
	if _, err := realset(t, dir, excerpt, addArgs("https://visti.example/2", "--title-from", "lead", "--relevant", "no", "--topics", "", "--outlook", "none")...); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "t2-uk.labels.jsonl")
	data, _ := os.ReadFile(path)
	first := strings.SplitN(string(data), "\n", 2)[0]
	want := `{"id": "t2-uk-001", "source": "Вісті (visti.example)", "url": "https://visti.example/1", "published": "2025-11-20T00:00:00Z", "lang": "uk", "title": "Переговори тривають", "labels": {"relevant": true, "topics": ["peace_plan", "us_mediation"], "outlook": "progress", "framing": "neutral"}, "query": "переговори листопад"}`
	if first != want {
		t.Fatalf("labels line:\n%s\nwant:\n%s", first, want)
	}
	arts, err := gold.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 2 || arts[1].ID != "t2-uk-002" || arts[1].TitleFrom != "lead" || arts[1].Labels.Relevant ||
		!strings.Contains(arts[0].Body, "\nСторони") || !strings.Contains(arts[0].Body, "& гарантій") {
		t.Fatalf("read back: %+v", arts)
	}
	rows, _ := readRows(gold.TextsPath(path))
	if rows[0].Note != "the sides report convergence" {
		t.Errorf("the note is not kept with the text: %+v", rows[0])
	}
}

func TestAddRefusesBadItemsAndSaysWhy(t *testing.T) {
	dir := setup(t)
	cases := []struct {
		args []string
		want []string
	}{
		{addArgs("https://wire.example/a"), []string{"already item t1-en-001"}},
		{addArgs("https://visti.example/3", "--topics", "peace_plan,weather", "--outlook", "hopeful"), []string{`"weather" is not one of`, `--outlook "hopeful"`}},
		{addArgs("https://visti.example/3", "--relevant", "no"), []string{"a not-relevant item has no topics"}},
		{addArgs("https://visti.example/3", "--published", "2026-01-02"), []string{"after 2025-12-31"}},
		{addArgs("ftp://visti.example/3", "--title-from", "guess"), []string{"not an http(s) address", "--title-from is url or lead"}},
		{append([]string{"add", "t2"}, addArgs("https://visti.example/3")[2:]...), []string{"names no language"}},
	}
	for _, c := range cases {
		_, err := realset(t, dir, excerpt, c.args...)
		if err == nil {
			t.Errorf("add %v was taken", c.args)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("add %v: %v, want %q in it", c.args[1:5], err, w)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "t2-uk.labels.jsonl")); !os.IsNotExist(err) {
		t.Errorf("a refused add wrote the labels file: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"put", "t1-en"}, {"check"}, {"todo"}, {"log", "t1-en"}} {
		_, err := realset(t, t.TempDir(), "", args...)
		if err == nil {
			t.Errorf("realset %v: no error", args)
		}
	}
	_, err := realset(t, t.TempDir(), "", "frobnicate")
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("unknown command %q", "frobnicate")) {
		t.Errorf("unknown command: %v", err)
	}
}
