package digest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/stancewatch/stancewatch/store"
)

// Formats are the file formats a digest is written in.
var Formats = []string{"md", "html", "json"}

// Options tune Generate (and Build, which uses Now, TopStories and
// TopActors); zero values mean the defaults.
type Options struct {
	// OutDir receives DAY.md, DAY.html, DAY.json, index.html and
	// feed.atom; "" writes no files, only the database row.
	OutDir string
	// Formats are the day's files to write, of "md", "html", "json";
	// nil writes all three. The database row always holds all three.
	Formats []string
	// FeedSize is how many digests feed.atom lists; default 30.
	FeedSize int
	// BaseURL is the public URL at which OutDir is served (e.g.
	// https://news.example.org/digests/). When set, feed.atom uses
	// absolute links and ids under it; otherwise links are relative to
	// the feed and ids are tag: URIs.
	BaseURL    string
	Now        func() time.Time // the clock; nil: time.Now
	TopStories int              // stories per topic; default 5
	TopActors  int              // actors listed; default 15
	Logger     *slog.Logger     // nil: no logging
}

// Result is what Generate did.
type Result struct {
	Digest *Digest
	// Files are the paths written, the day's files first, then
	// index.html and feed.atom.
	Files []string
	// Unchanged is true when the stored digest of the day already had
	// the same content; its generated_at was kept, so the files are
	// byte for byte the same as before.
	Unchanged bool
}

// ParseFormats reads a --format value: md, html, json, all, or a
// comma-separated list of them.
func ParseFormats(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		switch {
		case f == "all":
			return slices.Clone(Formats), nil
		case f == "markdown":
			f = "md"
		case !slices.Contains(Formats, f):
			return nil, fmt.Errorf("format %q: want md, html, json or all", f)
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// Generate builds the digest of day, stores it in the digests table
// (replacing that day's row) and, when opts.OutDir is set, writes the
// day's files and rewrites index.html and feed.atom there. Every file is
// written to a temporary file and renamed into place, so a reader never
// sees half a file.
func Generate(ctx context.Context, st *store.Store, day Day, opts Options) (*Result, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	formats := opts.Formats
	if formats == nil {
		formats = Formats
	}
	for _, f := range formats {
		if !slices.Contains(Formats, f) {
			return nil, fmt.Errorf("digest %s: unknown format %q (want md, html or json)", day, f)
		}
	}
	dg, err := Build(ctx, st, day, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Digest: dg}

	prev, err := st.GetDigest(ctx, day.Date())
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		res.Unchanged = sameContent(prev, dg)
		if res.Unchanged {
			dg.GeneratedAt = prev.GeneratedAt.UTC().Truncate(time.Second)
		}
	}

	md := Markdown(dg)
	html, err := HTML(dg)
	if err != nil {
		return nil, err
	}
	data, err := JSON(dg)
	if err != nil {
		return nil, err
	}
	stats, err := json.Marshal(dg.Headline)
	if err != nil {
		return nil, fmt.Errorf("digest %s: stats: %w", day, err)
	}
	err = st.SaveDigest(ctx, store.DigestRow{
		Day: day.Date(), Timezone: dg.Timezone, GeneratedAt: dg.GeneratedAt,
		Markdown: md, HTML: html, Data: data, Stats: stats,
	})
	if err != nil {
		return nil, err
	}
	if opts.OutDir == "" {
		return res, nil
	}

	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("digest %s: %w", day, err)
	}
	content := map[string][]byte{"md": []byte(md), "html": []byte(html), "json": data}
	for _, f := range Formats { // fixed order
		if !slices.Contains(formats, f) {
			continue
		}
		path := filepath.Join(opts.OutDir, dg.Day+"."+f)
		if err := WriteFileAtomic(path, content[f]); err != nil {
			return nil, fmt.Errorf("digest %s: %w", day, err)
		}
		res.Files = append(res.Files, path)
	}
	index, err := WriteIndex(ctx, st, opts.OutDir)
	if err != nil {
		return nil, err
	}
	feed, err := WriteFeed(ctx, st, opts.OutDir, opts.FeedSize, opts.BaseURL)
	if err != nil {
		return nil, err
	}
	res.Files = append(res.Files, index, feed)
	log.Info("digest written", "day", dg.Day, "timezone", dg.Timezone, "articles", dg.Headline.Articles.Count,
		"relevant", dg.Headline.Relevant.Count, "stories", dg.Headline.Stories, "unchanged", res.Unchanged, "dir", opts.OutDir)
	for _, n := range dg.Notes {
		log.Warn("digest data problem", "day", dg.Day, "note", n)
	}
	return res, nil
}

// JSON renders the digest as indented JSON: the documented structure of
// docs/digest.md.
func JSON(dg *Digest) ([]byte, error) {
	b, err := json.MarshalIndent(dg, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("digest %s: JSON: %w", dg.Day, err)
	}
	return append(b, '\n'), nil
}

// Decode reads a digest from its JSON form (a DAY.json file or the
// digests.data column).
func Decode(data []byte) (*Digest, error) {
	var dg Digest
	if err := json.Unmarshal(data, &dg); err != nil {
		return nil, fmt.Errorf("decode digest: %w", err)
	}
	if dg.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("decode digest of %s: schema version %d is newer than this binary's %d", dg.Day, dg.SchemaVersion, SchemaVersion)
	}
	return &dg, nil
}

// sameContent reports whether the stored row holds the same digest as dg
// apart from when it was generated.
func sameContent(prev store.DigestRow, dg *Digest) bool {
	old, err := Decode(prev.Data)
	if err != nil || prev.Timezone != dg.Timezone {
		return false
	}
	cur := *dg
	old.GeneratedAt, cur.GeneratedAt = time.Time{}, time.Time{}
	a, errA := json.Marshal(old)
	b, errB := json.Marshal(&cur)
	return errA == nil && errB == nil && bytes.Equal(a, b)
}

// WriteFileAtomic writes data to a temporary file in path's directory and
// renames it over path, so that readers see the old file or the new one,
// never a part. The file is created with mode 0666 less the process's
// umask, like any file the service writes: UMask=0027 in the systemd unit
// makes digests 0640.
func WriteFileAtomic(path string, data []byte) error {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := createTemp(dir, name)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// createTemp creates a new hidden file next to the target, with mode
// 0666 for the kernel to reduce by the umask (os.CreateTemp would force
// 0600).
func createTemp(dir, name string) (*os.File, error) {
	for range 100 {
		tmp := filepath.Join(dir, fmt.Sprintf(".%s.%d.%d.tmp", name, os.Getpid(), rand.Uint32()))
		f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("no unused temporary file name")
}
