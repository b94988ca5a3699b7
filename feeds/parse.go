package feeds

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/mmcdole/gofeed"
	atomfeed "github.com/mmcdole/gofeed/atom"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Feed is a parsed feed document with its items normalised.
type Feed struct {
	Format   string        // e.g. "rss 2.0", "atom 1.0", "json 1.1"
	Title    string        // as the feed names itself
	SiteURL  string        // the site the feed belongs to, absolute
	Language string        // ISO 639-1 code from the feed, "" when absent
	TTL      time.Duration // RSS <ttl>; 0 when absent
	Charset  string        // the charset the body was read in
	Items    []Item
	Skipped  []Skipped // items that could not be used, with the reason
	// Dropped counts the items past ParseOptions.MaxItems, left out
	// unread; Truncated the items whose text was cut at MaxTextBytes.
	Dropped, Truncated int
}

// Item is one normalised article from a feed.
type Item struct {
	GUID string // as the feed gives it (at most 2,000 bytes); "" when it has none
	URL  string // the link as published, made absolute; "" when it has none
	// CanonicalURL identifies the article across feeds; see CanonicalURL.
	// An item without a usable link gets a urn:stancewatch: URN instead.
	CanonicalURL string
	Source       string // outlet name
	Title        string // plain text, one line
	Summary      string // plain text
	ContentText  string // plain text, paragraphs separated by blank lines
	ContentHTML  string // sanitised HTML for display
	Author       string
	Lang         string // ISO 639-1, "" when unknown
	PublishedAt  time.Time
}

// Skipped is an item that was left out of a feed, and why.
type Skipped struct {
	Index  int // position in the feed document, from 0
	Reason string
}

// ParseOptions tell Parse about the feed a document came from.
type ParseOptions struct {
	FeedURL   string    // the feed's URL: synthetic identities derive from it
	BaseURL   string    // where the document came from (after redirects); "" means FeedURL
	Name      string    // the name the user gave the feed, used as source
	FetchedAt time.Time // zero: now
	// MaxItems bounds the items normalised per document (0: no bound);
	// MaxTextBytes the text kept per item (0: no bound), cut at a
	// character boundary and marked (see CapText).
	MaxItems, MaxTextBytes int
}

// Limits on stored text; generous for news, they only stop abuse.
const (
	maxTitleRunes   = 1000
	maxSummaryRunes = 2000
)

// ErrNotAFeed is returned (wrapped) for a document that is no feed: an
// HTML page, an empty body, an unknown format.
var ErrNotAFeed = errors.New("not a feed")

// Parser parses and normalises feed documents. It is safe for concurrent
// use.
type Parser struct {
	policy *bluemonday.Policy
}

// NewParser returns a Parser that sanitises HTML with bluemonday's UGC
// policy.
func NewParser() *Parser {
	return &Parser{policy: bluemonday.UGCPolicy()}
}

