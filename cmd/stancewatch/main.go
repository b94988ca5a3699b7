// Command stancewatch follows how the press covers the Russia–Ukraine
// peace talks: it polls news feeds, stores and tags articles, and writes a
// daily digest. Run `stancewatch help` for the commands.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	_ "time/tzdata" // time zones even on images without /usr/share/zoneinfo

	"github.com/stancewatch/stancewatch/config"
	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runCLI(ctx, os.Args[1:], &cli{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		getenv: os.Getenv, version: buildVersion(), userCacheDir: os.UserCacheDir,
	})
	stop()
	os.Exit(code)
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// cli is what every command gets: its streams, the environment and the
// configuration, loaded on first use.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	version        string
	// userCacheDir is where compiled rules are kept between runs (see
	// rulesCacheDir); nil keeps none, as tests do unless they ask.
	userCacheDir func() (string, error)

	configPath string
	cfg        *config.Loaded
	log        *slog.Logger
}

// errUsage makes a command exit with status 2 after its own message.
var errUsage = errors.New("usage")

// command is one subcommand; name may hold a space ("feeds add").
type command struct {
	name    string
	args    string // synopsis of the arguments, for help
	summary string
	run     func(ctx context.Context, c *cli, args []string) error
}

func commands() []command {
	cmds := []command{
		{"version", "", "print the version", cmdVersion},
		{"migrate", "", "apply database migrations", cmdMigrate},
		{"run", "", "run the daemon: scheduled polling, tagging, digests and housekeeping, with /healthz, /readyz, /metrics, /digests/ and the workbench", cmdRun},
		{"config check", "", "print the effective configuration (secrets masked) or what is wrong with it", cmdConfigCheck},
		{"digest", "[--date YYYY-MM-DD] [--format md|html|json|all] [--out DIR]", "write the daily digest of one day (default: yesterday)", cmdDigest},
		{"feeds add", "URL [--name N] [--full-text]", "add a feed (polled at the next poll)", cmdFeedsAdd},
		{"feeds list", "[--json]", "list feeds with state, last poll, article count and last error", cmdFeedsList},
		{"feeds remove", "ID|URL", "remove a feed; its articles are kept", cmdFeedsRemove},
		{"feeds enable", "ID|URL", "enable a feed again (clears its error count)", cmdFeedsEnable},
		{"feeds disable", "ID|URL", "stop polling a feed", cmdFeedsDisable},
		{"feeds import", "FILE.opml", "add the feeds of an OPML file (relative URLs resolve against its folder)", cmdFeedsImport},
		{"feeds export", "", "print every feed as OPML 2.0", cmdFeedsExport},
		{"poll", "--once [--all]", "poll the due (or all) feeds once, with a line per feed and a total", cmdPoll},
		{"tag", "< FILE.jsonl", "tag JSON-lines articles from stdin; one JSON line of labels and evidence each on stdout", cmdTag},
		{"eval", "--gold FILE [FILE ...] | --corrections", "measure the tagger against gold labels (or the analysts' corrections): P/R/F1, accuracy, confusion, misses", cmdEval},
		{"export", "--format csv|jsonl [filters]", "write the matching articles with their labels on stdout", cmdExport},
		{"gold export", "--corrections [--from DAY] [--to DAY]", "write the corrected articles as gold JSON lines on stdout", cmdGoldExport},
		{"rules test", "", "run the tests written in the rule files; exit 1 on any failure", cmdRulesTest},
		{"rules export", "DIR", "write the built-in rule files to DIR, to start a rules directory", cmdRulesExport},
		{"rules calibrate", "--gold FILE [FILE ...]", "sweep the decision thresholds over gold sets (one set a file), with leave-one-set-out scores", cmdRulesCalibrate},
		{"rules ablate", "--gold FILE [FILE ...]", "leave out each rule that matched, one at a time, and count the answers its absence makes right and wrong", cmdRulesAblate},
		{"retag", "[--since DATE]", "re-tag stored articles due under the current rules (resumable, in batches)", cmdRetag},
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

func runCLI(ctx context.Context, args []string, c *cli) int {
	// Global flags may come before the command.
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch {
		case args[0] == "--config" || args[0] == "-config":
			if len(args) < 2 {
				fmt.Fprintln(c.stderr, "--config needs a file")
				return 2
			}
			c.configPath, args = args[1], args[2:]
		case strings.HasPrefix(args[0], "--config="):
			c.configPath, args = strings.TrimPrefix(args[0], "--config="), args[1:]
		case args[0] == "-h" || args[0] == "--help":
			args = []string{"help"}
		default:
			fmt.Fprintf(c.stderr, "unknown flag %s\n", args[0])
			usage(c.stderr)
			return 2
		}
	}
	if len(args) == 0 || args[0] == "help" {
		usage(c.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if c.configPath == "" {
		c.configPath = c.getenv("STANCEWATCH_CONFIG")
	}
	cmd, rest, ok := lookup(args)
	if !ok {
		fmt.Fprintf(c.stderr, "unknown command %q\n\n", strings.Join(args[:min(2, len(args))], " "))
		usage(c.stderr)
		return 2
	}
	err := cmd.run(ctx, c, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, flag.ErrHelp):
		return 0
	default:
		// Errors may quote what a server or a file held: nothing in them
		// may drive the terminal.
		fmt.Fprintf(c.stderr, "stancewatch %s: %s\n", cmd.name, feeds.StripControls(err.Error()))
		return 1
	}
}

// lookup finds the longest command name that prefixes args.
func lookup(args []string) (command, []string, bool) {
	var best command
	bestLen := 0
	for _, cmd := range commands() {
		words := strings.Fields(cmd.name)
		if len(words) > len(args) || len(words) <= bestLen {
			continue
		}
		match := true
		for i, w := range words {
			if args[i] != w {
				match = false
				break
			}
		}
		if match {
			best, bestLen = cmd, len(words)
		}
	}
	return best, args[min(bestLen, len(args)):], bestLen > 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, "stancewatch follows press coverage of the Russia–Ukraine peace talks.\n\nUsage: stancewatch [--config FILE] COMMAND [ARGS]\n\nCommands:\n")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-28s %s\n", strings.TrimSpace(cmd.name+" "+cmd.args), cmd.summary)
	}
	fmt.Fprint(w, "\nThe configuration file is --config FILE or $STANCEWATCH_CONFIG; DATABASE_URL and\nSTANCEWATCH_<SECTION>_<KEY> environment variables override it. See README.md.\n")
}

