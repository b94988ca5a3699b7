package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stancewatch/stancewatch/daemon"
	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/tagger"
	"github.com/stancewatch/stancewatch/tagger/gold"
)

// rulesFlag adds --rules DIR to a command's flags.
func rulesFlag(fl *flag.FlagSet) *string {
	return fl.String("rules", "", "rules directory replacing the built-in rules (default: tagger.rules_dir, else built-in)")
}

// engine loads the tagger's rules: --rules DIR, else tagger.rules_dir
// from the configuration, else the rules built into the binary.
func (c *cli) engine(dir string) (*tagger.Engine, error) {
	if dir == "" {
		cfg, err := c.config()
		if err != nil {
			return nil, err
		}
		dir = cfg.Tagger.RulesDir
	}
	return tagger.Load(dir)
}

// parseAll parses flags that may come before, between or after the
// positional arguments, and returns the positional ones.
func parseAll(fl *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fl, args); err != nil {
			return nil, err
		}
		args = fl.Args()
		for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			pos, args = append(pos, args[0]), args[1:]
		}
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
	}
}

// tagInput is one line of `stancewatch tag` input: the fields of the gold
// files (labels and anything else are ignored).
type tagInput struct {
	ID        json.RawMessage `json:"id"`
	Title     string          `json:"title"`
	Body      string          `json:"body"`
	Lang      string          `json:"lang"`
	Source    string          `json:"source"`
	URL       string          `json:"url"`
	Published string          `json:"published"`
}

type tagLabels struct {
	Relevant bool     `json:"relevant"`
	Topics   []string `json:"topics"`
	Outlook  string   `json:"outlook"`
	Framing  string   `json:"framing"`
}

type tagActor struct {
	Name     string `json:"name"`
	Mentions int    `json:"mentions"`
}

type tagEvidence struct {
	Label  string  `json:"label"`
	Rule   string  `json:"rule"`
	Field  string  `json:"field"`
	Text   string  `json:"text"`
	Start  int     `json:"start"`
	End    int     `json:"end"`
	Weight float64 `json:"weight"`
}

type tagOutput struct {
	ID           json.RawMessage    `json:"id"`
	Labels       tagLabels          `json:"labels"`
	Actors       []tagActor         `json:"actors"`
	Evidence     []tagEvidence      `json:"evidence"`
	Scores       map[string]float64 `json:"scores"`
	RulesVersion string             `json:"rules_version"`
	// Matches lists every rule match, given or not (--explain only).
	Matches []tagEvidence `json:"matches,omitempty"`
}

// maxLine bounds one input line; a longer one is reported and skipped.
const maxLine = 64 << 20

func cmdTag(ctx context.Context, c *cli, args []string) error {
	fl := c.flags("tag")
	rules := rulesFlag(fl)
	explain := fl.Bool("explain", false, "add every rule match to each line (\"matches\"), also for labels not given")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: stancewatch tag [--rules DIR] [--explain] < articles.jsonl > tags.jsonl\n\n"+
			"Reads one JSON article a line (id, title, body, lang, ...) and writes one line of labels,\n"+
			"actors and evidence per article. Bad lines are reported on stderr and skipped.\n\n")
		fl.PrintDefaults()
	}
	if pos, err := parseAll(fl, args); err != nil {
		return err
	} else if len(pos) > 0 {
		fmt.Fprintf(c.stderr, "stancewatch tag reads standard input; unexpected argument %q\n", pos[0])
		return errUsage
	}
	eng, err := c.engine(*rules)
	if err != nil {
		return err
	}
	in := bufio.NewReaderSize(c.stdin, 1<<20)
	out := bufio.NewWriterSize(c.stdout, 1<<16)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	lines, bad, tagged := 0, 0, 0
	for {
		if err := ctx.Err(); err != nil {
			out.Flush()
			return err
		}
		line, tooLong, rerr := readLine(in, maxLine)
		if len(line) > 0 || tooLong {
			lines++
		}
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			out.Flush()
			return fmt.Errorf("read standard input after line %d: %w", lines, rerr)
		}
		switch {
		case tooLong:
			bad++
			fmt.Fprintf(c.stderr, "line %d: longer than %d MiB; skipped\n", lines, maxLine>>20)
		case len(bytes.TrimSpace(line)) == 0:
		default:
			var a tagInput
			if err := json.Unmarshal(line, &a); err != nil {
				bad++
				fmt.Fprintf(c.stderr, "line %d: not a JSON article: %v; skipped\n", lines, err)
				break
			}
			if len(a.ID) == 0 || string(a.ID) == "null" || string(a.ID) == `""` {
				bad++
				fmt.Fprintf(c.stderr, "line %d: no id; skipped\n", lines)
				break
			}
			doc := tagger.Document{Title: a.Title, Body: a.Body, Lang: a.Lang}
			var o tagOutput
			if *explain {
				res, matches := eng.Explain(doc)
				o = toOutput(a.ID, res, eng.Version())
				o.Matches = toEvidence(matches)
			} else {
				o = toOutput(a.ID, eng.Tag(doc), eng.Version())
			}
			if err := enc.Encode(o); err != nil {
				return fmt.Errorf("write standard output: %w", err)
			}
			tagged++
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		// Flush whenever the input has nothing more buffered, so a
		// pipeline sees each answer as soon as its article is in.
		if in.Buffered() == 0 {
			if err := out.Flush(); err != nil {
				return fmt.Errorf("write standard output: %w", err)
			}
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write standard output: %w", err)
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d input lines were bad and skipped (%d articles tagged)", bad, lines, tagged)
	}
	return nil
}

