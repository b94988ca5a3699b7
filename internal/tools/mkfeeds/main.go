// Command mkfeeds writes the sample feed set in testdata/feeds from the
// fictional gold articles in testdata/gold/dev-*.jsonl: a handful of feeds
// in the formats and encodings stancewatch meets in the wild, for the demo
// and the tests. Run it with `go generate ./internal/tools/mkfeeds`; its
// output is committed, and a test checks that it is current.
package main

//go:generate go run . -gold ../../../testdata/gold -out ../../../testdata/feeds

import (
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/stancewatch/stancewatch/gold"
)

func main() {
	goldDir := flag.String("gold", "testdata/gold", "folder with dev-*.jsonl")
	out := flag.String("out", "testdata/feeds", "folder to write the feeds to")
	recent := flag.Int("recent", 0, "re-date the articles into the last N days, keeping their order and spacing (for the demo; 0 keeps the gold dates)")
	flag.Parse()
	var redate func(time.Time) time.Time
	if *recent > 0 {
		redate = squeezeInto(time.Now().AddDate(0, 0, -*recent), time.Now().Add(-time.Hour))
	}
	if err := run(*goldDir, *out, redate); err != nil {
		fmt.Fprintln(os.Stderr, "mkfeeds:", err)
		os.Exit(1)
	}
}

// article is one gold article (its labels are not needed here) and its
// publication time, re-dated for the demo.
type article struct {
	gold.Article
	published time.Time
}

func (a article) paragraphs() []string { return strings.Split(a.Body, "\n\n") }

func (a article) html() string {
	var b strings.Builder
	for _, p := range a.paragraphs() {
		b.WriteString("<p>" + escape(p) + "</p>")
	}
	return b.String()
}

func (a article) slug() string { return a.URL[strings.LastIndex(a.URL, "/")+1:] }

