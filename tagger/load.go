package tagger

import (
	"fmt"
	"io/fs"
	"os"
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
	return load(s.fsys, s.name, s.cache, s.build)
}
