package feeds

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// limitXMLItems cuts an RSS, RDF or Atom document before its (max+1)th
// item or entry, closing the elements still open there, so that the feed
// parser never builds the items it would drop: a hostile document of a
// few hundred thousand tiny items costs what max items cost. It returns
// the document (body itself when it has max items or fewer, or is not
// XML it can read) and how many items it cut.
func limitXMLItems(body []byte, max int) ([]byte, int) {
	if max <= 0 || bytes.Count(body, []byte("<item"))+bytes.Count(body, []byte("<entry"))+
		bytes.Count(body, []byte(":item"))+bytes.Count(body, []byte(":entry")) <= max {
		return body, 0
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	var (
		stack   []xml.Name
		items   int
		cutAt   int64 = -1
		closing string
	)
	for {
		before := dec.InputOffset()
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if cutAt >= 0 {
				break // what follows the cut does not matter
			}
			return body, 0 // let the parser report it
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if name := strings.ToLower(t.Name.Local); name == "item" || name == "entry" {
				items++
				if items == max+1 {
					cutAt = before
					var b strings.Builder
					for i := len(stack) - 1; i >= 0; i-- {
						b.WriteString("</" + qualified(stack[i]) + ">")
					}
					closing = b.String()
				}
			}
			stack = append(stack, t.Name)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if cutAt < 0 {
		return body, 0
	}
	out := make([]byte, 0, int(cutAt)+len(closing))
	out = append(append(out, body[:cutAt]...), closing...)
	return out, items - max
}

func qualified(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// limitJSONItems does for a JSON Feed what limitXMLItems does for XML: the
// "items" array is cut after max elements, the rest of the document kept.
func limitJSONItems(body []byte, max int) ([]byte, int) {
	if max <= 0 || bytes.Count(body, []byte(`{`)) <= max+1 {
		return body, 0
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return body, 0
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return body, 0
		}
		if key != "items" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return body, 0
			}
			continue
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return body, 0
		}
		n, cutAt := 0, int64(-1)
		for dec.More() {
			if n == max {
				cutAt = dec.InputOffset()
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return body, 0
			}
			n++
		}
		if _, err := dec.Token(); err != nil || cutAt < 0 { // the closing ']'
			return body, 0
		}
		closeAt := int(dec.InputOffset()) - 1
		out := make([]byte, 0, int(cutAt)+len(body)-closeAt)
		out = append(append(out, body[:cutAt]...), body[closeAt:]...)
		return out, n - max
	}
	return body, 0
}
