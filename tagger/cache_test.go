package tagger

import (
	"io/fs"
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

// memCache is a RuleCache in memory, for the tests.
type memCache map[string][]byte

func (m memCache) Get(key string) []byte       { return m[key] }
func (m memCache) Put(key string, data []byte) { m[key] = data }

// TestCacheRobust: a cache entry that is corrupt, truncated, empty or of
// another rule set is never used; loading compiles and puts it again.
func TestCacheRobust(t *testing.T) {
	want, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	cache := memCache{}
	load := func(opts ...LoadOption) *Engine {
		t.Helper()
		e, err := Load(append(opts, WithCache(cache, "build-1"))...)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	sameEngine(t, want, load()) // compiles and puts
	if len(cache) != 1 {
		t.Fatalf("%d cache entries, want one", len(cache))
	}
	var key string
	var good []byte
	for k, v := range cache {
		key, good = k, v
	}
	sameEngine(t, want, load()) // reads
	for name, bad := range map[string][]byte{
		"empty":      nil,
		"truncated":  good[:len(good)/2],
		"flipped":    append(append([]byte(nil), good[:len(good)-100]...), append([]byte{good[len(good)-100] ^ 0x40}, good[len(good)-99:]...)...),
		"old format": append([]byte("stancewatch compiled rules\n\x00"), good[len(cacheMagic):]...),
		"garbage":    []byte(strings.Repeat("x", 4096)),
	} {
		cache[key] = bad
		sameEngine(t, want, load())
		if !reflect.DeepEqual(cache[key], good) {
			t.Errorf("%s: the cache entry was not put again", name)
		}
	}

	// Edited rules, or another build of the program, have another key:
	// the cached engine is not read for them.
	fsys := fstest.MapFS{}
	names, _ := fs.Glob(BuiltinRules(), "*.yaml")
	for _, n := range names {
		data, _ := fs.ReadFile(BuiltinRules(), n)
		fsys[n] = &fstest.MapFile{Data: data}
	}
	edited := string(fsys["settings.yaml"].Data) + "\n# edited\n"
	fsys["settings.yaml"] = &fstest.MapFile{Data: []byte(edited)}
	fresh, err := Load(FromFS(fsys, "rules"))
	if err != nil {
		t.Fatal(err)
	}
	sameEngine(t, fresh, load(FromFS(fsys, "rules")))
	if _, err := Load(WithCache(cache, "build-2")); err != nil {
		t.Fatal(err)
	}
	if len(cache) != 3 {
		t.Errorf("%d cache entries, want 3 (the built-in rules, the edited ones, another build)", len(cache))
	}
	// Without a build the cache is not used at all.
	empty := memCache{}
	if _, err := Load(WithCache(empty, "")); err != nil || len(empty) != 0 {
		t.Errorf("with no build: err %v, %d entries, want none", err, len(empty))
	}
}

// TestCacheKnowsEveryField: cache.go writes the compiled engine field by
// field. A field added to one of these types must be written and read
// there too (then update the count here); the round trip above only
// notices when the built-in rules set the new field. (Engine.dropped is
// not written: Load applies Without after reading a cached engine.)
func TestCacheKnowsEveryField(t *testing.T) {
	for _, c := range []struct {
		v      any
		fields int
	}{
		{Engine{}, 63}, {rule{}, 22}, {exclusion{}, 2}, {cnode{}, 5}, {settingsSpec{}, 53}, {voiceSpec{}, 21}, {exampleSpec{}, 7},
		{testSpec{}, 4}, {fieldWeights{}, 3}, {window{}, 2}, {lexicon{}, 3}, {phraseTrie{}, 6}, {phraseNode{}, 5}, {wordPattern{}, 2},
	} {
		if n := reflect.TypeOf(c.v).NumField(); n != c.fields {
			t.Errorf("%T has %d fields, cache.go was written for %d: teach encodeEngine and decodeEngine the new ones", c.v, n, c.fields)
		}
	}
}
