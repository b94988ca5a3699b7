package tagger

// Load loads the rules of dir, or the rules built into the binary when
// dir is "": what `tagger.rules_dir` in the configuration means.
func Load(dir string) (*Engine, error) {
	if dir == "" {
		return LoadBuiltin()
	}
	return LoadDir(dir)
}
