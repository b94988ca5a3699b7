package feeds

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microcosm-cc/bluemonday"
)

func TestToText(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"paragraphs become blank lines",
			"<p>GENEVA (Wire) – Talks\n   resumed.</p><p>Second&nbsp;paragraph &amp; more.</p>",
			"GENEVA (Wire) – Talks resumed.\n\nSecond paragraph & more."},
		{"br is a line break, two are a paragraph",
			"Lead line<br>same paragraph<br/><br />next paragraph",
			"Lead line\nsame paragraph\n\nnext paragraph"},
		{"scripts, styles and comments are dropped",
			"<div><script>alert('x')</script><style>p{}</style><!-- c --><p>Text</p></div>",
			"Text"},
		{"inline tags do not split words",
			"<p>The <b>Kremlin</b> said <a href='x'>no</a>.</p>",
			"The Kremlin said no."},
		{"list items and headings are paragraphs",
			"<h2>Key points</h2><ul><li>one</li><li>two</li></ul>",
			"Key points\n\none\n\ntwo"},
		{"plain text keeps its paragraphs",
			"First paragraph\nwraps here.\n\n  Second   paragraph.\r\n\r\nThird &amp; last.",
			"First paragraph wraps here.\n\nSecond paragraph.\n\nThird & last."},
		{"entities in plain text", "Q&amp;A: &laquo;peace&raquo; 5 &lt; 6", "Q&A: «peace» 5 < 6"},
		{"empty", "  <p> </p> ", ""},
		{"NUL bytes and broken UTF-8 are cleaned", "a\x00b \xff c", "ab \uFFFD c"},
	}
	for _, tc := range cases {
		if got := toText(tc.in); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestCanonicalURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"https://www.Northbridgewire.example/world/2025/11/24/geneva?utm_source=agg&utm_medium=rss#top",
			"https://www.northbridgewire.example/world/2025/11/24/geneva"},
		{"HTTPS://Example.COM:443/a?b=2&a=1&fbclid=XYZ&gclid=1&a=0",
			"https://example.com/a?a=1&a=0&b=2"},
		{"http://example.com:80", "http://example.com/"},
		{"http://example.com:8080/x?q=a%20b&r=a+b", "http://example.com:8080/x?q=a+b&r=a+b"},
		{"https://user:pw@example.com/p/%D0%BC%D0%B8%D1%80", "https://example.com/p/%D0%BC%D0%B8%D1%80"},
		{"https://example.com/?", "https://example.com/"},
		{"https://example.com/?flag&UTM_Campaign=x", "https://example.com/?flag"},
	}
	for _, tc := range cases {
		got, err := CanonicalURL(tc.in)
		if err != nil {
			t.Errorf("CanonicalURL(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if again, _ := CanonicalURL(got); again != got {
			t.Errorf("not idempotent: %q -> %q", got, again)
		}
	}
	for _, bad := range []string{"mailto:x@example.com", "/relative/path", "javascript:alert(1)", "https://", "ht tp://x"} {
		if got, err := CanonicalURL(bad); err == nil {
			t.Errorf("CanonicalURL(%q) = %q, want an error", bad, got)
		}
	}
	long := "https://example.com/" + strings.Repeat("a", 5000)
	got, err := CanonicalURL(long)
	if err != nil || len(got) > maxKeyBytes || !strings.Contains(got, "#sha256=") {
		t.Errorf("long URL: %d bytes, %v", len(got), err)
	}
}

