package feeds

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestParseOPML(t *testing.T) {
	t.Parallel()
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Subscriptions</title></head><body>
  <outline text="Wires">
    <outline text="Northbridge" title="Northbridge Wire" type="rss" xmlUrl="northbridge.xml" htmlUrl="https://www.northbridgewire.example/"/>
    <outline text="Europe"><outline text="Atom" type="rss" xmlUrl="https://continental.example/atom.xml" fullText="true"/></outline>
  </outline>
  <outline text="Top level" type="rss" xmlurl="../other/feed.json"/>
  <outline text="Just a folder"/>
</body></opml>`
	got, err := ParseOPML(strings.NewReader(doc), "file:///data/feeds/sample.opml")
	if err != nil {
		t.Fatal(err)
	}
	want := []OPMLFeed{
		{URL: "file:///data/feeds/northbridge.xml", Name: "Northbridge Wire", SiteURL: "https://www.northbridgewire.example/", Category: "Wires"},
		{URL: "https://continental.example/atom.xml", Name: "Atom", FullText: true, Category: "Wires / Europe"},
		{URL: "file:///data/other/feed.json", Name: "Top level"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("feed %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := ParseOPML(strings.NewReader("<opml><body><outline"), "file:///x"); err == nil {
		t.Error("broken OPML accepted")
	}
}

func TestOPMLRoundTrip(t *testing.T) {
	t.Parallel()
	in := []OPMLFeed{
		{URL: "https://a.example/rss?x=1&y=2", Name: `Quotes "and" <angles> & Київ`, SiteURL: "https://a.example/"},
		{URL: "file:///srv/feeds/b.xml", FullText: true},
	}
	var buf bytes.Buffer
	if err := WriteOPML(&buf, "stancewatch feeds", in, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<opml version="2.0"`) || !strings.Contains(buf.String(), "<dateCreated>Thu, 01 Jan 2026 00:00:00 +0000</dateCreated>") {
		t.Errorf("document:\n%s", buf.String())
	}
	out, err := ParseOPML(&buf, "file:///")
	if err != nil {
		t.Fatal(err)
	}
	in[1].Name = in[1].URL // a feed without a name is listed under its URL
	if len(out) != 2 || out[0] != in[0] || out[1] != in[1] {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
	}
}
