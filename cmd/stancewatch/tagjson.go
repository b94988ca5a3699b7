package main

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/stancewatch/stancewatch/gold"
	"github.com/stancewatch/stancewatch/tagger"
)

// `stancewatch tag` writes its answers with a hand-written encoder: the
// evidence lists make the output several times larger than the input,
// and encoding them through reflection cost as much as tagging itself.
// The bytes are exactly those encoding/json writes for tagOutput (a test
// checks it on every gold article).

// tagEncoder writes the lines of one run. It remembers the sorted keys
// of the last scores written: every article has the same labels, so
// their order is worked out once rather than for each line.
type tagEncoder struct {
	scoreKeys []string
}

// appendTagLine appends the JSON line of one tagged article.
func (enc *tagEncoder) appendTagLine(b []byte, id []byte, r *tagger.Result, version string, x *tagger.Explanation) []byte {
	b = append(b, `{"id":`...)
	b = append(b, id...)
	b = append(b, `,"labels":{"relevant":`...)
	b = strconv.AppendBool(b, r.Relevant)
	b = append(b, `,"topics":[`...)
	for i, t := range r.Topics {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, t.Topic)
	}
	b = append(b, `],"outlook":`...)
	b = appendJSONString(b, r.Outlook)
	b = append(b, `,"framing":`...)
	b = appendJSONString(b, r.Framing)
	b = append(b, `},"actors":[`...)
	for i, a := range r.Actors {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendJSONString(b, a.Name)
		b = append(b, `,"mentions":`...)
		b = strconv.AppendInt(b, int64(a.Mentions), 10)
		b = append(b, '}')
	}
	b = append(b, `],"evidence":`...)
	b = appendEvidence(b, r.Evidence)
	b = append(b, `,"scores":`...)
	b = enc.appendScores(b, r.Scores)
	b = append(b, `,"rules_version":`...)
	b = appendJSONString(b, version)
	if x != nil {
		if len(x.Matches) > 0 {
			b = append(b, `,"matches":`...)
			b = appendEvidence(b, x.Matches)
		}
		// --explain is for reading, not for speed: encoding/json will do.
		tally, err := json.Marshal(gold.KeepTally(x.Tally))
		if err == nil {
			b = append(b, `,"tally":`...)
			b = append(b, tally...)
		}
	}
	return append(b, "}\n"...)
}

func appendEvidence(b []byte, evs []tagger.Evidence) []byte {
	b = append(b, '[')
	for i := range evs {
		e := &evs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"label":`...)
		b = appendJSONString(b, e.Label)
		b = append(b, `,"rule":`...)
		b = appendJSONString(b, e.Rule)
		b = append(b, `,"field":`...)
		b = appendJSONString(b, e.Field)
		b = append(b, `,"text":`...)
		b = appendJSONString(b, e.Text)
		b = append(b, `,"start":`...)
		b = strconv.AppendInt(b, int64(e.Start), 10)
		b = append(b, `,"end":`...)
		b = strconv.AppendInt(b, int64(e.End), 10)
		b = append(b, `,"weight":`...)
		b = appendJSONFloat(b, e.Weight)
		if e.Voice != "" {
			b = append(b, `,"voice":`...)
			b = appendJSONString(b, e.Voice)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendScores writes the map with its keys sorted, as encoding/json
// does: in the order of the last map's keys when they are the same.
func (enc *tagEncoder) appendScores(b []byte, m map[string]float64) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	if len(m) == len(enc.scoreKeys) {
		if out, ok := appendScoresIn(b, m, enc.scoreKeys); ok {
			return out
		}
	}
	keys := enc.scoreKeys[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	enc.scoreKeys = keys
	b, _ = appendScoresIn(b, m, keys)
	return b
}

// appendScoresIn writes m in the order of keys, which must be all of its
// keys; false (and b unchanged) when one of them is not in m.
func appendScoresIn(b []byte, m map[string]float64, keys []string) ([]byte, bool) {
	start := len(b)
	b = append(b, '{')
	for i, k := range keys {
		v, ok := m[k]
		if !ok {
			return b[:start], false
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONFloat(b, v)
	}
	return append(b, '}'), true
}

// appendJSONFloat formats f as encoding/json does.
func appendJSONFloat(b []byte, f float64) []byte {
	// Whole numbers (most weights: 0 for context, 1, 2) skip the shortest-
	// representation search; -0 keeps the slow path, which writes "-0".
	if i := int64(f); float64(i) == f && i > -1e15 && i < 1e15 && !(i == 0 && math.Signbit(f)) {
		return strconv.AppendInt(b, i, 10)
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		b = strconv.AppendFloat(b, f, 'e', -1, 64)
		// e-09 to e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
		return b
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// jsonSafe marks the ASCII bytes that go into a JSON string as they are
// (with HTML escaping off, as the tag command's encoder had it).
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD, U+2028
// and U+2029 escaped, like encoding/json without HTML escaping. It reads
// s once; two-byte runes (all of Cyrillic) are checked inline, so only
// other multi-byte runes are decoded.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		if c >= 0xC2 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			i += 2 // a valid two-byte rune
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...) // the replacement character itself, as encoding/json writes it
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