// flags returns a flag set for cmd that also accepts --config.
func (c *cli) flags(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet("stancewatch "+cmd, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.StringVar(&c.configPath, "config", c.configPath, "configuration file (YAML)")
	return fs
}

// parse parses args, turning a flag error into errUsage (flag has printed
// the message already).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// parseArgs parses flags that may come before, between or after the
// positional arguments, and returns the positional ones; after "--"
// everything is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional, args = append(positional, args[0]), args[1:]
	}
}

// openStore opens the configured database with at most maxConns
// connections (0: database.max_conns) and checks that its schema is the
// one this binary writes. Every command that reads or writes the
// database opens it here.
func openStore(ctx context.Context, c *cli, maxConns int) (*store.Store, error) {
	dbURL, err := c.databaseURL()
	if err != nil {
		return nil, err
	}
	cfg, err := c.config()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, dbURL, store.Options{MaxConns: cmp.Or(maxConns, cfg.Database.MaxConns)})
	if err != nil {
		return nil, err
	}
	if err := st.CheckSchema(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// config loads the configuration once and sets up logging from it.
func (c *cli) config() (*config.Loaded, error) {
	if c.cfg != nil {
		return c.cfg, nil
	}
	cfg, err := config.Load(c.configPath, c.getenv)
	if err != nil {
		return nil, err
	}
	c.cfg = cfg
	c.log = newLogger(c.stderr, cfg.Log)
	return cfg, nil
}

func newLogger(w io.Writer, lc config.Log) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(lc.Level)) // validated by config.Load
	opts := &slog.HandlerOptions{Level: level}
	if lc.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// databaseURL returns the configured database, or an error saying how to
// set one.
func (c *cli) databaseURL() (string, error) {
	cfg, err := c.config()
	if err != nil {
		return "", err
	}
	if cfg.Database.URL == "" {
		return "", errors.New("no database configured: set DATABASE_URL (e.g. postgres://user:pass@localhost:5432/stancewatch) or database.url in the configuration file")
	}
	return cfg.Database.URL, nil
}

func cmdVersion(_ context.Context, c *cli, args []string) error {
	if err := parse(c.flags("version"), args); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "stancewatch", c.version)
	return nil
}
