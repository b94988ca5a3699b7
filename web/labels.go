package web

import (
	"fmt"
	"slices"
	"strings"
)

// The taxonomy's label values, as the API accepts them.
var (
	topicNames   = []string{"territory", "security_guarantees", "european_response", "sanctions", "ceasefire", "humanitarian", "peace_plan", "us_mediation"}
	outlookNames = []string{"progress", "stalemate", "mixed", "none"}
	framingNames = []string{"pro_ukraine", "pro_russia", "neutral"}
)

// oneOf checks that v is one of values, with a message naming them.
func oneOf(v string, values []string) error {
	if slices.Contains(values, v) {
		return nil
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(values, ", "))
}
