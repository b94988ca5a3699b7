package feeds

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// CheckURL parses a feed's URL and checks that it can be fetched: http
// or https with a host, or file with a path. The configuration, the CLI
// and Fetch all check feed URLs with it.
func CheckURL(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, errors.New("empty URL")
	}
	u, err := url.Parse(s)
	if err != nil {
		// url.Error repeats the URL, password included: keep its reason.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("%s is not a valid URL: %w", RedactURL(raw), err)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("%q: no host in the URL", RedactURL(raw))
		}
	case "file":
		if u.Path == "" {
			return nil, fmt.Errorf("%q: no path in the file URL", RedactURL(raw))
		}
	default:
		return nil, fmt.Errorf("%q: scheme must be http, https or file", RedactURL(raw))
	}
	return u, nil
}
