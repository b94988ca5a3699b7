package digest

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/stancewatch/stancewatch/taxonomy"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// templates are parsed once: an immutable table like a compiled regexp.
var templates = template.Must(template.New("").ParseFS(templateFS, "templates/*.tmpl"))

// HTML renders the digest as one self-contained page: inline CSS and SVG,
// no scripts, no external assets. html/template escapes every string.
func HTML(dg *Digest) (string, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, "page.html.tmpl", pageView(dg)); err != nil {
		return "", fmt.Errorf("render HTML of %s: %w", dg.Day, err)
	}
	return b.String(), nil
}

type figureView struct {
	Label, Note  string
	Count        int
	Change       string // vs the previous day
	ChangeClass  string // up, down, flat
	Avg7         string
	Avg7Change   string
	Avg7Class    string
	PreviousDay  int
	OutlookClass string
}

type barView struct {
	X, Y, W, H float64
	Title      string
	Class      string
}

type sparkView struct {
	W, H  int
	Label string
	Bars  []barView
}

type linkView struct{ Text, URL string }

type snippetView struct {
	Before, After bool
	Parts         []SnippetPart
	Label         string
}

type storyView struct {
	Title, URL   string
	Outlets      []linkView
	Outlook      string
	OutlookClass string
	Framing      string
	FramingClass string
	Published    string
	Snippet      *snippetView
	Copies       int
}

type topicView struct {
	Name, Anchor string
	Count        int
	Change       string
	ChangeClass  string
	Spark        sparkView
	SparkText    string // Unicode blocks, for feed readers
	Stories      []storyView
}

type framingRow struct {
	Source                                string
	ProUkraine, Neutral, ProRussia, Total int
	Bar                                   []barView
}

type page struct {
	Title, DayLong, Day, Timezone string
	D                             *Digest
	Generated                     string
	Reading                       string
	Partial                       bool
	Empty                         bool
	NoRelevant                    bool
	Figures                       []figureView
	Outlook                       []figureView
	OutlookBar                    []barView
	Topics                        []topicView
	Sections                      []topicView
	Framing                       []framingRow
	FramingMore                   int
	Actors                        []ActorCount
	TrendFrom, TrendTo            string
	PrevDay                       string // the previous day's short name, "Sat"
}

func pageView(dg *Digest) page {
	day := dayOf(dg)
	h := dg.Headline
	p := page{
		Title:      "Ukraine talks digest, " + day.Long(),
		DayLong:    day.Long(),
		Day:        dg.Day,
		Timezone:   dg.Timezone,
		D:          dg,
		Generated:  dg.GeneratedAt.In(day.Location()).Format("2 January 2006, 15:04 MST"),
		Reading:    h.Reading,
		Partial:    dg.Partial,
		Empty:      dg.Empty,
		NoRelevant: h.Relevant.Count == 0,
		Actors:     dg.Actors,
		PrevDay:    day.AddDays(-1).Date().Format("Mon"),
	}
	if len(dg.TrendDays) > 0 {
		p.TrendFrom, p.TrendTo = shortDate(dg.TrendDays[0]), shortDate(dg.TrendDays[len(dg.TrendDays)-1])
	}
	p.Figures = []figureView{
		figure("articles", plural(h.Outlets.Count, "outlet", "outlets"), h.Articles),
		figure("about the talks", plural(h.RelevantOutlets.Count, "outlet", "outlets"), h.Relevant),
		figure("stories", "copies grouped", Figure{Count: h.Stories}),
	}
	p.Figures[2].Change = "" // stories have no history
	var x float64
	for _, o := range taxonomy.Outlooks() {
		f := h.Outlook[o]
		fv := figure(taxonomy.OutlookName(o), "", f)
		fv.OutlookClass = "o-" + o
		p.Outlook = append(p.Outlook, fv)
		if h.Relevant.Count > 0 && f.Count > 0 {
			w := 100 * float64(f.Count) / float64(h.Relevant.Count)
			p.OutlookBar = append(p.OutlookBar, barView{X: x, W: w, H: 12, Class: "o-" + o,
				Title: fmt.Sprintf("%s: %d of %d", taxonomy.OutlookName(o), f.Count, h.Relevant.Count)})
			x += w
		}
	}
	stories := storyIndex(dg)
	for _, t := range dg.Topics {
		tv := topicView{
			Name:   taxonomy.TopicName(t.Topic),
			Anchor: "topic-" + t.Topic,
			Count:  t.Articles,
			Change: signed(t.Change), ChangeClass: changeClass(float64(t.Change)),
			Spark:     spark(t.Trend, dg.TrendDays, taxonomy.TopicName(t.Topic)),
			SparkText: sparkline(t.Trend),
		}
		for _, ref := range t.TopStories {
			tv.Stories = append(tv.Stories, storyOf(stories[ref.Story], ref.Snippet, day.Location()))
		}
		p.Topics = append(p.Topics, tv)
		if len(tv.Stories) > 0 {
			p.Sections = append(p.Sections, tv)
		}
	}
	p.FramingMore = max(0, len(dg.Framing)-framingRows)
	for _, f := range dg.Framing[:min(len(dg.Framing), framingRows)] {
		row := framingRow{Source: f.Source, ProUkraine: f.ProUkraine, Neutral: f.Neutral, ProRussia: f.ProRussia, Total: f.Total}
		var x float64
		for _, seg := range []struct {
			n     int
			class string
		}{{f.ProUkraine, "f-pro_ukraine"}, {f.Neutral, "f-neutral"}, {f.ProRussia, "f-pro_russia"}} {
			if seg.n > 0 && f.Total > 0 {
				w := 100 * float64(seg.n) / float64(f.Total)
				row.Bar = append(row.Bar, barView{X: x, W: w, H: 8, Class: seg.class})
				x += w
			}
		}
		p.Framing = append(p.Framing, row)
	}
	return p
}

