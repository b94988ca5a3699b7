package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/stancewatch/stancewatch/gold"
)

// sets is the folder of labels files, queries files and texts/.
type sets struct {
	dir string
}

func (s *sets) labelsPath(name string) string {
	return filepath.Join(s.dir, name+".labels.jsonl")
}

// names expands a set to its three language files: real113 is
// real113-en, real113-ru and real113-uk; real113-en stays itself.
func names(args []string) []string {
	var out []string
	for _, a := range args {
		if _, lang, ok := splitLang(a); ok && lang != "" {
			out = append(out, a)
			continue
		}
		for _, l := range []string{"en", "ru", "uk"} {
			out = append(out, a+"-"+l)
		}
	}
	return out
}

// splitLang splits NAME-LANG; lang is empty when the name has none.
func splitLang(name string) (set, lang string, ok bool) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name, "", true
	}
	switch l := name[i+1:]; l {
	case "en", "ru", "uk":
		return name[:i], l, true
	}
	return name, "", true
}

// todo prints, set by set, each query block (the items one query found,
// in file order) that has an item without a text.
func (s *sets) todo(w io.Writer, args []string) error {
	missing := 0
	for _, name := range names(args) {
		path := s.labelsPath(name)
		arts, err := gold.ReadLabels(path)
		if err != nil {
			return err
		}
		have, err := textIDs(gold.TextsPath(path))
		if err != nil {
			return err
		}
		var order []string
		blocks := map[string][]gold.Article{}
		for _, a := range arts {
			if _, ok := blocks[a.Query]; !ok {
				order = append(order, a.Query)
			}
			blocks[a.Query] = append(blocks[a.Query], a)
		}
		for _, q := range order {
			var lack []gold.Article
			for _, a := range blocks[q] {
				if !have[a.ID] {
					lack = append(lack, a)
				}
			}
			if len(lack) == 0 {
				continue
			}
			fmt.Fprintf(w, "## %s | query: %s\n", name, q)
			for _, a := range lack {
				fmt.Fprintf(w, "   %s  %s\n", a.ID, a.URL)
			}
			missing += len(lack)
		}
	}
	fmt.Fprintf(w, "# items without a text: %d\n", missing)
	return nil
}

// textIDs are the ids with a non-empty body in a texts file (none when
// the file does not exist yet).
func textIDs(path string) (map[string]bool, error) {
	rows, err := readRows(path)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, r := range rows {
		if r.Body != "" {
			ids[r.ID] = true
		}
	}
	return ids, nil
}

// textRow is one line of a texts file, in the order its keys are written.
type textRow struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	Lang  string `json:"lang,omitempty"`
	Body  string `json:"body"`
	Note  string `json:"note,omitempty"`
}

func readRows(path string) ([]textRow, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rows []textRow
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r textRow
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// put stores text as the body of item id of NAME.labels.jsonl, with the
// item's title, URL and language from there, replacing any text it had.
func (s *sets) put(w io.Writer, name, id, text string) error {
	path := s.labelsPath(name)
	item, err := labelsItem(path, id)
	if err != nil {
		return err
	}
	row := textRow{ID: id, Title: item.Title, URL: item.URL, Lang: item.Lang, Body: text}
	textsPath := gold.TextsPath(path)
	err = withLock(textsPath, func() error {
		rows, err := readRows(textsPath)
		if err != nil {
			return err
		}
		kept := rows[:0]
		for _, r := range rows {
			if r.ID != id {
				kept = append(kept, r)
			}
		}
		kept = append(kept, row)
		sort.Slice(kept, func(i, j int) bool { return kept[i].ID < kept[j].ID })
		return writeRows(textsPath, kept)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "ok %s (%d bytes) -> %s\n", id, len(text), textsPath)
	return nil
}

// labelsItem is item id's line of a labels file (gold.ReadLabels leaves
// titles out: they come from the texts, and a text goes with the labels
// file's own title).
func labelsItem(path, id string) (gold.Article, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return gold.Article{}, err
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		var a gold.Article
		if json.Unmarshal(line, &a) == nil && a.ID == id {
			return a, nil
		}
	}
	return gold.Article{}, fmt.Errorf("%s has no item %s", path, id)
}

// writeRows replaces a texts file with rows, through a temporary file so
// that a reader never sees half of it.
func writeRows(path string, rows []textRow) error {
	var buf bytes.Buffer
	for _, r := range rows {
		b, err := marshal(r)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// marshal writes v as one JSON line, keeping non-ASCII text and <, >, &
// as they are: the files are read by people as well as by programs.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// withLock runs f holding an exclusive lock for path. The lock file
// lives in the temporary folder, named by path, and is never removed:
// removing it would let a waiter and a newcomer lock two different files.
func withLock(path string, f func() error) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	lock := filepath.Join(os.TempDir(), fmt.Sprintf("realset-%016x.lock", fnv64(abs)))
	lf, err := os.OpenFile(lock, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("locking %s: %w", lock, err)
	}
	return f()
}

func fnv64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// log appends a query to queries-NAME.md, numbered after the ones there.
func (s *sets) log(w io.Writer, name, query string) error {
	query = strings.TrimSpace(query)
	if query == "" || strings.ContainsAny(query, "\n\r") {
		return errors.New("a query is one non-empty line")
	}
	path := filepath.Join(s.dir, "queries-"+name+".md")
	n := 0
	err := withLock(path, func() error {
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			data = []byte(fmt.Sprintf("# Queries run for %s (search tool, corpus pages), in order\n", name))
		} else if err != nil {
			return err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if l := sc.Text(); l != "" && l[0] >= '0' && l[0] <= '9' {
				n++
			}
		}
		n++
		if len(data) > 0 && data[len(data)-1] != '\n' {
			data = append(data, '\n')
		}
		data = append(data, fmt.Sprintf("%d. %s\n", n, query)...)
		return os.WriteFile(path, data, 0o644)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "logged query %d in %s\n", n, path)
	return nil
}
