package feeds

import (
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"https://wire.example/rss", "http://wire.example:8080/a?b=c", "file:///srv/feeds/a.xml", " https://wire.example/rss "} {
		if _, err := CheckURL(ok); err != nil {
			t.Errorf("CheckURL(%q): %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"":                       "empty",
		"ftp://wire.example/rss": "scheme must be http, https or file",
		"https:///path":          "no host",
		"file://":                "no path",
		"wire.example/rss":       "scheme must be",
		"http://[::1":            "missing ']'",
	} {
		if _, err := CheckURL(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckURL(%q) = %v, want an error with %q", bad, err, want)
		}
	}
}
