package feeds

import (
	"net/url"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
)

// rawItem is an item as the feed gives it, before normalisation.
type rawItem struct {
	guid, link, title, description, content string
	author, lang, source                    string
	published, updated                      time.Time
}

// feedContext is what normalisation needs to know about the feed.
type feedContext struct {
	feedURL   string
	base      *url.URL // for relative links: the site URL, else the feed URL
	name      string   // user-given feed name
	title     string   // feed title
	siteURL   string
	lang      string // feed language
	fetchedAt time.Time
	policy    *bluemonday.Policy
	maxText   int // bytes of text kept per item; 0: no bound
}

// rawPerText bounds the raw HTML read per item to this many times the
// text kept: markup is rarely more than that, and a hostile item's
// megabytes are never converted, sanitised or guessed a language of.
const rawPerText = 4

// maxFieldBytes bounds the raw one-line fields of an item (GUID, link,
// title, author, language, source).
const maxFieldBytes = 64 << 10

// Dates outside this window are feed bugs (a zero date, a typo in the
// year); such items are dated by when they were fetched.
const (
	futureSlack = 24 * time.Hour
)

var oldestDate = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// normalize turns a raw item into an Item, or says why it cannot be used.
//
// Identity: the canonical form of the item's link; an item without a
// usable link but with a GUID gets urn:stancewatch:guid:<hash of feed URL
// and GUID>; one with neither gets urn:stancewatch:content:<hash of feed
// URL, title, text and date>. An item with none of link, GUID, title or
// content is skipped.
func normalize(r rawItem, fc feedContext) (Item, error) {
	// One-line fields are cut long before the limits below, so that a
	// hostile megabyte title costs nothing to convert.
	for _, f := range []*string{&r.guid, &r.link, &r.title, &r.author, &r.lang, &r.source} {
		*f = capBytes(*f, maxFieldBytes)
	}
	it := Item{
		GUID:  capKey(strings.TrimSpace(cleanString(r.guid))),
		Title: truncateRunes(oneLine(r.title), maxTitleRunes),
	}

	link := resolveURL(fc.base, cleanString(r.link))
	if link == "" && isHTTP(it.GUID) {
		link = it.GUID // an RSS permalink GUID doubles as the link
	}
	if isHTTP(link) {
		if c, err := CanonicalURL(link); err == nil {
			it.URL, it.CanonicalURL = link, c
		}
	}

	rawCap := fc.maxText * rawPerText
	content, description := cleanString(capBytes(r.content, rawCap)), cleanString(capBytes(r.description, rawCap))
	body, rawLen := content, len(r.content)
	if strings.TrimSpace(body) == "" {
		body, rawLen = description, len(r.description)
	}
	it.ContentText = toText(body)
	var cut bool
	it.ContentText, cut = CapText(it.ContentText, fc.maxText)
	if !cut && rawCap > 0 && rawLen > rawCap {
		// The raw HTML was cut before conversion: say so even when the
		// text that came out of it fits.
		it.ContentText, cut = strings.TrimRight(it.ContentText, " \n")+TruncatedMark, true
	}
	if strings.TrimSpace(content) != "" && strings.TrimSpace(description) != "" {
		it.Summary = toText(description)
	}
	if it.Summary == "" || it.Summary == it.ContentText {
		it.Summary, _, _ = strings.Cut(it.ContentText, "\n\n")
	}
	it.Summary = truncateRunes(it.Summary, maxSummaryRunes)
	if cut {
		it.ContentHTML = textToHTML(it.ContentText)
	} else if looksLikeHTML(body) {
		it.ContentHTML = fc.policy.Sanitize(body)
	} else {
		it.ContentHTML = textToHTML(it.ContentText)
	}

	it.PublishedAt = pickDate(r.published, r.updated, fc.fetchedAt)

	if it.CanonicalURL == "" {
		switch {
		case it.GUID != "":
			it.CanonicalURL = syntheticID("guid", fc.feedURL, it.GUID)
		case it.Title != "" || it.ContentText != "":
			it.CanonicalURL = syntheticID("content", fc.feedURL, it.Title, it.ContentText, it.PublishedAt.UTC().Format(time.RFC3339))
		default:
			return Item{}, errNoIdentity
		}
	}

	it.Author = truncateRunes(oneLine(r.author), 500)
	it.Lang = normalizeLang(cleanString(r.lang))
	if it.Lang == "" {
		it.Lang = fc.lang
	}
	if it.Lang == "" {
		it.Lang = guessLang(it.Title + " " + it.ContentText[:min(len(it.ContentText), 4000)])
	}
	it.Source = sourceName(oneLine(r.source), fc)
	return it, nil
}

// pickDate is the published time, else the updated time, else the fetch
// time; in UTC.
func pickDate(published, updated, fetched time.Time) time.Time {
	for _, t := range []time.Time{published, updated} {
		if !t.IsZero() && !t.Before(oldestDate) && !t.After(fetched.Add(futureSlack)) {
			return t.UTC()
		}
	}
	return fetched.UTC()
}

// sourceName is the outlet: the one an aggregator names on the item,
// else the name the user gave the feed, else the feed's title, else the
// site's host name.
func sourceName(itemSource string, fc feedContext) string {
	for _, s := range []string{itemSource, fc.name, fc.title} {
		if s != "" {
			return truncateRunes(s, 200)
		}
	}
	for _, u := range []string{fc.siteURL, fc.feedURL} {
		if pu, err := url.Parse(u); err == nil && pu.Hostname() != "" {
			return strings.TrimPrefix(strings.ToLower(pu.Hostname()), "www.")
		}
	}
	return ""
}
