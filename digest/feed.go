package digest

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stancewatch/stancewatch/store"
)

// dayFile is the file a day's entry links to: its HTML when written,
// else its Markdown, else its JSON, else "" (the day has only its row).
// With dir "" the digests are served from the database, where every
// format is stored, so all are listed.
func dayFile(dir, day string) (string, []dayLink) {
	var have []dayLink
	for _, f := range []dayLink{{"html", "HTML"}, {"md", "Markdown"}, {"json", "JSON"}} {
		f.Name = day + "." + f.Name
		if dir == "" {
			have = append(have, f)
		} else if _, err := os.Stat(filepath.Join(dir, f.Name)); err == nil {
			have = append(have, f)
		}
	}
	if len(have) == 0 {
		return "", nil
	}
	return have[0].Name, have
}

type dayLink struct{ Name, Label string }

type indexDay struct {
	Day, DayLong, Link string
	Files              []dayLink
	Reading            string
	Articles, Relevant int
	Lean               string
}

type indexPage struct {
	Days      []indexDay
	Generated string
}

// WriteIndex rewrites dir/index.html: every stored digest, newest first,
// with its reading. It returns the file's path.
func WriteIndex(ctx context.Context, st *store.Store, dir string) (string, error) {
	page, err := IndexHTML(ctx, st, dir)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "index.html")
	return path, WriteFileAtomic(path, page)
}

// IndexHTML renders the index page of every stored digest, newest first,
// linking to the day files found in dir; with dir "" it links to every
// format, for a server that serves them from the database.
func IndexHTML(ctx context.Context, st *store.Store, dir string) ([]byte, error) {
	rows, err := st.RecentDigests(ctx, 0, false)
	if err != nil {
		return nil, fmt.Errorf("digest index: %w", err)
	}
	var p indexPage
	var latest time.Time
	for _, r := range rows {
		var h Headline
		if err := json.Unmarshal(r.Stats, &h); err != nil {
			return nil, fmt.Errorf("digest index: stats of %s: %w", r.Day.Format(time.DateOnly), err)
		}
		day := r.Day.Format(time.DateOnly)
		link, files := dayFile(dir, day)
		p.Days = append(p.Days, indexDay{
			Day: day, DayLong: r.Day.Format("Monday 2 January 2006"), Link: link, Files: files,
			Reading: h.Reading, Articles: h.Articles.Count, Relevant: h.Relevant.Count, Lean: h.Lean,
		})
		if r.GeneratedAt.After(latest) {
			latest = r.GeneratedAt
		}
	}
	if !latest.IsZero() {
		p.Generated = latest.UTC().Format("2 January 2006, 15:04 UTC")
	}
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, "index.html.tmpl", p); err != nil {
		return nil, fmt.Errorf("digest index: %w", err)
	}
	return b.Bytes(), nil
}

// Atom 1.0 (RFC 4287).
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle"`
	ID        string      `xml:"id"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	Title     string     `xml:"title"`
	ID        string     `xml:"id"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Summary   atomText   `xml:"summary"`
	Content   atomText   `xml:"content"`
}

// WriteFeed rewrites dir/feed.atom with the last size digests (default
// 30), newest first. Without baseURL the links are relative to the feed's
// own address and the ids are tag: URIs. It returns the file's path.
func WriteFeed(ctx context.Context, st *store.Store, dir string, size int, baseURL string) (string, error) {
	feed, err := FeedXML(ctx, st, dir, size, baseURL)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "feed.atom")
	return path, WriteFileAtomic(path, feed)
}

// FeedXML renders the Atom feed of the last size digests, linking to the
// day files found in dir (every format with dir "", as IndexHTML).
func FeedXML(ctx context.Context, st *store.Store, dir string, size int, baseURL string) ([]byte, error) {
	if size <= 0 {
		size = 30
	}
	rows, err := st.RecentDigests(ctx, size, true)
	if err != nil {
		return nil, fmt.Errorf("digest feed: %w", err)
	}
	if baseURL != "" && !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	id := func(day string) string {
		if baseURL != "" {
			return baseURL + day + ".html"
		}
		return "tag:stancewatch,2025:digest/" + day
	}
	f := atomFeed{
		Title:     "stancewatch: Ukraine talks daily digest",
		Subtitle:  "How the day's press coverage of the Russia–Ukraine peace talks moved: outlook, topics, framing, stories.",
		ID:        id("feed"),
		Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: baseURL + "index.html"}},
		Author:    atomPerson{Name: "stancewatch"},
		Generator: "stancewatch",
	}
	if baseURL != "" {
		f.ID = baseURL + "feed.atom"
		f.Links = append(f.Links, atomLink{Rel: "self", Type: "application/atom+xml", Href: baseURL + "feed.atom"})
	}
	var updated time.Time
	for _, r := range rows {
		dg, err := Decode(r.Data)
		if err != nil {
			return nil, fmt.Errorf("digest feed: %w", err)
		}
		day := dayOf(dg)
		var content bytes.Buffer
		if err := templates.ExecuteTemplate(&content, "entry.html.tmpl", pageView(dg)); err != nil {
			return nil, fmt.Errorf("digest feed: entry %s: %w", dg.Day, err)
		}
		e := atomEntry{
			Title:     "Digest for " + day.Long(),
			ID:        id(dg.Day),
			Updated:   r.GeneratedAt.UTC().Format(time.RFC3339),
			Published: day.End().UTC().Format(time.RFC3339),
			Summary:   atomText{Type: "text", Body: dg.Headline.Reading},
			Content:   atomText{Type: "html", Body: content.String()},
		}
		if e.Published > e.Updated {
			e.Published = e.Updated // a partial day's digest
		}
		if link, _ := dayFile(dir, dg.Day); link != "" {
			e.Links = []atomLink{{Rel: "alternate", Type: MIMEOf(link), Href: baseURL + link}}
		}
		f.Entries = append(f.Entries, e)
		if r.GeneratedAt.After(updated) {
			updated = r.GeneratedAt
		}
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0) // no digest yet: a fixed date keeps the file stable
	}
	f.Updated = updated.UTC().Format(time.RFC3339)
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("digest feed: %w", err)
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// MIMEOf is the media type of a digest file, by its extension.
func MIMEOf(name string) string {
	switch filepath.Ext(name) {
	case ".html":
		return "text/html"
	case ".md":
		return "text/markdown"
	}
	return "application/json"
}
