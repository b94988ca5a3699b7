package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"

	"github.com/stancewatch/stancewatch/gold"
)

func cmdEval(ctx context.Context, c *cli, args []string) error {
	fl := c.flags("eval")
	first := fl.String("gold", "", "gold file (JSON lines with labels); more files may follow")
	rules := rulesFlag(fl)
	misses := fl.Bool("misses", true, "list the articles tagged wrong, with every rule match")
	answersDir := fl.String("answers", "", "directory of kept answers (NAME.jsonl): a labels file whose texts are not here is scored from the answers kept when it was piped through these rules")
	corrections := fl.Bool("corrections", false, "measure against the analysts' corrections in the database instead of gold files")
	against := fl.String("against", "", "rules directory to compare with: list every answer the two rule sets give differently, better or worse against the gold")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: stancewatch eval [--rules DIR] [--against DIR] [--answers DIR] [--misses=false] --gold FILE [FILE ...] | --corrections\n\n")
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
	kept := map[string]gold.Answer{}
	for _, f := range files {
		a, answers, ok, err := readKept(f, *answersDir, eng.Version(), false)
		if err != nil {
			return err
		}
		if ok {
			if *against != "" {
				return fmt.Errorf("%s: --against needs the texts, not kept answers", f)
			}
			maps.Copy(kept, answers)
		} else if a, err = readGold(c, f); err != nil {
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
	return gold.EvaluateWith(eng, arts, kept).Write(c.stdout, *misses)
}

// goldFiles is the file given with --gold followed by the ones after it.
func goldFiles(first string, rest []string) []string {
	if first == "" {
		return rest
	}
	return append([]string{first}, rest...)
}

// readKept reads a labels file whose texts file is not here with the
// answers kept when it was piped through the tagger (DIR/NAME.jsonl):
// they must come from the rules version given, and carry tallies when
// tallies is set. ok is false when the texts are here (they are tagged
// instead) or dir holds no answers for the file.
func readKept(path, dir, version string, tallies bool) (arts []gold.Article, answers map[string]gold.Answer, ok bool, err error) {
	if dir == "" || !strings.HasSuffix(path, ".labels.jsonl") {
		return nil, nil, false, nil
	}
	if _, serr := os.Stat(gold.TextsPath(path)); serr == nil {
		return nil, nil, false, nil
	}
	ap := gold.AnswersPath(dir, path)
	if _, serr := os.Stat(ap); serr != nil {
		return nil, nil, false, nil
	}
	if arts, err = gold.ReadLabels(path); err != nil {
		return nil, nil, false, err
	}
	if answers, err = gold.ReadAnswers(ap); err != nil {
		return nil, nil, false, err
	}
	if err := gold.CheckAnswers(ap, arts, answers, version, tallies); err != nil {
		return nil, nil, false, err
	}
	return arts, answers, true, nil
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
