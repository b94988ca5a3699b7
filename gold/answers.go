package gold

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/stancewatch/stancewatch/tagger"
)

// Kept answers: a set whose texts may not be stored (third-party
// excerpts scored through a pipe) is still measured, and calibrated,
// from the tagger's answers kept without the text: `stancewatch tag
// --explain` lines reduced to id, labels, scores, tally and rules
// version (testdata/real/README.md).

// KeptTally is a tagger.Tally as `stancewatch tag --explain` writes it,
// topics by name.
type KeptTally struct {
	Relevance  float64            `json:"relevance"`
	Topics     map[string]float64 `json:"topics"`
	Own        [3]float64         `json:"own"`
	Reported   [3]float64         `json:"reported"`
	Head       [3]float64         `json:"head"`
	Soft       float64            `json:"soft"`
	Exchange   float64            `json:"exchange"`
	ProUkraine float64            `json:"pro_ukraine"`
	ProRussia  float64            `json:"pro_russia"`
}

// KeepTally gives t its written form.
func KeepTally(t tagger.Tally) KeptTally {
	names := tagger.Topics()
	k := KeptTally{Relevance: t.Relevance, Topics: make(map[string]float64, len(names)), Own: t.Own, Reported: t.Reported,
		Head: t.Head, Soft: t.Soft, Exchange: t.Exchange, ProUkraine: t.ProUkraine, ProRussia: t.ProRussia}
	for i, n := range names {
		if i < len(t.Topics) {
			k.Topics[n] = t.Topics[i]
		}
	}
	return k
}

// Tally reads the written form back; a topic the tagger does not know is
// an error.
func (k KeptTally) Tally() (tagger.Tally, error) {
	names := tagger.Topics()
	t := tagger.Tally{Relevance: k.Relevance, Topics: make([]float64, len(names)), Own: k.Own, Reported: k.Reported,
		Head: k.Head, Soft: k.Soft, Exchange: k.Exchange, ProUkraine: k.ProUkraine, ProRussia: k.ProRussia}
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	for n, v := range k.Topics {
		i, ok := index[n]
		if !ok {
			return t, fmt.Errorf("unknown topic %q in tally", n)
		}
		t.Topics[i] = v
	}
	return t, nil
}

// Answer is one kept answer.
type Answer struct {
	ID           string     `json:"id"`
	Labels       Labels     `json:"labels"`
	RulesVersion string     `json:"rules_version"`
	Tally        *KeptTally `json:"tally,omitempty"`
}

// ReadAnswers reads kept answers, one JSON object a line (other keys,
// such as scores, are ignored), keyed by article id. Every bad line is
// reported by its number; a later line for the same id replaces an
// earlier one.
func ReadAnswers(path string) (map[string]Answer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	defer f.Close()
	out := map[string]Answer{}
	bad, err := eachLine(f, path, func(_ int, b []byte) error {
		var a Answer
		if err := json.Unmarshal(b, &a); err != nil {
			return err
		}
		if a.ID == "" {
			return errors.New("no id")
		}
		if err := validateAnswer(a); err != nil {
			return fmt.Errorf("%s: %w", a.ID, err)
		}
		out[a.ID] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, bad
}

func validateAnswer(a Answer) error {
	if !contains(outlooks, a.Labels.Outlook) {
		return fmt.Errorf("unknown outlook %q", a.Labels.Outlook)
	}
	if !contains(framings, a.Labels.Framing) {
		return fmt.Errorf("unknown framing %q", a.Labels.Framing)
	}
	for _, t := range a.Labels.Topics {
		if !contains(topics, t) {
			return fmt.Errorf("unknown topic %q", t)
		}
	}
	if a.Tally != nil {
		if _, err := a.Tally.Tally(); err != nil {
			return err
		}
	}
	return nil
}

// ReadLabels reads a labels file (NAME.labels.jsonl) alone: its
// articles come without title or body.
func ReadLabels(path string) ([]Article, error) {
	arts, err := readPlain(path)
	for i := range arts {
		arts[i].Title, arts[i].Body = "", ""
	}
	return arts, err
}

// AnswersPath is where the kept answers of a labels file are in dir:
// DIR/NAME.jsonl for NAME.labels.jsonl.
func AnswersPath(dir, labelsPath string) string {
	base := strings.TrimSuffix(filepath.Base(labelsPath), labelsSuffix)
	return filepath.Join(dir, base+".jsonl")
}

// CheckAnswers says whether every article has a kept answer made with
// the given rules version (and, with tallies, one that carries its
// tally): answers of other rules say nothing of these.
func CheckAnswers(path string, arts []Article, answers map[string]Answer, version string, tallies bool) error {
	for _, a := range arts {
		k, ok := answers[a.ID]
		switch {
		case !ok:
			return fmt.Errorf("%s: no answer for %s", path, a.ID)
		case k.RulesVersion != version:
			return fmt.Errorf("%s: the answer for %s comes from rules %s, not from these rules (%s); pipe the set again", path, a.ID, k.RulesVersion, version)
		case tallies && k.Tally == nil:
			return fmt.Errorf("%s: the answer for %s has no tally (keep the tally of `stancewatch tag --explain`)", path, a.ID)
		}
	}
	return nil
}

// KeptSet is a calibration set whose tallies come from kept answers
// (checked with CheckAnswers) rather than from tagging its texts.
func KeptSet(name string, arts []Article, answers map[string]Answer) (Set, error) {
	s := Set{Name: name, Articles: arts, tallies: make([]tagger.Tally, len(arts))}
	for i, a := range arts {
		k, ok := answers[a.ID]
		if !ok || k.Tally == nil {
			return s, fmt.Errorf("set %s: no kept tally for %s", name, a.ID)
		}
		t, err := k.Tally.Tally()
		if err != nil {
			return s, fmt.Errorf("set %s: %s: %w", name, a.ID, err)
		}
		s.tallies[i] = t
	}
	return s, nil
}
