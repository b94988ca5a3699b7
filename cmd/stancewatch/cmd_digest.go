package main

import (
	"context"
	"fmt"
	"time"

	"github.com/stancewatch/stancewatch/digest"
)

func cmdDigest(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("digest")
	date := fs.String("date", "", "day to digest, YYYY-MM-DD in the configured time zone (default: yesterday)")
	format := fs.String("format", "all", "files to write: md, html, json or all (comma-separated list allowed)")
	out := fs.String("out", "", "directory for the files, index.html and feed.atom (default: digest.out_dir)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "stancewatch digest: unexpected argument %q (use --date YYYY-MM-DD)\n", fs.Arg(0))
		return errUsage
	}
	formats, err := digest.ParseFormats(*format)
	if err != nil {
		fmt.Fprintf(c.stderr, "stancewatch digest: --format: %v\n", err)
		return errUsage
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	loc := cfg.Location()
	now := time.Now()
	day := digest.Yesterday(now, loc)
	if *date != "" {
		if day, err = digest.ParseDay(*date, loc, now); err != nil {
			return err
		}
	}
	dir := *out
	if dir == "" {
		dir = cfg.Digest.OutDir
	}

	st, err := openStore(ctx, c, 2)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := digest.Generate(ctx, st, day, digest.Options{
		OutDir:   dir,
		Formats:  formats,
		FeedSize: cfg.Digest.FeedSize,
		BaseURL:  cfg.Digest.BaseURL,
		Logger:   c.log,
	})
	if err != nil {
		return err
	}
	h := res.Digest.Headline
	fmt.Fprintf(c.stdout, "digest of %s (%s): %d articles, %d about the talks, %d stories\n",
		res.Digest.Day, res.Digest.Timezone, h.Articles.Count, h.Relevant.Count, h.Stories)
	fmt.Fprintln(c.stdout, h.Reading)
	if res.Unchanged {
		fmt.Fprintln(c.stdout, "unchanged since the last run; files rewritten as they were")
	}
	for _, f := range res.Files {
		fmt.Fprintf(c.stdout, "wrote %s\n", f)
	}
	return nil
}
