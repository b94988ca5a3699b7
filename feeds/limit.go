package feeds

import (
	"bytes"
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
