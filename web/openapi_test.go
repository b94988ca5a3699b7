package web

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The OpenAPI description and the handlers must agree: the same paths
// and methods, the same query parameters, and the same label values.
func TestOpenAPIMatchesHandlers(t *testing.T) {
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Parameters []struct {
				Name   string `json:"name"`
				In     string `json:"in"`
				Schema struct {
					Enum  []string `json:"enum"`
					Items struct {
						Enum []string `json:"enum"`
					} `json:"items"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	described := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			described[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range routes {
		if rt.api {
			served[rt.method+" "+rt.pattern] = true
		}
	}
	for k := range served {
		if !described[k] {
			t.Errorf("%s is served but not in openapi.json", k)
		}
	}
	for k := range described {
		if !served[k] {
			t.Errorf("%s is in openapi.json but not served", k)
		}
	}

	want := map[string][]string{
		"GET /api/v1/articles":     articlesParams,
		"GET /api/v1/articles.csv": csvParams,
		"GET /api/v1/stats":        statsParams,
	}
	enums := map[string][]string{"topic": topicNames, "outlook": outlookNames, "framing": framingNames, "by": statsBy, "group": statsGroups}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			key := strings.ToUpper(method) + " " + path
			var query []string
			for _, p := range op.Parameters {
				if p.In != "query" {
					continue
				}
				query = append(query, p.Name)
				if vals, ok := enums[p.Name]; ok {
					got := p.Schema.Enum
					if got == nil {
						got = p.Schema.Items.Enum
					}
					if !slices.Equal(got, vals) {
						t.Errorf("%s: parameter %s lists %v, the handler takes %v", key, p.Name, got, vals)
					}
				}
			}
			exp := want[key]
			slices.Sort(query)
			exp = slices.Sorted(slices.Values(exp))
			if !slices.Equal(query, exp) {
				t.Errorf("%s: openapi.json has query parameters %v, the handler takes %v", key, query, exp)
			}
		}
	}
}
