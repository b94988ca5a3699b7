package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/stancewatch/stancewatch/store"
)

// articleJSON is an article as the API and the JSON-lines export give it.
type articleJSON struct {
	ID          int64          `json:"id"`
	URL         string         `json:"url"`
	Title       string         `json:"title"`
	Source      string         `json:"source"`
	PublishedAt time.Time      `json:"published_at"`
	Lang        string         `json:"lang"`
	Relevant    bool           `json:"relevant"`
	Topics      []string       `json:"topics"`
	Outlook     string         `json:"outlook"`
	Framing     string         `json:"framing"`
	Actors      []string       `json:"actors"`
	Story       int64          `json:"story"`
	Corrected   bool           `json:"corrected"`
	Evidence    []evidenceJSON `json:"evidence,omitempty"`
}

type evidenceJSON struct {
	Label  string  `json:"label"`
	RuleID string  `json:"rule_id"`
	Field  string  `json:"field"`
	Text   string  `json:"text"`
	Start  int     `json:"start"`
	End    int     `json:"end"`
	Weight float64 `json:"weight"`
}

func toJSON(it *store.ArticleItem) articleJSON {
	a := articleJSON{ID: it.ID, URL: it.URL, Title: it.Title, Source: it.Source, PublishedAt: it.PublishedAt.UTC(),
		Lang: it.Lang, Relevant: it.Labels.Relevant, Topics: it.Labels.Topics, Outlook: it.Labels.Outlook,
		Framing: it.Labels.Framing, Actors: it.Actors, Story: it.Story, Corrected: it.Corrected}
	if a.Topics == nil {
		a.Topics = []string{}
	}
	if a.Actors == nil {
		a.Actors = []string{}
	}
	if it.Evidence != nil {
		a.Evidence = toEvidenceJSON(it.Evidence)
	}
	return a
}

func toEvidenceJSON(evs []store.Evidence) []evidenceJSON {
	out := make([]evidenceJSON, len(evs))
	for i, e := range evs {
		out[i] = evidenceJSON{e.Label, e.RuleID, e.Field, e.Text, e.Start, e.End, e.Weight}
	}
	return out
}

// CSVHeader is the header row of the CSV export.
var CSVHeader = []string{"id", "url", "title", "source", "published_at", "lang", "relevant", "topics", "outlook", "framing", "actors", "story", "corrected"}

// flushEvery bounds what is buffered before it goes to the client.
const flushEvery = 500

// WriteCSV writes every article matching f as CSV (header row, UTF-8,
// topics and actors joined with ";"), streaming: memory stays constant
// however many articles match. flush, when set, is called every few
// hundred rows after the buffer is written.
func WriteCSV(ctx context.Context, st *store.Store, f store.ArticleFilter, w io.Writer, flush func()) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	rec := make([]string, len(CSVHeader))
	n := 0
	err := st.EachArticle(ctx, f, func(it *store.ArticleItem) error {
		rec[0] = strconv.FormatInt(it.ID, 10)
		rec[1], rec[2], rec[3] = it.URL, it.Title, it.Source
		rec[4] = it.PublishedAt.UTC().Format(time.RFC3339)
		rec[5] = it.Lang
		rec[6] = strconv.FormatBool(it.Labels.Relevant)
		rec[7] = strings.Join(it.Labels.Topics, ";")
		rec[8], rec[9] = it.Labels.Outlook, it.Labels.Framing
		rec[10] = strings.Join(it.Actors, ";")
		rec[11] = strconv.FormatInt(it.Story, 10)
		rec[12] = strconv.FormatBool(it.Corrected)
		if err := cw.Write(rec); err != nil {
			return err
		}
		if n++; n%flushEvery == 0 {
			cw.Flush()
			if err := bw.Flush(); err != nil {
				return err
			}
			if flush != nil {
				flush()
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteJSONL writes every article matching f as one JSON object a line,
// streaming like WriteCSV.
func WriteJSONL(ctx context.Context, st *store.Store, f store.ArticleFilter, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	err := st.EachArticle(ctx, f, func(it *store.ArticleItem) error {
		return enc.Encode(toJSON(it))
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// ExportFilter reads export filters given as parameters (the CLI's flags
// use the API's names), with dates in loc.
func ExportFilter(params map[string][]string, loc *time.Location) (store.ArticleFilter, error) {
	return parseFilter(params, loc)
}
