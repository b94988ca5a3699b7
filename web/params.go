package web

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stancewatch/stancewatch/store"
)

// paramError is a bad query parameter; the API answers 400 with it.
type paramError struct {
	param string
	msg   string
}

func (e *paramError) Error() string { return e.param + ": " + e.msg }

func badParam(param, format string, args ...any) *paramError {
	return &paramError{param, fmt.Sprintf(format, args...)}
}

// The parameters each endpoint accepts (openapi.json lists the same; a
// test keeps them equal).
var (
	filterParams   = []string{"from", "to", "topic", "outlook", "framing", "source", "lang", "actor", "relevant", "q"}
	articlesParams = append(slices.Clone(filterParams), "limit", "cursor", "evidence")
	csvParams      = filterParams
	statsParams    = append(slices.Clone(filterParams), "by", "group")
)

const (
	defaultLimit = 50
	maxLimit     = 1000
)

// checkKnown refuses parameters an endpoint does not take: a misspelt
// filter would otherwise be ignored silently.
func checkKnown(q url.Values, allowed []string) error {
	var unknown []string
	for k := range q {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return badParam(unknown[0], "unknown parameter (this endpoint takes %s)", strings.Join(allowed, ", "))
}

// single returns the one value of a parameter; given twice is an error.
func single(q url.Values, name string) (string, error) {
	vs := q[name]
	switch len(vs) {
	case 0:
		return "", nil
	case 1:
		return strings.TrimSpace(vs[0]), nil
	}
	return "", badParam(name, "given %d times; it takes one value", len(vs))
}

// parseFilter reads the article filters. Dates are days in loc: from is
// the first day included, to the last.
func parseFilter(q url.Values, loc *time.Location) (store.ArticleFilter, error) {
	var f store.ArticleFilter
	var err error
	get := func(name string) string {
		if err != nil {
			return ""
		}
		var v string
		v, err = single(q, name)
		return v
	}
	day := func(name string) time.Time {
		v := get(name)
		if v == "" || err != nil {
			return time.Time{}
		}
		d, perr := time.ParseInLocation(time.DateOnly, v, loc)
		if perr != nil {
			err = badParam(name, "%q is not a date (YYYY-MM-DD)", v)
			return time.Time{}
		}
		return d
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	if err == nil && !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, badParam("to", "is before from")
	}
	for _, t := range q["topic"] {
		for _, name := range strings.Split(t, ",") {
			if name = strings.TrimSpace(name); name == "" {
				continue
			}
			if e := oneOf(name, topicNames); e != nil {
				return f, badParam("topic", "%v", e)
			}
			if !slices.Contains(f.Topics, name) {
				f.Topics = append(f.Topics, name)
			}
		}
	}
	if f.Outlook = get("outlook"); f.Outlook != "" && err == nil {
		if e := oneOf(f.Outlook, outlookNames); e != nil {
			return f, badParam("outlook", "%v", e)
		}
	}
	if f.Framing = get("framing"); f.Framing != "" && err == nil {
		if e := oneOf(f.Framing, framingNames); e != nil {
			return f, badParam("framing", "%v", e)
		}
	}
	f.Source, f.Lang, f.Actor, f.Query = get("source"), get("lang"), get("actor"), get("q")
	yes := true
	f.Relevant = &yes // relevant coverage unless asked otherwise
	switch v := get("relevant"); v {
	case "", "true", "1":
	case "false", "0":
		f.Relevant = new(bool)
	case "any", "all":
		f.Relevant = nil
	default:
		if err == nil {
			err = badParam("relevant", "%q is not one of true, false, any", v)
		}
	}
	return f, err
}

// filterQuery turns a filter back into query parameters, for links.
func filterQuery(f store.ArticleFilter, loc *time.Location) url.Values {
	q := url.Values{}
	if !f.From.IsZero() {
		q.Set("from", f.From.In(loc).Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		q.Set("to", f.To.In(loc).AddDate(0, 0, -1).Format(time.DateOnly))
	}
	for _, t := range f.Topics {
		q.Add("topic", t)
	}
	for k, v := range map[string]string{"outlook": f.Outlook, "framing": f.Framing, "source": f.Source, "lang": f.Lang, "actor": f.Actor, "q": f.Query} {
		if v != "" {
			q.Set(k, v)
		}
	}
	switch {
	case f.Relevant == nil:
		q.Set("relevant", "any")
	case !*f.Relevant:
		q.Set("relevant", "false")
	}
	return q
}

func parseLimit(q url.Values) (int, error) {
	v, err := single(q, "limit")
	if err != nil || v == "" {
		return defaultLimit, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxLimit {
		return 0, badParam("limit", "%q is not a number from 1 to %d", v, maxLimit)
	}
	return n, nil
}

// The cursor is opaque to clients: base64 of "unix-nanoseconds.id".
func encodeCursor(c *store.ArticleCursor) string {
	if c == nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d", c.PublishedAt.UnixNano(), c.ID))
}

func parseCursor(q url.Values) (*store.ArticleCursor, error) {
	v, err := single(q, "cursor")
	if err != nil || v == "" {
		return nil, err
	}
	bad := badParam("cursor", "malformed; pass the \"next\" value of the previous page unchanged")
	raw, derr := base64.RawURLEncoding.DecodeString(v)
	if derr != nil {
		return nil, bad
	}
	ns, id, ok := strings.Cut(string(raw), ".")
	if !ok {
		return nil, bad
	}
	n, err1 := strconv.ParseInt(ns, 10, 64)
	i, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || i < 0 {
		return nil, bad
	}
	return &store.ArticleCursor{PublishedAt: time.Unix(0, n).UTC(), ID: i}, nil
}

func parseBool(q url.Values, name string) (bool, error) {
	v, err := single(q, name)
	if err != nil {
		return false, err
	}
	switch v {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, badParam(name, "%q is not one of 1, 0, true, false", v)
}

func parseChoice(q url.Values, name, def string, values []string) (string, error) {
	v, err := single(q, name)
	if err != nil {
		return "", err
	}
	if v == "" {
		return def, nil
	}
	if e := oneOf(v, values); e != nil {
		return "", badParam(name, "%v", e)
	}
	return v, nil
}
