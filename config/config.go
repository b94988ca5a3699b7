// Package config loads stancewatch's configuration: one YAML file, then
// environment overrides, then validation. The zero-file case (built-in
// defaults plus environment) is a valid configuration too.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/stancewatch/stancewatch/feeds"
)

// EnvPrefix starts the name of every environment override except
// DATABASE_URL, e.g. STANCEWATCH_POLL_WORKERS for poll.workers.
const EnvPrefix = "STANCEWATCH_"

// Config is the whole configuration. Field comments are the reference
// documentation; README.md repeats them for users.
type Config struct {
	Database     Database     `yaml:"database"`
	Timezone     string       `yaml:"timezone"`
	Log          Log          `yaml:"log"`
	HTTP         HTTP         `yaml:"http"`
	Poll         Poll         `yaml:"poll"`
	Tagger       Tagger       `yaml:"tagger"`
	Digest       Digest       `yaml:"digest"`
	Housekeeping Housekeeping `yaml:"housekeeping"`
	Shutdown     Shutdown     `yaml:"shutdown"`
	// Feeds are added to the database when the daemon starts (existing
	// feeds keep their state; feeds not listed here are left alone).
	Feeds []Feed `yaml:"feeds"`
}

// Database says where PostgreSQL is.
type Database struct {
	URL      string `yaml:"url"` // overridden by DATABASE_URL; masked when printed
	MaxConns int    `yaml:"max_conns"`
}

// Log configures log/slog output on stderr.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// HTTP is the daemon's listener for /healthz, /readyz, /metrics, /digests/
// and the analyst workbench (/, /api/v1/).
type HTTP struct {
	Listen string `yaml:"listen"` // empty disables the listener
	// Timeouts of the listener's connections: the request headers, the
	// whole request, the response, and an idle keep-alive connection.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	// Workbench serves the analyst workbench (/, /api/v1/) on the
	// listener; false leaves only the probes, metrics and digests.
	Workbench bool `yaml:"workbench"`
	Auth      Auth `yaml:"auth"`
}

// Auth lists who may use the workbench. Without tokens the workbench is
// open for reading and the listener must be on a loopback address.
type Auth struct {
	Tokens []Token `yaml:"tokens"`
}

// Token is one client of the workbench. Token is the secret itself, or
// env:VAR (read from the environment) or file:PATH (read from a file,
// trailing white space removed); Secret is what it resolved to.
type Token struct {
	Name   string `yaml:"name"`
	Role   string `yaml:"role"` // reader or editor
	Token  string `yaml:"token"`
	Secret string `yaml:"-"`
}

// Poll configures fetching.
type Poll struct {
	Schedule        string        `yaml:"schedule"` // cron spec of the poll tick
	Workers         int           `yaml:"workers"`
	PerHost         int           `yaml:"per_host"`
	Interval        time.Duration `yaml:"interval"` // default per-feed interval
	MinInterval     time.Duration `yaml:"min_interval"`
	MaxInterval     time.Duration `yaml:"max_interval"`
	Timeout         time.Duration `yaml:"timeout"`         // whole request
	ConnectTimeout  time.Duration `yaml:"connect_timeout"` // TCP + TLS
	MaxBodyBytes    int64         `yaml:"max_body_bytes"`
	MaxErrors       int           `yaml:"max_errors"` // consecutive failures before a feed is disabled
	UserAgent       string        `yaml:"user_agent"` // empty: stancewatch/VERSION (+URL)
	FullTextWorkers int           `yaml:"full_text_workers"`
	// MaxItems bounds the items read per feed document (the rest are
	// dropped with a warning); MaxTextBytes the text kept and tagged per
	// article (cut at a character boundary and marked).
	MaxItems     int `yaml:"max_items"`
	MaxTextBytes int `yaml:"max_text_bytes"`
	// AllowPrivateNetworks lets feeds and article pages reach loopback,
	// private, link-local and other non-public addresses, refused by
	// default; AllowHosts opens named hosts only (as URLs name them).
	AllowPrivateNetworks bool     `yaml:"allow_private_networks"`
	AllowHosts           []string `yaml:"allow_hosts"`
	// FileRoot enables file:// feeds for the regular files under this
	// directory (symlinks resolved); empty, the default, disables them.
	FileRoot string `yaml:"file_root"`
}

