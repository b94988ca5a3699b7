package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/stancewatch/stancewatch/gold"
	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/web"
)

// multiFlag collects a flag given several times.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func cmdExport(ctx context.Context, c *cli, args []string) error {
	fl := c.flags("export")
	format := fl.String("format", "csv", "csv or jsonl")
	params := map[string]*string{}
	for _, name := range []string{"from", "to", "outlook", "framing", "source", "lang", "actor", "q", "relevant"} {
		params[name] = fl.String(name, "", exportFlagHelp[name])
	}
	var topics multiFlag
	fl.Var(&topics, "topic", "topic; repeat to require several")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: stancewatch export --format csv|jsonl [--from DAY] [--to DAY] [--topic T ...] [--outlook O]\n"+
			"         [--framing F] [--source S] [--lang L] [--actor A] [--q WORDS] [--relevant true|false|any]\n\n"+
			"Writes every matching article with its labels (an analyst's correction where there is one) on\n"+
			"standard output, newest first, as the workbench's /api/v1/articles.csv does.\n\n")
		fl.PrintDefaults()
	}
	if pos, err := parseArgs(fl, args); err != nil {
		return err
	} else if len(pos) > 0 {
		fl.Usage()
		return errUsage
	}
	if *format != "csv" && *format != "jsonl" {
		fmt.Fprintf(c.stderr, "stancewatch export: --format %q: want csv or jsonl\n", *format)
		return errUsage
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	q := map[string][]string{}
	for name, v := range params {
		if *v != "" {
			q[name] = []string{*v}
		}
	}
	if len(topics) > 0 {
		q["topic"] = topics
	}
	f, err := web.ExportFilter(q, cfg.Location())
	if err != nil {
		fmt.Fprintf(c.stderr, "stancewatch export: --%v\n", err)
		return errUsage
	}
	st, err := openStore(ctx, c, 2)
	if err != nil {
		return err
	}
	defer st.Close()
	if *format == "jsonl" {
		return web.WriteJSONL(ctx, st, f, c.stdout)
	}
	return web.WriteCSV(ctx, st, f, c.stdout, nil)
}

var exportFlagHelp = map[string]string{
	"from":     "first day included (YYYY-MM-DD, in the configured time zone)",
	"to":       "last day included (YYYY-MM-DD)",
	"outlook":  "outlook: progress, stalemate, mixed or none",
	"framing":  "framing: pro_ukraine, pro_russia or neutral",
	"source":   "outlet name, exactly as stored",
	"lang":     "language code (en, uk, ru, ...)",
	"actor":    "canonical actor name",
	"q":        "full-text query (websearch syntax)",
	"relevant": "true (default), false or any",
}

// correctedGold reads the corrected articles published in [from, to) as
// gold articles: the text the tagger reads, with the analyst's labels.
func correctedGold(ctx context.Context, st *store.Store, from, to time.Time) ([]gold.Article, error) {
	var out []gold.Article
	err := st.EachCorrectedArticle(ctx, from, to, func(a store.CorrectedArticle) error {
		topics := a.Labels.Topics
		if topics == nil {
			topics = []string{}
		}
		out = append(out, gold.Article{
			ID: "article-" + strconv.FormatInt(a.ID, 10), Source: a.Source, URL: a.URL,
			Published: a.PublishedAt.UTC().Format(time.RFC3339), Lang: a.Lang, Title: a.Title, Body: a.Body,
			Labels: gold.Labels{Relevant: a.Labels.Relevant, Topics: topics, Outlook: a.Labels.Outlook, Framing: a.Labels.Framing},
		})
		return nil
	})
	return out, err
}

// evalCorrections is `eval --corrections`: the current rules against
// every corrected article in the database, with eval --gold's report.
func evalCorrections(ctx context.Context, c *cli, rules string, misses bool) error {
	eng, err := c.engine(rules)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c, 2)
	if err != nil {
		return err
	}
	defer st.Close()
	arts, err := correctedGold(ctx, st, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	if len(arts) == 0 {
		return fmt.Errorf("no article has been corrected yet: correct labels in the workbench (/articles/ID) or with PUT /api/v1/articles/ID/labels")
	}
	fmt.Fprintf(c.stdout, "rules version %s; gold: %d corrected articles in the database\n", eng.Version(), len(arts))
	return gold.Evaluate(eng, arts).Write(c.stdout, misses)
}

func cmdGoldExport(ctx context.Context, c *cli, args []string) error {
	fl := c.flags("gold export")
	corrections := fl.Bool("corrections", false, "export the articles analysts corrected (required: the only source for now)")
	fromFlag := fl.String("from", "", "only articles published on or after this day (YYYY-MM-DD, configured time zone)")
	toFlag := fl.String("to", "", "only articles published on or before this day")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: stancewatch gold export --corrections [--from DAY] [--to DAY]\n\n"+
			"Writes the corrected articles as gold JSON lines (the format of testdata/gold) on standard\n"+
			"output: the text the tagger reads, with the analyst's latest labels.\n\n")
		fl.PrintDefaults()
	}
	if pos, err := parseArgs(fl, args); err != nil {
		return err
	} else if len(pos) > 0 || !*corrections {
		fl.Usage()
		return errUsage
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	var from, to time.Time
	for _, d := range []struct {
		name string
		val  string
		into *time.Time
		add  int
	}{{"from", *fromFlag, &from, 0}, {"to", *toFlag, &to, 1}} {
		if d.val == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, d.val, cfg.Location())
		if err != nil {
			fmt.Fprintf(c.stderr, "stancewatch gold export: --%s %q: want a date (2026-01-31)\n", d.name, d.val)
			return errUsage
		}
		*d.into = t.AddDate(0, 0, d.add)
	}
	st, err := openStore(ctx, c, 2)
	if err != nil {
		return err
	}
	defer st.Close()
	arts, err := correctedGold(ctx, st, from, to)
	if err != nil {
		return err
	}
	return writeGold(c.stdout, arts)
}

func writeGold(w io.Writer, arts []gold.Article) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, a := range arts {
		if err := enc.Encode(a); err != nil {
			return fmt.Errorf("write standard output: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write standard output: %w", err)
	}
	return nil
}
