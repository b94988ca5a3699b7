package gold

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/stancewatch/stancewatch/tagger"
)

// Calibration: the decision's thresholds chosen by a repeatable
// procedure instead of by eye. Each gold file is a set. The thresholds
// are swept over a grid, one label at a time (relevance, then topics,
// outlook and framing under the relevance chosen), maximising the mean
// over the sets of each set's score; leave-one-set-out then shows what
// the procedure is worth on a set it did not see: for each set, the
// thresholds chosen on the others are scored on it.

// Set is a named gold set.
type Set struct {
	Name     string
	Articles []Article
	tallies  []tagger.Tally
}

// Grid lists the values swept for each threshold.
type Grid struct {
	Relevance, Topic                                                      []float64
	OutlookMin, OutlookMargin, OutlookRatio, Reported, Contradicted, Head []float64
	MixedMin, LeanRatio                                                   []float64
	FramingMin, FramingMargin, FramingRatio                               []float64
}

// DefaultGrid is the grid `stancewatch rules calibrate` sweeps.
func DefaultGrid() Grid {
	return Grid{
		Relevance:     []float64{1, 1.5, 2, 2.5, 3, 3.5, 4, 5},
		Topic:         []float64{1, 1.5, 2, 2.5, 3, 4},
		OutlookMin:    []float64{0.5, 0.75, 1, 1.5, 2, 2.5, 3},
		OutlookMargin: []float64{0.5, 1, 1.5, 2},
		OutlookRatio:  []float64{1.25, 1.5, 2, 3},
		Reported:      []float64{0.25, 0.5, 0.75, 1},
		Contradicted:  []float64{0, 0.25, 0.5, 1},
		Head:          []float64{1, 1.5, 2, 3},
		MixedMin:      []float64{0, 0.75, 1, 1.5, 2, 3},
		LeanRatio:     []float64{1, 1.5, 2, 3},
		FramingMin:    []float64{1, 1.5, 2, 2.5, 3},
		FramingMargin: []float64{0.5, 1, 1.5, 2},
		FramingRatio:  []float64{1.5, 2, 3},
	}
}

// Calibration is the outcome of Calibrate.
type Calibration struct {
	Current, Chosen tagger.Thresholds
	// Per set: its score under the current thresholds, under the ones
	// chosen on all sets, and under the ones chosen without it.
	Rows []CalibrationRow
}

// CalibrationRow is one set's scores.
type CalibrationRow struct {
	Set                      string
	Current, Chosen, HeldOut Figures
}

// Figures are the headline scores of one set.
type Figures struct {
	Relevance, Topics, OutlookAcc, OutlookF1, FramingAcc, FramingF1 float64
}

// Calibrate tallies every article once and sweeps the grid.
func Calibrate(e *tagger.Engine, sets []Set, g Grid) Calibration {
	for i := range sets {
		s := &sets[i]
		if s.tallies != nil {
			continue // a KeptSet
		}
		s.tallies = make([]tagger.Tally, len(s.Articles))
		for j, a := range s.Articles {
			s.tallies[j] = e.Tally(tagger.Document{Title: a.Title, Body: a.Body, Lang: a.Lang})
		}
	}
	cur := e.Thresholds()
	c := Calibration{Current: cur, Chosen: choose(sets, cur, g)}
	for i, s := range sets {
		others := make([]Set, 0, len(sets)-1)
		others = append(others, sets[:i]...)
		others = append(others, sets[i+1:]...)
		held := choose(others, cur, g)
		c.Rows = append(c.Rows, CalibrationRow{Set: s.Name, Current: figures(s, cur), Chosen: figures(s, c.Chosen), HeldOut: figures(s, held)})
	}
	return c
}

