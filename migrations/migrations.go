// Package migrations holds the versioned SQL schema, embedded in the
// binary. Files are named NNN_description.sql and numbered without gaps;
// each runs in its own transaction (see store.Migrate).
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