// readLine reads one line without its newline. A line longer than max
// is consumed and reported as tooLong instead of being held in memory.
func readLine(r *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > max {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(buf, "\r\n"), tooLong, err
	}
}

func toOutput(id json.RawMessage, r tagger.Result, version string) tagOutput {
	o := tagOutput{ID: id, Scores: r.Scores, RulesVersion: version,
		Labels: tagLabels{Relevant: r.Relevant, Topics: []string{}, Outlook: r.Outlook, Framing: r.Framing},
		Actors: []tagActor{}, Evidence: []tagEvidence{}}
	for _, t := range r.Topics {
		o.Labels.Topics = append(o.Labels.Topics, t.Topic)
	}
	for _, a := range r.Actors {
		o.Actors = append(o.Actors, tagActor{a.Name, a.Mentions})
	}
	o.Evidence = toEvidence(r.Evidence)
	return o
}

func toEvidence(evs []tagger.Evidence) []tagEvidence {
	out := make([]tagEvidence, 0, len(evs))
	for _, e := range evs {
		out = append(out, tagEvidence{e.Label, e.Rule, e.Field, e.Text, e.Start, e.End, e.Weight})
	}
	return out
}

func cmdEval(ctx context.Context, c *cli, args []string) error {
	fl := c.flags("eval")
	first := fl.String("gold", "", "gold file (JSON lines with labels); more files may follow")
	rules := rulesFlag(fl)
	misses := fl.Bool("misses", true, "list the articles tagged wrong, with every rule match")
	corrections := fl.Bool("corrections", false, "measure against the analysts' corrections in the database instead of gold files")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: stancewatch eval [--rules DIR] [--misses=false] --gold FILE [FILE ...] | --corrections\n\n")
		fl.PrintDefaults()
	}
	pos, err := parseAll(fl, args)
	if err != nil {
		return err
	}
	if *corrections {
		if *first != "" || len(pos) > 0 {
			fmt.Fprintln(c.stderr, "stancewatch eval: give --gold FILE or --corrections, not both")
			return errUsage
		}
		return evalCorrections(ctx, c, *rules, *misses)
	}
	files := pos
	if *first != "" {
		files = append([]string{*first}, pos...)
	}
	if len(files) == 0 {
		fmt.Fprintln(c.stderr, "stancewatch eval: --gold FILE is required")
		return errUsage
	}
	eng, err := c.engine(*rules)
	if err != nil {
		return err
	}
	var arts []gold.Article
	for _, f := range files {
		a, err := gold.ReadFile(f)
		if err != nil {
			return err
		}
		arts = append(arts, a...)
	}
	fmt.Fprintf(c.stdout, "rules version %s; gold %s\n", eng.Version(), strings.Join(files, ", "))
	return gold.Evaluate(eng, arts).Write(c.stdout, *misses)
}

