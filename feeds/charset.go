package feeds

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// Decoding happens here, once, for every format: the body comes out as
// UTF-8 with any XML encoding declaration rewritten to say so, so that
// the XML parser (which would otherwise honour the declaration itself)
// never converts a second time.
//
// Order of precedence, first that applies:
//  1. a byte order mark (UTF-8, UTF-16, UTF-32), or UTF-16/32 recognised
//     from how "<?xml" is laid out (XML 1.0 appendix F);
//  2. UTF-8, when the bytes are valid UTF-8, whatever the labels say: a
//     mislabelled UTF-8 feed is common, while legacy Cyrillic or Latin
//     text that happens to be valid UTF-8 practically does not exist;
//  3. the encoding in the XML declaration, when it names a known legacy
//     charset;
//  4. else the charset parameter of the Content-Type header;
//  5. UTF-8 with the broken sequences replaced, when most non-ASCII
//     bytes do form UTF-8;
//  6. a statistical guess (ICU's detector), else windows-1252.

// xmlDecl matches an XML declaration's encoding pseudo-attribute.
var xmlDecl = regexp.MustCompile(`^\s*<\?xml\s[^>]*?\bencoding\s*=\s*(?:"([^"]*)"|'([^']*)')`)

// utf8Name is the charset name of a body that needed no conversion.
const utf8Name = "utf-8"

// decodeBody returns data as valid UTF-8 and the name of the charset it
// was read as.
func decodeBody(data []byte, contentType string) ([]byte, string, error) {
	if enc, name, skip := sniffUnicode(data); enc != nil {
		out, err := enc.NewDecoder().Bytes(data[skip:])
		if err != nil {
			return nil, "", fmt.Errorf("decode %s: %w", name, err)
		}
		return finish(rewriteDecl(out)), name, nil
	} else if skip > 0 {
		data = data[skip:] // UTF-8 byte order mark
	}
	if utf8.Valid(data) {
		return rewriteDecl(data), utf8Name, nil
	}
	for _, label := range []string{declaredEncoding(data), contentTypeCharset(contentType)} {
		if enc, name := lookupCharset(label); enc != nil && name != utf8Name && !isWide(name) {
			return convert(data, enc, name)
		}
	}
	if mostlyUTF8(data) {
		return finish(rewriteDecl(data)), utf8Name, nil
	}
	if enc, name := guessCharset(data); enc != nil {
		return convert(data, enc, name)
	}
	enc, name := lookupCharset("windows-1252")
	return convert(data, enc, name)
}

// mostlyUTF8 reports whether more multi-byte characters decode than
// bytes fail to: UTF-8 with a few broken bytes rather than a legacy
// charset.
func mostlyUTF8(data []byte) bool {
	good, bad := 0, 0
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			good++
		}
		i += n
	}
	return good > bad
}

func convert(data []byte, enc encoding.Encoding, name string) ([]byte, string, error) {
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return nil, "", fmt.Errorf("decode %s: %w", name, err)
	}
	return finish(rewriteDecl(out)), name, nil
}

// finish replaces any byte sequence that is still not UTF-8 (a document
// that lies about its charset in places) rather than failing the feed.
func finish(data []byte) []byte {
	if utf8.Valid(data) {
		return data
	}
	return bytes.ToValidUTF8(data, []byte("\uFFFD"))
}

// sniffUnicode recognises byte order marks and BOM-less UTF-16/32 XML.
// For a UTF-8 BOM it returns a nil encoding and skip 3.
func sniffUnicode(data []byte) (enc encoding.Encoding, name string, skip int) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return nil, utf8Name, 3
	case bytes.HasPrefix(data, []byte{0x00, 0x00, 0xFE, 0xFF}):
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be", 4
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0x00, 0x00}):
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le", 4
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 2
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 2
	case bytes.HasPrefix(data, []byte{0x00, 0x00, 0x00, '<'}):
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be", 0
	case bytes.HasPrefix(data, []byte{'<', 0x00, 0x00, 0x00}):
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le", 0
	case bytes.HasPrefix(data, []byte{0x00, '<', 0x00, '?'}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 0
	case bytes.HasPrefix(data, []byte{'<', 0x00, '?', 0x00}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 0
	}
	return nil, "", 0
}

// declaredEncoding returns the encoding named in the XML declaration.
func declaredEncoding(data []byte) string {
	head := data[:min(len(data), 512)]
	m := xmlDecl.FindSubmatch(head)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(string(m[1]) + string(m[2]))
}

// rewriteDecl makes an XML declaration name UTF-8, the encoding data is
// now in.
func rewriteDecl(data []byte) []byte {
	head := data[:min(len(data), 512)]
	loc := xmlDecl.FindSubmatchIndex(head)
	if loc == nil {
		return data
	}
	start, end := loc[2], loc[3]
	if start < 0 {
		start, end = loc[4], loc[5]
	}
	if strings.EqualFold(string(data[start:end]), utf8Name) {
		return data
	}
	out := make([]byte, 0, len(data)+8)
	out = append(out, data[:start]...)
	out = append(out, utf8Name...)
	return append(out, data[end:]...)
}

func contentTypeCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		// Tolerate sloppy headers such as "text/xml; charset=koi8-r;".
		if i := strings.Index(strings.ToLower(contentType), "charset="); i >= 0 {
			v := contentType[i+len("charset="):]
			if j := strings.IndexAny(v, "; "); j >= 0 {
				v = v[:j]
			}
			return strings.Trim(v, `"' `)
		}
		return ""
	}
	return params["charset"]
}

// lookupCharset resolves a label with the WHATWG encoding table (so
// iso-8859-1 reads as its superset windows-1252, as browsers do).
func lookupCharset(label string) (encoding.Encoding, string) {
	enc, name := charset.Lookup(label)
	if enc == nil {
		return nil, ""
	}
	if name == "utf-8" {
		return enc, utf8Name
	}
	return enc, name
}

// isWide reports a charset whose declaration cannot be read in ASCII:
// when such a label is found in an ASCII-readable declaration it is
// false, and the sniffing above has already handled true UTF-16/32.
func isWide(name string) bool {
	return strings.HasPrefix(name, "utf-16") || strings.HasPrefix(name, "utf-32")
}

// guessCharset asks ICU's statistical detector about bytes that are
// neither labelled nor UTF-8.
func guessCharset(data []byte) (encoding.Encoding, string) {
	sample := data[:min(len(data), 64<<10)]
	res, err := chardet.NewTextDetector().DetectBest(sample)
	if err != nil || res == nil || res.Confidence < 30 {
		return nil, ""
	}
	enc, name := lookupCharset(res.Charset)
	if enc == nil || name == utf8Name || isWide(name) {
		return nil, ""
	}
	return enc, name
}
