package feeds

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var fetched = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

func parse(t *testing.T, doc, contentType string, opts ParseOptions) *Feed {
	t.Helper()
	if opts.FetchedAt.IsZero() {
		opts.FetchedAt = fetched
	}
	f, err := NewParser().Parse([]byte(doc), contentType, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseRSS(t *testing.T) {
	t.Parallel()
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Newsdesk Aggregator</title><link>https://agg.example/</link><language>en-gb</language><ttl>45</ttl>
  <item>
    <title>Geneva talks produce &#8216;refined&#8217; framework</title>
    <link>https://www.northbridgewire.example/world/geneva?utm_source=agg</link>
    <guid isPermaLink="false">nbw-1</guid>
    <source url="https://www.northbridgewire.example/rss">Northbridge Wire</source>
    <description>Lead only.</description>
    <content:encoded><![CDATA[<p>Lead paragraph.</p><p>Second paragraph.</p>]]></content:encoded>
    <dc:creator>A. Writer</dc:creator>
    <pubDate>Mon, 24 Nov 2025 06:45:00 GMT</pubDate>
  </item>
  <item><description></description></item>
  <item><title>No link</title><guid>plain-guid-7</guid></item>
</channel></rss>`
	f := parse(t, doc, "application/rss+xml", ParseOptions{FeedURL: "https://agg.example/rss", Name: ""})
	if f.Format != "rss 2.0" || f.Title != "Newsdesk Aggregator" || f.SiteURL != "https://agg.example/" || f.Language != "en" || f.TTL != 45*time.Minute {
		t.Errorf("feed: %+v", f)
	}
	if len(f.Items) != 2 || len(f.Skipped) != 1 || f.Skipped[0].Index != 1 {
		t.Fatalf("items %d, skipped %+v", len(f.Items), f.Skipped)
	}
	it := f.Items[0]
	want := Item{
		GUID: "nbw-1", URL: "https://www.northbridgewire.example/world/geneva?utm_source=agg",
		CanonicalURL: "https://www.northbridgewire.example/world/geneva", Source: "Northbridge Wire",
		Title: "Geneva talks produce ‘refined’ framework", Summary: "Lead only.",
		ContentText: "Lead paragraph.\n\nSecond paragraph.", ContentHTML: "<p>Lead paragraph.</p><p>Second paragraph.</p>",
		Author: "A. Writer", Lang: "en", PublishedAt: time.Date(2025, 11, 24, 6, 45, 0, 0, time.UTC),
	}
	if it != want {
		t.Errorf("item\n got %+v\nwant %+v", it, want)
	}
	if f.Items[1].Source != "Newsdesk Aggregator" || !strings.HasPrefix(f.Items[1].CanonicalURL, "urn:stancewatch:guid:") || !f.Items[1].PublishedAt.Equal(fetched) {
		t.Errorf("link-less item: %+v", f.Items[1])
	}
}

func TestParseAtom(t *testing.T) {
	t.Parallel()
	doc := `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title type="html">Continental &amp;amp; Co</title>
  <link rel="alternate" href="https://continental.example/"/>
  <id>tag:continental.example,2025:feed</id><updated>2025-12-16T07:00:00Z</updated>
  <entry>
    <title>Berlin talks</title>
    <link rel="alternate" href="/live/2025/12/15/berlin"/>
    <id>tag:continental.example,2025:1</id>
    <updated>2025-12-15T19:30:00Z</updated>
    <summary>Summary text.</summary>
    <content type="html">&lt;p&gt;Body one.&lt;/p&gt;&lt;p&gt;Body two.&lt;/p&gt;</content>
    <author><name>Desk</name></author>
    <source><title>Europa Desk Daily</title></source>
  </entry>
</feed>`
	f := parse(t, doc, "application/atom+xml", ParseOptions{FeedURL: "https://continental.example/atom.xml", Name: "My Europe feed"})
	if f.Format != "atom 1.0" || len(f.Items) != 1 {
		t.Fatalf("feed %+v", f)
	}
	it := f.Items[0]
	if it.URL != "https://continental.example/live/2025/12/15/berlin" || it.Source != "Europa Desk Daily" ||
		it.ContentText != "Body one.\n\nBody two." || it.Summary != "Summary text." || it.Author != "Desk" ||
		!it.PublishedAt.Equal(time.Date(2025, 12, 15, 19, 30, 0, 0, time.UTC)) || it.Lang != "en" {
		t.Errorf("entry %+v", it)
	}
}

func TestParseJSONFeed(t *testing.T) {
	t.Parallel()
	doc := `{"version": "https://jsonfeed.org/version/1.1", "title": "Meridian Press Agency",
	 "home_page_url": "https://meridianpress.example/", "language": "en",
	 "items": [
	  {"id": "mpa-1", "url": "https://meridianpress.example/news/1", "title": "Witkoff in Miami",
	   "content_html": "<p>One.</p><p>Two.</p>", "summary": "One.", "date_published": "2025-12-20T22:10:00Z",
	   "authors": [{"name": "Staff"}]},
	  {"id": "mpa-2", "url": "https://meridianpress.example/news/2", "content_text": "Плain? Ні, український текст: гарантії безпеки.", "language": "uk-UA"}
	 ]}`
	f := parse(t, doc, "application/feed+json", ParseOptions{FeedURL: "https://meridianpress.example/feed.json", Name: "MPA"})
	if f.Format != "json 1.1" || len(f.Items) != 2 {
		t.Fatalf("feed %+v", f)
	}
	if it := f.Items[0]; it.Source != "MPA" || it.ContentText != "One.\n\nTwo." || it.Author != "Staff" || it.Lang != "en" {
		t.Errorf("item 0 %+v", it)
	}
	if it := f.Items[1]; it.Lang != "uk" || it.Title != "" || !it.PublishedAt.Equal(fetched) {
		t.Errorf("item 1 %+v", it)
	}
}

func TestParseNotAFeed(t *testing.T) {
	t.Parallel()
	page := `<!DOCTYPE html><html><head><title>Site</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body><p>Hello</p></body></html>`
	_, err := NewParser().Parse([]byte(page), "text/html; charset=utf-8", ParseOptions{FeedURL: "https://site.example/news"})
	if !errors.Is(err, ErrNotAFeed) || !strings.Contains(err.Error(), "HTML page") || !strings.Contains(err.Error(), "links to 1 feed") || strings.Contains(err.Error(), "feed.xml") {
		t.Errorf("HTML page: %v", err)
	}
	for _, doc := range []string{"", "   ", `{"hello": "world"`, "<note><to>x</to></note>", "plain words"} {
		if _, err := NewParser().Parse([]byte(doc), "", ParseOptions{FeedURL: "https://site.example/x"}); err == nil {
			t.Errorf("%q parsed as a feed", doc)
		}
	}
	_, err = NewParser().Parse([]byte(`<rss version="2.0"><channel><title>cut`), "", ParseOptions{})
	if err == nil || !strings.Contains(err.Error(), "parse RSS") {
		t.Errorf("truncated RSS: %v", err)
	}
}
