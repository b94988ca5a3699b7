package tagger

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// LoadOption says where Load reads the rule files from; without one it
// loads the rules built into the binary.
type LoadOption func(*source)

type source struct {
	fsys fs.FS
	name string // how messages call the root
	dir  string // a directory to check first
	// cache keeps compiled rule sets (cache.go), for the program build.
	cache RuleCache
	build string
	drop  []string // rule ids left out (Without)
}

// FromDir loads every *.yaml and *.yml file under dir, or the built-in
// rules when dir is "" (what `tagger.rules_dir` in the configuration
// means). A directory replaces the built-in rules: it must hold a
// complete rule set (`stancewatch rules export DIR` writes the built-in
// one to start from).
func FromDir(dir string) LoadOption {
	return func(s *source) {
		if dir != "" {
			s.fsys, s.name, s.dir = os.DirFS(dir), dir, dir
		}
	}
}

// FromFS loads the rule files of fsys; name is how messages call its
// root.
func FromFS(fsys fs.FS, name string) LoadOption {
	return func(s *source) { s.fsys, s.name, s.dir = fsys, name, "" }
}

// Load reads, checks and compiles a rule set. Problems in the rule files
// come back as a *LoadError listing every one of them by file and line
// (use errors.As); other errors are I/O errors.
func Load(opts ...LoadOption) (*Engine, error) {
	s := source{fsys: BuiltinRules(), name: "rules"}
	for _, o := range opts {
		o(&s)
	}
	if s.dir != "" {
		st, err := os.Stat(s.dir)
		if err != nil {
			return nil, fmt.Errorf("rules directory: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("rules directory %s is not a directory", s.dir)
		}
	}
	e, err := load(s.fsys, s.name, s.cache, s.build)
	if err != nil || len(s.drop) == 0 {
		return e, err
	}
	return e, e.drop(s.drop)
}

// Without leaves the rules with these ids out of the loaded set: they
// match nothing and add nothing. It is for measuring what a rule adds
// (`stancewatch rules ablate`), not for configuring a deployment: edit
// the rule files for that.
func Without(ruleIDs ...string) LoadOption {
	return func(s *source) { s.drop = append(s.drop, ruleIDs...) }
}

// drop marks the rules with these ids as left out and gives the engine
// a version of its own, so that no answer of it passes for the full
// set's.
func (e *Engine) drop(ids []string) error {
	index := make(map[string]int, len(e.rules))
	for i, r := range e.rules {
		index[r.id] = i
	}
	e.dropped = make([]bool, len(e.rules))
	for _, id := range ids {
		i, ok := index[id]
		if !ok {
			return fmt.Errorf("leave out %q: the rule set has no rule of that id", id)
		}
		e.dropped[i] = true
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	sum := sha256.Sum256([]byte(strings.Join(sorted, "\n")))
	e.version = fmt.Sprintf("%s-without-%x", e.version, sum[:4])
	return nil
}
