package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/store"
)

// listFeeds returns every feed of the configured database.
func listFeeds(ctx context.Context, c *cli) ([]store.Feed, error) {
	st, err := openStore(ctx, c, 0)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.ListFeeds(ctx)
}

// shownURL is a feed's URL as a terminal may print it: the password
// masked, control characters and bidi overrides removed; shown is any
// other stored or fetched string (a name, an error) likewise.
func shownURL(u string) string { return feeds.StripControlsLine(feeds.RedactURL(u)) }
func shown(s string) string    { return feeds.StripControlsLine(s) }

// feedURLArg accepts an http(s) or file URL, or the path of a local file
// (made into an absolute file:// URL). A file must lie under
// poll.file_root (symlinks resolved): with no file_root, file:// feeds are
// refused, as the daemon would refuse to read them.
func feedURLArg(arg, fileRoot string) (string, error) {
	u, err := feedURL(arg)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(u, "file:") {
		if err := feeds.FeedFileAllowed(fileRoot, u); err != nil {
			return "", fmt.Errorf("%s: %w", shownURL(u), err)
		}
	}
	return u, nil
}

func feedURL(arg string) (string, error) {
	// A Windows drive letter ("C:") parses as a scheme: not a URL.
	if u, err := url.Parse(arg); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		if _, err := feeds.CheckURL(arg); err != nil {
			return "", err
		}
		return arg, nil
	}
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return "", err
		}
		return fileURL(abs), nil
	}
	return "", fmt.Errorf("%q is neither an http(s) or file:// URL nor an existing file", shownURL(arg))
}

func fileURL(absPath string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(absPath)}).String()
}

// feedByRef finds a feed by id or exact URL.
func feedByRef(ctx context.Context, st *store.Store, ref string) (store.Feed, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		f, err := st.FeedByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return f, fmt.Errorf("no feed with id %d (see `stancewatch feeds list`)", id)
		}
		return f, err
	}
	f, err := st.FeedByURL(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return f, fmt.Errorf("no feed with URL %q (see `stancewatch feeds list`)", shownURL(ref))
	}
	return f, err
}

func cmdFeedsAdd(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("feeds add")
	name := fs.String("name", "", "name of the outlet, shown instead of the feed's own title")
	fullText := fs.Bool("full-text", false, "fetch each new article's page and keep its full text")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(c.stderr, "usage: stancewatch feeds add URL [--name NAME] [--full-text]")
		return errUsage
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	u, err := feedURLArg(pos[0], cfg.Poll.FileRoot)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c, 0)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := st.AddFeed(ctx, store.NewFeed{URL: u, Name: strings.TrimSpace(*name), FullText: *fullText})
	if errors.Is(err, store.ErrFeedExists) {
		old, _ := st.FeedByURL(ctx, u)
		return fmt.Errorf("feed %s is already there (id %d)", shownURL(u), old.ID)
	}
	if err != nil {
		return err
	}
	extra := ""
	if f.FullText {
		extra = ", full text"
	}
	fmt.Fprintf(c.stdout, "added feed %d: %s (%s%s); it is polled at the next poll\n", f.ID, shownURL(f.URL), shown(f.DisplayName()), extra)
	return nil
}

