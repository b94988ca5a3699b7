package main

import (
	"context"
	"fmt"

	"github.com/stancewatch/stancewatch/daemon"
)

func cmdRun(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("run")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "stancewatch run: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	d, err := daemon.New(daemon.Options{Config: cfg.Config, Version: c.version, Logger: c.log})
	if err != nil {
		return err
	}
	// ctx is cancelled by SIGTERM or SIGINT (see main).
	return d.Run(ctx)
}
