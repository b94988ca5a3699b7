package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/stancewatch/stancewatch/tagger"
)

// tagInput is one line of `stancewatch tag` input: the fields of the gold
// files (labels and anything else are ignored).
type tagInput struct {
	ID        json.RawMessage `json:"id"`
	Title     string          `json:"title"`
	Body      string          `json:"body"`
	Lang      string          `json:"lang"`
	Source    string          `json:"source"`
	URL       string          `json:"url"`
	Published string          `json:"published"`
}

type tagLabels struct {
	Relevant bool     `json:"relevant"`
	Topics   []string `json:"topics"`
	Outlook  string   `json:"outlook"`
	Framing  string   `json:"framing"`
}

type tagActor struct {
	Name     string `json:"name"`
	Mentions int    `json:"mentions"`
}

type tagEvidence struct {
	Label  string  `json:"label"`
	Rule   string  `json:"rule"`
	Field  string  `json:"field"`
	Text   string  `json:"text"`
	Start  int     `json:"start"`
	End    int     `json:"end"`
	Weight float64 `json:"weight"`
}

type tagOutput struct {
	ID           json.RawMessage    `json:"id"`
	Labels       tagLabels          `json:"labels"`
	Actors       []tagActor         `json:"actors"`
	Evidence     []tagEvidence      `json:"evidence"`
	Scores       map[string]float64 `json:"scores"`
	RulesVersion string             `json:"rules_version"`
	// Matches lists every rule match, given or not (--explain only).
	Matches []tagEvidence `json:"matches,omitempty"`
}

// maxLine bounds one input line; a longer one is reported and skipped.
const maxLine = 64 << 20

func cmdTag(ctx context.Context, c *cli, args []string) error {
	fl := c.flags("tag")
	rules := rulesFlag(fl)
	explain := fl.Bool("explain", false, "add every rule match to each line (\"matches\"), also for labels not given")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: stancewatch tag [--rules DIR] [--explain] < articles.jsonl > tags.jsonl\n\n"+
			"Reads one JSON article a line (id, title, body, lang, ...) and writes one line of labels,\n"+
			"actors and evidence per article. Bad lines are reported on stderr and skipped.\n\n")
		fl.PrintDefaults()
	}
	if pos, err := parseArgs(fl, args); err != nil {
		return err
	} else if len(pos) > 0 {
		fmt.Fprintf(c.stderr, "stancewatch tag reads standard input; unexpected argument %q\n", pos[0])
		return errUsage
	}
	eng, err := c.engine(*rules)
	if err != nil {
		return err
	}
	in := bufio.NewReaderSize(c.stdin, 1<<20)
	out := bufio.NewWriterSize(c.stdout, 1<<16)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	lines, bad, tagged := 0, 0, 0
	for {
		if err := ctx.Err(); err != nil {
			out.Flush()
			return err
		}
		line, tooLong, rerr := readLine(in, maxLine)
		if len(line) > 0 || tooLong {
			lines++
		}
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			out.Flush()
			return fmt.Errorf("read standard input after line %d: %w", lines, rerr)
		}
		switch {
		case tooLong:
			bad++
			fmt.Fprintf(c.stderr, "line %d: longer than %d MiB; skipped\n", lines, maxLine>>20)
		case len(bytes.TrimSpace(line)) == 0:
		default:
			var a tagInput
			if err := json.Unmarshal(line, &a); err != nil {
				bad++
				fmt.Fprintf(c.stderr, "line %d: not a JSON article: %v; skipped\n", lines, err)
				break
			}
			if len(a.ID) == 0 || string(a.ID) == "null" || string(a.ID) == `""` {
				bad++
				fmt.Fprintf(c.stderr, "line %d: no id; skipped\n", lines)
				break
			}
			doc := tagger.Document{Title: a.Title, Body: a.Body, Lang: a.Lang}
			var o tagOutput
			if *explain {
				res, matches := eng.Explain(doc)
				o = toOutput(a.ID, res, eng.Version())
				o.Matches = toEvidence(matches)
			} else {
				o = toOutput(a.ID, eng.Tag(doc), eng.Version())
			}
			if err := enc.Encode(o); err != nil {
				return fmt.Errorf("write standard output: %w", err)
			}
			tagged++
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		// Flush whenever the input has nothing more buffered, so a
		// pipeline sees each answer as soon as its article is in.
		if in.Buffered() == 0 {
			if err := out.Flush(); err != nil {
				return fmt.Errorf("write standard output: %w", err)
			}
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write standard output: %w", err)
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d input lines were bad and skipped (%d articles tagged)", bad, lines, tagged)
	}
	return nil
}

// readLine reads one line without its newline. A line longer than max
// is consumed and reported as tooLong instead of being held in memory.
func readLine(r *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > max {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(buf, "\r\n"), tooLong, err
	}
}

func toOutput(id json.RawMessage, r tagger.Result, version string) tagOutput {
	o := tagOutput{ID: id, Scores: r.Scores, RulesVersion: version,
		Labels: tagLabels{Relevant: r.Relevant, Topics: []string{}, Outlook: r.Outlook, Framing: r.Framing},
		Actors: []tagActor{}, Evidence: []tagEvidence{}}
	for _, t := range r.Topics {
		o.Labels.Topics = append(o.Labels.Topics, t.Topic)
	}
	for _, a := range r.Actors {
		o.Actors = append(o.Actors, tagActor{a.Name, a.Mentions})
	}
	o.Evidence = toEvidence(r.Evidence)
	return o
}

func toEvidence(evs []tagger.Evidence) []tagEvidence {
	out := make([]tagEvidence, 0, len(evs))
	for _, e := range evs {
		out = append(out, tagEvidence{e.Label, e.Rule, e.Field, e.Text, e.Start, e.End, e.Weight})
	}
	return out
}