func TestGuessLang(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"Умєров у Берліні: гарантії безпеки для України обговорили з партнерами":                          "uk",
		"Лавров: Москва изучит европейские поправки к мирному плану, объём которых ещё предстоит оценить": "ru",
		"The talks in Geneva ended without a deal, and the delegations said they would meet again":        "en",
		"Die Gespräche in Genf endeten ohne Einigung": "",
		"Москва": "",
		"":       "",
	}
	for in, want := range cases {
		if got := guessLang(in); got != want {
			t.Errorf("guessLang(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"en-US": "en", "ru_RU": "ru", "UK": "uk", "english": "", "": "", "e1": ""} {
		if got := normalizeLang(in); got != want {
			t.Errorf("normalizeLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func testContext() feedContext {
	base, _ := url.Parse("https://site.example/news/")
	return feedContext{
		feedURL: "https://site.example/rss", base: base, title: "Site News",
		siteURL: "https://site.example/news/", fetchedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		policy: bluemonday.UGCPolicy(),
	}
}

func TestNormalizeIdentity(t *testing.T) {
	t.Parallel()
	fc := testContext()
	pub := time.Date(2025, 12, 1, 10, 0, 0, 0, time.FixedZone("MSK", 3*3600))

	it, err := normalize(rawItem{guid: " g-1 ", link: "2025/12/01/story?utm_source=x", title: "T", published: pub}, fc)
	if err != nil {
		t.Fatal(err)
	}
	if it.URL != "https://site.example/news/2025/12/01/story?utm_source=x" || it.CanonicalURL != "https://site.example/news/2025/12/01/story" || it.GUID != "g-1" {
		t.Errorf("relative link: %+v", it)
	}
	if !it.PublishedAt.Equal(pub) || it.PublishedAt.Location() != time.UTC {
		t.Errorf("published %v, want %v in UTC", it.PublishedAt, pub)
	}

	// A permalink GUID is the link.
	it, _ = normalize(rawItem{guid: "https://site.example/p/9", title: "T"}, fc)
	if it.URL != "https://site.example/p/9" || it.CanonicalURL != "https://site.example/p/9" {
		t.Errorf("permalink GUID: %+v", it)
	}

	// No link: identity from feed and GUID, stable and distinct.
	a, _ := normalize(rawItem{guid: "tag:x,2025:1", title: "T"}, fc)
	b, _ := normalize(rawItem{guid: "tag:x,2025:1", title: "Other title"}, fc)
	c, _ := normalize(rawItem{guid: "tag:x,2025:2", title: "T"}, fc)
	if !strings.HasPrefix(a.CanonicalURL, "urn:stancewatch:guid:") || a.CanonicalURL != b.CanonicalURL || a.CanonicalURL == c.CanonicalURL || a.URL != "" {
		t.Errorf("GUID identities: %q %q %q", a.CanonicalURL, b.CanonicalURL, c.CanonicalURL)
	}
	// Neither link nor GUID: identity from the content.
	d, _ := normalize(rawItem{title: "Only a title", description: "and text"}, fc)
	e, _ := normalize(rawItem{title: "Only a title", description: "and text"}, fc)
	if !strings.HasPrefix(d.CanonicalURL, "urn:stancewatch:content:") || d.CanonicalURL != e.CanonicalURL {
		t.Errorf("content identities: %q %q", d.CanonicalURL, e.CanonicalURL)
	}
	// Nothing at all: skipped with a reason.
	if _, err := normalize(rawItem{link: "javascript:void(0)"}, fc); err == nil {
		t.Error("an empty item was accepted")
	}
	// An unusable link falls back to the GUID.
	f, _ := normalize(rawItem{guid: "x1", link: "mailto:desk@site.example", title: "T"}, fc)
	if f.URL != "" || !strings.HasPrefix(f.CanonicalURL, "urn:stancewatch:guid:") {
		t.Errorf("mailto link: %+v", f)
	}
}

func TestNormalizeFields(t *testing.T) {
	t.Parallel()
	fc := testContext()
	fc.name = "Northbridge Wire"
	it, err := normalize(rawItem{
		link:        "https://site.example/a",
		title:       "US &amp; Ukraine <em>refine</em>\n plan",
		description: "<p>Short summary.</p>",
		content:     `<p onclick="x()">Lead paragraph.</p><script>bad()</script><p>Second <a href="https://x.example" target="_blank">link</a>.</p>`,
		author:      "Jane Doe",
		updated:     time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC),
	}, fc)
	if err != nil {
		t.Fatal(err)
	}
	if it.Title != "US & Ukraine refine plan" {
		t.Errorf("title %q", it.Title)
	}
	if it.ContentText != "Lead paragraph.\n\nSecond link." || it.Summary != "Short summary." {
		t.Errorf("text %q summary %q", it.ContentText, it.Summary)
	}
	if strings.Contains(it.ContentHTML, "onclick") || strings.Contains(it.ContentHTML, "script") || !strings.Contains(it.ContentHTML, `rel="nofollow`) {
		t.Errorf("HTML not sanitised: %s", it.ContentHTML)
	}
	if it.Source != "Northbridge Wire" || it.Author != "Jane Doe" || it.Lang != "" {
		t.Errorf("source %q author %q lang %q", it.Source, it.Author, it.Lang)
	}
	if !it.PublishedAt.Equal(time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("updated time not used: %v", it.PublishedAt)
	}

	// Only a description: it is the content, and its lead the summary.
	it, _ = normalize(rawItem{link: "https://site.example/b", description: "Lead.\n\nMore text here."}, fc)
	if it.ContentText != "Lead.\n\nMore text here." || it.Summary != "Lead." || it.ContentHTML != "<p>Lead.</p><p>More text here.</p>" {
		t.Errorf("description only: %+v", it)
	}
	// No date, or an absurd one: the fetch time.
	it, _ = normalize(rawItem{link: "https://site.example/c", published: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)}, fc)
	if !it.PublishedAt.Equal(fc.fetchedAt) {
		t.Errorf("future date kept: %v", it.PublishedAt)
	}
	// Item source beats the feed name; language from the text.
	it, _ = normalize(rawItem{link: "https://site.example/d", source: "Volga Courier", title: "Лавров изучит поправки", description: "Москва ещё оценит их объём."}, fc)
	if it.Source != "Volga Courier" || it.Lang != "ru" {
		t.Errorf("source %q lang %q", it.Source, it.Lang)
	}
	fc.name, fc.title = "", ""
	if it, _ = normalize(rawItem{link: "https://site.example/e"}, fc); it.Source != "site.example" {
		t.Errorf("source fallback %q", it.Source)
	}
}
