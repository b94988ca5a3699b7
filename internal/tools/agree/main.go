// Command agree compares two labellings of the same real items: the
// labels a set was gathered with and a second, blind labelling of it
// (testdata/real/second). It prints, per field, how often the two agree,
// overall and by language, and the pairs of labels where they split. Two
// labellers' agreement is the ceiling a tagger's score on the set can be
// read against: a gap to the targets that the labellers share is the
// labels', the rest is the tagger's.
//
//	go run ./internal/tools/agree testdata/real/real80-en.labels.jsonl testdata/real/second/real80-en.labels.jsonl ...
//
// Arguments come in pairs, FIRST SECOND. Items missing from the second
// file are left out and counted.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/stancewatch/stancewatch/gold"
)

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "agree:", err)
		os.Exit(1)
	}
}

// pair is one item labelled twice; the second labelling has no
// language, so it comes from the first.
type pair struct {
	lang          string
	first, second gold.Labels
}

func run(w io.Writer, args []string) error {
	if len(args) == 0 || len(args)%2 != 0 {
		return errors.New("usage: agree FIRST.labels.jsonl SECOND.labels.jsonl [FIRST SECOND ...]")
	}
	var pairs []pair
	left := 0
	for i := 0; i < len(args); i += 2 {
		first, err := gold.ReadLabels(args[i])
		if err != nil {
			return err
		}
		second, err := gold.ReadLabels(args[i+1])
		if err != nil {
			return err
		}
		byID := make(map[string]gold.Labels, len(second))
		for _, a := range second {
			byID[a.ID] = a.Labels
		}
		for _, a := range first {
			b, ok := byID[a.ID]
			if !ok {
				left++
				continue
			}
			pairs = append(pairs, pair{lang: a.Lang, first: a.Labels, second: b})
		}
	}
	fmt.Fprintf(w, "%d items labelled twice (%d left out)\n", len(pairs), left)
	langs := []string{""}
	seen := map[string]bool{}
	for _, p := range pairs {
		if !seen[p.lang] {
			seen[p.lang] = true
			langs = append(langs, p.lang)
		}
	}
	sort.Strings(langs[1:])
	for _, lang := range langs {
		var sub []pair
		for _, p := range pairs {
			if lang == "" || p.lang == lang {
				sub = append(sub, p)
			}
		}
		name := lang
		if name == "" {
			name = "all"
		}
		fmt.Fprintf(w, "%-4s n %3d  relevant %.3f  topics micro-F1 %.3f  outlook %.3f  framing %.3f\n", name, len(sub),
			share(sub, func(p pair) bool { return p.first.Relevant == p.second.Relevant }),
			topicF1(sub),
			share(sub, func(p pair) bool { return p.first.Outlook == p.second.Outlook }),
			share(sub, func(p pair) bool { return p.first.Framing == p.second.Framing }))
	}
	for _, field := range []string{"outlook", "framing"} {
		splits := map[string]int{}
		for _, p := range pairs {
			a, b := p.first.Outlook, p.second.Outlook
			if field == "framing" {
				a, b = p.first.Framing, p.second.Framing
			}
			if a != b {
				splits[a+" / "+b]++
			}
		}
		keys := make([]string, 0, len(splits))
		for k := range splits {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "%s splits (first / second):", field)
		for _, k := range keys {
			fmt.Fprintf(w, " %s %d;", k, splits[k])
		}
		fmt.Fprintln(w)
	}
	return nil
}

// share is the fraction of ps for which same holds.
func share(ps []pair, same func(pair) bool) float64 {
	if len(ps) == 0 {
		return 0
	}
	n := 0
	for _, p := range ps {
		if same(p) {
			n++
		}
	}
	return float64(n) / float64(len(ps))
}

// topicF1 is the micro-F1 of the second labelling's topics against the
// first's.
func topicF1(ps []pair) float64 {
	tp, fp, fn := 0, 0, 0
	for _, p := range ps {
		a := map[string]bool{}
		for _, t := range p.first.Topics {
			a[t] = true
		}
		for _, t := range p.second.Topics {
			if a[t] {
				tp++
				delete(a, t)
			} else {
				fp++
			}
		}
		fn += len(a)
	}
	if tp == 0 {
		return 0
	}
	return 2 * float64(tp) / float64(2*tp+fp+fn)
}
