package feeds

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzNormalize feeds arbitrary item fields through normalisation. Its
// seed corpus runs with every `go test`; `go test -fuzz FuzzNormalize
// ./feeds` explores further.
func FuzzNormalize(f *testing.F) {
	f.Add("g-1", "https://wire.example/a?utm_source=x#frag", "Title &amp; more", "<p>Lead.</p><p>Body</p>", "", int64(1764000000))
	f.Add("", "", "", "", "", int64(0))
	f.Add("https://wire.example/p/1", "", "<b>bold</b>", "plain\n\ntext", "<script>x</script>", int64(-1))
	f.Add("\x00\xff", "//evil.example/%zz", "\u202eRTL", "<p>\xfe\xff</p>", "<br><br><br>", int64(4102444800))
	f.Add(strings.Repeat("g", 3000), "https://x.example/"+strings.Repeat("a", 3000), "", "", "", int64(1))
	f.Add("", "relative/path?b=1&a=2&gclid=3", "Лавров изучит поправки", "", "Умєров: гарантії", int64(1700000000))
	f.Fuzz(func(t *testing.T, guid, link, title, description, content string, unix int64) {
		fc := testContext()
		it, err := normalize(rawItem{
			guid: guid, link: link, title: title, description: description, content: content,
			published: time.Unix(unix, 0),
		}, fc)
		if err != nil {
			return // skipped items are allowed; they must not panic
		}
		for name, s := range map[string]string{
			"guid": it.GUID, "url": it.URL, "canonical": it.CanonicalURL, "title": it.Title,
			"summary": it.Summary, "text": it.ContentText, "html": it.ContentHTML, "source": it.Source,
			"author": it.Author, "lang": it.Lang,
		} {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("%s %q is not storable text", name, truncateRunes(s, 200))
			}
		}
		if it.CanonicalURL == "" || len(it.CanonicalURL) > maxKeyBytes || len(it.GUID) > maxKeyBytes {
			t.Fatalf("identity %q (guid %d bytes)", it.CanonicalURL, len(it.GUID))
		}
		if strings.HasPrefix(it.CanonicalURL, "http") && !strings.Contains(it.CanonicalURL, "#sha256=") {
			again, err := CanonicalURL(it.CanonicalURL)
			if err != nil || again != it.CanonicalURL {
				t.Fatalf("canonical URL %q is not stable: %q, %v", truncateRunes(it.CanonicalURL, 200), truncateRunes(again, 200), err)
			}
		}
		if strings.Contains(it.ContentText, "\n\n\n") || strings.TrimSpace(it.ContentText) != it.ContentText {
			t.Fatalf("text not folded: %q", it.ContentText)
		}
		if strings.ContainsAny(it.Title, "\n\r\t") {
			t.Fatalf("title spans lines: %q", it.Title)
		}
		if it.PublishedAt.IsZero() || it.PublishedAt.After(fc.fetchedAt.Add(futureSlack)) || it.PublishedAt.Location() != time.UTC {
			t.Fatalf("published %v", it.PublishedAt)
		}
	})
}