func cmdFeedsList(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("feeds list")
	asJSON := fs.Bool("json", false, "print JSON (one array of feeds) instead of a table")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(c.stderr, "usage: stancewatch feeds list [--json]")
		return errUsage
	}
	list, err := listFeeds(ctx, c)
	if err != nil {
		return err
	}
	now := time.Now()
	if *asJSON {
		return writeFeedsJSON(c.stdout, list, now)
	}
	if len(list) == 0 {
		fmt.Fprintln(c.stdout, "no feeds yet: add one with `stancewatch feeds add URL` or `stancewatch feeds import FILE.opml`")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tARTICLES\tLAST POLL\tNEXT POLL\tNAME\tURL\tLAST ERROR")
	var disabled, failing int
	for _, f := range list {
		state := feedState(f, now)
		switch {
		case f.Disabled:
			disabled++
		case f.ConsecutiveErrors > 0:
			failing++
		}
		next := ago(f.NextPollAt, now)
		if f.Disabled {
			next = "-"
		}
		lastErr := ""
		if f.ConsecutiveErrors > 0 || f.Disabled {
			lastErr = truncate(shown(cmpStr(f.DisabledReason, f.LastError)), 100)
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", f.ID, state, f.Articles, ago(f.LastPolledAt, now), next,
			truncate(shown(f.DisplayName()), 40), shownURL(f.URL), lastErr)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%d feeds: %d failing, %d disabled\n", len(list), failing, disabled)
	return nil
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// feedState is a feed's state in one word or two.
func feedState(f store.Feed, now time.Time) string {
	switch {
	case f.Disabled:
		return "disabled"
	case f.LeaseUntil.After(now):
		return "polling"
	case f.ConsecutiveErrors > 0:
		return fmt.Sprintf("failing(%d)", f.ConsecutiveErrors)
	case f.LastPolledAt.IsZero():
		return "new"
	}
	return "ok"
}

// ago says when t was (or will be) relative to now, to the minute.
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	d = d.Round(time.Minute)
	var s string
	switch {
	case d < time.Minute && future:
		return "now"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		s = fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// feedJSON is one feed as `feeds list --json` prints it.
type feedJSON struct {
	ID                int64      `json:"id"`
	URL               string     `json:"url"`
	Name              string     `json:"name"`
	Title             string     `json:"title"`
	SiteURL           string     `json:"site_url"`
	FullText          bool       `json:"full_text"`
	State             string     `json:"state"`
	Articles          int64      `json:"articles"`
	LastPolledAt      *time.Time `json:"last_polled_at"`
	LastSuccessAt     *time.Time `json:"last_success_at"`
	NextPollAt        time.Time  `json:"next_poll_at"`
	ConsecutiveErrors int        `json:"consecutive_errors"`
	LastError         string     `json:"last_error"`
	LastErrorAt       *time.Time `json:"last_error_at"`
	Disabled          bool       `json:"disabled"`
	DisabledReason    string     `json:"disabled_reason"`
}

func writeFeedsJSON(w io.Writer, list []store.Feed, now time.Time) error {
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	out := make([]feedJSON, len(list))
	for i, f := range list {
		out[i] = feedJSON{
			ID: f.ID, URL: shownURL(f.URL), Name: shown(f.Name), Title: shown(f.Title), SiteURL: shownURL(f.SiteURL), FullText: f.FullText,
			State: feedState(f, now), Articles: f.Articles, LastPolledAt: opt(f.LastPolledAt),
			LastSuccessAt: opt(f.LastSuccessAt), NextPollAt: f.NextPollAt, ConsecutiveErrors: f.ConsecutiveErrors,
			LastError: shown(f.LastError), LastErrorAt: opt(f.LastErrorAt), Disabled: f.Disabled, DisabledReason: shown(f.DisabledReason),
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// feedRefCommand runs fn on the feed named by the one argument.
func feedRefCommand(ctx context.Context, c *cli, name string, args []string, fn func(*store.Store, store.Feed) error) error {
	fs := c.flags("feeds " + name)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintf(c.stderr, "usage: stancewatch feeds %s ID|URL\n", name)
		return errUsage
	}
	st, err := openStore(ctx, c, 0)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := feedByRef(ctx, st, pos[0])
	if err != nil {
		return err
	}
	return fn(st, f)
}

func cmdFeedsRemove(ctx context.Context, c *cli, args []string) error {
	return feedRefCommand(ctx, c, "remove", args, func(st *store.Store, f store.Feed) error {
		kept, err := st.RemoveFeed(ctx, f.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "removed feed %d (%s); its %d articles are kept\n", f.ID, shownURL(f.URL), kept)
		return nil
	})
}

func cmdFeedsEnable(ctx context.Context, c *cli, args []string) error {
	return feedRefCommand(ctx, c, "enable", args, func(st *store.Store, f store.Feed) error {
		if err := st.SetFeedDisabled(ctx, f.ID, false, ""); err != nil {
			return err
		}
		was := "it was not disabled"
		if f.Disabled {
			was = "it was disabled: " + shown(f.DisabledReason)
		}
		fmt.Fprintf(c.stdout, "enabled feed %d (%s), due at the next poll; %s\n", f.ID, shownURL(f.URL), was)
		return nil
	})
}

func cmdFeedsDisable(ctx context.Context, c *cli, args []string) error {
	return feedRefCommand(ctx, c, "disable", args, func(st *store.Store, f store.Feed) error {
		if err := st.SetFeedDisabled(ctx, f.ID, true, "disabled by user"); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "disabled feed %d (%s); `stancewatch feeds enable %d` turns it back on\n", f.ID, shownURL(f.URL), f.ID)
		return nil
	})
}

func cmdFeedsImport(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("feeds import")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(c.stderr, "usage: stancewatch feeds import FILE.opml   (- reads standard input)")
		return errUsage
	}
	var r io.Reader
	var base string
	if pos[0] == "-" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		r, base = c.stdin, fileURL(wd)+"/"
	} else {
		abs, err := filepath.Abs(pos[0])
		if err != nil {
			return err
		}
		file, err := os.Open(abs)
		if err != nil {
			return err
		}
		defer file.Close()
		r, base = file, fileURL(abs)
	}
	list, err := feeds.ParseOPML(r, base)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	var nfs []store.NewFeed
	var bad []string
	for _, f := range list {
		// An OPML entry never becomes a file:// feed outside file_root.
		u, err := feedURLArg(f.URL, cfg.Poll.FileRoot)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%q: %v", shown(f.Name), err))
			continue
		}
		nfs = append(nfs, store.NewFeed{URL: u, Name: f.Name, FullText: f.FullText})
	}
	for _, b := range bad {
		fmt.Fprintf(c.stderr, "skipped %s\n", b)
	}
	st, err := openStore(ctx, c, 0)
	if err != nil {
		return err
	}
	defer st.Close()
	added, err := st.AddFeeds(ctx, nfs)
	if err != nil {
		return err
	}
	for _, f := range added {
		fmt.Fprintf(c.stdout, "added feed %d: %s (%s)\n", f.ID, shownURL(f.URL), shown(f.DisplayName()))
	}
	fmt.Fprintf(c.stdout, "imported %d feeds from %s: %d new, %d already present, %d skipped\n",
		len(list), pos[0], len(added), len(nfs)-len(added), len(bad))
	return nil
}

func cmdFeedsExport(ctx context.Context, c *cli, args []string) error {
	if err := parse(c.flags("feeds export"), args); err != nil {
		return err
	}
	list, err := listFeeds(ctx, c)
	if err != nil {
		return err
	}
	out := make([]feeds.OPMLFeed, len(list))
	for i, f := range list {
		out[i] = feeds.OPMLFeed{URL: f.URL, Name: f.DisplayName(), SiteURL: f.SiteURL, FullText: f.FullText}
	}
	return feeds.WriteOPML(c.stdout, "stancewatch feeds", out, time.Now())
}
