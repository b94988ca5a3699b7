package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/stancewatch/stancewatch/gold"
)

// cmdRulesCalibrate sweeps the decision thresholds over gold sets and
// prints what it would choose, with each set's leave-one-set-out score:
// the documented procedure behind the thresholds in settings.yaml.
func cmdRulesCalibrate(_ context.Context, c *cli, args []string) error {
	fl := c.flags("rules calibrate")
	first := fl.String("gold", "", "gold file (a set); more files may follow")
	rules := rulesFlag(fl)
	answersDir := fl.String("answers", "", "directory of kept answers (NAME.jsonl, from `tag --explain`): a labels file whose texts are not here is calibrated on the tallies kept when it was piped through these rules")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: stancewatch rules calibrate [--rules DIR] [--answers DIR] --gold FILE [FILE ...]\n\n"+
			"Each file is one set; give at least two. Labels files (NAME.labels.jsonl) are read with their texts.\n\n")
		fl.PrintDefaults()
	}
	pos, err := parseArgs(fl, args)
	if err != nil {
		return err
	}
	files := goldFiles(*first, pos)
	if len(files) < 2 {
		fmt.Fprintln(c.stderr, "stancewatch rules calibrate: give at least two gold files (--gold FILE FILE ...)")
		return errUsage
	}
	eng, err := c.engine(*rules)
	if err != nil {
		return err
	}
	var sets []gold.Set
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".jsonl"), ".labels")
		arts, answers, ok, err := readKept(f, *answersDir, eng.Version(), true)
		if err != nil {
			return err
		}
		if ok {
			set, err := gold.KeptSet(name, arts, answers)
			if err != nil {
				return err
			}
			sets = append(sets, set)
			continue
		}
		if arts, err = readGold(c, f); err != nil {
			return err
		}
		sets = append(sets, gold.Set{Name: name, Articles: arts})
	}
	fmt.Fprintf(c.stdout, "rules version %s; sets %s\n\n", eng.Version(), strings.Join(files, ", "))
	return gold.Calibrate(eng, sets, gold.DefaultGrid()).Write(c.stdout)
}
