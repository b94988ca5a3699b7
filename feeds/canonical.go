package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// maxKeyBytes bounds the identity strings (canonical URL, GUID): they are
// keys of unique B-tree indexes, whose entries PostgreSQL caps at about
// 2.7 kB. Longer ones keep a prefix and end in a hash of the whole.
const maxKeyBytes = 2000

// trackingParams are query parameters that only say where a click came
// from; utm_* is handled by prefix.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "mc_cid": true, "mc_eid": true, "igshid": true,
	"_ga": true, "_gl": true, "_hsenc": true, "_hsmi": true,
}

func isTracking(key string) bool {
	k := strings.ToLower(key)
	return strings.HasPrefix(k, "utm_") || trackingParams[k]
}

// CanonicalURL is the identity of an article across feeds: an absolute
// http(s) URL with the scheme and host in lower case, no default port,
// no user information, no fragment, no tracking parameters (utm_*,
// fbclid, gclid and the like) and the remaining query parameters sorted
// by name (parameters of the same name keep their order).
func CanonicalURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("canonical URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("canonical URL %q: not an http(s) URL", truncateRunes(raw, 100))
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", fmt.Errorf("canonical URL %q: no host", truncateRunes(raw, 100))
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6 literal
	}
	if port := u.Port(); port != "" && !(u.Scheme == "http" && port == "80") && !(u.Scheme == "https" && port == "443") {
		host += ":" + port
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	var b strings.Builder
	b.Grow(len(raw))
	b.WriteString(u.Scheme)
	b.WriteString("://")
	b.WriteString(host)
	b.WriteString(path)
	if q := canonicalQuery(u.RawQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	return capKey(b.String()), nil
}

type queryParam struct{ key, value string }

// canonicalQuery drops tracking parameters and sorts the rest; each part
// is unescaped and escaped again so that equivalent spellings compare
// equal. A part that does not unescape is kept as it is.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var params []queryParam
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if isTracking(key) {
			continue
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			params = append(params, queryParam{url.QueryEscape(key), v})
			continue
		}
		params = append(params, queryParam{url.QueryEscape(key), url.QueryEscape(val)})
	}
	slices.SortStableFunc(params, func(a, b queryParam) int { return strings.Compare(a.key, b.key) })
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		if p.value != "" {
			b.WriteByte('=')
			b.WriteString(p.value)
		}
	}
	return b.String()
}

// capKey keeps an identity string within maxKeyBytes.
func capKey(s string) string {
	if len(s) <= maxKeyBytes {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	cut := maxKeyBytes - 80
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "#sha256=" + hex.EncodeToString(sum[:])
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// resolveURL makes ref absolute against base; "" when ref is empty or
// does not parse.
func resolveURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil && !r.IsAbs() {
		r = base.ResolveReference(r)
	}
	return r.String()
}

// errNoIdentity marks an item that has nothing to recognise it by.
var errNoIdentity = errors.New("no link, GUID, title or content to identify it by")

// syntheticID is the canonical URL of an item without a usable link: a
// URN derived from the feed's URL and the item's GUID (or, without a
// GUID, its title, content and date), so that it is stable from poll to
// poll and cannot collide with a real URL.
func syntheticID(kind, feedURL string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(feedURL))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return "urn:stancewatch:" + kind + ":" + hex.EncodeToString(h.Sum(nil)[:16])
}