// Parse decodes data (see decodeBody for how the charset is found),
// parses it as RSS, Atom or JSON Feed and normalises every item. Items
// that cannot be used are listed in Feed.Skipped; only a document that
// cannot be read at all is an error.
func (p *Parser) Parse(data []byte, contentType string, opts ParseOptions) (feed *Feed, err error) {
	// One malformed document must never take the process down, whether
	// the parser or the normalisation trips over it.
	defer func() {
		if r := recover(); r != nil {
			feed, err = nil, fmt.Errorf("feed parser failed on this document: %v", r)
		}
	}()
	if opts.FetchedAt.IsZero() {
		opts.FetchedAt = time.Now()
	}
	body, cs, err := decodeBody(data, contentType)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("%w: the body is empty", ErrNotAFeed)
	}
	var cut int
	if opts.MaxItems > 0 {
		if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' {
			body, cut = limitJSONItems(body, opts.MaxItems)
		} else {
			body, cut = limitXMLItems(body, opts.MaxItems)
		}
	}
	gp := gofeed.NewParser()
	gp.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	gp.KeepOriginalFeed = true // for RSS <ttl> and <source>, JSON item language
	gf, err := gp.Parse(bytes.NewReader(body))
	if err != nil {
		// Neither the parser's message nor the body is repeated: both
		// can carry what the server chose to send.
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, notAFeed(body, contentType, cmp.Or(opts.BaseURL, opts.FeedURL))
		}
		return nil, fmt.Errorf("parse %s: the document is malformed%s (%d bytes)", formatGuess(body), errorLine(err), len(data))
	}

	feed = &Feed{
		Format:   formatName(gf.FeedType, gf.FeedVersion),
		Title:    truncateRunes(oneLine(gf.Title), maxTitleRunes),
		Language: normalizeLang(cleanString(gf.Language)),
		Charset:  cs,
	}
	if opts.BaseURL == "" {
		opts.BaseURL = opts.FeedURL
	}
	feedBase, _ := url.Parse(opts.BaseURL)
	if site := resolveURL(feedBase, cleanString(gf.Link)); isHTTP(site) {
		feed.SiteURL = site
	}
	base := feedBase
	if feed.SiteURL != "" {
		base, _ = url.Parse(feed.SiteURL)
	}
	extras := itemExtras(gf)
	if rf, ok := gf.OriginalFeed().(*rss.Feed); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(rf.TTL)); err == nil && n > 0 {
			feed.TTL = time.Duration(n) * time.Minute
		}
	}

	fc := feedContext{
		feedURL: opts.FeedURL, base: base, name: foldSpace(opts.Name), title: feed.Title,
		lang: feed.Language, siteURL: feed.SiteURL, fetchedAt: opts.FetchedAt,
		policy: p.policy,
	}
	fc.maxText = opts.MaxTextBytes
	feed.Dropped = cut
	items := gf.Items
	if opts.MaxItems > 0 && len(items) > opts.MaxItems {
		feed.Dropped += len(items) - opts.MaxItems
		items = items[:opts.MaxItems]
	}
	gf.Items = nil // what is dropped can be collected while the rest is normalised
	feed.Items = make([]Item, 0, len(items))
	for i, gi := range items {
		if gi == nil {
			continue
		}
		items[i] = nil
		raw := rawFromGofeed(gi, extras[i])
		it, err := normalize(raw, fc)
		if err != nil {
			feed.Skipped = append(feed.Skipped, Skipped{Index: i, Reason: err.Error()})
			continue
		}
		if strings.HasSuffix(it.ContentText, TruncatedMark) {
			feed.Truncated++
		}
		feed.Items = append(feed.Items, it)
	}
	return feed, nil
}

// extra holds what gofeed's universal item leaves out.
type extra struct {
	source string // outlet named by RSS <source> or Atom <source><title>
	lang   string // item language (JSON Feed 1.1)
}

func itemExtras(gf *gofeed.Feed) []extra {
	out := make([]extra, len(gf.Items))
	switch of := gf.OriginalFeed().(type) {
	case *rss.Feed:
		for i, it := range of.Items {
			if i < len(out) && it != nil && it.Source != nil {
				out[i].source = it.Source.Title
			}
		}
	case *atomfeed.Feed:
		for i, e := range of.Entries {
			if i < len(out) && e != nil && e.Source != nil {
				out[i].source = e.Source.Title
			}
		}
	case *jsonfeed.Feed:
		for i, it := range of.Items {
			if i < len(out) && it != nil {
				out[i].lang = it.Language
			}
		}
	}
	return out
}

func rawFromGofeed(gi *gofeed.Item, ex extra) rawItem {
	r := rawItem{
		guid: gi.GUID, link: gi.Link, title: gi.Title,
		description: gi.Description, content: gi.Content,
		source: ex.source, lang: ex.lang,
	}
	if r.link == "" && len(gi.Links) > 0 {
		r.link = gi.Links[0]
	}
	var authors []string
	for _, a := range gi.Authors {
		if a != nil && strings.TrimSpace(a.Name) != "" {
			authors = append(authors, a.Name)
		}
	}
	if len(authors) == 0 && gi.DublinCoreExt != nil {
		authors = gi.DublinCoreExt.Creator
	}
	r.author = strings.Join(authors, ", ")
	if r.lang == "" && gi.DublinCoreExt != nil && len(gi.DublinCoreExt.Language) > 0 {
		r.lang = gi.DublinCoreExt.Language[0]
	}
	if gi.PublishedParsed != nil {
		r.published = *gi.PublishedParsed
	}
	if gi.UpdatedParsed != nil {
		r.updated = *gi.UpdatedParsed
	}
	return r
}

