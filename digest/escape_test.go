package digest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/net/html"

	"github.com/stancewatch/stancewatch/digest"
	"github.com/stancewatch/stancewatch/store"
)

// Strings a feed controls, written to break HTML, Markdown or both.
const (
	hostileTitle  = `<script>alert("t")</script> Talks "stall" & <img src=x onerror=alert(1)> it's *bold* _it_ [x](javascript:alert(2)) | pipe # \back` + "`tick`" + ` ~~s~~ $m$`
	hostileSource = `Evil <b>Outlet</b> | *Wire* [1]`
	hostileURL    = `https://evil.example/a b(c)?q=<x>&y="z"`
	listTitle     = `1. Looks like a list - and > a quote`
	listSource    = `- Dash Outlet`
	scriptURL     = `javascript:alert(document.cookie)`
)

func hostileStore(t *testing.T) *store.Store {
	t.Helper()
	st := pg.NewStore(t)
	at := fixtureDay.Start().Add(9 * time.Hour)
	body := `Negotiators said the <script>talks</script> on territory had "stalled" <b>again</b> & would resume.`
	arts := []fixtureArticle{
		{goldArticle: goldArticle{ID: "h1", Source: hostileSource, URL: hostileURL, Title: hostileTitle, Body: body}, At: at},
		{goldArticle: goldArticle{ID: "h2", Source: listSource, URL: scriptURL, Title: listTitle, Body: "Envoys met; the talks stalled."}, At: at.Add(time.Hour)},
	}
	for i := range arts {
		arts[i].Labels.Relevant, arts[i].Labels.Topics = true, []string{"territory"}
		arts[i].Labels.Outlook, arts[i].Labels.Framing = "stalemate", "neutral"
		arts[i].Actors = map[string]int{`<Kremlin & "Co">`: 1}
	}
	loadFixture(t, st, arts)
	return st
}

func TestHTMLEscapesFeedStrings(t *testing.T) {
	t.Parallel()
	st := hostileStore(t)
	dg, err := digest.Build(context.Background(), st, fixtureDay, digest.Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	page, err := digest.HTML(dg)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var titleLinks, texts []string
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "script", "img", "b", "iframe", "object":
			t.Errorf("feed markup became a <%s> element", n.Data)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has an event handler attribute %s=%q", n.Data, a.Key, a.Val)
			}
			if a.Key == "href" && strings.Contains(strings.ToLower(a.Val), "javascript") {
				t.Errorf("<%s href=%q>: a script link", n.Data, a.Val)
			}
		}
		if n.Data == "a" && n.Parent != nil && attr(n.Parent, "class") == "title" {
			titleLinks = append(titleLinks, attr(n, "href"))
			texts = append(texts, textOf(n))
		}
	})
	if len(titleLinks) != 1 || texts[0] != hostileTitle {
		t.Errorf("title links %q with texts %q; want one, showing the title as text", titleLinks, texts)
	}
	if len(titleLinks) == 1 && !strings.EqualFold(titleLinks[0], "https://evil.example/a%20b%28c%29?q=%3Cx%3E&y=%22z%22") {
		t.Errorf("title link href = %q", titleLinks[0])
	}
	whole := textOf(doc)
	for _, want := range []string{hostileTitle, hostileSource, listTitle, `<Kremlin & "Co">`, "<script>talks</script>"} {
		if !strings.Contains(whole, want) {
			t.Errorf("page text does not show %q as text", want)
		}
	}
}

func TestMarkdownEscapesFeedStrings(t *testing.T) {
	t.Parallel()
	st := hostileStore(t)
	dg, err := digest.Build(context.Background(), st, fixtureDay, digest.Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	md := digest.Markdown(dg)
	// Render it as a reader's Markdown viewer would (CommonMark + GFM).
	var out bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert([]byte(md), &out); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&out)
	if err != nil {
		t.Fatal(err)
	}
	links, lists, quotesNested := markdownElements(t, doc)
	checkTitleLink(t, links, md)
	if lists > 0 || quotesNested > 0 {
		t.Errorf("a title made an ordered list (%d) or nested quote (%d)", lists, quotesNested)
	}
	whole := textOf(doc)
	for _, want := range []string{listTitle, `<Kremlin & "Co">`, "<script>talks</script>"} {
		if !strings.Contains(whole, want) {
			t.Errorf("rendered Markdown does not show %q", want)
		}
	}
	checkFramingRows(t, doc)
	if !strings.Contains(whole, hostileSource) || !strings.Contains(whole, listSource) {
		t.Errorf("outlet names not shown as text")
	}
}

