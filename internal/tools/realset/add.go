package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/stancewatch/stancewatch/gold"
	"github.com/stancewatch/stancewatch/taxonomy"
)

// decodeExcerpt returns the excerpt's text: a JSON string in double
// quotes (as the search tool shows it) decoded, anything else as it is;
// surrounding white space trimmed either way.
func decodeExcerpt(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, `"`) {
		return s, nil
	}
	var text string
	if err := json.Unmarshal([]byte(s), &text); err != nil {
		return "", fmt.Errorf("the excerpt starts with a double quote but is not one JSON string (copy it whole, with its escapes): %w", err)
	}
	return strings.TrimSpace(text), nil
}

// urlKey is what two addresses of one page share: no scheme, no "www.",
// no fragment, no trailing slash, in lower case.
func urlKey(raw string) string {
	k := strings.ToLower(strings.TrimSpace(raw))
	k = strings.TrimPrefix(strings.TrimPrefix(k, "https://"), "http://")
	k = strings.TrimPrefix(k, "www.")
	if i := strings.IndexByte(k, '#'); i >= 0 {
		k = k[:i]
	}
	return strings.TrimRight(k, "/")
}

// usedURLs maps the URL key of every item of every labels file under
// the folder (second labellings included) to the item's id.
func (s *sets) usedURLs() (map[string]string, error) {
	used := map[string]string{}
	err := filepath.WalkDir(s.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".labels.jsonl") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			var a struct{ ID, URL string }
			if json.Unmarshal(line, &a) == nil && a.URL != "" {
				used[urlKey(a.URL)] = a.ID
			}
		}
		return nil
	})
	return used, err
}

func (s *sets) check(w io.Writer, urls []string) error {
	used, err := s.usedURLs()
	if err != nil {
		return err
	}
	for _, u := range urls {
		if id, ok := used[urlKey(u)]; ok {
			fmt.Fprintf(w, "USED by %s %s\n", id, u)
		} else {
			fmt.Fprintf(w, "NEW %s\n", u)
		}
	}
	return nil
}

// newItem is what add is told of one item.
type newItem struct {
	url, source, title, titleFrom, published, query, note string
	labels                                                gold.Labels
}

func (s *sets) addCommand(w io.Writer, args []string, stdin io.Reader) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("usage: realset add NAME --url ... < excerpt")
	}
	name := args[0]
	fs := flag.NewFlagSet("add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var it newItem
	var relevant, topics string
	fs.StringVar(&it.url, "url", "", "the page's address")
	fs.StringVar(&it.source, "source", "", `the outlet, "Name (domain)"`)
	fs.StringVar(&it.title, "title", "", "the headline as the excerpt shows it")
	fs.StringVar(&it.titleFrom, "title-from", "", "url or lead, when the excerpt shows no headline")
	fs.StringVar(&it.published, "published", "", "YYYY-MM-DD")
	fs.StringVar(&it.query, "query", "", "the query that found it")
	fs.StringVar(&relevant, "relevant", "", "yes or no")
	fs.StringVar(&topics, "topics", "", "comma-separated")
	fs.StringVar(&it.labels.Outlook, "outlook", "", strings.Join(taxonomy.Outlooks(), ", "))
	fs.StringVar(&it.labels.Framing, "framing", "", strings.Join(taxonomy.Framings(), ", "))
	fs.StringVar(&it.note, "note", "", "why these labels (kept with the text, not committed)")
	before := fs.String("before", "2025-12-31", "latest publication date a set takes")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (quote values with spaces)", fs.Args())
	}
	switch relevant {
	case "yes", "no":
		it.labels.Relevant = relevant == "yes"
	default:
		return errors.New("--relevant must be yes or no")
	}
	for _, t := range strings.Split(topics, ",") {
		if t = strings.TrimSpace(t); t != "" {
			it.labels.Topics = append(it.labels.Topics, t)
		}
	}
	sort.Strings(it.labels.Topics)
	text, err := readExcerpt(stdin)
	if err != nil {
		return err
	}
	id, err := s.add(name, it, text, *before)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "ok %s: relevant=%v outlook=%s framing=%s topics=%v\n", id, it.labels.Relevant, it.labels.Outlook, it.labels.Framing, it.labels.Topics)
	return nil
}

