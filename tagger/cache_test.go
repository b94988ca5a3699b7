package tagger

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// sameEngine fails unless a and b hold the same compiled rules.
func sameEngine(t *testing.T, a, b *Engine) {
	t.Helper()
	newA, newB := a.pool.New, b.pool.New
	a.pool.New, b.pool.New = nil, nil
	defer func() { a.pool.New, b.pool.New = newA, newB }()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the engine read back differs from the one compiled")
	}
}

// TestCacheRoundTrip: an engine read back from its encoding is the
// compiled one, field for field (a field added to the engine and not to
// the cache fails here).
func TestCacheRoundTrip(t *testing.T) {
	e, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeEngine(encodeEngine(e, "key"), "key")
	if err != nil {
		t.Fatal(err)
	}
	sameEngine(t, e, back)
	if _, err := decodeEngine(encodeEngine(e, "key"), "other"); err == nil {
		t.Error("a cache file read under another key")
	}
}

func cacheFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.rules"))
	return files
}

// TestCacheRobust: a cache file that is corrupt, truncated, empty or of
// another rule set is never used; loading compiles and rewrites it.
func TestCacheRobust(t *testing.T) {
	if buildID() == "" {
		t.Skip("the test binary has no build ID: no cache")
	}
	want, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	load := func() *Engine {
		t.Helper()
		e, err := Load(CacheDir(dir))
		if err != nil {
			t.Fatal(err)
		}
		sameEngine(t, want, e)
		return e
	}
	load() // compiles and writes
	files := cacheFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("cache files %v, want one", files)
	}
	load() // reads
	good, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"empty":      nil,
		"truncated":  good[:len(good)/2],
		"flipped":    append(append([]byte(nil), good[:len(good)-100]...), append([]byte{good[len(good)-100] ^ 0x40}, good[len(good)-99:]...)...),
		"old format": append([]byte("stancewatch compiled rules\n\x00"), good[len(cacheMagic):]...),
		"garbage":    []byte(strings.Repeat("x", 4096)),
	} {
		if err := os.WriteFile(files[0], bad, 0o600); err != nil {
			t.Fatal(err)
		}
		load()
		if got, _ := os.ReadFile(files[0]); !reflect.DeepEqual(got, good) {
			t.Errorf("%s: the cache file was not rewritten", name)
		}
	}

	// Edited rules have another key: the cached engine of the old ones
	// is not read for them.
	fsys := fstest.MapFS{}
	names, _ := fs.Glob(BuiltinRules(), "*.yaml")
	for _, n := range names {
		data, _ := fs.ReadFile(BuiltinRules(), n)
		fsys[n] = &fstest.MapFile{Data: data}
	}
	for _, opt := range []LoadOption{FromFS(fsys, "rules"), nil} {
		if opt == nil {
			edited := string(fsys["settings.yaml"].Data) + "\n# edited\n"
			fsys["settings.yaml"] = &fstest.MapFile{Data: []byte(edited)}
			opt = FromFS(fsys, "rules")
		}
		fresh, err := Load(opt)
		if err != nil {
			t.Fatal(err)
		}
		cached, err := Load(opt, CacheDir(dir))
		if err != nil {
			t.Fatal(err)
		}
		sameEngine(t, fresh, cached)
	}
	if n := len(cacheFiles(t, dir)); n != 2 {
		t.Errorf("%d cache files, want 2 (the built-in rules and the edited ones)", n)
	}
}

// TestCacheKnowsEveryField: cache.go writes the compiled engine field by
// field. A field added to one of these types must be written and read
// there too (then update the count here); the round trip above only
// notices when the built-in rules set the new field.
func TestCacheKnowsEveryField(t *testing.T) {
	for _, c := range []struct {
		v      any
		fields int
	}{
		{Engine{}, 34}, {rule{}, 19}, {cnode{}, 5}, {settingsSpec{}, 29}, {voiceSpec{}, 10}, {exampleSpec{}, 7},
		{testSpec{}, 4}, {fieldWeights{}, 3}, {window{}, 2}, {lexicon{}, 3}, {phraseTrie{}, 6}, {phraseNode{}, 5}, {wordPattern{}, 2},
	} {
		if n := reflect.TypeOf(c.v).NumField(); n != c.fields {
			t.Errorf("%T has %d fields, cache.go was written for %d: teach encodeEngine and decodeEngine the new ones", c.v, n, c.fields)
		}
	}
}