// Tagger configures the rule engine.
type Tagger struct {
	RulesDir       string `yaml:"rules_dir"`      // empty: the rules built into the binary
	RetagSchedule  string `yaml:"retag_schedule"` // cron spec for re-tagging after a rules change
	RetagBatchSize int    `yaml:"retag_batch_size"`
}

// Digest configures the daily digest.
type Digest struct {
	Schedule string `yaml:"schedule"` // cron spec; the digest covers the previous day
	OutDir   string `yaml:"out_dir"`
	FeedSize int    `yaml:"feed_size"` // digests listed in feed.atom
	// BaseURL is the public URL at which the digests are served (the
	// daemon's /digests/ behind a proxy, or a web server over out_dir).
	// With it, feed.atom's links and ids are absolute; without it they
	// are relative to the feed, which most readers resolve, but not all.
	BaseURL string `yaml:"base_url"`
}

// Housekeeping configures retention.
type Housekeeping struct {
	Schedule string `yaml:"schedule"`
	// KeepHTMLDays drops the stored sanitised HTML of articles older than
	// this many days; the plain text and labels stay. 0 keeps it forever.
	KeepHTMLDays int `yaml:"keep_html_days"`
	// KeepPollLogDays deletes rows of the poll log older than this.
	KeepPollLogDays int `yaml:"keep_poll_log_days"`
}

// Shutdown bounds how long running jobs may take after SIGTERM.
type Shutdown struct {
	Timeout time.Duration `yaml:"timeout"`
}

// Feed is one feed listed in the configuration file.
type Feed struct {
	URL      string `yaml:"url"`
	Name     string `yaml:"name"`
	FullText bool   `yaml:"full_text"`
}

// Default returns the built-in configuration.
func Default() Config {
	return Config{
		Database: Database{MaxConns: 10},
		Timezone: "UTC",
		Log:      Log{Level: "info", Format: "text"},
		HTTP: HTTP{
			Listen:            "127.0.0.1:8080",
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       60 * time.Second,
			Workbench:         true,
		},
		Poll: Poll{
			Schedule:        "@every 1m",
			Workers:         8,
			PerHost:         2,
			Interval:        15 * time.Minute,
			MinInterval:     5 * time.Minute,
			MaxInterval:     24 * time.Hour,
			Timeout:         30 * time.Second,
			ConnectTimeout:  10 * time.Second,
			MaxBodyBytes:    10 << 20,
			MaxErrors:       10,
			FullTextWorkers: 4,
			MaxItems:        1000,
			MaxTextBytes:    256 << 10,
		},
		Tagger: Tagger{RetagSchedule: "@every 10m", RetagBatchSize: 500},
		Digest: Digest{Schedule: "0 6 * * *", OutDir: "digests", FeedSize: 30},
		Housekeeping: Housekeeping{
			Schedule:        "30 3 * * *",
			KeepHTMLDays:    90,
			KeepPollLogDays: 30,
		},
		Shutdown: Shutdown{Timeout: 30 * time.Second},
	}
}

// Loaded is a configuration with a note of where its values came from.
type Loaded struct {
	Config
	File         string   // "" when no file was read
	EnvOverrides []string // names of the environment variables that applied
}

// Load reads path (skipped when empty), applies environment overrides from
// getenv and validates the result.
func Load(path string, getenv func(string) string) (*Loaded, error) {
	l := &Loaded{Config: Default(), File: path}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := decode(data, &l.Config); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
	}
	applied, err := applyEnv(&l.Config, getenv)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	l.EnvOverrides = applied
	if err := l.Config.HTTP.Auth.resolve(getenv); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := l.Config.Validate(); err != nil {
		if path != "" {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
		return nil, fmt.Errorf("config: %w", err)
	}
	return l, nil
}

