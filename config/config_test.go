package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "stancewatch.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaultsAreValid(t *testing.T) {
	t.Parallel()
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}

func TestFileThenEnvironment(t *testing.T) {
	t.Parallel()
	p := writeFile(t, `
database:
  url: postgres://file@db/file
timezone: Europe/Kyiv
poll:
  workers: 3
  interval: 20m
feeds:
  - url: https://example.org/rss
    name: Example
    full_text: true
`)
	l, err := Load(p, env(map[string]string{
		"STANCEWATCH_POLL_WORKERS":      "5",
		"STANCEWATCH_DIGEST_OUT_DIR":    "/var/lib/stancewatch/digests",
		"STANCEWATCH_DATABASE_URL":      "postgres://prefixed@db/x",
		"DATABASE_URL":                  "postgres://env@db/env",
		"STANCEWATCH_POLL_MIN_INTERVAL": "1m",
		"STANCEWATCH_DIGEST_BASE_URL":   "https://news.example.org/digests/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if l.Database.URL != "postgres://env@db/env" {
		t.Errorf("database.url = %q, want DATABASE_URL to win", l.Database.URL)
	}
	if l.Poll.Workers != 5 {
		t.Errorf("poll.workers = %d, want 5 from the environment", l.Poll.Workers)
	}
	if l.Poll.Interval != 20*time.Minute || l.Poll.MinInterval != time.Minute {
		t.Errorf("intervals = %s/%s, want 20m from the file and 1m from the environment", l.Poll.Interval, l.Poll.MinInterval)
	}
	if l.Digest.OutDir != "/var/lib/stancewatch/digests" {
		t.Errorf("digest.out_dir = %q", l.Digest.OutDir)
	}
	if l.Digest.BaseURL != "https://news.example.org/digests/" {
		t.Errorf("digest.base_url = %q", l.Digest.BaseURL)
	}
	if l.Location().String() != "Europe/Kyiv" {
		t.Errorf("location = %s", l.Location())
	}
	if len(l.Feeds) != 1 || !l.Feeds[0].FullText || l.Feeds[0].Name != "Example" {
		t.Errorf("feeds = %+v", l.Feeds)
	}
	if l.Poll.PerHost != Default().Poll.PerHost {
		t.Errorf("poll.per_host = %d, want the default for a key the file leaves out", l.Poll.PerHost)
	}
	joined := strings.Join(l.EnvOverrides, ",")
	for _, name := range []string{"DATABASE_URL", "STANCEWATCH_POLL_WORKERS"} {
		if !strings.Contains(joined, name) {
			t.Errorf("EnvOverrides %v misses %s", l.EnvOverrides, name)
		}
	}
}

func TestEmptyFileMeansDefaults(t *testing.T) {
	t.Parallel()
	l, err := Load(writeFile(t, "# nothing set\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if l.Poll.Workers != Default().Poll.Workers {
		t.Errorf("workers = %d", l.Poll.Workers)
	}
}

func TestUnknownKeyIsAnError(t *testing.T) {
	t.Parallel()
	_, err := Load(writeFile(t, "poll:\n  workers: 2\n  wrokers: 3\n"), env(nil))
	if err == nil {
		t.Fatal("a misspelt key was accepted")
	}
	for _, want := range []string{"line 3", `unknown key "wrokers"`, "section poll"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestInvalidValuesAreAllReported(t *testing.T) {
	t.Parallel()
	_, err := Load(writeFile(t, `
timezone: Nowhere/Land
log: {level: loud, format: xml}
poll: {workers: 0, min_interval: 2h, max_interval: 1h}
digest: {schedule: "not a schedule", base_url: "news.example.org/digests"}
feeds:
  - url: ftp://example.org/feed
`), env(nil))
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, want := range []string{"timezone", "log.level", "log.format", "poll.workers", "poll.min_interval", "digest.schedule", "digest.base_url", "feeds[0].url"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s:\n%v", want, err)
		}
	}
}

func TestBadEnvironmentValue(t *testing.T) {
	t.Parallel()
	_, err := Load("", env(map[string]string{"STANCEWATCH_POLL_TIMEOUT": "soon"}))
	if err == nil || !strings.Contains(err.Error(), "STANCEWATCH_POLL_TIMEOUT") {
		t.Fatalf("error %v does not name the variable", err)
	}
}

func TestMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), env(nil))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("error %v does not name the file", err)
	}
}

func TestMaskURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://u:s3cret@db:5432/x?sslmode=require": "postgres://u:xxxxx@db:5432/x?sslmode=require",
		"postgres://u@db/x?password=s3cret":             "postgres://u@db/x?password=xxxxx",
		"host=db user=u password=s3cret dbname=x":       "host=db user=u password=xxxxx dbname=x",
		"host=db password='s3 cret' dbname=x":           "host=db password=xxxxx dbname=x",
		"postgres://u@db/x":                             "postgres://u@db/x",
		// Forms found by the security review: pgx accepts them, Go's
		// URL parser rejects the first.
		"postgres://u:Pw6#s3x@db:5432/x":                              "postgres://u:xxxxx@db:5432/x",
		"postgres://u@db/x?sslmode=verify-full&sslpassword=s3keypass": "postgres://u@db/x?sslmode=verify-full&sslpassword=xxxxx",
		"host=db user=u sslpassword=s3keypass password=s3cret":        "host=db user=u sslpassword=xxxxx password=xxxxx",
		"postgres://u@db/x?pass%77ord=s3cret":                         "postgres://u@db/x?pass%77ord=xxxxx",
		"postgresql://u:s3%40cret@db/x":                               "postgresql://u:xxxxx@db/x",
		"postgres://u:s3c/ret@db/x":                                   "postgres://u:xxxxx@db/x",
	} {
		got := MaskURL(in)
		if got != want {
			t.Errorf("MaskURL(%q) = %q, want %q", in, got, want)
		}
		if strings.Contains(got, "s3") {
			t.Errorf("MaskURL(%q) leaks the password: %q", in, got)
		}
	}
}

func TestMaskedOutputHidesPassword(t *testing.T) {
	t.Parallel()
	l, err := Load("", env(map[string]string{"DATABASE_URL": "postgres://u:hunter2@db/x"}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := l.Masked()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "hunter2") || !strings.Contains(string(out), "xxxxx") {
		t.Errorf("masked output:\n%s", out)
	}
	if l.Database.URL != "postgres://u:hunter2@db/x" {
		t.Error("Masked changed the configuration itself")
	}
}

func TestFileFeedsNeedFileRoot(t *testing.T) {
	dir, root := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	os.WriteFile(path, []byte("feeds:\n  - url: file://"+filepath.ToSlash(root)+"/a.xml\n"), 0o600)
	if _, err := Load(path, env(nil)); err == nil || !strings.Contains(err.Error(), "poll.file_root") {
		t.Errorf("a file:// feed without poll.file_root: %v", err)
	}
	if _, err := Load(path, env(map[string]string{"STANCEWATCH_POLL_FILE_ROOT": dir})); err == nil || !strings.Contains(err.Error(), "not under poll.file_root") {
		t.Errorf("a file:// feed outside poll.file_root: %v", err)
	}
	l, err := Load(path, env(map[string]string{"STANCEWATCH_POLL_FILE_ROOT": root, "STANCEWATCH_POLL_ALLOW_HOSTS": "intranet.example, 10.0.0.7"}))
	if err != nil {
		t.Fatal(err)
	}
	if l.Poll.FileRoot != root || len(l.Poll.AllowHosts) != 2 || l.Poll.AllowHosts[1] != "10.0.0.7" || l.Poll.AllowPrivateNetworks {
		t.Errorf("poll %+v", l.Poll)
	}
	d := Default()
	if d.Poll.MaxItems != 1000 || d.Poll.MaxTextBytes != 256<<10 || d.HTTP.IdleTimeout <= 0 || d.HTTP.WriteTimeout <= 0 || d.Poll.FileRoot != "" {
		t.Errorf("defaults %+v %+v", d.Poll, d.HTTP)
	}
}

func TestAllowHostsValidated(t *testing.T) {
	for _, h := range []string{"intranet:8080", "https://intranet", "a b", ""} {
		c := Default()
		c.Poll.AllowHosts = []string{h}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "poll.allow_hosts[0]") {
			t.Errorf("allow_hosts %q: %v", h, err)
		}
	}
	c := Default()
	c.Poll.AllowHosts = []string{"intranet.example", "10.0.0.7", "::1", "[fd00::1]"}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}