// markdownElements walks the rendered Markdown: it fails on raw HTML
// and on elements that only feed text could have made, and returns the
// links and the counts of ordered lists and nested quotes.
func markdownElements(t *testing.T, doc *html.Node) (links []*html.Node, lists, quotesNested int) {
	t.Helper()
	walk(doc, func(n *html.Node) {
		if n.Type == html.CommentNode && strings.Contains(n.Data, "raw HTML") {
			t.Errorf("feed text reached the Markdown as raw HTML")
		}
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "a":
			links = append(links, n)
		case "del", "img", "code", "h1", "h2", "h3", "h4":
			if n.Data == "h1" || n.Data == "h2" {
				return // our own headings
			}
			t.Errorf("feed text made a <%s> element: %s", n.Data, textOf(n))
		case "ol":
			lists++
		case "blockquote":
			if n.Parent != nil && n.Parent.Data == "blockquote" {
				quotesNested++
			}
		}
	})
	return links, lists, quotesNested
}

// checkTitleLink: the hostile title is a link's text, with its URL
// escaped, and no link is to javascript.
func checkTitleLink(t *testing.T, links []*html.Node, md string) {
	t.Helper()
	found := false
	for _, a := range links {
		if textOf(a) == hostileTitle {
			found = true
			if href := attr(a, "href"); href != "https://evil.example/a%20b%28c%29?q=%3Cx%3E&y=%22z%22" {
				t.Errorf("title link href = %q", href)
			}
		}
		if strings.Contains(attr(a, "href"), "javascript") {
			t.Errorf("link to %q", attr(a, "href"))
		}
	}
	if !found {
		t.Errorf("no link shows the hostile title as text; links: %v\n%s", linkTexts(links), md)
	}
}

// checkFramingRows: the framing table keeps five cells a row although
// outlets hold "|".
func checkFramingRows(t *testing.T, doc *html.Node) {
	t.Helper()
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "tr" {
			cells := 0
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode {
					cells++
				}
			}
			if strings.Contains(textOf(n), "Evil") && cells != 5 {
				t.Errorf("framing row of %q has %d cells", hostileSource, cells)
			}
		}
	})
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func linkTexts(links []*html.Node) []string {
	var out []string
	for _, a := range links {
		out = append(out, textOf(a))
	}
	return out
}

// A bidi override in a title reverses the text after it on the page; an
// escape sequence in a title or body drives the terminal that prints the
// Markdown. Neither reaches any output format.
func TestBidiAndControlCharactersStripped(t *testing.T) {
	st := pg.NewStore(t)
	at := fixtureDay.Start().Add(9 * time.Hour)
	const title = "Talks \u202eecnarg on\u202c resume\x1b[2J\x1b]0;owned\x07 in Geneva"
	arts := []fixtureArticle{{goldArticle: goldArticle{ID: "b1", Source: "Wire\u2066 \u200fOutlet\x1b[0m", URL: "https://wire.example/b1",
		Title: title, Body: "Negotiators said the talks on territory had \u202estalled\u202c again\x1b[31m and would resume."}, At: at}}
	arts[0].Labels.Relevant, arts[0].Labels.Topics = true, []string{"territory"}
	arts[0].Labels.Outlook, arts[0].Labels.Framing = "stalemate", "neutral"
	loadFixture(t, st, arts)
	dg, err := digest.Build(context.Background(), st, fixtureDay, digest.Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(dg.Stories) != 1 || dg.Stories[0].Title != "Talks ecnarg on resume[2J]0;owned in Geneva" {
		t.Fatalf("stories %+v", dg.Stories)
	}
	page, err := digest.HTML(dg)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(dg)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"html": page, "markdown": digest.Markdown(dg), "json": string(js)} {
		for _, bad := range []string{"\u202e", "\u202c", "\u2066", "\u200f", "\x1b", "\x07", `\u001b`, `\u202e`} {
			if strings.Contains(out, bad) {
				t.Errorf("%s output contains %q", name, bad)
			}
		}
		if !strings.Contains(out, "Wire Outlet") {
			t.Errorf("%s output lost the outlet name", name)
		}
	}
	if sn := dg.Stories[0].Snippet; sn != nil {
		for _, p := range sn.Parts {
			if strings.ContainsAny(p.Text, "\u202e\x1b") {
				t.Errorf("snippet part %q", p.Text)
			}
		}
	}
}