func figure(label, note string, f Figure) figureView {
	return figureView{
		Label: label, Note: note, Count: f.Count, PreviousDay: f.PreviousDay,
		Change: signed(f.Change), ChangeClass: changeClass(float64(f.Change)),
		Avg7: fmt.Sprintf("%.1f", f.Avg7), Avg7Change: signedF(f.ChangeAvg7), Avg7Class: changeClass(f.ChangeAvg7),
	}
}

func changeClass(x float64) string {
	switch {
	case x >= 0.05:
		return "up"
	case x <= -0.05:
		return "down"
	}
	return "flat"
}

func storyOf(s Story, sn *Snippet, loc *time.Location) storyView {
	v := storyView{
		Title: s.Title, Outlook: taxonomy.OutlookName(s.Outlook), OutlookClass: "o-" + s.Outlook,
		Framing: taxonomy.FramingName(s.Framing), FramingClass: "f-" + s.Framing,
		Published: s.PublishedAt.In(loc).Format("15:04"),
		Copies:    len(s.Articles),
	}
	v.URL, _ = safeURL(s.URL)
	seen := map[string]bool{}
	for _, a := range s.Articles {
		if seen[a.Source] {
			continue
		}
		seen[a.Source] = true
		u, _ := safeURL(a.URL)
		v.Outlets = append(v.Outlets, linkView{Text: a.Source, URL: u})
	}
	if sn != nil {
		v.Snippet = &snippetView{Before: sn.Before, After: sn.After, Parts: sn.Parts, Label: evidenceLabel(sn)}
	}
	return v
}

// evidenceLabel says, for people, what a snippet is evidence of.
func evidenceLabel(sn *Snippet) string {
	kind, value, _ := strings.Cut(sn.Label, ":")
	var what string
	switch kind {
	case "topic":
		what = "topic " + taxonomy.TopicName(value)
	case "outlook":
		what = "outlook " + taxonomy.OutlookName(value)
	case "framing":
		what = "framing " + taxonomy.FramingName(value)
	default:
		what = "relevance"
	}
	return fmt.Sprintf("Evidence for %s, from the %s", what, map[string]string{"title": "title", "body": "text", "summary": "summary"}[sn.Field])
}

// spark draws counts as SVG bars; today's bar is marked.
func spark(counts []int, days []string, name string) sparkView {
	const barW, gap, height = 5.0, 2.0, 20.0
	top := 0
	for _, c := range counts {
		top = max(top, c)
	}
	v := sparkView{W: int(float64(len(counts))*(barW+gap) - gap), H: int(height)}
	var label []string
	for i, c := range counts {
		h := 1.0 // a zero still shows as a baseline
		if top > 0 && c > 0 {
			h = max(2, height*float64(c)/float64(top))
		}
		class := "bar"
		if c == 0 {
			class = "bar zero"
		}
		if i == len(counts)-1 {
			class += " today"
		}
		day := ""
		if i < len(days) {
			day = shortDate(days[i])
		}
		v.Bars = append(v.Bars, barView{X: float64(i) * (barW + gap), Y: height - h, W: barW, H: h, Class: class,
			Title: fmt.Sprintf("%s: %d", day, c)})
		label = append(label, fmt.Sprint(c))
	}
	v.Label = fmt.Sprintf("%s, articles a day over %d days: %s", name, len(counts), strings.Join(label, ", "))
	return v
}

func shortDate(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("2 Jan")
}
