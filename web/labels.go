package web

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stancewatch/stancewatch/taxonomy"
)

// The taxonomy's label values, in its order, as the API accepts them.
var (
	topicNames   = taxonomy.Topics()
	outlookNames = taxonomy.Outlooks()
	framingNames = taxonomy.Framings()
)

// oneOf checks that v is one of values, with a message naming them.
func oneOf(v string, values []string) error {
	if slices.Contains(values, v) {
		return nil
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(values, ", "))
}