func decode(data []byte, c *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a misspelt key is an error, not a silent default
	err := dec.Decode(c)
	if errors.Is(err, io.EOF) {
		return nil // empty file: defaults
	}
	if err != nil {
		return errors.New(unknownField.ReplaceAllStringFunc(err.Error(), func(m string) string {
			sub := unknownField.FindStringSubmatch(m)
			return fmt.Sprintf("unknown key %q in %s", sub[1], sectionOf(sub[2]))
		}))
	}
	return nil
}

// unknownField matches yaml's message for a key that has no field.
var unknownField = regexp.MustCompile(`field (\S+) not found in type config\.(\w+)`)

// sectionOf names the YAML section that Go type name decodes.
func sectionOf(typeName string) string {
	if typeName == "Config" {
		return "the top level"
	}
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Name() == typeName {
			return "section " + strings.Split(f.Tag.Get("yaml"), ",")[0]
		}
	}
	return typeName
}

// applyEnv sets every scalar field for which STANCEWATCH_<PATH> is set,
// PATH being the YAML keys joined by "_" in upper case. DATABASE_URL wins
// over STANCEWATCH_DATABASE_URL, as every Postgres tool expects.
func applyEnv(c *Config, getenv func(string) string) ([]string, error) {
	var applied []string
	var walk func(v reflect.Value, prefix string) error
	walk = func(v reflect.Value, prefix string) error {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			key := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if key == "" || key == "-" {
				continue
			}
			fv := v.Field(i)
			name := prefix + strings.ToUpper(key)
			if fv.Kind() == reflect.Struct {
				if err := walk(fv, name+"_"); err != nil {
					return err
				}
				continue
			}
			raw := getenv(name)
			if raw == "" {
				continue
			}
			if err := setScalar(fv, raw); err != nil {
				return fmt.Errorf("environment %s=%q: %w", name, raw, err)
			}
			applied = append(applied, name)
		}
		return nil
	}
	if err := walk(reflect.ValueOf(c).Elem(), EnvPrefix); err != nil {
		return nil, err
	}
	if u := getenv("DATABASE_URL"); u != "" {
		c.Database.URL = u
		applied = append(applied, "DATABASE_URL")
	}
	return applied, nil
}

var durationType = reflect.TypeOf(time.Duration(0))

func setScalar(v reflect.Value, raw string) error {
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(raw)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		var list []string
		for _, item := range strings.Split(raw, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		v.Set(reflect.ValueOf(list))
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return err
		}
		v.SetInt(n)
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}

// CronParser is the parser every schedule in the configuration must pass;
// the daemon uses the same one.
func CronParser() cron.Parser {
	return cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
}

// Validate reports every invalid setting, each naming its YAML key.
func (c *Config) Validate() error {
	var p problems
	c.validateGeneral(&p)
	c.validateSchedules(&p)
	c.validatePositive(&p)
	c.validatePoll(&p)
	c.validateHousekeeping(&p)
	c.validateDigest(&p)
	c.validateAuth(&p)
	c.validateFeeds(&p)
	return p.err()
}

// problems collects every invalid setting so that Validate reports them all
// at once.
type problems []error

// add records that the setting at key is invalid.
func (p *problems) add(key, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

// err joins the problems into one error, or nil when there are none.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	errs := slices.Clone(p)
	// Sorted so that the message does not depend on map iteration order.
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = "\n  - " + e.Error()
	}
	return fmt.Errorf("invalid configuration:%s", strings.Join(lines, ""))
}

// validateGeneral checks the time zone and the log settings.
func (c *Config) validateGeneral(p *problems) {
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		p.add("timezone", "unknown time zone %q (use an IANA name such as UTC or Europe/Kyiv)", c.Timezone)
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		p.add("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		p.add("log.format", "%q is not one of text, json", c.Log.Format)
	}
}

