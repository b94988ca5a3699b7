package main

import (
	"context"
	"fmt"

	"github.com/stancewatch/stancewatch/store"
)

func cmdMigrate(ctx context.Context, c *cli, args []string) error {
	if err := parse(c.flags("migrate"), args); err != nil {
		return err
	}
	url, err := c.databaseURL()
	if err != nil {
		return err
	}
	res, err := store.Migrate(ctx, url)
	if err != nil {
		return err
	}
	if len(res.Applied) == 0 {
		fmt.Fprintf(c.stdout, "schema is current at version %d\n", res.To)
		return nil
	}
	for _, name := range res.Applied {
		fmt.Fprintf(c.stdout, "applied %s\n", name)
	}
	fmt.Fprintf(c.stdout, "schema migrated from version %d to %d\n", res.From, res.To)
	return nil
}

func cmdConfigCheck(_ context.Context, c *cli, args []string) error {
	if err := parse(c.flags("config check"), args); err != nil {
		return err
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	out, err := cfg.Masked()
	if err != nil {
		return err
	}
	source := "built-in defaults (no file)"
	if cfg.File != "" {
		source = cfg.File
	}
	fmt.Fprintf(c.stdout, "# configuration: %s\n", source)
	if len(cfg.EnvOverrides) > 0 {
		fmt.Fprintf(c.stdout, "# overridden by environment: %v\n", cfg.EnvOverrides)
	}
	if cfg.Database.URL == "" {
		fmt.Fprintln(c.stdout, "# warning: no database configured (set DATABASE_URL)")
	}
	if err := cfg.HTTP.CheckExposure(); err != nil {
		fmt.Fprintf(c.stdout, "# error: `run` will refuse to start: %v\n", err)
	}
	fmt.Fprintf(c.stdout, "%s", out)
	return nil
}