func cmdRulesTest(_ context.Context, c *cli, args []string) error {
	fl := c.flags("rules test")
	rules := rulesFlag(fl)
	if err := parse(fl, args); err != nil {
		return err
	}
	eng, err := c.engine(*rules)
	if err != nil {
		return err
	}
	fails := eng.TestRules()
	for _, f := range fails {
		fmt.Fprintln(c.stdout, "FAIL", f)
	}
	st := eng.Stats()
	if len(fails) > 0 {
		return fmt.Errorf("%d rule tests failed (rules version %s)", len(fails), eng.Version())
	}
	fmt.Fprintf(c.stdout, "ok: %d rules, %d actors and %d examples pass their tests (rules version %s, %d files)\n",
		st.Rules, st.Actors, st.Examples, eng.Version(), len(eng.Files()))
	return nil
}

func cmdRulesExport(_ context.Context, c *cli, args []string) error {
	fl := c.flags("rules export")
	force := fl.Bool("force", false, "overwrite files that exist")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: stancewatch rules export [--force] DIR\n\n"+
			"Writes the built-in rule files to DIR, the starting point of a rules directory\n"+
			"(tagger.rules_dir) that replaces them.\n\n")
		fl.PrintDefaults()
	}
	pos, err := parseAll(fl, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fl.Usage()
		return errUsage
	}
	dir := pos[0]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src := tagger.BuiltinRules()
	names, err := fs.Glob(src, "*.yaml")
	if err != nil {
		return err
	}
	for _, n := range names {
		dst := filepath.Join(dir, n)
		if _, err := os.Stat(dst); err == nil && !*force {
			return fmt.Errorf("%s exists; use --force to overwrite", dst)
		}
	}
	for _, n := range names {
		data, err := fs.ReadFile(src, n)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "wrote %s\n", filepath.Join(dir, n))
	}
	return nil
}

func cmdRetag(ctx context.Context, c *cli, args []string) error {
	fl := c.flags("retag")
	rules := rulesFlag(fl)
	sinceFlag := fl.String("since", "", "only articles published on or after this date (YYYY-MM-DD, UTC) or time (RFC 3339)")
	dryRun := fl.Bool("dry-run", false, "only count the articles that are due")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: stancewatch retag [--since DATE] [--dry-run] [--rules DIR]\n\n"+
			"Re-tags stored articles that are due: never tagged, tagged by other rules, or changed\n"+
			"since. Works in batches (tagger.retag_batch_size), each in its own short transaction;\n"+
			"safe to interrupt and run again, and to run while the daemon polls.\n\n")
		fl.PrintDefaults()
	}
	if pos, err := parseAll(fl, args); err != nil {
		return err
	} else if len(pos) > 0 {
		fl.Usage()
		return errUsage
	}
	var since time.Time
	if *sinceFlag != "" {
		var err error
		if since, err = parseSince(*sinceFlag); err != nil {
			fmt.Fprintf(c.stderr, "stancewatch retag: --since %q: want a date (2025-12-01) or an RFC 3339 time\n", *sinceFlag)
			return errUsage
		}
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	url, err := c.databaseURL()
	if err != nil {
		return err
	}
	eng, err := c.engine(*rules)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, url, store.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckSchema(ctx); err != nil {
		return err
	}
	if *dryRun {
		n, err := st.CountPendingArticles(ctx, eng.Version(), since)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%d articles are due for tagging under rules version %s\n", n, eng.Version())
		return nil
	}
	done, last := 0, time.Now()
	tg := daemon.NewTagging(st, eng, daemon.TaggingOptions{
		BatchSize: cfg.Tagger.RetagBatchSize,
		Logger:    c.log,
		OnTagged: func(n int, _ time.Duration) {
			done += n
			if time.Since(last) >= 5*time.Second {
				c.log.Info("retag: progress", "articles", done)
				last = time.Now()
			}
		},
	})
	n, err := tg.Retag(ctx, since)
	fmt.Fprintf(c.stdout, "re-tagged %d articles (rules version %s)\n", n, eng.Version())
	return err
}

// parseSince reads a date (midnight UTC) or an RFC 3339 time.
func parseSince(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}
