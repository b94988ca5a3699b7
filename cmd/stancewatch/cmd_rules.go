package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/stancewatch/stancewatch/tagger"
)

// rulesFlag adds --rules DIR to a command's flags.
func rulesFlag(fl *flag.FlagSet) *string {
	return fl.String("rules", "", "rules directory replacing the built-in rules (default: tagger.rules_dir, else built-in)")
}

// engine loads the tagger's rules: --rules DIR, else tagger.rules_dir
// from the configuration, else the rules built into the binary.
func (c *cli) engine(dir string, extra ...tagger.LoadOption) (*tagger.Engine, error) {
	if dir == "" {
		cfg, err := c.config()
		if err != nil {
			return nil, err
		}
		dir = cfg.Tagger.RulesDir
	}
	opts := []tagger.LoadOption{tagger.FromDir(dir)}
	if cache := c.rulesCacheDir(); cache != "" {
		opts = append(opts, tagger.WithCache(dirCache{cache}, buildID()))
	}
	return tagger.Load(append(opts, extra...)...)
}

// rulesCacheDir is where compiled rules are kept between runs (the
// user's cache directory), or "" when STANCEWATCH_RULES_CACHE is off or
// there is no such directory. Compiling costs tens of milliseconds; a
// cached copy is read in a few (tagger.WithCache, rulescache.go).
func (c *cli) rulesCacheDir() string {
	if c.getenv("STANCEWATCH_RULES_CACHE") == "off" || c.userCacheDir == nil {
		return ""
	}
	dir, err := c.userCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "stancewatch", "rules")
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
	pos, err := parseArgs(fl, args)
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