func readGold(dir string) ([]article, error) {
	files, err := filepath.Glob(filepath.Join(dir, "dev-*.jsonl"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no dev-*.jsonl in %s", dir)
	}
	slices.Sort(files)
	var out []article
	for _, name := range files {
		arts, err := gold.ReadFile(name)
		if err != nil {
			return nil, err
		}
		for _, g := range arts {
			a := article{Article: g}
			if a.published, err = time.Parse(time.RFC3339, a.Published); err != nil {
				return nil, fmt.Errorf("%s:%d: published: %w", name, g.Line, err)
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// copyOf is a syndicated wire copy: the same story republished by
// another (fictional) outlet under its own URL, with a near-identical
// title and the same lead.
type copyOf struct {
	origID, outlet, site, title string
	delay                       time.Duration
}

var wireCopies = []copyOf{
	{"dev-a-01", "Lakeshore Gazette", "https://lakeshoregazette.example", "U.S. and Ukraine say Geneva talks produced 'refined' peace framework", 40 * time.Minute},
	{"dev-b-03", "Lakeshore Gazette", "https://lakeshoregazette.example", "U.S. and Ukrainian delegations report 'productive' Florida session on revised framework", 75 * time.Minute},
	{"dev-a-23", "Riverside Tribune", "https://riversidetribune.example", "Zelensky says any deal on eastern regions needs referendum; Kremlin says Donbas not up for discussion", 2 * time.Hour},
}

func (c copyOf) make(orig article) article {
	paras := orig.paragraphs()
	paras = paras[:min(len(paras), 4)]
	paras = append(paras, "This story was first published by "+orig.Source+".")
	return article{
		Article: gold.Article{
			ID: orig.ID + "-copy", Source: c.outlet, Lang: orig.Lang, Title: c.title,
			URL:  c.site + "/wires/" + orig.published.UTC().Format("2006/01/02") + "/" + orig.slug(),
			Body: strings.Join(paras, "\n\n"),
		},
		published: orig.published.Add(c.delay),
	}
}

// squeezeInto maps the gold articles' dates linearly into [from, to].
// Only publication dates move: URLs and GUIDs keep the gold dates, so
// feeds written on different days describe the same articles.
func squeezeInto(from, to time.Time) func(time.Time) time.Time {
	goldFrom, goldTo := time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 21, 0, 0, 0, 0, time.UTC)
	scale := float64(to.Sub(from)) / float64(goldTo.Sub(goldFrom))
	return func(t time.Time) time.Time {
		d := time.Duration(float64(t.Sub(goldFrom)) * scale)
		return from.Add(min(max(d, 0), to.Sub(from))).Truncate(time.Second)
	}
}

// run writes the sample feeds of the gold articles in goldDir to outDir;
// redate, when not nil, moves every publication date.
func run(goldDir, outDir string, redate func(time.Time) time.Time) error {
	all, err := readGold(goldDir)
	if err != nil {
		return err
	}
	byID := map[string]article{}
	for _, a := range all {
		byID[a.ID] = a
	}
	take := func(pred func(article) bool) []article {
		var out []article
		for _, a := range all {
			if pred(a) {
				out = append(out, a)
			}
		}
		slices.SortStableFunc(out, func(a, b article) int { return b.published.Compare(a.published) }) // newest first
		return out
	}
	var copies []article
	for _, c := range wireCopies {
		orig, ok := byID[c.origID]
		if !ok {
			return fmt.Errorf("wire copy of %s: no such gold article", c.origID)
		}
		copies = append(copies, c.make(orig))
	}
	if redate != nil {
		for i := range all {
			all[i].published = redate(all[i].published)
			byID[all[i].ID] = all[i]
		}
		for i := range copies {
			copies[i].published = redate(copies[i].published)
		}
	}
	isDevA := func(a article) bool { return strings.HasPrefix(a.ID, "dev-a-") }
	single := map[string]bool{"Northbridge Wire": true, "Meridian Press Agency": true}

	files := []struct {
		name, title string
		data        []byte
	}{
		{"northbridge-wire.rss.xml", "Northbridge Wire", northbridge(take(func(a article) bool { return a.Source == "Northbridge Wire" }))},
		{"newsdesk-aggregator.rss.xml", "Newsdesk Europe", aggregator(
			take(func(a article) bool { return isDevA(a) && a.Lang == "en" && !single[a.Source] }),
			byID["dev-a-01"], copies[2])},
		{"continental-briefing.atom.xml", "Continental Briefing", continental(take(func(a article) bool { return !isDevA(a) && a.Lang == "en" }))},
		{"meridian-press.json", "Meridian Press Agency", meridian(take(func(a article) bool { return a.Source == "Meridian Press Agency" }))},
		{"ukrainian-regions.rss.xml", "Регіональна стрічка", ukrainian(take(func(a article) bool { return a.Lang == "uk" }))},
		{"russian-press-cp1251.rss.xml", "Российская пресса", russian(take(func(a article) bool { return a.Lang == "ru" && a.Source != "Восток-Пресс" }))},
		{"vostok-press-cp1251-nodecl.rss.xml", "Восток-Пресс", vostok(take(func(a article) bool { return a.Source == "Восток-Пресс" }))},
		{"lakeshore-gazette.rss.xml", "Lakeshore Gazette", lakeshore(copies[:2])},
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	var opml strings.Builder
	opml.WriteString(xml.Header + "<!-- Generated by internal/tools/mkfeeds; do not edit. Relative xmlUrl values resolve against this file's folder. -->\n")
	opml.WriteString("<opml version=\"2.0\">\n  <head>\n    <title>stancewatch sample feeds</title>\n  </head>\n  <body>\n    <outline text=\"Sample feeds\">\n")
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(outDir, f.name), f.data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&opml, "      <outline type=\"rss\" text=\"%s\" title=\"%s\" xmlUrl=\"%s\"/>\n", escape(f.title), escape(f.title), f.name)
	}
	opml.WriteString("    </outline>\n  </body>\n</opml>\n")
	return os.WriteFile(filepath.Join(outDir, "sample.opml"), []byte(opml.String()), 0o644)
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), "&#xA;", "\n")
}

func cdata(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
}

func rfc822(t time.Time) string { return t.Format(time.RFC1123Z) }

const generated = "<!-- Generated by internal/tools/mkfeeds from testdata/gold (fictional outlets); do not edit. -->\n"

// northbridge: RSS 2.0 with content:encoded, the outlet's own feed.
func northbridge(items []article) []byte {
	var b strings.Builder
	b.WriteString(xml.Header + generated)
	b.WriteString(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Northbridge Wire – World</title>
  <link>https://www.northbridgewire.example/world/</link>
  <description>World news from Northbridge Wire</description>
  <language>en-gb</language>
  <ttl>30</ttl>
  <atom:link href="https://www.northbridgewire.example/world/rss.xml" rel="self" type="application/rss+xml"/>
`)
	for _, a := range items {
		fmt.Fprintf(&b, `  <item>
    <title>%s</title>
    <link>%s</link>
    <guid isPermaLink="false">northbridgewire:%s</guid>
    <dc:creator>Northbridge Wire staff</dc:creator>
    <pubDate>%s</pubDate>
    <description>%s</description>
    <content:encoded>%s</content:encoded>
  </item>
`, escape(a.Title), escape(a.URL), a.slug(), rfc822(a.published), escape(a.paragraphs()[0]), cdata(a.html()))
	}
	b.WriteString("</channel>\n</rss>\n")
	return []byte(b.String())
}

// aggregator: an RSS 2.0 aggregator naming each item's outlet in
// <source>, HTML in the description; it also carries one Northbridge
// story under a tracking link (the same article as in Northbridge's own
// feed) and a syndicated copy.
func aggregator(items []article, tracked, wireCopy article) []byte {
	items = append(items, wireCopy)
	slices.SortStableFunc(items, func(a, b article) int { return b.published.Compare(a.published) })
	items = append([]article{tracked}, items...)
	var b strings.Builder
	b.WriteString(xml.Header + generated)
	b.WriteString(`<rss version="2.0">
<channel>
  <title>Newsdesk Europe – aggregated headlines</title>
  <link>https://newsdesk.example/</link>
  <description>Headlines from many outlets</description>
  <language>en</language>
`)
	for i, a := range items {
		link := a.URL
		if i == 0 {
			link += "?utm_source=newsdesk&utm_medium=rss&utm_campaign=europe"
		}
		site := a.URL[:strings.Index(a.URL[len("https://"):], "/")+len("https://")]
		fmt.Fprintf(&b, `  <item>
    <title>%s</title>
    <link>%s</link>
    <guid isPermaLink="false">newsdesk-%s</guid>
    <source url="%s/rss">%s</source>
    <pubDate>%s</pubDate>
    <description>%s</description>
  </item>
`, escape(a.Title), escape(link), a.ID, escape(site), escape(a.Source), rfc822(a.published), escape(a.html()))
	}
	b.WriteString("</channel>\n</rss>\n")
	return []byte(b.String())
}

// continental: Atom 1.0 with summary and HTML content; each entry names
// its outlet in <source>.
func continental(items []article) []byte {
	var b strings.Builder
	b.WriteString(xml.Header + generated)
	updated := items[0].published
	fmt.Fprintf(&b, `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Continental Briefing – partner stories</title>
  <link rel="alternate" href="https://continentalbriefing.example/"/>
  <link rel="self" href="https://continentalbriefing.example/partners.atom"/>
  <id>tag:continentalbriefing.example,2025:partners</id>
  <updated>%s</updated>
`, updated.Format(time.RFC3339))
	for _, a := range items {
		fmt.Fprintf(&b, `  <entry>
    <title>%s</title>
    <link rel="alternate" href="%s"/>
    <id>tag:continentalbriefing.example,2025:%s</id>
    <published>%s</published>
    <updated>%s</updated>
    <author><name>%s</name></author>
    <source><title>%s</title></source>
    <summary>%s</summary>
    <content type="html">%s</content>
  </entry>
`, escape(a.Title), escape(a.URL), a.ID, a.published.Format(time.RFC3339), a.published.Format(time.RFC3339),
			escape(a.Source), escape(a.Source), escape(a.paragraphs()[0]), escape(a.html()))
	}
	b.WriteString("</feed>\n")
	return []byte(b.String())
}

// meridian: JSON Feed 1.1, the outlet's own feed.
func meridian(items []article) []byte {
	type author struct {
		Name string `json:"name"`
	}
	type item struct {
		ID            string   `json:"id"`
		URL           string   `json:"url"`
		Title         string   `json:"title"`
		ContentHTML   string   `json:"content_html"`
		Summary       string   `json:"summary"`
		DatePublished string   `json:"date_published"`
		Authors       []author `json:"authors"`
		Language      string   `json:"language"`
	}
	feed := struct {
		Version     string `json:"version"`
		Title       string `json:"title"`
		HomePageURL string `json:"home_page_url"`
		FeedURL     string `json:"feed_url"`
		Language    string `json:"language"`
		Items       []item `json:"items"`
	}{
		Version: "https://jsonfeed.org/version/1.1", Title: "Meridian Press Agency",
		HomePageURL: "https://meridianpress.example/", FeedURL: "https://meridianpress.example/feed.json", Language: "en",
	}
	for _, a := range items {
		feed.Items = append(feed.Items, item{
			ID: "mpa-" + a.slug(), URL: a.URL, Title: a.Title, ContentHTML: a.html(), Summary: a.paragraphs()[0],
			DatePublished: a.published.Format(time.RFC3339), Authors: []author{{"Meridian Press Agency"}}, Language: a.Lang,
		})
	}
	data, _ := json.MarshalIndent(feed, "", "  ")
	return append(data, '\n')
}

// cyrillicRSS is a plain RSS 2.0 aggregator in Ukrainian or Russian.
func cyrillicRSS(decl, title, site, lang string, items []article) string {
	var b strings.Builder
	b.WriteString(decl + generated)
	fmt.Fprintf(&b, "<rss version=\"2.0\">\n<channel>\n  <title>%s</title>\n  <link>%s</link>\n  <description>%s</description>\n", escape(title), site, escape(title))
	if lang != "" {
		fmt.Fprintf(&b, "  <language>%s</language>\n", lang)
	}
	for _, a := range items {
		fmt.Fprintf(&b, `  <item>
    <title>%s</title>
    <link>%s</link>
    <guid>%s</guid>
    <source url="%s">%s</source>
    <pubDate>%s</pubDate>
    <description>%s</description>
  </item>
`, escape(a.Title), escape(a.URL), escape(a.URL), escape(site), escape(a.Source), rfc822(a.published), escape(a.html()))
	}
	b.WriteString("</channel>\n</rss>\n")
	return b.String()
}

func ukrainian(items []article) []byte {
	return []byte(cyrillicRSS(xml.Header, "Регіональна стрічка новин", "https://regionalna-strichka.example/", "uk", items))
}

func cp1251(s string) []byte {
	b, err := charmap.Windows1251.NewEncoder().String(s)
	if err != nil {
		panic(fmt.Sprintf("windows-1251 cannot encode the sample text: %v", err))
	}
	return []byte(b)
}

// russian: windows-1251 with an XML declaration that says so.
func russian(items []article) []byte {
	return cp1251(cyrillicRSS(`<?xml version="1.0" encoding="windows-1251"?>`+"\n", "Российская пресса: обзор", "https://rossiyskaya-pressa.example/", "ru", items))
}

// vostok: windows-1251 without an XML declaration and without
// <language>: over HTTP only the Content-Type header names the charset;
// read from a file, the charset is detected from the bytes.
func vostok(items []article) []byte {
	return cp1251(cyrillicRSS("", "Восток-Пресс: лента", "https://vostok-press.example/", "", items))
}

// lakeshore: RSS 2.0 with relative links (resolved against the channel
// link) and plain-text descriptions: a paper that republishes wire copy.
func lakeshore(items []article) []byte {
	var b strings.Builder
	b.WriteString(xml.Header + generated)
	b.WriteString(`<rss version="2.0">
<channel>
  <title>Lakeshore Gazette</title>
  <link>https://lakeshoregazette.example/</link>
  <description>News for the lakeshore</description>
  <language>en-us</language>
`)
	for _, a := range items {
		rel := strings.TrimPrefix(a.URL, "https://lakeshoregazette.example")
		fmt.Fprintf(&b, `  <item>
    <title>%s</title>
    <link>%s</link>
    <pubDate>%s</pubDate>
    <description>%s</description>
  </item>
`, escape(a.Title), escape(rel), rfc822(a.published), escape(a.Body))
	}
	b.WriteString("</channel>\n</rss>\n")
	return []byte(b.String())
}