// choose picks, label by label, the grid values with the best mean score
// over the sets; ties go to the values nearest the current ones.
func choose(sets []Set, cur tagger.Thresholds, g Grid) tagger.Thresholds {
	th := cloneThresholds(cur)
	pick := func(objective func(Figures) float64, apply func(*tagger.Thresholds, []float64), grids ...[]float64) {
		best, bestDist := math.Inf(-1), math.Inf(1)
		var bestVals []float64
		eachCombination(grids, func(vals []float64) {
			t := cloneThresholds(th)
			apply(&t, vals)
			score := 0.0
			for _, s := range sets {
				score += objective(figures(s, t))
			}
			score /= float64(len(sets))
			d := distance(cur, t)
			if score > best+1e-9 || math.Abs(score-best) <= 1e-9 && d < bestDist {
				best, bestDist, bestVals = score, d, append([]float64(nil), vals...)
			}
		})
		apply(&th, bestVals)
	}
	pick(func(f Figures) float64 { return f.Relevance },
		func(t *tagger.Thresholds, v []float64) { t.Relevance = v[0] }, g.Relevance)
	pick(func(f Figures) float64 { return f.Topics },
		func(t *tagger.Thresholds, v []float64) {
			for i := range t.Topics {
				t.Topics[i] = v[0]
			}
		}, g.Topic)
	// Then each topic on its own, the others fixed: topics differ in how
	// often their words pass through a story that is not about them.
	for i := range th.Topics {
		pick(func(f Figures) float64 { return f.Topics },
			func(t *tagger.Thresholds, v []float64) { t.Topics[i] = v[0] }, g.Topic)
	}
	pick(func(f Figures) float64 { return (f.OutlookAcc + f.OutlookF1) / 2 },
		func(t *tagger.Thresholds, v []float64) {
			t.OutlookMin, t.OutlookMargin, t.OutlookRatio, t.ReportedWeight, t.ContradictedWeight, t.HeadWeight = v[0], v[1], v[2], v[3], v[4], v[5]
		}, g.OutlookMin, g.OutlookMargin, g.OutlookRatio, g.Reported, g.Contradicted, g.Head)
	// Then, with those fixed, when an undecided picture is mixed (a
	// second sweep keeps the grid small).
	pick(func(f Figures) float64 { return (f.OutlookAcc + f.OutlookF1) / 2 },
		func(t *tagger.Thresholds, v []float64) { t.MixedMin, t.LeanRatio = v[0], v[1] },
		g.MixedMin, g.LeanRatio)
	pick(func(f Figures) float64 { return (f.FramingAcc + f.FramingF1) / 2 },
		func(t *tagger.Thresholds, v []float64) {
			t.FramingMin, t.FramingMargin, t.FramingRatio = v[0], v[1], v[2]
		},
		g.FramingMin, g.FramingMargin, g.FramingRatio)
	return th
}

func cloneThresholds(t tagger.Thresholds) tagger.Thresholds {
	t.Topics = append([]float64(nil), t.Topics...)
	return t
}

// distance is how far t moved from cur, for breaking ties.
func distance(cur, t tagger.Thresholds) float64 {
	d := math.Abs(cur.Relevance-t.Relevance) + math.Abs(cur.OutlookMin-t.OutlookMin) + math.Abs(cur.OutlookMargin-t.OutlookMargin) +
		math.Abs(cur.OutlookRatio-t.OutlookRatio) + math.Abs(cur.ReportedWeight-t.ReportedWeight) + math.Abs(cur.ContradictedWeight-t.ContradictedWeight) + math.Abs(cur.HeadWeight-t.HeadWeight) +
		math.Abs(cur.MixedMin-t.MixedMin) + math.Abs(cur.LeanRatio-t.LeanRatio) +
		math.Abs(cur.FramingMin-t.FramingMin) + math.Abs(cur.FramingMargin-t.FramingMargin) + math.Abs(cur.FramingRatio-t.FramingRatio)
	for i := range t.Topics {
		d += math.Abs(cur.Topics[i] - t.Topics[i])
	}
	return d
}

func eachCombination(grids [][]float64, f func([]float64)) {
	vals := make([]float64, len(grids))
	var rec func(int)
	rec = func(i int) {
		if i == len(grids) {
			f(vals)
			return
		}
		for _, v := range grids[i] {
			vals[i] = v
			rec(i + 1)
		}
	}
	rec(0)
}

