package store_test

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/stancewatch/stancewatch/internal/pgtest"
	"github.com/stancewatch/stancewatch/taxonomy"
)

// TestCheckConstraintsMatchTheTaxonomy reads the CHECK constraints of a
// migrated database and compares their lists of values with package
// taxonomy, so that a value added on one side only fails here rather
// than at the first article that carries it.
func TestCheckConstraintsMatchTheTaxonomy(t *testing.T) {
	t.Parallel()
	conn := pgtest.Conn(t, pg.NewDatabase(t))
	for _, c := range []struct {
		table, column string
		want          []string
	}{
		{"article_tags", "outlook", taxonomy.Outlooks()},
		{"article_tags", "framing", taxonomy.Framings()},
		{"article_topics", "topic", taxonomy.Topics()},
	} {
		// The constraint on the column alone: `column IN (...)` comes
		// back as `(column = ANY (ARRAY['a'::text, ...]))`.
		var defs []string
		rows, err := conn.Query(context.Background(), `
SELECT pg_get_constraintdef(c.oid)
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
WHERE c.contype = 'c' AND c.conrelid = $1::regclass AND a.attname = $2 AND cardinality(c.conkey) = 1`,
			c.table, c.column)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				t.Fatal(err)
			}
			defs = append(defs, d)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(defs) != 1 {
			t.Errorf("%s.%s: %d single-column CHECK constraints %q, want one", c.table, c.column, len(defs), defs)
			continue
		}
		var got []string
		for _, m := range quoted.FindAllStringSubmatch(defs[0], -1) {
			got = append(got, m[1])
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s.%s: CHECK allows %q, package taxonomy has %q (order included)\n  %s", c.table, c.column, got, c.want, defs[0])
		}
	}
}

var quoted = regexp.MustCompile(`'([^']*)'`)
