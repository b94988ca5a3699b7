package feeds

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

const (
	ruTitle = "Лавров: Москва изучит европейские поправки к мирному плану"
	ruBody  = "Министр иностранных дел России Сергей Лавров заявил, что Москва внимательно изучит поправки, " +
		"которые европейские страны внесли в мирный план. По его словам, объём этих поправок ещё предстоит оценить. " +
		"Он добавил, что переговоры о прекращении огня не могут идти без учёта интересов всех сторон."
	ukTitle = "Умєров у Берліні: гарантії безпеки для України обговорили з партнерами"
)

func rssDoc(decl, title, body string) string {
	return decl + `<rss version="2.0"><channel><title>Лента</title><link>https://ru.example/</link>
<item><title>` + title + `</title><link>https://ru.example/a/1</link><guid>ru-1</guid>
<description>` + body + `</description></item></channel></rss>`
}

func mustEncode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeCharsets(t *testing.T) {
	t.Parallel()
	declUTF8 := `<?xml version="1.0" encoding="utf-8"?>`
	cases := []struct {
		name        string
		data        []byte
		contentType string
		wantCharset string
		wantTitle   string
	}{
		{"windows-1251 with declaration", mustEncode(t, charmap.Windows1251, rssDoc(`<?xml version="1.0" encoding="windows-1251"?>`, ruTitle, ruBody)),
			"", "windows-1251", ruTitle},
		{"windows-1251 declared, header disagrees: the declaration wins", mustEncode(t, charmap.Windows1251, rssDoc(`<?xml version="1.0" encoding="windows-1251"?>`, ruTitle, ruBody)),
			"application/rss+xml; charset=koi8-r", "windows-1251", ruTitle},
		{"windows-1251 without declaration, charset in Content-Type", mustEncode(t, charmap.Windows1251, rssDoc("", ruTitle, ruBody)),
			"text/xml; charset=windows-1251", "windows-1251", ruTitle},
		{"windows-1251 with a declaration without encoding, charset in Content-Type", mustEncode(t, charmap.Windows1251, rssDoc(`<?xml version="1.0"?>`, ruTitle, ruBody)),
			"application/rss+xml;charset=\"Windows-1251\"", "windows-1251", ruTitle},
		{"Ukrainian windows-1251 without declaration, charset in Content-Type", mustEncode(t, charmap.Windows1251, rssDoc("", ukTitle, ukTitle)),
			"text/xml; charset=cp1251", "windows-1251", ukTitle},
		{"KOI8-R with declaration", mustEncode(t, charmap.KOI8R, rssDoc(`<?xml version="1.0" encoding="KOI8-R"?>`, ruTitle, ruBody)),
			"text/xml", "koi8-r", ruTitle},
		{"KOI8-R without declaration, charset in Content-Type", mustEncode(t, charmap.KOI8R, rssDoc("", ruTitle, ruBody)),
			"application/xml; charset=koi8-r", "koi8-r", ruTitle},
		{"windows-1251 without any label is guessed", mustEncode(t, charmap.Windows1251, rssDoc("", ruTitle, ruBody)),
			"", "windows-1251", ruTitle},
		{"UTF-8 mislabelled as windows-1251 is not converted twice", []byte(rssDoc(`<?xml version="1.0" encoding="windows-1251"?>`, ruTitle, ruBody)),
			"text/xml; charset=windows-1251", "utf-8", ruTitle},
		{"UTF-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, rssDoc(declUTF8, ruTitle, ruBody)...),
			"", "utf-8", ruTitle},
		{"UTF-16LE with BOM", append([]byte{0xFF, 0xFE}, mustEncode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), rssDoc(`<?xml version="1.0" encoding="utf-16"?>`, ruTitle, ruBody))...),
			"", "utf-16le", ruTitle},
		{"UTF-16BE without BOM", mustEncode(t, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), rssDoc(`<?xml version="1.0" encoding="utf-16"?>`, ruTitle, ruBody)),
			"", "utf-16be", ruTitle},
		{"unknown declared label over UTF-8", []byte(rssDoc(`<?xml version="1.0" encoding="x-bogus"?>`, ruTitle, ruBody)),
			"", "utf-8", ruTitle},
		{"UTF-8 with one broken byte keeps its text", []byte(rssDoc(declUTF8, ruTitle, ruBody+"\xff")),
			"", "utf-8", ruTitle},
	}
	p := NewParser()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := p.Parse(tc.data, tc.contentType, ParseOptions{FeedURL: "https://ru.example/rss", FetchedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			if f.Charset != tc.wantCharset {
				t.Errorf("charset %q, want %q", f.Charset, tc.wantCharset)
			}
			if len(f.Items) != 1 || f.Items[0].Title != tc.wantTitle {
				t.Fatalf("items %+v, want one titled %q", f.Items, tc.wantTitle)
			}
			if f.Title != "Лента" {
				t.Errorf("feed title %q", f.Title)
			}
		})
	}
}

func TestRewriteDeclaration(t *testing.T) {
	t.Parallel()
	in := []byte(`<?xml version="1.0" encoding='windows-1251' standalone="yes"?><rss/>`)
	got := string(rewriteDecl(in))
	if got != `<?xml version="1.0" encoding='utf-8' standalone="yes"?><rss/>` {
		t.Errorf("rewriteDecl = %s", got)
	}
	// Only the declaration at the start is touched.
	body := `<rss><item><description>encoding="koi8-r"</description></item></rss>`
	if got := string(rewriteDecl([]byte(body))); got != body {
		t.Errorf("rewriteDecl changed a body without declaration: %s", got)
	}
}

func TestContentTypeCharset(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]string{
		"text/xml; charset=windows-1251":  "windows-1251",
		`text/xml; charset="KOI8-R"`:      "KOI8-R",
		"text/xml;charset = us-ascii":     "",
		"text/xml; charset=koi8-r;":       "koi8-r",
		"application/rss+xml":             "",
		"":                                "",
		"text/html; charset=utf-8; q=0.1": "utf-8",
	} {
		if got := contentTypeCharset(ct); !strings.EqualFold(got, want) && !(want == "" && got == "us-ascii") {
			t.Errorf("contentTypeCharset(%q) = %q, want %q", ct, got, want)
		}
	}
}
