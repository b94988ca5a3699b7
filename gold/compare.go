package gold

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/stancewatch/stancewatch/tagger"
)

// Verdicts of a changed answer against the gold.
const (
	Better = "better" // the new rules give the gold's answer, the base ones did not
	Worse  = "worse"  // the base rules gave the gold's answer, the new ones do not
	Other  = "other"  // neither gives it (or, for topics, as many wrong either way)
)

// Change is one answer that two rule sets give differently.
type Change struct {
	Article   Article
	Field     string // relevant, topics, outlook or framing
	Base, New string
	Verdict   string
}

// Comparison is two rule sets scored on the same articles, with every
// answer that differs: the A/B measure of a rule change, read item by
// item rather than as two totals.
type Comparison struct {
	BaseVersion, NewVersion string
	Base, New               Report
	Changes                 []Change
}

// Compare tags every article with base and with cand and lists the
// answers that differ.
func Compare(base, cand *tagger.Engine, arts []Article) Comparison {
	c := Comparison{BaseVersion: base.Version(), NewVersion: cand.Version()}
	bp, np := predict(base, arts), predict(cand, arts)
	c.Base, c.New = Score(arts, bp), Score(arts, np)
	c.Changes = changes(arts, bp, np)
	return c
}

// changes lists the answers that the predictions bp and np give
// differently, with their verdicts against the gold.
func changes(arts []Article, bp, np []Prediction) []Change {
	var out []Change
	for i, a := range arts {
		b, n, g := bp[i].Labels, np[i].Labels, a.Labels
		if b.Relevant != n.Relevant {
			out = append(out, change(a, "relevant", fmt.Sprint(b.Relevant), fmt.Sprint(n.Relevant), fmt.Sprint(g.Relevant)))
		}
		if bt, nt := sorted(b.Topics), sorted(n.Topics); !slices.Equal(bt, nt) {
			v := Other
			switch be, ne := topicErrors(bt, g.Topics), topicErrors(nt, g.Topics); {
			case ne < be:
				v = Better
			case ne > be:
				v = Worse
			}
			out = append(out, Change{Article: a, Field: "topics", Base: strings.Join(bt, ","), New: strings.Join(nt, ","), Verdict: v})
		}
		if b.Outlook != n.Outlook {
			out = append(out, change(a, "outlook", b.Outlook, n.Outlook, g.Outlook))
		}
		if b.Framing != n.Framing {
			out = append(out, change(a, "framing", b.Framing, n.Framing, g.Framing))
		}
	}
	return out
}

func predict(e *tagger.Engine, arts []Article) []Prediction {
	preds := make([]Prediction, len(arts))
	for i, a := range arts {
		preds[i] = Prediction{Labels: LabelsOf(e.Tag(tagger.Document{Title: a.Title, Body: a.Body, Lang: a.Lang}))}
	}
	return preds
}

func change(a Article, field, base, cand, gold string) Change {
	v := Other
	switch gold {
	case cand:
		v = Better
	case base:
		v = Worse
	}
	return Change{Article: a, Field: field, Base: base, New: cand, Verdict: v}
}

func sorted(ts []string) []string {
	out := slices.Clone(ts)
	slices.Sort(out)
	return out
}

// topicErrors counts the topics given and not in the gold and the gold's
// topics not given.
func topicErrors(got, gold []string) int {
	n := 0
	for _, t := range got {
		if !slices.Contains(gold, t) {
			n++
		}
	}
	for _, t := range gold {
		if !slices.Contains(got, t) {
			n++
		}
	}
	return n
}

// Count returns how many changes have the verdict.
func (c Comparison) Count(verdict string) int {
	n := 0
	for _, ch := range c.Changes {
		if ch.Verdict == verdict {
			n++
		}
	}
	return n
}

// Write prints both summaries, the tally of changes and each change.
func (c Comparison) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "articles: %d\n", c.New.Articles)
	fmt.Fprintf(bw, "base %s: %s\n", c.BaseVersion, c.Base.Summary())
	fmt.Fprintf(bw, "new  %s: %s\n", c.NewVersion, c.New.Summary())
	fmt.Fprintf(bw, "changed answers: %d better, %d worse, %d other\n", c.Count(Better), c.Count(Worse), c.Count(Other))
	for _, ch := range c.Changes {
		g := ch.Article.Labels
		gold := map[string]string{"relevant": fmt.Sprint(g.Relevant), "topics": strings.Join(sorted(g.Topics), ","),
			"outlook": g.Outlook, "framing": g.Framing}[ch.Field]
		fmt.Fprintf(bw, "%-6s %-8s %s  gold %s: %s -> %s  | %s\n", ch.Verdict, ch.Field, ch.Article.ID, orDash(gold), orDash(ch.Base), orDash(ch.New), ch.Article.Title)
	}
	return bw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
