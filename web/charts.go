package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/stancewatch/stancewatch/store"
)

// The trends page: four charts drawn on the server as SVG, each with a
// title and description for screen readers, a table with the same
// figures, and links to the articles behind every bar and cell.

type trendsView struct {
	From, To  string
	By        string
	Relevant  string
	Query     string // the filters, for links
	Articles  string // the list with the same filters
	Outlook   chart
	Heat      heatmap
	Topics    []topicRow
	TopicMax  int
	Actors    []barRow
	ActorMax  int
	Buckets   []bucketCol
	Empty     bool
	Filtering bool
}

type bucketCol struct {
	Label string
	Link  string
}

// chart is the stacked outlook bars.
type chart struct {
	Width, Height int
	Bars          []stackBar
	Keys          []string
	Ticks         []tick // labels under some of the bars
}

type tick struct {
	X      float64
	Label  string
	Anchor string
}

type stackBar struct {
	X, W   float64
	Label  string
	Link   string
	Total  int
	Parts  []stackPart
	Counts map[string]int
}

type stackPart struct {
	Key   string
	Y, H  float64
	Count int
	Share int // percent
	Link  string
}

type heatmap struct {
	Sources  []string
	Framings []string
	Cells    [][]heatCell
	Width    int
	Height   int
}

type heatCell struct {
	X, Y    int
	Count   int
	Share   int // percent of the outlet's articles
	Opacity float64
	Link    string
	Source  string
	Framing string
}

type topicRow struct {
	Topic string
	Total int
	Link  string
	Bars  []miniBar
}

type miniBar struct {
	X, Y, W, H float64
	Count      int
	Label      string
}

type barRow struct {
	Key   string
	Count int
	W     float64
	Link  string
}

const (
	chartW  = 640
	chartH  = 180
	maxHeat = 15
	maxBars = 15
)

func (s *Server) trendsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sq, err := parseStatsQuery(q, s.loc)
	if err != nil {
		var pe *paramError
		if errors.As(err, &pe) {
			s.renderError(w, r, http.StatusBadRequest, pe.Error())
			return
		}
		s.internal(w, r, false, err)
		return
	}
	f := sq.Filter
	if f.From.IsZero() && f.To.IsZero() {
		today := time.Now().In(s.loc)
		f.To = time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, s.loc)
		f.From = f.To.AddDate(0, 0, -30)
	} else if f.From.IsZero() || f.To.IsZero() {
		s.renderError(w, r, http.StatusBadRequest, "from, to: give both days of the range, or neither for the last 30 days")
		return
	}
	if f.To.Sub(f.From) > 3*366*24*time.Hour {
		s.renderError(w, r, http.StatusBadRequest, "to: the range is limited to three years")
		return
	}
	by := sq.By
	if q.Get("by") == "" && f.To.Sub(f.From) > 92*24*time.Hour {
		by = "week"
	}
	v := trendsView{From: dayString(f.From, s.loc, 0), To: dayString(f.To, s.loc, -1), By: by}
	fq := filterQuery(f, s.loc)
	v.Relevant = fq.Get("relevant")
	if v.Relevant == "" {
		v.Relevant = "true"
	}
	v.Articles = "/?" + fq.Encode()
	fq.Set("by", by)
	v.Query = fq.Encode()
	ctx := r.Context()
	st := s.store()

	buckets := bucketStarts(f.From, f.To, by, s.loc)
	outlook, err := st.Stats(ctx, store.StatsQuery{Filter: f, By: by, Group: "outlook", Location: s.loc})
	if err != nil {
		s.internal(w, r, false, err)
		return
	}
	v.Empty = len(outlook) == 0
	v.Outlook = outlookChart(outlook, buckets, by, f, s.loc)
	for _, b := range buckets {
		v.Buckets = append(v.Buckets, bucketCol{Label: bucketLabel(b, by), Link: bucketLink(f, b, by, s.loc, nil)})
	}

	heat, err := st.Stats(ctx, store.StatsQuery{Filter: f, Group: "source", Group2: "framing", Location: s.loc})
	if err != nil {
		s.internal(w, r, false, err)
		return
	}
	v.Heat = heatChart(heat, f, s.loc)

	topics, err := st.Stats(ctx, store.StatsQuery{Filter: f, By: by, Group: "topic", Location: s.loc})
	if err != nil {
		s.internal(w, r, false, err)
		return
	}
	v.Topics = topicRows(topics, buckets, by, f, s.loc)

	actors, err := st.Stats(ctx, store.StatsQuery{Filter: f, Group: "actor", Location: s.loc})
	if err != nil {
		s.internal(w, r, false, err)
		return
	}
	for i, a := range actors {
		if i == maxBars {
			break
		}
		af := f
		af.Actor = a.Key
		v.Actors = append(v.Actors, barRow{Key: a.Key, Count: a.Count, Link: "/?" + filterQuery(af, s.loc).Encode()})
		v.ActorMax = max(v.ActorMax, a.Count)
	}
	for i := range v.Actors {
		v.Actors[i].W = 400 * float64(v.Actors[i].Count) / float64(max(v.ActorMax, 1))
	}
	s.render(w, http.StatusOK, "trends.html.tmpl", page{Title: "Trends", Nav: "trends", Content: v})
}

// bucketStarts lists every day or week (Monday) in [from, to).
func bucketStarts(from, to time.Time, by string, loc *time.Location) []time.Time {
	from = from.In(loc)
	d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	step := 1
	if by == "week" {
		d = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		step = 7
	}
	var out []time.Time
	for ; d.Before(to); d = d.AddDate(0, 0, step) {
		out = append(out, d)
	}
	return out
}

