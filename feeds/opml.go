package feeds

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// OPMLFeed is one feed in an OPML subscription list.
type OPMLFeed struct {
	URL      string // xmlUrl, made absolute
	Name     string // title, else text
	SiteURL  string // htmlUrl
	FullText bool   // stancewatch's own attribute, sw:fullText="true"
	Category string // titles of the enclosing outlines, joined by " / "
}

// opmlNS is the namespace of stancewatch's OPML attributes.
const opmlNS = "https://stancewatch.org/opml"

type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    struct {
		Title string `xml:"title"`
	} `xml:"head"`
	Body struct {
		Outlines []opmlOutline `xml:"outline"`
	} `xml:"body"`
}

type opmlOutline struct {
	Attrs    []xml.Attr    `xml:",any,attr"`
	Outlines []opmlOutline `xml:"outline"`
}

func (o opmlOutline) attr(names ...string) string {
	for _, n := range names {
		for _, a := range o.Attrs {
			if strings.EqualFold(a.Name.Local, n) {
				return strings.TrimSpace(a.Value)
			}
		}
	}
	return ""
}

// ParseOPML reads the feeds of an OPML 1.0 or 2.0 document, flattening
// folders. Relative xmlUrl values resolve against base (for a file, the
// file:// URL of the file itself), so an OPML file can list feeds that
// sit next to it.
func ParseOPML(r io.Reader, base string) ([]OPMLFeed, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	dec.CharsetReader = charset.NewReaderLabel
	var doc opmlDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("OPML: %w", err)
	}
	baseURL, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("OPML base %q: %w", base, err)
	}
	var out []OPMLFeed
	var walk func(list []opmlOutline, path []string) error
	walk = func(list []opmlOutline, path []string) error {
		for _, o := range list {
			xmlURL := o.attr("xmlUrl", "url")
			name := foldSpace(cmpOr(o.attr("title"), o.attr("text")))
			if xmlURL == "" {
				if err := walk(o.Outlines, append(path, name)); err != nil {
					return err
				}
				continue
			}
			abs := resolveURL(baseURL, xmlURL)
			if abs == "" {
				return fmt.Errorf("OPML outline %q: xmlUrl %q is not a URL", name, xmlURL)
			}
			out = append(out, OPMLFeed{
				URL: abs, Name: name, SiteURL: o.attr("htmlUrl"),
				FullText: strings.EqualFold(o.attr("fullText"), "true"),
				Category: strings.Join(nonEmpty(path), " / "),
			})
		}
		return nil
	}
	if err := walk(doc.Body.Outlines, nil); err != nil {
		return nil, err
	}
	return out, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// WriteOPML writes feeds as an OPML 2.0 document.
func WriteOPML(w io.Writer, title string, feeds []OPMLFeed, now time.Time) error {
	var b strings.Builder
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "<opml version=\"2.0\" xmlns:sw=%q>\n  <head>\n    <title>%s</title>\n    <dateCreated>%s</dateCreated>\n  </head>\n  <body>\n",
		opmlNS, escapeXML(title), now.UTC().Format(time.RFC1123Z))
	for _, f := range feeds {
		name := f.Name
		if name == "" {
			name = f.URL
		}
		fmt.Fprintf(&b, "    <outline type=\"rss\" text=\"%s\" title=\"%s\" xmlUrl=\"%s\"", escapeXML(name), escapeXML(name), escapeXML(f.URL))
		if f.SiteURL != "" {
			fmt.Fprintf(&b, " htmlUrl=\"%s\"", escapeXML(f.SiteURL))
		}
		if f.FullText {
			b.WriteString(" sw:fullText=\"true\"")
		}
		b.WriteString("/>\n")
	}
	b.WriteString("  </body>\n</opml>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func escapeXML(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(cleanString(s)))
	return b.String()
}
