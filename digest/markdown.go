package digest

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/stancewatch/stancewatch/taxonomy"
)

// Markdown renders the digest as CommonMark (GitHub-flavoured tables).
// Every string from a feed goes through mdText or mdURL.
func Markdown(dg *Digest) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	day := dayOf(dg)
	p("# Ukraine talks: press digest for %s\n\n", day.Long())
	h := dg.Headline
	p("**%s**\n\n", h.Reading) // our own sentence: no feed text
	if dg.Partial {
		p("_Partial: built before the day ended, at %s._\n\n", dg.GeneratedAt.In(day.Location()).Format("15:04 MST"))
	}
	if dg.Empty {
		p("No articles were stored for this day (%s, time zone %s). If feeds were being polled, check `stancewatch feeds list` for errors.\n", dg.Day, dg.Timezone)
		return b.String()
	}
	p("%s from %s; %s from %s.", plural(h.Articles.Count, "article", "articles"), plural(h.Outlets.Count, "outlet", "outlets"),
		plural(h.Relevant.Count, "about the talks", "about the talks"), plural(h.RelevantOutlets.Count, "outlet", "outlets"))
	if h.Untagged > 0 {
		p(" %s not tagged yet.", plural(h.Untagged, "article", "articles"))
	}
	p("\n\n")

	p("| | today | previous day | 7-day average |\n| --- | ---: | ---: | ---: |\n")
	row := func(name string, f Figure) {
		p("| %s | %d | %d (%s) | %.1f (%s) |\n", name, f.Count, f.PreviousDay, signed(f.Change), f.Avg7, signedF(f.ChangeAvg7))
	}
	row("Articles", h.Articles)
	row("About the talks", h.Relevant)
	row("Outlets covering the talks", h.RelevantOutlets)
	for _, o := range []string{"progress", "stalemate", "mixed", "none"} {
		row("Outlook: "+taxonomy.OutlookName(o), h.Outlook[o])
	}
	p("\n")
	if h.Relevant.Count == 0 {
		return b.String()
	}

	p("## Topics\n\n| topic | articles | change | trend (%d days) |\n| --- | ---: | ---: | --- |\n", TrendDays)
	for _, t := range dg.Topics {
		p("| %s | %d | %s | %s |\n", taxonomy.TopicName(t.Topic), t.Articles, signed(t.Change), sparkline(t.Trend))
	}
	p("\n_Trend: %s to %s, one block a day._\n\n", dg.TrendDays[0], dg.TrendDays[len(dg.TrendDays)-1])

	stories := storyIndex(dg)
	for _, t := range dg.Topics {
		if len(t.TopStories) == 0 {
			continue
		}
		p("## %s: %s\n\n", taxonomy.TopicName(t.Topic), plural(t.Articles, "article", "articles"))
		for _, ref := range t.TopStories {
			s := stories[ref.Story]
			p("- %s  \n  %s · %s · %s\n", mdLink(s.Title, s.URL), mdOutlets(s), taxonomy.OutlookName(s.Outlook), taxonomy.FramingName(s.Framing))
			if ref.Snippet != nil {
				p("  > %s\n", mdSnippet(ref.Snippet))
			}
		}
		p("\n")
	}

	p("## Framing by outlet\n\n| outlet | pro-Ukraine | neutral | pro-Russia | articles |\n| --- | ---: | ---: | ---: | ---: |\n")
	for _, f := range dg.Framing[:min(len(dg.Framing), framingRows)] {
		p("| %s | %d | %d | %d | %d |\n", mdText(f.Source), f.ProUkraine, f.Neutral, f.ProRussia, f.Total)
	}
	if more := len(dg.Framing) - framingRows; more > 0 {
		p("\n_%s more with fewer articles: see the JSON._\n", plural(more, "outlet", "outlets"))
	}
	p("\n")

	if len(dg.Actors) > 0 {
		p("## Named most\n\n")
		for i, a := range dg.Actors {
			if i > 0 {
				p(" · ")
			}
			p("%s %d", mdText(a.Actor), a.Articles)
		}
		p("\n\n_Relevant articles naming each actor._\n")
	}
	return b.String()
}

// framingRows caps the framing table of the Markdown and HTML (the JSON
// has every outlet): the busiest outlets are what a reader scans.
const framingRows = 20

