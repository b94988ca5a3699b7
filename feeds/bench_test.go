package feeds

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// BenchmarkParse parses and normalises the sample feeds' largest
// document (Atom, 27 entries with HTML content) and a 100-item RSS feed
// with content:encoded built from it, and reports items per second.
func BenchmarkParse(b *testing.B) {
	atom, err := os.ReadFile("../testdata/feeds/continental-briefing.atom.xml")
	if err != nil {
		b.Fatal(err)
	}
	probe, err := NewParser().Parse(atom, "", ParseOptions{FeedURL: "https://continentalbriefing.example/partners.atom"})
	if err != nil {
		b.Fatal(err)
	}
	var rss strings.Builder
	rss.WriteString(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Bench</title><link>https://bench.example/</link>`)
	for i := 0; i < 100; i++ {
		it := probe.Items[i%len(probe.Items)]
		fmt.Fprintf(&rss, "<item><title>%d %s</title><link>https://bench.example/%d</link><guid>b-%d</guid><pubDate>%s</pubDate><description><![CDATA[%s]]></description><content:encoded><![CDATA[%s]]></content:encoded></item>",
			i, it.Title, i, i, it.PublishedAt.Format(time.RFC1123Z), it.Summary, it.ContentHTML)
	}
	rss.WriteString("</channel></rss>")
	for _, doc := range []struct {
		name string
		data []byte
	}{{"atom-27", atom}, {"rss-100", []byte(rss.String())}} {
		b.Run(doc.name, func(b *testing.B) {
			p := NewParser()
			items := 0
			b.SetBytes(int64(len(doc.data)))
			for b.Loop() {
				f, err := p.Parse(doc.data, "application/xml", ParseOptions{FeedURL: "https://bench.example/feed"})
				if err != nil {
					b.Fatal(err)
				}
				items += len(f.Items)
			}
			b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
