package digest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stancewatch/stancewatch/store/storetest"

	"github.com/stancewatch/stancewatch/digest"
	"github.com/stancewatch/stancewatch/store"
)

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

func countDigests(t *testing.T, st *store.Store) int {
	t.Helper()
	return storetest.Rows(t, st, "digests")
}

func TestGenerateIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, arts, _ := fixtureStore(t)
	dir := t.TempDir()
	opts := digest.Options{Now: fixtureNow, OutDir: dir}
	res, err := digest.Generate(ctx, st, fixtureDay, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged {
		t.Error("first run reported unchanged")
	}
	want := []string{"2026-03-29.md", "2026-03-29.html", "2026-03-29.json", "index.html", "feed.atom"}
	for i, f := range res.Files {
		if filepath.Base(f) != want[i] {
			t.Errorf("files %v, want %v", res.Files, want)
			break
		}
	}
	first := readDir(t, dir)
	if len(first) != len(want) {
		t.Errorf("directory holds %d files, want %d (no temporary files left)", len(first), len(want))
	}
	row, err := st.GetDigest(ctx, fixtureDay.Date())
	if err != nil {
		t.Fatal(err)
	}
	if row.Timezone != "Europe/Kyiv" || row.Markdown != string(first["2026-03-29.md"]) || row.HTML != string(first["2026-03-29.html"]) {
		t.Error("stored row differs from the files")
	}
	var stored, written any
	json.Unmarshal(row.Data, &stored)
	json.Unmarshal(first["2026-03-29.json"], &written)
	if a, b := mustJSON(stored), mustJSON(written); a != b {
		t.Error("digests.data differs from DAY.json")
	}
	var stats digest.Headline
	if err := json.Unmarshal(row.Stats, &stats); err != nil || stats.Reading != res.Digest.Headline.Reading {
		t.Errorf("stats = %s (%v)", row.Stats, err)
	}

	// A second run an hour later changes nothing, byte for byte.
	later := digest.Options{Now: func() time.Time { return fixtureNow().Add(time.Hour) }, OutDir: dir}
	res2, err := digest.Generate(ctx, st, fixtureDay, later)
	if err != nil {
		t.Fatal(err)
	}
	if !res2.Unchanged || countDigests(t, st) != 1 {
		t.Errorf("second run: unchanged %v, %d rows", res2.Unchanged, countDigests(t, st))
	}
	second := readDir(t, dir)
	for name, data := range first {
		if !bytes.Equal(data, second[name]) {
			t.Errorf("%s changed on regeneration", name)
		}
	}

	// A new article makes the next run a new digest that replaces the row.
	late := arts[0]
	late.URL, late.At, late.Title = "https://late.example/1", fixtureDay.Start().Add(20*time.Hour), "A late article"
	loadFixture(t, st, []fixtureArticle{late})
	res3, err := digest.Generate(ctx, st, fixtureDay, later)
	if err != nil {
		t.Fatal(err)
	}
	if res3.Unchanged || res3.Digest.Headline.Articles.Count != res.Digest.Headline.Articles.Count+1 || countDigests(t, st) != 1 {
		t.Errorf("after a new article: unchanged %v, %d articles (was %d), %d rows",
			res3.Unchanged, res3.Digest.Headline.Articles.Count, res.Digest.Headline.Articles.Count, countDigests(t, st))
	}
	if !res3.Digest.GeneratedAt.Equal(fixtureNow().Add(time.Hour)) {
		t.Errorf("generated_at %s, want the new run's time", res3.Digest.GeneratedAt)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Atom 1.0 as a reader parses it.
type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Links   []atomLink `xml:"link"`
	Summary string     `xml:"summary"`
	Content struct {
		Type string `xml:"type,attr"`
		Body string `xml:",chardata"`
	} `xml:"content"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Href string `xml:"href,attr"`
}

func TestAtomFeedAndIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _, _ := fixtureStore(t)
	dir := t.TempDir()
	// Generated out of order; the feed lists by day, newest first.
	days := []int{3, 0, 5, 1, 2}
	for _, back := range days {
		if _, err := digest.Generate(ctx, st, fixtureDay.AddDays(-back), digest.Options{Now: fixtureNow, OutDir: dir, FeedSize: 4}); err != nil {
			t.Fatal(err)
		}
	}
	f := readAtom(t, dir)
	want := []string{"2026-03-29", "2026-03-28", "2026-03-27", "2026-03-26"} // 4 of 5: FeedSize
	if len(f.Entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(f.Entries), len(want))
	}
	checkEntries(t, dir, f.Entries, want)

	// With a base URL the links and ids are absolute.
	if _, err := digest.WriteFeed(ctx, st, dir, 2, "https://news.example.org/digests"); err != nil {
		t.Fatal(err)
	}
	f = readAtom(t, dir)
	if len(f.Entries) != 2 || f.Entries[0].Links[0].Href != "https://news.example.org/digests/2026-03-29.html" ||
		!slices.ContainsFunc(f.Links, func(l atomLink) bool {
			return l.Rel == "self" && l.Href == "https://news.example.org/digests/feed.atom"
		}) {
		t.Errorf("feed with base URL: %+v", f)
	}

	// The index lists every day, newest first.
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	last := -1
	for _, d := range []string{"2026-03-29", "2026-03-28", "2026-03-27", "2026-03-26", "2026-03-24"} {
		i := bytes.Index(index, []byte(`href="`+d+`.html"`))
		if i < 0 || i < last {
			t.Errorf("index.html: %s missing or out of order", d)
		}
		last = i
	}
}

// readAtom reads and checks dir/feed.atom as a whole.
func readAtom(t *testing.T, dir string) atomFeed {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "feed.atom"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Error("feed.atom has no XML declaration")
	}
	var f atomFeed
	if err := xml.Unmarshal(data, &f); err != nil {
		t.Fatalf("feed.atom is not valid XML: %v", err)
	}
	if f.ID == "" || f.Title == "" || f.Author.Name == "" {
		t.Errorf("feed lacks id, title or author: %+v", f)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		t.Errorf("feed updated %q: %v", f.Updated, err)
	}
	return f
}

// checkEntries: one entry per day, newest first, each with a unique
// absolute id, a date, a link to an existing file and content.
func checkEntries(t *testing.T, dir string, entries []atomEntry, want []string) {
	t.Helper()
	ids := map[string]bool{}
	for i, e := range entries {
		if !strings.HasSuffix(e.ID, want[i]) {
			t.Errorf("entry %d is %s, want day %s", i, e.ID, want[i])
		}
		if u, err := url.Parse(e.ID); err != nil || u.Scheme == "" || ids[e.ID] {
			t.Errorf("entry id %q is not a unique absolute IRI", e.ID)
		}
		ids[e.ID] = true
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry %s updated %q: %v", e.ID, e.Updated, err)
		}
		if len(e.Links) != 1 || e.Links[0].Rel != "alternate" || e.Links[0].Href != want[i]+".html" {
			t.Errorf("entry %s links %+v, want alternate %s.html", e.ID, e.Links, want[i])
		} else if _, err := os.Stat(filepath.Join(dir, e.Links[0].Href)); err != nil {
			t.Errorf("entry link %s: %v", e.Links[0].Href, err)
		}
		if e.Title == "" || e.Summary == "" || e.Content.Type != "html" || !strings.Contains(e.Content.Body, "<p><strong>") {
			t.Errorf("entry %s: title %q summary %q content %q", e.ID, e.Title, e.Summary, e.Content.Type)
		}
	}

}

func TestEmptyDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pg.NewStore(t)
	dir := t.TempDir()
	res, err := digest.Generate(ctx, st, fixtureDay, digest.Options{Now: fixtureNow, OutDir: dir})
	if err != nil {
		t.Fatalf("an empty day is not an error: %v", err)
	}
	dg := res.Digest
	if !dg.Empty || dg.Headline.Articles.Count != 0 || len(dg.Stories) != 0 || dg.Headline.Lean != "" {
		t.Errorf("empty day digest: %+v", dg.Headline)
	}
	if !strings.Contains(dg.Headline.Reading, "No articles") {
		t.Errorf("reading %q", dg.Headline.Reading)
	}
	files := readDir(t, dir)
	md := string(files["2026-03-29.md"])
	if !strings.Contains(md, "No articles were stored for this day") || strings.Contains(md, "## Topics") {
		t.Errorf("empty day Markdown:\n%s", md)
	}
	if !strings.Contains(string(files["2026-03-29.html"]), "No articles were stored for this day") {
		t.Error("empty day HTML does not say so")
	}
	var back digest.Digest
	if err := json.Unmarshal(files["2026-03-29.json"], &back); err != nil || !back.Empty || back.Stories == nil || back.Topics == nil {
		t.Errorf("empty day JSON: %v, empty %v, stories %v", err, back.Empty, back.Stories)
	}
	if !strings.Contains(string(files["2026-03-29.json"]), `"stories": []`) {
		t.Error(`empty lists must be [] in the JSON, not null`)
	}
}

func TestDaysInTheFutureOrMalformed(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 29, 21, 30, 0, 0, time.UTC) // already 30 March in Kyiv
	if _, err := digest.ParseDay("2026-03-30", kyiv, now); err != nil {
		t.Errorf("today in Kyiv refused: %v", err)
	}
	_, err := digest.ParseDay("2026-03-31", kyiv, now)
	if !errors.Is(err, digest.ErrFutureDay) || !strings.Contains(err.Error(), "2026-03-31") || !strings.Contains(err.Error(), "today is 2026-03-30") {
		t.Errorf("future day: %v", err)
	}
	for _, bad := range []string{"2026-02-30", "29.03.2026", "2026-3-29", "", "yesterday"} {
		_, err := digest.ParseDay(bad, kyiv, now)
		if err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
			t.Errorf("ParseDay(%q) = %v, want an error naming the format", bad, err)
		}
	}
	if y := digest.Yesterday(now, kyiv); y.String() != "2026-03-29" {
		t.Errorf("yesterday in Kyiv at %s = %s", now, y)
	}
	st := pg.NewStore(t)
	_, err = digest.Generate(context.Background(), st, digest.NewDay(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), kyiv),
		digest.Options{Now: func() time.Time { return now }})
	if !errors.Is(err, digest.ErrFutureDay) || countDigests(t, st) != 0 {
		t.Errorf("Generate of a future day: %v", err)
	}
}

func TestPartialDay(t *testing.T) {
	t.Parallel()
	st, _, _ := fixtureStore(t)
	noon := func() time.Time { return fixtureDay.Start().Add(12 * time.Hour) }
	dg, err := digest.Build(context.Background(), st, fixtureDay, digest.Options{Now: noon})
	if err != nil {
		t.Fatal(err)
	}
	if !dg.Partial || !strings.Contains(digest.Markdown(dg), "Partial") {
		t.Error("a digest of the running day is not marked partial")
	}
}

func TestParseFormats(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{"all": {"md", "html", "json"}, "md": {"md"}, "html,json": {"html", "json"}, "Markdown": {"md"}} {
		got, err := digest.ParseFormats(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseFormats(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := digest.ParseFormats("pdf"); err == nil || !strings.Contains(err.Error(), "md, html, json or all") {
		t.Errorf("pdf: %v", err)
	}
}

func TestOnlySomeFormats(t *testing.T) {
	t.Parallel()
	st, _, _ := fixtureStore(t)
	dir := t.TempDir()
	if _, err := digest.Generate(context.Background(), st, fixtureDay, digest.Options{Now: fixtureNow, OutDir: dir, Formats: []string{"md"}}); err != nil {
		t.Fatal(err)
	}
	files := readDir(t, dir)
	if _, ok := files["2026-03-29.html"]; ok || files["2026-03-29.md"] == nil || files["index.html"] == nil {
		t.Errorf("--format md wrote %v", slices.Sorted(maps.Keys(files)))
	}
	// The index links the Markdown when there is no HTML.
	if !bytes.Contains(files["index.html"], []byte(`href="2026-03-29.md"`)) {
		t.Error("index does not link the Markdown file")
	}
}

// Digest files follow the umask (systemd's UMask=0027 makes them 0640),
// they are not forced to 0644.
func TestWriteFileAtomicFollowsUmask(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	path := filepath.Join(dir, "2026-01-02.html")
	if err := digest.WriteFileAtomic(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := digest.WriteFileAtomic(path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v under umask 027, want -rw-r-----", st.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left in the directory, want the digest only", len(entries))
	}
}