// validateSchedules checks every cron schedule with the daemon's parser.
func (c *Config) validateSchedules(p *problems) {
	parser := CronParser()
	for key, spec := range map[string]string{
		"poll.schedule":         c.Poll.Schedule,
		"tagger.retag_schedule": c.Tagger.RetagSchedule,
		"digest.schedule":       c.Digest.Schedule,
		"housekeeping.schedule": c.Housekeeping.Schedule,
	} {
		if _, err := parser.Parse(spec); err != nil {
			p.add(key, "invalid cron schedule %q: %v", spec, err)
		}
	}
}

// validatePositive checks the counts, sizes and durations that must be
// greater than zero.
func (c *Config) validatePositive(p *problems) {
	positive := map[string]int64{
		"database.max_conns":       int64(c.Database.MaxConns),
		"poll.workers":             int64(c.Poll.Workers),
		"poll.per_host":            int64(c.Poll.PerHost),
		"poll.interval":            int64(c.Poll.Interval),
		"poll.min_interval":        int64(c.Poll.MinInterval),
		"poll.max_interval":        int64(c.Poll.MaxInterval),
		"poll.timeout":             int64(c.Poll.Timeout),
		"poll.connect_timeout":     int64(c.Poll.ConnectTimeout),
		"poll.max_body_bytes":      c.Poll.MaxBodyBytes,
		"poll.max_errors":          int64(c.Poll.MaxErrors),
		"poll.full_text_workers":   int64(c.Poll.FullTextWorkers),
		"poll.max_items":           int64(c.Poll.MaxItems),
		"poll.max_text_bytes":      int64(c.Poll.MaxTextBytes),
		"http.read_header_timeout": int64(c.HTTP.ReadHeaderTimeout),
		"http.read_timeout":        int64(c.HTTP.ReadTimeout),
		"http.write_timeout":       int64(c.HTTP.WriteTimeout),
		"http.idle_timeout":        int64(c.HTTP.IdleTimeout),
		"tagger.retag_batch_size":  int64(c.Tagger.RetagBatchSize),
		"digest.feed_size":         int64(c.Digest.FeedSize),
		"shutdown.timeout":         int64(c.Shutdown.Timeout),
	}
	for key, n := range positive {
		if n <= 0 {
			p.add(key, "must be greater than zero")
		}
	}
}

// validatePoll checks the poll settings beyond being positive.
func (c *Config) validatePoll(p *problems) {
	if c.Poll.MaxTextBytes > 0 && c.Poll.MaxTextBytes < 1024 {
		p.add("poll.max_text_bytes", "%d is too small to keep an article's text; use at least 1024", c.Poll.MaxTextBytes)
	}
	for i, h := range c.Poll.AllowHosts {
		_, ipErr := netip.ParseAddr(strings.Trim(h, "[]"))
		if strings.TrimSpace(h) == "" || strings.ContainsAny(h, "/@ ") || (strings.Contains(h, ":") && ipErr != nil) {
			p.add(fmt.Sprintf("poll.allow_hosts[%d]", i), "%q is not a host name or IP address (no scheme, no port)", h)
		}
	}
	if c.Poll.MinInterval > c.Poll.MaxInterval {
		p.add("poll.min_interval", "%s is greater than poll.max_interval %s", c.Poll.MinInterval, c.Poll.MaxInterval)
	}
}

// validateHousekeeping checks the retention periods.
func (c *Config) validateHousekeeping(p *problems) {
	if c.Housekeeping.KeepHTMLDays < 0 {
		p.add("housekeeping.keep_html_days", "must not be negative")
	}
	if c.Housekeeping.KeepPollLogDays < 0 {
		p.add("housekeeping.keep_poll_log_days", "must not be negative")
	}
}

