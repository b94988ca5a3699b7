package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stancewatch/stancewatch/gold"
)

func cmdEval(ctx context.Context, c *cli, args []string) error {
	fl := c.flags("eval")
	first := fl.String("gold", "", "gold file (JSON lines with labels); more files may follow")
	rules := rulesFlag(fl)
	misses := fl.Bool("misses", true, "list the articles tagged wrong, with every rule match")
	corrections := fl.Bool("corrections", false, "measure against the analysts' corrections in the database instead of gold files")
	against := fl.String("against", "", "rules directory to compare with: list every answer the two rule sets give differently, better or worse against the gold")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: stancewatch eval [--rules DIR] [--against DIR] [--misses=false] --gold FILE [FILE ...] | --corrections\n\n")
		fl.PrintDefaults()
	}
	pos, err := parseArgs(fl, args)
	if err != nil {
		return err
	}
	if *corrections {
		if *first != "" || len(pos) > 0 || *against != "" {
			fmt.Fprintln(c.stderr, "stancewatch eval: give --gold FILE (with or without --against) or --corrections, not both")
			return errUsage
		}
		return evalCorrections(ctx, c, *rules, *misses)
	}
	files := goldFiles(*first, pos)
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
		a, err := readGold(c, f)
		if err != nil {
			return err
		}
		arts = append(arts, a...)
	}
	if *against != "" {
		base, err := c.engine(*against)
		if err != nil {
			return fmt.Errorf("rules to compare with: %w", err)
		}
		fmt.Fprintf(c.stdout, "gold %s\n", strings.Join(files, ", "))
		return gold.Compare(base, eng, arts).Write(c.stdout)
	}
	fmt.Fprintf(c.stdout, "rules version %s; gold %s\n", eng.Version(), strings.Join(files, ", "))
	return gold.Evaluate(eng, arts).Write(c.stdout, *misses)
}

// goldFiles is the file given with --gold followed by the ones after it.
func goldFiles(first string, rest []string) []string {
	if first == "" {
		return rest
	}
	return append([]string{first}, rest...)
}

// readGold reads a gold file. Articles of a labels file whose text is
// missing are left out with a warning: the rest of the set still scores.
func readGold(c *cli, path string) ([]gold.Article, error) {
	arts, err := gold.ReadFile(path)
	var missing *gold.MissingTextError
	if errors.As(err, &missing) {
		fmt.Fprintf(c.stderr, "warning: %v; scoring the other %d\n", err, len(arts))
		return arts, nil
	}
	return arts, err
}
