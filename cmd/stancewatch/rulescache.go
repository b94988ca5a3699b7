package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"time"
)

// dirCache keeps compiled rule sets (tagger.RuleCache) as files in a
// directory, one per key: a short `stancewatch tag` run then reads the
// compiled rules in a few milliseconds instead of compiling them. Every
// step is best effort; the tagger checks what it reads back and compiles
// again when anything is wrong with it.
type dirCache struct{ dir string }

// cacheMaxAge is how long a cache file may go unused before a later
// write removes it: each rebuild of the binary or edit of the rules
// leaves one behind.
const cacheMaxAge = 7 * 24 * time.Hour

func (c dirCache) path(key string) string { return filepath.Join(c.dir, key+".rules") }

// Get returns the file of key, and marks it used so that pruning keeps it.
func (c dirCache) Get(key string) []byte {
	data, err := os.ReadFile(c.path(key))
	if err != nil {
		return nil
	}
	now := time.Now()
	_ = os.Chtimes(c.path(key), now, now)
	return data
}

// Put writes the file of key whole or not at all (written aside, then
// renamed), and removes the files unused for cacheMaxAge.
func (c dirCache) Put(key string, data []byte) {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(c.dir, "tmp-*")
	if err != nil {
		return
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), c.path(key))
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return
	}
	entries, _ := os.ReadDir(c.dir)
	for _, de := range entries {
		if info, err := de.Info(); err == nil && time.Since(info.ModTime()) > cacheMaxAge {
			_ = os.Remove(filepath.Join(c.dir, de.Name()))
		}
	}
}

// buildID returns the Go build ID of the running executable, or "" when
// it cannot be read. It changes with any change to the code or the
// build, so compiled rules cached by one binary are never read by
// another.
func buildID() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	if ef, err := elf.NewFile(f); err == nil {
		if sec := ef.Section(".note.go.buildid"); sec != nil {
			if data, err := sec.Data(); err == nil && len(data) > 16 {
				// An ELF note: name size, descriptor size, type, "Go\0\0",
				// then the ID.
				nameSize, descSize := binary.LittleEndian.Uint32(data), binary.LittleEndian.Uint32(data[4:])
				off := 12 + (int(nameSize)+3)&^3
				if nameSize == 4 && off+int(descSize) <= len(data) && descSize > 0 {
					return string(data[off : off+int(descSize)])
				}
			}
		}
		return ""
	}
	// Other formats carry the ID as text near the start of the file.
	head := make([]byte, 32<<10)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	const prefix = "\xff Go build ID: \""
	i := bytes.Index(head, []byte(prefix))
	if i < 0 {
		return ""
	}
	rest := head[i+len(prefix):]
	j := bytes.IndexByte(rest, '"')
	if j <= 0 {
		return ""
	}
	return string(rest[:j])
}
