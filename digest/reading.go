package digest

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/stancewatch/stancewatch/taxonomy"
)

// reading is the one-sentence summary of the day's outlook balance; see
// docs/digest.md for the rules.
func reading(h Headline, articles int) string {
	rel := h.Relevant.Count
	switch h.Lean {
	case "":
		if articles == 0 {
			return "No articles were published this day in the feeds stancewatch follows."
		}
		return fmt.Sprintf("None of the day's %s was about the talks.", plural(articles, "article", "articles"))
	case "none":
		return fmt.Sprintf("None of the %s characterised the state of the talks.", plural(rel, "relevant article", "relevant articles"))
	case "split":
		top := 0
		for _, o := range scoredOutlooks() {
			top = max(top, h.Outlook[o].Count)
		}
		var tied []string
		for _, o := range scoredOutlooks() {
			if h.Outlook[o].Count == top {
				tied = append(tied, taxonomy.OutlookName(o))
			}
		}
		return fmt.Sprintf("Coverage was split between %s: %d each of %s.",
			strings.Join(tied, " and "), top, plural(rel, "relevant article", "relevant articles"))
	}
	s := fmt.Sprintf("Coverage leaned to %s: %d of %s (%d%%)", leanPhrase(h.Lean), h.Outlook[h.Lean].Count,
		plural(rel, "relevant article", "relevant articles"), percent(h.LeanShare))
	var cmp []string
	if c := compareShare(h.LeanShare, h.LeanPrevious, "the previous day"); c != "" {
		cmp = append(cmp, c)
	}
	if c := compareShare(h.LeanShare, h.LeanAvg7, "over the previous 7 days"); c != "" {
		cmp = append(cmp, c)
	}
	if len(cmp) > 0 {
		s += ", " + strings.Join(cmp, ", ")
	}
	return s + "."
}

// compareShare says how today's share compares with an earlier one.
func compareShare(now, then float64, when string) string {
	switch {
	case then < 0:
		return "with no relevant coverage " + when
	case percent(then) < percent(now):
		return fmt.Sprintf("up from %d%% %s", percent(then), when)
	case percent(then) > percent(now):
		return fmt.Sprintf("down from %d%% %s", percent(then), when)
	}
	return fmt.Sprintf("the same share as %s", when)
}

func percent(share float64) int { return int(math.Round(share * 100)) }

func leanPhrase(outlook string) string {
	if outlook == "mixed" {
		return "a mixed picture"
	}
	return outlook
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// scoredOutlooks are the outlooks an article can lean to: all but "none".
func scoredOutlooks() []string {
	all := taxonomy.Outlooks()
	return slices.DeleteFunc(all, func(o string) bool { return o == taxonomy.OutlookNone })
}
