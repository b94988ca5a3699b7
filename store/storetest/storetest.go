// Package storetest holds the helpers that tests of the packages above
// store use to look into the database and to set up what store's API
// cannot (a schema from the future, a changed article): the SQL of the
// tests lives here, next to store's own.
package storetest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/stancewatch/stancewatch/store"
)

// Count runs a query that returns one integer (a count) and returns it.
func Count(t testing.TB, st *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.Pool().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// Rows returns the number of rows in table.
func Rows(t testing.TB, st *store.Store, table string) int {
	t.Helper()
	return Count(t, st, "SELECT count(*) FROM "+table)
}

// Exec runs a statement, failing the test on error.
func Exec(t testing.TB, st *store.Store, stmt string, args ...any) {
	t.Helper()
	if _, err := st.Pool().Exec(context.Background(), stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// BumpSchema makes the database's schema one version newer than this
// binary knows, as a later release would leave it.
func BumpSchema(t testing.TB, st *store.Store) {
	t.Helper()
	Exec(t, st, `UPDATE schema_version SET version = version + 1`)
}

// Open opens a store on dbURL, closed when the test ends.
func Open(t testing.TB, dbURL string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dbURL, store.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// QueryRow runs a query of the test's own through the store's pool: to
// read back what the code under test wrote, where store has no method.
func QueryRow(t testing.TB, st *store.Store, query string, args ...any) pgx.Row {
	t.Helper()
	return st.Pool().QueryRow(context.Background(), query, args...)
}

// Strings returns the one text column of a query's rows.
func Strings(t testing.TB, st *store.Store, query string, args ...any) []string {
	t.Helper()
	rows, err := st.Pool().Query(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}