// check says what is wrong with an item's fields, all at once.
func (it *newItem) check(before string) error {
	var errs []error
	for _, f := range []struct{ flag, val string }{
		{"--url", it.url}, {"--source", it.source}, {"--title", it.title},
		{"--published", it.published}, {"--query", it.query}, {"--note", it.note},
	} {
		if strings.TrimSpace(f.val) == "" {
			errs = append(errs, fmt.Errorf("%s is missing", f.flag))
		}
	}
	if it.url != "" {
		if u, err := url.Parse(it.url); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			errs = append(errs, fmt.Errorf("--url %q is not an http(s) address", it.url))
		}
	}
	switch it.titleFrom {
	case "", "url", "lead":
	default:
		errs = append(errs, fmt.Errorf("--title-from is url or lead, not %q", it.titleFrom))
	}
	if it.published != "" {
		d, err := time.Parse("2006-01-02", it.published)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("--published %q is not YYYY-MM-DD", it.published))
		case d.Format("2006-01-02") > before:
			errs = append(errs, fmt.Errorf("--published %s is after %s, the sets' cut-off", it.published, before))
		}
	}
	l := &it.labels
	if !taxonomy.IsOutlook(l.Outlook) {
		errs = append(errs, fmt.Errorf("--outlook %q is not one of %s", l.Outlook, strings.Join(taxonomy.Outlooks(), ", ")))
	}
	if !taxonomy.IsFraming(l.Framing) {
		errs = append(errs, fmt.Errorf("--framing %q is not one of %s", l.Framing, strings.Join(taxonomy.Framings(), ", ")))
	}
	seen := map[string]bool{}
	for _, t := range l.Topics {
		if !taxonomy.IsTopic(t) {
			errs = append(errs, fmt.Errorf("--topics: %q is not one of %s", t, strings.Join(taxonomy.Topics(), ", ")))
		}
		if seen[t] {
			errs = append(errs, fmt.Errorf("--topics: %q twice", t))
		}
		seen[t] = true
	}
	if !l.Relevant && (len(l.Topics) > 0 || l.Outlook != taxonomy.OutlookNone || l.Framing != taxonomy.FramingNeutral) {
		errs = append(errs, fmt.Errorf("a not-relevant item has no topics, outlook %s and framing %s", taxonomy.OutlookNone, taxonomy.FramingNeutral))
	}
	return errors.Join(errs...)
}

// add appends a labelled item to NAME.labels.jsonl and its text to the
// texts file, and returns its id (NAME-NNN, numbered after the items
// there).
func (s *sets) add(name string, it newItem, text, before string) (string, error) {
	_, lang, _ := splitLang(name)
	if lang == "" {
		return "", fmt.Errorf("%q names no language: a set file is NAME-en, NAME-ru or NAME-uk", name)
	}
	if err := it.check(before); err != nil {
		return "", err
	}
	path := s.labelsPath(name)
	var id string
	err := withLock(path, func() error {
		used, err := s.usedURLs()
		if err != nil {
			return err
		}
		if other, ok := used[urlKey(it.url)]; ok {
			return fmt.Errorf("%s is already item %s", it.url, other)
		}
		arts, err := gold.ReadLabels(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		id = fmt.Sprintf("%s-%03d", name, len(arts)+1)
		line, err := labelsLine(id, lang, it)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.Write(append(line, '\n')); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err != nil {
		return "", err
	}
	textsPath := gold.TextsPath(path)
	err = withLock(textsPath, func() error {
		rows, err := readRows(textsPath)
		if err != nil {
			return err
		}
		rows = append(rows, textRow{ID: id, Title: it.title, URL: it.url, Lang: lang, Body: text, Note: it.note})
		return writeRows(textsPath, rows)
	})
	return id, err
}

// labelsLine is one line of a labels file, its keys in the order and
// spacing the committed files use.
func labelsLine(id, lang string, it newItem) ([]byte, error) {
	topics := it.labels.Topics
	if topics == nil {
		topics = []string{}
	}
	fields := []struct {
		key string
		val any
	}{
		{"id", id}, {"source", it.source}, {"url", it.url}, {"published", it.published + "T00:00:00Z"},
		{"lang", lang}, {"title", it.title}, {"title_from", it.titleFrom},
		{"labels", nil}, {"query", it.query},
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	for _, f := range fields {
		if f.key == "title_from" && it.titleFrom == "" {
			continue
		}
		if buf.Len() > 1 {
			buf.WriteString(", ")
		}
		k, _ := marshal(f.key)
		buf.Write(k)
		buf.WriteString(": ")
		if f.key == "labels" {
			rel, _ := marshal(it.labels.Relevant)
			out, _ := marshal(it.labels.Outlook)
			fr, _ := marshal(it.labels.Framing)
			ts := make([]string, len(topics))
			for i, t := range topics {
				b, _ := marshal(t)
				ts[i] = string(b)
			}
			fmt.Fprintf(&buf, `{"relevant": %s, "topics": [%s], "outlook": %s, "framing": %s}`, rel, strings.Join(ts, ", "), out, fr)
			continue
		}
		v, err := marshal(f.val)
		if err != nil {
			return nil, err
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