// validateDigest checks where the digest is written and linked from.
func (c *Config) validateDigest(p *problems) {
	if c.Digest.OutDir == "" {
		p.add("digest.out_dir", "must not be empty")
	}
	if c.Digest.BaseURL != "" {
		if u, err := url.Parse(c.Digest.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.add("digest.base_url", "%q is not an absolute http or https URL", c.Digest.BaseURL)
		}
	}
}

// validateAuth checks every API token: a unique name, a known role and a
// long enough secret.
func (c *Config) validateAuth(p *problems) {
	names := map[string]bool{}
	for i, t := range c.HTTP.Auth.Tokens {
		key := fmt.Sprintf("http.auth.tokens[%d]", i)
		switch {
		case t.Name == "":
			p.add(key+".name", "must not be empty")
		case names[t.Name]:
			p.add(key+".name", "%q is used twice", t.Name)
		}
		names[t.Name] = true
		if t.Role != "reader" && t.Role != "editor" {
			p.add(key+".role", "%q is not one of reader, editor", t.Role)
		}
		if secret := t.secret(); len(secret) < MinTokenLength {
			p.add(key+".token", "the token must have at least %d characters (it has %d)", MinTokenLength, len(secret))
		}
	}
}

// validateFeeds checks every feed URL: present, listed once, pollable, and
// for file: URLs inside poll.file_root.
func (c *Config) validateFeeds(p *problems) {
	seen := map[string]bool{}
	for i, f := range c.Feeds {
		key := fmt.Sprintf("feeds[%d].url", i)
		_, err := feeds.CheckURL(f.URL)
		if seen[f.URL] {
			p.add(key, "%q is listed twice", feeds.RedactURL(f.URL))
		}
		seen[f.URL] = true
		switch {
		case f.URL == "":
			p.add(key, "must not be empty")
		case err != nil:
			p.add(key, "%v", err)
		case strings.HasPrefix(strings.TrimSpace(f.URL), "file:"):
			if err := feeds.FeedFileAllowed(c.Poll.FileRoot, strings.TrimSpace(f.URL)); err != nil {
				p.add(key, "%v", err)
			}
		}
	}
}

// Location returns the configured time zone (validated by Load).
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Masked returns the configuration as YAML with secrets masked: the
// database password and every literal token (env: and file: references
// are shown, as they hold no secret).
func (l *Loaded) Masked() ([]byte, error) {
	c := l.Config
	c.Database.URL = MaskURL(c.Database.URL)
	c.Feeds = slices.Clone(c.Feeds)
	for i, f := range c.Feeds {
		c.Feeds[i].URL = feeds.RedactURL(f.URL)
	}
	c.HTTP.Auth.Tokens = slices.Clone(c.HTTP.Auth.Tokens)
	for i, t := range c.HTTP.Auth.Tokens {
		if !strings.HasPrefix(t.Token, "env:") && !strings.HasPrefix(t.Token, "file:") {
			c.HTTP.Auth.Tokens[i].Token = mask
		}
	}
	return yaml.Marshal(&c)
}

// MinTokenLength is the shortest token accepted: long enough that
// guessing is hopeless.
const MinTokenLength = 16

// resolve reads the env: and file: tokens into Secret.
func (a *Auth) resolve(getenv func(string) string) error {
	for i := range a.Tokens {
		t := &a.Tokens[i]
		key := fmt.Sprintf("http.auth.tokens[%d].token", i)
		switch {
		case strings.HasPrefix(t.Token, "env:"):
			name := strings.TrimPrefix(t.Token, "env:")
			if t.Secret = getenv(name); t.Secret == "" {
				return fmt.Errorf("%s: environment variable %s is not set", key, name)
			}
		case strings.HasPrefix(t.Token, "file:"):
			data, err := os.ReadFile(strings.TrimPrefix(t.Token, "file:"))
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			t.Secret = strings.TrimSpace(string(data))
		default:
			t.Secret = t.Token
		}
	}
	return nil
}