// figures decides every tally of the set under th and scores it.
func figures(s Set, th tagger.Thresholds) Figures {
	names := tagger.Topics()
	preds := make([]Prediction, len(s.tallies))
	for i := range s.tallies {
		l := th.Decide(&s.tallies[i])
		p := Labels{Relevant: l.Relevant, Outlook: l.Outlook, Framing: l.Framing}
		for k, ok := range l.Topics {
			if ok {
				p.Topics = append(p.Topics, names[k])
			}
		}
		preds[i].Labels = p
	}
	r := Score(s.Articles, preds)
	return Figures{Relevance: r.Relevance.F1, Topics: r.TopicMicro.F1, OutlookAcc: r.Outlook.Accuracy, OutlookF1: r.Outlook.MacroF1,
		FramingAcc: r.Framing.Accuracy, FramingF1: r.Framing.MacroF1}
}

// Write prints the calibration: the thresholds chosen as settings.yaml
// lines, and each set's scores under the current, the chosen and the
// held-out thresholds.
func (c Calibration) Write(w io.Writer) error {
	t := c.Chosen
	var b strings.Builder
	fmt.Fprintf(&b, "chosen on all sets (settings.yaml):\n")
	fmt.Fprintf(&b, "  relevance: {threshold: %g}\n", t.Relevance)
	fmt.Fprintf(&b, "  topics: %s\n", topicSettings(t.Topics))
	fmt.Fprintf(&b, "  outlook: {min: %g, margin: %g, ratio: %g, reported_weight: %g, contradicted_weight: %g, head_weight: %g, mixed_min: %g, lean_ratio: %g}\n",
		t.OutlookMin, t.OutlookMargin, t.OutlookRatio, t.ReportedWeight, t.ContradictedWeight, t.HeadWeight, t.MixedMin, t.LeanRatio)
	fmt.Fprintf(&b, "  framing: {min: %g, margin: %g, ratio: %g}\n\n", t.FramingMin, t.FramingMargin, t.FramingRatio)
	fmt.Fprintf(&b, "%-14s %-9s %7s %7s %8s %8s %8s %8s\n", "set", "thresh.", "rel F1", "top F1", "out acc", "out mF1", "fra acc", "fra mF1")
	var mean [3]Figures
	for _, r := range c.Rows {
		for i, f := range []Figures{r.Current, r.Chosen, r.HeldOut} {
			fmt.Fprintf(&b, "%-14s %-9s %s\n", r.Set, [3]string{"current", "chosen", "held-out"}[i], f)
			mean[i] = mean[i].add(f, 1/float64(len(c.Rows)))
		}
	}
	for i, f := range mean {
		fmt.Fprintf(&b, "%-14s %-9s %s\n", "mean", [3]string{"current", "chosen", "held-out"}[i], f)
	}
	b.WriteString("\nheld-out: each set scored with the thresholds chosen on the other sets (leave-one-set-out).\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// topicSettings writes per-topic thresholds as settings.yaml does: the
// most common value as the default, the others by name.
func topicSettings(ths []float64) string {
	count := map[float64]int{}
	def := ths[0]
	for _, v := range ths {
		count[v]++
		if count[v] > count[def] || count[v] == count[def] && v < def {
			def = v
		}
	}
	var own []string
	for i, name := range tagger.Topics() {
		if ths[i] != def {
			own = append(own, fmt.Sprintf("%s: %g", name, ths[i]))
		}
	}
	if len(own) == 0 {
		return fmt.Sprintf("{threshold: %g}", def)
	}
	return fmt.Sprintf("{threshold: %g, thresholds: {%s}}", def, strings.Join(own, ", "))
}

func (f Figures) String() string {
	return fmt.Sprintf("%7.3f %7.3f %8.3f %8.3f %8.3f %8.3f", f.Relevance, f.Topics, f.OutlookAcc, f.OutlookF1, f.FramingAcc, f.FramingF1)
}

func (f Figures) add(g Figures, k float64) Figures {
	return Figures{f.Relevance + k*g.Relevance, f.Topics + k*g.Topics, f.OutlookAcc + k*g.OutlookAcc, f.OutlookF1 + k*g.OutlookF1,
		f.FramingAcc + k*g.FramingAcc, f.FramingF1 + k*g.FramingF1}
}