// mdOutlets lists a story's outlets, each linked to its own article.
func mdOutlets(s Story) string {
	var parts []string
	seen := map[string]bool{}
	for _, a := range s.Articles {
		if seen[a.Source] {
			continue
		}
		seen[a.Source] = true
		if len(s.Articles) == 1 {
			parts = append(parts, mdText(a.Source))
		} else {
			parts = append(parts, mdLink(a.Source, a.URL))
		}
	}
	return strings.Join(parts, ", ")
}

func mdSnippet(sn *Snippet) string {
	var b strings.Builder
	if sn.Before {
		b.WriteString("… ")
	}
	for _, part := range sn.Parts {
		text := mdText(part.Text)
		if part.Match {
			// Emphasis must not start or end with a space.
			lead, trail := text[:len(text)-len(strings.TrimLeft(text, " "))], text[len(strings.TrimRight(text, " ")):]
			text = lead + "**" + strings.TrimSpace(text) + "**" + trail
		}
		b.WriteString(text)
	}
	if sn.After {
		b.WriteString(" …")
	}
	return b.String()
}

// mdEscaper backslash-escapes the ASCII punctuation that can mean
// something in CommonMark or GFM inline text and tables. Parentheses and
// "!" cannot: with the brackets escaped they never form a link or image.
// CommonMark allows a backslash before any ASCII punctuation, so an
// escape that was not needed is harmless.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `{`, `\{`, `}`, `\}`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `#`, `\#`, `|`, `\|`, `~`, `\~`, `&`, `\&`, `$`, `\$`,
	"\r\n", " ", "\n", " ", "\r", " ", "\t", " ",
)

// listMarker matches text that would start a list item at a line start.
var listMarker = regexp.MustCompile(`^(\d{1,9})([.)])`)

// mdText makes feed text safe inside a Markdown paragraph, list item,
// block quote, link text or table cell.
func mdText(s string) string {
	s = mdEscaper.Replace(s)
	// Newlines are gone, but text that opens a snippet line follows "> "
	// and could still start a list there.
	if s != "" && (s[0] == '-' || s[0] == '+' || s[0] == '=') {
		s = `\` + s
	}
	return listMarker.ReplaceAllString(s, `$1\$2`)
}

// mdLink links text to u when u is an http(s) URL; otherwise it is text.
func mdLink(text, u string) string {
	safe, ok := safeURL(u)
	if !ok {
		return mdText(text)
	}
	return "[" + mdText(text) + "](" + mdURL(safe) + ")"
}

// mdURL percent-encodes what would end or break a link destination.
func mdURL(u string) string {
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c <= ' ' || c == 0x7f || strings.IndexByte(`()<>"\[]`+"`", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// safeURL returns u when it is an absolute http or https URL: a feed may
// carry javascript: or data: links, which the digest never links to.
func safeURL(u string) (string, bool) {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", false
	}
	return p.String(), true
}

var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws counts as Unicode blocks, scaled to the largest.
func sparkline(counts []int) string {
	top := 0
	for _, c := range counts {
		top = max(top, c)
	}
	out := make([]rune, len(counts))
	for i, c := range counts {
		level := 0 // zero: the floor block
		if c > 0 {
			level = (c*(len(sparkBlocks)-1) + top - 1) / top // rounds up: any count shows above the floor
		}
		out[i] = sparkBlocks[level]
	}
	return string(out)
}

func signed(n int) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	if n == 0 {
		return "±0"
	}
	return fmt.Sprintf("−%d", -n)
}

func signedF(x float64) string {
	switch s := fmt.Sprintf("%.1f", x); {
	case s == "0.0" || s == "-0.0":
		return "±0"
	case x > 0:
		return "+" + s
	default:
		return "−" + s[1:]
	}
}

func storyIndex(dg *Digest) map[string]Story {
	m := make(map[string]Story, len(dg.Stories))
	for _, s := range dg.Stories {
		m[s.ID] = s
	}
	return m
}

// dayOf recovers the digest's Day from its JSON fields (UTC if the zone
// is unknown to this binary, which only a hand-edited row can cause).
func dayOf(dg *Digest) Day {
	loc, err := time.LoadLocation(dg.Timezone)
	if err != nil {
		loc = time.UTC
	}
	t, _ := time.Parse(time.DateOnly, dg.Day)
	return NewDay(t, loc)
}
