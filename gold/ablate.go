package gold

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/stancewatch/stancewatch/tagger"
)

// ablationFields are the answers an ablation counts, in the order it
// prints them.
var ablationFields = []string{"outlook", "topics", "framing", "relevant"}

// Ablation is what leaving one rule out changes on a gold set: by field,
// how many answers become right (Better) and how many become wrong
// (Worse). A rule whose absence makes more answers right than wrong
// reads something the labellers do not; one whose absence changes
// nothing is carried by others.
type Ablation struct {
	Rule          string
	Better, Worse map[string]int
}

// Net is the answers made right less those made wrong, over all fields.
func (a Ablation) Net() int {
	n := 0
	for _, f := range ablationFields {
		n += a.Better[f] - a.Worse[f]
	}
	return n
}

// Ablations are the rules' ablations on one set of articles.
type Ablations struct {
	Version  string
	Articles int
	Rules    []Ablation // every rule that matched, the most harmful first
}

// Ablate tags arts with base, then, for every rule that matched any of
// them, with base less that rule (without loads it), and counts the
// answers each absence changes. Actors are left out: they decide no
// answer.
func Ablate(base *tagger.Engine, without func(rule string) (*tagger.Engine, error), arts []Article) (Ablations, error) {
	out := Ablations{Version: base.Version(), Articles: len(arts)}
	seen := map[string]bool{}
	var rules []string
	bp := make([]Prediction, len(arts))
	for i, a := range arts {
		res, ex := base.Explain(tagger.Document{Title: a.Title, Body: a.Body, Lang: a.Lang})
		bp[i] = Prediction{Labels: LabelsOf(res)}
		for _, m := range ex.Matches {
			if !seen[m.Rule] && !strings.HasPrefix(m.Label, "actor:") {
				seen[m.Rule] = true
				rules = append(rules, m.Rule)
			}
		}
	}
	slices.Sort(rules)
	for _, r := range rules {
		e, err := without(r)
		if err != nil {
			return out, fmt.Errorf("without %s: %w", r, err)
		}
		ab := Ablation{Rule: r, Better: map[string]int{}, Worse: map[string]int{}}
		for _, ch := range changes(arts, bp, predict(e, arts)) {
			switch ch.Verdict {
			case Better:
				ab.Better[ch.Field]++
			case Worse:
				ab.Worse[ch.Field]++
			}
		}
		out.Rules = append(out.Rules, ab)
	}
	slices.SortStableFunc(out.Rules, func(a, b Ablation) int { return cmp.Compare(b.Net(), a.Net()) })
	return out, nil
}

// Write prints one line for each rule whose absence changes an answer:
// per field, the answers made right (+) and wrong (-) by leaving it out.
func (a Ablations) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "rules version %s; %d articles; %d rules matched\n", a.Version, a.Articles, len(a.Rules))
	fmt.Fprintf(bw, "left out, the answers made right (+) and wrong (-); net over all fields:\n")
	fmt.Fprintf(bw, "%-50s %5s", "rule", "net")
	for _, f := range ablationFields {
		fmt.Fprintf(bw, " %10s", f)
	}
	fmt.Fprintln(bw)
	quiet := 0
	for _, r := range a.Rules {
		changed := false
		for _, f := range ablationFields {
			changed = changed || r.Better[f] > 0 || r.Worse[f] > 0
		}
		if !changed {
			quiet++
			continue
		}
		fmt.Fprintf(bw, "%-50s %+5d", r.Rule, r.Net())
		for _, f := range ablationFields {
			fmt.Fprintf(bw, " %10s", fmt.Sprintf("+%d -%d", r.Better[f], r.Worse[f]))
		}
		fmt.Fprintln(bw)
	}
	fmt.Fprintf(bw, "%d rules change no answer when left out\n", quiet)
	return bw.Flush()
}