func bucketLabel(b time.Time, by string) string {
	if by == "week" {
		return "week of " + b.Format("2 Jan")
	}
	return b.Format("Mon 2 Jan")
}

// bucketLink is the article list of one bucket (clipped to the range),
// with change applied to the filter.
func bucketLink(f store.ArticleFilter, b time.Time, by string, loc *time.Location, change func(*store.ArticleFilter)) string {
	bf := f
	end := b.AddDate(0, 0, 1)
	if by == "week" {
		end = b.AddDate(0, 0, 7)
	}
	if b.After(bf.From) {
		bf.From = b
	}
	if end.Before(bf.To) {
		bf.To = end
	}
	if change != nil {
		change(&bf)
	}
	return "/?" + filterQuery(bf, loc).Encode()
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

func outlookChart(rows []store.StatsRow, buckets []time.Time, by string, f store.ArticleFilter, loc *time.Location) chart {
	c := chart{Width: chartW, Height: chartH + 16, Keys: outlookNames}
	n := max(len(buckets), 1)
	slot := float64(chartW) / float64(n)
	for i, b := range buckets {
		bar := stackBar{X: float64(i) * slot, W: max(slot-2, 1), Label: bucketLabel(b, by), Link: bucketLink(f, b, by, loc, nil),
			Counts: map[string]int{}}
		for _, r := range rows {
			if sameDay(r.Bucket, b) {
				bar.Counts[r.Key] += r.Count
				bar.Total += r.Count
			}
		}
		y := 0.0
		for _, k := range outlookNames {
			n := bar.Counts[k]
			if n == 0 || bar.Total == 0 {
				continue
			}
			h := float64(chartH) * float64(n) / float64(bar.Total)
			key := k
			bar.Parts = append(bar.Parts, stackPart{Key: k, Y: y, H: h, Count: n, Share: (100*n + bar.Total/2) / bar.Total,
				Link: bucketLink(f, b, by, loc, func(bf *store.ArticleFilter) { bf.Outlook = key })})
			y += h
		}
		c.Bars = append(c.Bars, bar)
	}
	// The first, middle and last bucket are named under the bars.
	for _, i := range slices.Compact([]int{0, len(buckets) / 2, len(buckets) - 1}) {
		if i < 0 || i >= len(c.Bars) {
			continue
		}
		b := c.Bars[i]
		t := tick{X: b.X + b.W/2, Label: b.Label, Anchor: "middle"}
		switch {
		case i == 0:
			t.X, t.Anchor = b.X, "start"
		case i == len(c.Bars)-1:
			t.X, t.Anchor = b.X+b.W, "end"
		}
		c.Ticks = append(c.Ticks, t)
	}
	return c
}

func heatChart(rows []store.StatsRow, f store.ArticleFilter, loc *time.Location) heatmap {
	h := heatmap{Framings: framingNames}
	totals := map[string]int{}
	counts := map[[2]string]int{}
	for _, r := range rows {
		totals[r.Key] += r.Count
		counts[[2]string{r.Key, r.Key2}] += r.Count
	}
	for k := range totals {
		h.Sources = append(h.Sources, k)
	}
	slices.SortFunc(h.Sources, func(a, b string) int {
		if totals[a] != totals[b] {
			return totals[b] - totals[a]
		}
		return strings.Compare(a, b)
	})
	if len(h.Sources) > maxHeat {
		h.Sources = h.Sources[:maxHeat]
	}
	h.Width, h.Height = 200+3*110, 24+24*len(h.Sources)
	for i, src := range h.Sources {
		var row []heatCell
		for j, fr := range h.Framings {
			n := counts[[2]string{src, fr}]
			cf := f
			cf.Source, cf.Framing = src, fr
			share := 0
			if totals[src] > 0 {
				share = (100*n + totals[src]/2) / totals[src]
			}
			row = append(row, heatCell{X: 200 + j*110, Y: 24 + i*24, Count: n, Share: share,
				Opacity: 0.08 + 0.92*float64(share)/100, Link: "/?" + filterQuery(cf, loc).Encode(), Source: src, Framing: fr})
		}
		h.Cells = append(h.Cells, row)
	}
	return h
}

func topicRows(rows []store.StatsRow, buckets []time.Time, by string, f store.ArticleFilter, loc *time.Location) []topicRow {
	var out []topicRow
	peak := 1
	for _, r := range rows {
		peak = max(peak, r.Count)
	}
	n := max(len(buckets), 1)
	slot := 400.0 / float64(n)
	for _, t := range topicNames {
		tf := f
		if !slices.Contains(tf.Topics, t) {
			tf.Topics = append(slices.Clone(f.Topics), t)
		}
		row := topicRow{Topic: t, Link: "/?" + filterQuery(tf, loc).Encode()}
		for i, b := range buckets {
			c := 0
			for _, r := range rows {
				if r.Key == t && sameDay(r.Bucket, b) {
					c += r.Count
				}
			}
			row.Total += c
			hgt := 28 * float64(c) / float64(peak)
			row.Bars = append(row.Bars, miniBar{X: float64(i) * slot, Y: 30 - hgt, W: max(slot-1, 1), H: hgt, Count: c, Label: bucketLabel(b, by)})
		}
		out = append(out, row)
	}
	return out
}