// secret is the resolved token; a Config built in code may set only Token.
func (t Token) secret() string {
	if t.Secret != "" {
		return t.Secret
	}
	if strings.HasPrefix(t.Token, "env:") || strings.HasPrefix(t.Token, "file:") {
		return ""
	}
	return t.Token
}

// SecretValue is the token a client must send.
func (t Token) SecretValue() string { return t.secret() }

// CheckExposure refuses the workbench on a non-loopback address without
// tokens: it would show every stored article to anyone who can reach it.
func (h HTTP) CheckExposure() error {
	if h.Listen == "" || !h.Workbench || len(h.Auth.Tokens) > 0 {
		return nil
	}
	host, _, err := net.SplitHostPort(h.Listen)
	if err != nil {
		return fmt.Errorf("http.listen: %q is not host:port: %w", h.Listen, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("http.listen is %q, which is not a loopback address, and http.auth.tokens is empty: "+
		"the workbench would be open to anyone who can reach it; add tokens under http.auth.tokens "+
		"(see docs/workbench.md), listen on 127.0.0.1, or turn the workbench off with http.workbench: false", h.Listen)
}

// keywordSecret matches a password-like key=value pair of a libpq
// keyword/value string (password, sslpassword, ...), quoted or not.
var keywordSecret = regexp.MustCompile(`(?i)(\b[a-z_]*password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// brokenUserinfo is a password left in a URL that the structure could
// not place: masked greedily, as pgx does in its own errors.
var brokenUserinfo = regexp.MustCompile(`:[^@]+@`)

const mask = "xxxxx"

// MaskURL hides every secret in a PostgreSQL URL or keyword/value string:
// the userinfo password, password-like parameters (password=,
// sslpassword=, in the query or as keywords, however percent-encoded),
// and, as the driver itself reads the string (pgconn.ParseConfig), the
// password it would send, wherever it still appears. It reads the string
// the way pgx does, so a URL that Go's URL parser rejects (an unescaped
// '#' in the password) is masked too.
func MaskURL(s string) string {
	if s == "" {
		return s
	}
	var out string
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		out = maskConnURL(s)
	} else {
		out = keywordSecret.ReplaceAllString(s, "${1}"+mask)
	}
	// The driver's reading: whatever password it finds must not survive.
	if cfg, err := pgconn.ParseConfig(s); err == nil {
		// Too short a password is not replaced blindly (it would mask
		// unrelated text); the structure above has masked it.
		if secret := cfg.Password; len(secret) >= 3 {
			for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
				out = strings.ReplaceAll(out, form, mask)
			}
		}
	}
	return out
}

// maskConnURL masks a postgres:// URL structurally, the way pgx splits
// it: the userinfo ends at the first '@' that comes before any '/'.
func maskConnURL(s string) string {
	scheme, rest, _ := strings.Cut(s, "://")
	var b strings.Builder
	b.WriteString(scheme + "://")
	if i := strings.IndexAny(rest, "@/"); i >= 0 && rest[i] == '@' {
		user, _, hasPassword := strings.Cut(rest[:i], ":")
		b.WriteString(user)
		if hasPassword {
			b.WriteString(":" + mask)
		}
		b.WriteByte('@')
		rest = rest[i+1:]
	}
	if strings.IndexByte(rest, '@') >= 0 {
		if _, err := url.Parse(s); err != nil {
			rest = brokenUserinfo.ReplaceAllString(rest, ":"+mask+"@")
		}
	}
	path, query, hasQuery := strings.Cut(rest, "?")
	b.WriteString(path)
	if !hasQuery {
		return b.String()
	}
	b.WriteByte('?')
	for i, pair := range strings.Split(query, "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		key, _, hasValue := strings.Cut(pair, "=")
		decoded, err := url.QueryUnescape(key)
		if err != nil {
			decoded = key
		}
		if hasValue && strings.Contains(strings.ToLower(decoded), "password") {
			b.WriteString(key + "=" + mask)
			continue
		}
		b.WriteString(pair)
	}
	return b.String()
}
