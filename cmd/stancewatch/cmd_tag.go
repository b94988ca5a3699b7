package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/stancewatch/stancewatch/feeds"
	"github.com/stancewatch/stancewatch/gold"
	"github.com/stancewatch/stancewatch/tagger"
)

// tagInput is one line of `stancewatch tag` input: the fields of the gold
// files (labels and anything else are ignored). It is decoded with the
// JSON v2 implementation (go-json-experiment, the reference for Go's
// encoding/json/v2), which reads a line in one pass, about twice as fast
// as encoding/json, and is strict: invalid UTF-8 and duplicate names
// make a line bad, and names match exactly.
type tagInput struct {
	ID    jsontext.Value `json:"id"`
	Title string         `json:"title"`
	Body  string         `json:"body"`
	Lang  string         `json:"lang"`
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
	// Voice of an outlook cue: reported (quotes, reported speech) or
	// hypothetical (--explain: hoped-for or possible, not counted).
	Voice string `json:"voice,omitempty"`
}

// tagOutput is the schema of a `stancewatch tag` line (written by
// appendTagLine).
type tagOutput struct {
	ID           json.RawMessage    `json:"id"`
	Labels       tagLabels          `json:"labels"`
	Actors       []tagActor         `json:"actors"`
	Evidence     []tagEvidence      `json:"evidence"`
	Scores       map[string]float64 `json:"scores"`
	RulesVersion string             `json:"rules_version"`
	// Matches lists every rule match, given or not (--explain only).
	Matches []tagEvidence `json:"matches,omitempty"`
	// Tally is what the decision was taken from (--explain only): kept
	// with the labels, it lets `rules calibrate --answers` use a set
	// whose texts are not stored.
	Tally *gold.KeptTally `json:"tally,omitempty"`
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
	// Loading the rules is a batch of its own: tens of megabytes of
	// short-lived parse trees around a growing engine.
	defer batchGC(c)()
	eng, err := c.engine(*rules)
	if err != nil {
		return err
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	// The poller's cap on the text kept and tagged per article applies
	// here too, so that a tag run costs what a poll of the same text does.
	maxText := cfg.Poll.MaxTextBytes
	in := bufio.NewReaderSize(c.stdin, 1<<20)
	out := bufio.NewWriterSize(c.stdout, 1<<16)
	var line, buf []byte
	var enc tagEncoder
	lines, bad, tagged := 0, 0, 0
	for {
		if err := ctx.Err(); err != nil {
			out.Flush()
			return err
		}
		var tooLong bool
		var rerr error
		line, tooLong, rerr = readLine(in, line[:0], maxLine)
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
			if err := jsonv2.Unmarshal(line, &a); err != nil {
				bad++
				fmt.Fprintf(c.stderr, "line %d: not a JSON article: %v; skipped\n", lines, err)
				break
			}
			if len(a.ID) == 0 || string(a.ID) == "null" || string(a.ID) == `""` {
				bad++
				fmt.Fprintf(c.stderr, "line %d: no id; skipped\n", lines)
				break
			}
			title, _ := feeds.CapText(a.Title, maxText)
			body, cut := feeds.CapText(a.Body, maxText)
			if cut {
				fmt.Fprintf(c.stderr, "line %d: body longer than %d bytes (poll.max_text_bytes); the rest is not tagged\n", lines, maxText)
			}
			doc := tagger.Document{Title: title, Body: body, Lang: a.Lang}
			var res tagger.Result
			var x *tagger.Explanation
			if *explain {
				var ex tagger.Explanation
				res, ex = eng.Explain(doc)
				x = &ex
			} else {
				res = eng.Tag(doc)
			}
			buf = enc.appendTagLine(buf[:0], compactID(a.ID), &res, eng.Version(), x)
			if _, err := out.Write(buf); err != nil {
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

// readLine reads one line without its newline into buf. A line longer
// than max is consumed and reported as tooLong instead of being held in
// memory.
func readLine(r *bufio.Reader, buf []byte, max int) (line []byte, tooLong bool, err error) {
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

// compactID is the article's id as encoding/json writes a raw value:
// without insignificant white space.
func compactID(id jsontext.Value) []byte {
	if !bytes.ContainsAny(id, " \t\r\n") {
		return id
	}
	v := id.Clone()
	if err := v.Compact(); err != nil {
		return id
	}
	return v
}

// batchGC lets the heap grow to five times the live heap for a batch run
// and returns what restores the setting. The tag command's live heap is
// the compiled rules and one article, and every article leaves only
// garbage: collecting each time the heap doubles spends about a tenth of
// a run in the collector; this costs some 20 MiB of peak memory instead.
// A GOGC in the environment wins.
func batchGC(c *cli) (restore func()) {
	if c.getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(400)
	return func() { debug.SetGCPercent(old) }
}