func isHTTP(u string) bool {
	return strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")
}

// isHTMLPage reports a document that is a web page rather than a feed.
func isHTMLPage(body []byte) bool {
	head := bytes.TrimSpace(body[:min(len(body), 1024)])
	if bytes.HasPrefix(head, []byte("<?xml")) {
		if i := bytes.Index(head, []byte("?>")); i >= 0 {
			head = bytes.TrimSpace(head[i+2:])
		}
	}
	for bytes.HasPrefix(head, []byte("<!--")) {
		i := bytes.Index(head, []byte("-->"))
		if i < 0 {
			break
		}
		head = bytes.TrimSpace(head[i+3:])
	}
	lower := bytes.ToLower(head[:min(len(head), 15)])
	return bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html"))
}

// notAFeed describes a document that is no feed by what can be said
// without quoting it: its Content-Type, its length, and whether it is a
// web page that advertises feeds (the user can open it to find them).
func notAFeed(body []byte, contentType, pageURL string) error {
	var msg string
	if isHTMLPage(body) {
		msg = "the server sent an HTML page"
		if n := len(feedLinks(body, pageURL)); n > 0 {
			msg += fmt.Sprintf(" that links to %d feed(s) (open it in a browser to find the feed URL)", n)
		} else {
			msg += " that links to no feed"
		}
	} else {
		msg = "no RSS, Atom or JSON Feed document"
	}
	if contentType != "" {
		msg += "; Content-Type " + safeContentType(contentType)
	}
	msg += fmt.Sprintf("; %d bytes", len(body))
	return fmt.Errorf("%w: %s", ErrNotAFeed, msg)
}

// safeContentType is a Content-Type as an error may repeat it: the media
// type only, if it is one.
func safeContentType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || len(mt) > 100 {
		return "(invalid)"
	}
	return mt
}

// errorLine is " on line N" for parse errors that know their line.
func errorLine(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) && se.Line > 0 {
		return fmt.Sprintf(" on line %d", se.Line)
	}
	return ""
}

// feedLinks returns up to three <link rel="alternate"> feed URLs.
func feedLinks(body []byte, pageURL string) []string {
	base, _ := url.Parse(pageURL)
	z := xhtml.NewTokenizer(bytes.NewReader(body))
	var out []string
	for len(out) < 3 {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if a := atom.Lookup(name); a == atom.Body {
			break
		} else if a != atom.Link || !hasAttr {
			continue
		}
		var rel, typ, href string
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "rel":
				rel = strings.ToLower(string(v))
			case "type":
				typ = strings.ToLower(string(v))
			case "href":
				href = string(v)
			}
			if !more {
				break
			}
		}
		if strings.Contains(rel, "alternate") && (strings.Contains(typ, "rss") || strings.Contains(typ, "atom") || strings.Contains(typ, "json")) {
			if u := resolveURL(base, href); u != "" {
				out = append(out, u)
			}
		}
	}
	return out
}

// formatName is "rss 2.0", "atom 1.0", "json 1.1" and the like.
func formatName(typ, version string) string {
	if i := strings.LastIndex(version, "/version/"); i >= 0 {
		version = version[i+len("/version/"):] // JSON Feed versions are URLs
	}
	return strings.TrimSpace(typ + " " + oneLine(version))
}

func formatGuess(body []byte) string {
	switch gofeed.DetectFeedType(bytes.NewReader(body[:min(len(body), 4096)])) {
	case gofeed.FeedTypeRSS:
		return "RSS"
	case gofeed.FeedTypeAtom:
		return "Atom"
	case gofeed.FeedTypeJSON:
		return "JSON Feed"
	}
	return "feed"
}
