package archtest

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/stancewatch/stancewatch/"

// allowed lists, for every package of the project, the project packages
// its non-test code may import: the rules of docs/architecture.md, in
// the style of Go's own go/build/deps_test.go. A new package fails the
// test until it is added here, which is the moment to decide where it
// stands. Read from the bottom up: each layer may import only layers
// below it.
var allowed = map[string][]string{
	// Leaves: the vocabulary, and the two stages that know nothing of the
	// rest. tagger and feeds import no project package but taxonomy.
	"taxonomy":   {},
	"migrations": {},
	"deploy":     {},
	"tagger":     {"taxonomy"},
	"feeds":      {"taxonomy"},
	"config":     {"feeds"}, // feed URLs are checked by feeds.CheckURL

	// store holds all SQL and knows nothing of who calls it.
	"store": {"feeds", "migrations", "taxonomy"},

	// Readers of what is stored, and the gold format.
	"digest": {"store", "taxonomy"}, // not feeds, not the pipeline
	"gold":   {"tagger", "taxonomy"},

	// The analyst workbench and its API: reads and corrects what is
	// stored, in the digest's style.
	"web": {"digest", "store", "taxonomy"},

	// The pipeline: poll, store, tag.
	"ingest": {"config", "feeds", "store", "tagger"},

	// Scheduling, locks, shutdown and HTTP around the pipeline and digest.
	"daemon": {"config", "digest", "feeds", "ingest", "store", "tagger", "web"},

	// The one binary: it may import anything.
	"cmd/stancewatch": nil,

	// Tools and test helpers.
	"internal/pgcluster":       {},
	"internal/pgtest":          {"internal/pgcluster", "store", "store/storetest"},
	"internal/wbfixture":       {"store"},
	"internal/chromiumtest":    {},
	"internal/feedtest":        {},
	"internal/archtest":        {},
	"internal/tools/devdb":     {"internal/pgcluster"},
	"internal/tools/mkfeeds":   {"gold"},
	"internal/tools/headlines": {"tagger"},
	"internal/tools/agree":     {"gold"},
	"internal/tools/realset":   {"gold", "taxonomy"},
	"store/storetest":          {"store"},
}

// anything marks the packages whose imports are not limited.
var anything = map[string]bool{"cmd/stancewatch": true}

func TestImportsPointDown(t *testing.T) {
	t.Parallel()
	pkgs := projectImports(t)
	for pkg, imports := range pkgs {
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("package %s is not in the import rules: add it to allowed in %s, below what it imports", pkg, "internal/archtest/imports_test.go")
			continue
		}
		if anything[pkg] {
			continue
		}
		for _, imp := range imports {
			if !slices.Contains(ok, imp) {
				t.Errorf("%s imports %s; allowed: %v (docs/architecture.md)", pkg, imp, ok)
			}
		}
	}
	for pkg := range allowed {
		if _, ok := pkgs[pkg]; !ok {
			t.Errorf("the import rules name %s, which is not a package any more", pkg)
		}
	}
}

// The rules of the architecture, stated on their own so that a change of
// the table above that breaks one of them fails with its name.
func TestArchitectureRules(t *testing.T) {
	t.Parallel()
	pkgs := projectImports(t)
	for pkg, imports := range pkgs {
		for _, imp := range imports {
			switch {
			case (pkg == "tagger" || pkg == "feeds") && imp != "taxonomy":
				t.Errorf("%s imports %s: tagger and feeds import no project package but taxonomy", pkg, imp)
			case pkg == "store" && !slices.Contains([]string{"feeds", "migrations", "taxonomy"}, imp):
				t.Errorf("store imports %s: store imports nothing above it", imp)
			case pkg == "digest" && (imp == "feeds" || imp == "ingest" || imp == "daemon"):
				t.Errorf("digest imports %s: digest reads only what is stored", imp)
			case imp == "daemon" && pkg != "cmd/stancewatch":
				t.Errorf("%s imports daemon: only cmd/stancewatch does", pkg)
			}
		}
	}
}

// projectImports returns every package of the module (by path relative
// to the module) and the project packages its non-test files import.
func projectImports(t *testing.T) map[string][]string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	out := map[string][]string{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		var imps []string
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, module) {
				imps = append(imps, strings.TrimPrefix(imp, module))
			}
		}
		out[rel] = imps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("found only %d packages under %s", len(out), root)
	}
	return out
}
