package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"

	"github.com/stancewatch/stancewatch/migrations"
)

// versionTable is tern's one-row table holding the applied version.
const versionTable = "public.schema_version"

// ErrSchemaNewer means the database was migrated by a newer stancewatch.
var ErrSchemaNewer = errors.New("database schema is newer than this binary")

// LatestVersion is the number of the last migration built into the binary.
func LatestVersion() (int32, error) {
	names, err := migrate.FindMigrations(migrations.FS)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	return int32(len(names)), nil
}

// MigrateResult says what Migrate did.
type MigrateResult struct {
	From, To int32
	Applied  []string // migration files applied by this run
}

// Migrate applies every pending migration. It uses its own connection
// because tern holds a session advisory lock while it works, which makes
// concurrent runs from several processes wait for each other instead of
// racing. Each migration runs in a transaction: a failing one is rolled
// back and the schema stays at the previous version.
func Migrate(ctx context.Context, connString string) (MigrateResult, error) {
	return MigrateFS(ctx, connString, migrations.FS)
}

// MigrateFS is Migrate with the migration files taken from fsys.
func MigrateFS(ctx context.Context, connString string, fsys fs.FS) (MigrateResult, error) {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return MigrateResult{}, fmt.Errorf("database URL: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return MigrateResult{}, ConnectError(cfg.Config, err)
	}
	defer conn.Close(context.Background())

	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return MigrateResult{}, fmt.Errorf("prepare %s: %w", versionTable, err)
	}
	if err := m.LoadMigrations(fsys); err != nil {
		return MigrateResult{}, fmt.Errorf("load migrations: %w", err)
	}
	from, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return MigrateResult{}, fmt.Errorf("read schema version: %w", err)
	}
	latest := int32(len(m.Migrations))
	if from > latest {
		return MigrateResult{From: from, To: from}, fmt.Errorf("%w: database is at version %d, this binary knows up to %d; upgrade stancewatch", ErrSchemaNewer, from, latest)
	}
	// The version read above may be stale by the time tern holds its lock
	// (another process may have migrated meanwhile), so what was applied
	// is counted as it happens.
	var applied []string
	m.OnStart = func(_ int32, name, _, _ string) { applied = append(applied, name) }
	err = m.Migrate(ctx)
	to, verr := m.GetCurrentVersion(ctx)
	res := MigrateResult{From: to - int32(len(applied)), To: to, Applied: applied}
	if err != nil {
		failed := "?"
		if len(applied) > 0 {
			failed = applied[len(applied)-1]
			res.From = to - int32(len(applied)) + 1
			res.Applied = applied[:len(applied)-1]
		}
		if verr != nil {
			return res, fmt.Errorf("migration %s failed: %w", failed, err)
		}
		return res, fmt.Errorf("migration %s failed and was rolled back (schema stays at version %d): %w", failed, to, err)
	}
	if verr != nil {
		return res, fmt.Errorf("read schema version: %w", verr)
	}
	return res, nil
}

// SchemaVersion returns the applied version, 0 for an empty database.
func (s *Store) SchemaVersion(ctx context.Context) (int32, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, versionTable).Scan(&exists); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int32
	if err := s.pool.QueryRow(ctx, `SELECT version FROM `+versionTable).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// CheckSchema returns nil when the database is at exactly the binary's
// version, and an error saying what to do otherwise.
func (s *Store) CheckSchema(ctx context.Context) error {
	have, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	want, err := LatestVersion()
	if err != nil {
		return err
	}
	switch {
	case have > want:
		return fmt.Errorf("%w: database is at version %d, this binary knows up to %d; upgrade stancewatch", ErrSchemaNewer, have, want)
	case have < want:
		return fmt.Errorf("database schema is at version %d, this binary needs %d: run `stancewatch migrate`", have, want)
	}
	return nil
}
