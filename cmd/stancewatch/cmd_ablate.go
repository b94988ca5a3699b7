package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/stancewatch/stancewatch/gold"
	"github.com/stancewatch/stancewatch/tagger"
)

// cmdRulesAblate leaves out each rule that matched the gold articles, one
// at a time, and prints what its absence changes: the answers it makes
// right and wrong, by field. It measures what a rule adds on text, where
// its tests only say that it reads the sentences written for it.
func cmdRulesAblate(_ context.Context, c *cli, args []string) error {
	fl := c.flags("rules ablate")
	first := fl.String("gold", "", "gold file (JSON lines with labels, or a labels file with its texts); more files may follow")
	rules := rulesFlag(fl)
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: stancewatch rules ablate [--rules DIR] --gold FILE [FILE ...]\n\n"+
			"Tags the articles once with the whole rule set, then once without each rule that matched any of them.\n\n")
		fl.PrintDefaults()
	}
	pos, err := parseArgs(fl, args)
	if err != nil {
		return err
	}
	files := goldFiles(*first, pos)
	if len(files) == 0 {
		fmt.Fprintln(c.stderr, "stancewatch rules ablate: --gold FILE is required")
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
	without := func(rule string) (*tagger.Engine, error) { return c.engine(*rules, tagger.Without(rule)) }
	ab, err := gold.Ablate(eng, without, arts)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "gold %s\n", strings.Join(files, ", "))
	return ab.Write(c.stdout)
}
