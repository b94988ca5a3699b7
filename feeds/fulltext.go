package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html/charset"
)

// FullTextResult counts what FetchFullText did.
type FullTextResult struct {
	Tried     int      // items with a page to fetch
	Extracted int      // items whose text was replaced by the page's article
	Errors    []string // one line per failed page (at most 5)
}

// maxFullTextErrors keeps a feed's error list short; the count is in
// Tried - Extracted.
const maxFullTextErrors = 5

// FetchFullText fetches each item's page and, when readability finds an
// article in it that is longer than what the feed carried, replaces the
// item's ContentText and ContentHTML with it. The summary stays the
// feed's. Pages are fetched with the feed's politeness rules (User-Agent,
// timeouts, size cap), at most Options.FullTextWorkers at once in the
// whole process and Options.PerHost at once per host. A page that fails
// leaves its item as the feed had it; FetchFullText never fails.
func (f *Fetcher) FetchFullText(ctx context.Context, items []Item) FullTextResult {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		res FullTextResult
	)
	for i := range items {
		if !isHTTP(items[i].URL) {
			continue
		}
		res.Tried++
		select {
		case f.pages <- struct{}{}:
		case <-ctx.Done():
			res.Errors = appendCapped(res.Errors, "full text: "+ctx.Err().Error())
			wg.Wait()
			return res
		}
		wg.Add(1)
		go func(it *Item) {
			defer wg.Done()
			defer func() { <-f.pages }()
			err := f.fullText(ctx, it)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Errors = appendCapped(res.Errors, err.Error())
			} else {
				res.Extracted++
			}
		}(&items[i])
	}
	wg.Wait()
	return res
}

func appendCapped(list []string, s string) []string {
	if len(list) >= maxFullTextErrors {
		return list
	}
	return append(list, s)
}

// errNoArticle means the page had no article longer than the feed's text.
var errNoArticle = errors.New("no article text longer than the feed's")

func (f *Fetcher) fullText(ctx context.Context, it *Item) error {
	shown := RedactURL(it.URL)
	u, err := url.Parse(it.URL)
	if err != nil {
		return fmt.Errorf("full text %s: not a valid URL", shown)
	}
	release, err := f.pageHosts.acquire(ctx, u.Host)
	if err != nil {
		return fmt.Errorf("full text %s: %w", shown, err)
	}
	defer release()

	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, it.URL, nil)
	if err != nil {
		return fmt.Errorf("full text %s: not a valid URL", shown)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "text/html, application/xhtml+xml;q=0.9, */*;q=0.5")
	// The same client as feeds: the same redirect policy (bounded hops,
	// http and https only) and the same network policy on every hop.
	resp, err := f.client.Do(req)
	if err != nil {
		return fmt.Errorf("full text: %w", f.describe(err, it.URL))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("full text GET %s: %w", shown, &HTTPError{resp.StatusCode})
	}
	ct := resp.Header.Get("Content-Type")
	if ct != "" && !strings.Contains(ct, "html") {
		return fmt.Errorf("full text GET %s: not a web page (Content-Type %s)", shown, safeContentType(ct))
	}
	body, err := readCapped(resp.Body, resp.ContentLength, f.opts.MaxBodyBytes)
	if err != nil {
		return fmt.Errorf("full text GET %s: %w", shown, err)
	}
	text, safeHTML, err := f.extract(body, ct, resp.Request.URL)
	if err != nil {
		return fmt.Errorf("full text %s: %w", shown, err)
	}
	if len(text) <= len(it.ContentText) {
		return fmt.Errorf("full text %s: %w", shown, errNoArticle)
	}
	if capped, cut := CapText(text, f.opts.MaxTextBytes); cut {
		text, safeHTML = capped, textToHTML(capped)
	}
	it.ContentText, it.ContentHTML = text, safeHTML
	return nil
}

// extract runs readability on a page, decoded by its BOM, Content-Type or
// <meta charset>, and returns the article as text and sanitised HTML.
func (f *Fetcher) extract(page []byte, contentType string, pageURL *url.URL) (text, safeHTML string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("article extraction failed on this page")
		}
	}()
	r, err := charset.NewReader(bytes.NewReader(page), contentType)
	if err != nil {
		return "", "", err
	}
	art, err := readability.FromReader(r, pageURL)
	if err != nil {
		return "", "", errNoArticle
	}
	if art.Node == nil {
		return "", "", errNoArticle
	}
	var buf bytes.Buffer
	if err := art.RenderHTML(&buf); err != nil {
		return "", "", err
	}
	raw := cleanString(buf.String())
	return htmlText(raw), f.parser.policy.Sanitize(raw), nil
}

// hostSlots limits concurrent requests per host.
type hostSlots struct {
	limit int
	mu    sync.Mutex
	slots map[string]chan struct{}
}

func newHostSlots(limit int) *hostSlots {
	return &hostSlots{limit: limit, slots: map[string]chan struct{}{}}
}

func (h *hostSlots) acquire(ctx context.Context, host string) (func(), error) {
	h.mu.Lock()
	ch, ok := h.slots[host]
	if !ok {
		ch = make(chan struct{}, h.limit)
		h.slots[host] = ch
	}
	h.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
