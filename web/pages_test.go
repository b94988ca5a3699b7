package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stancewatch/stancewatch/internal/wbfixture"
)

func TestPagesRender(t *testing.T) {
	e := newEnv(t)
	hostile := e.arts[7]
	if hostile.Title != wbfixture.HostileTitle {
		t.Fatal("fixture order changed")
	}
	for _, path := range []string{"/", "/?relevant=any", "/?topic=territory&limit=1", fmt.Sprintf("/articles/%d", hostile.ID),
		fmt.Sprintf("/articles/%d", e.arts[0].ID), "/trends?from=2026-03-11&to=2026-03-20", "/trends?from=2026-01-01&to=2026-03-20",
		"/review?from=2026-03-01&to=2026-03-20"} {
		code, body, hdr := e.get(t, path)
		if code != 200 {
			t.Errorf("GET %s: %d %s", path, code, body)
			continue
		}
		if !strings.Contains(hdr.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("GET %s: no CSP", path)
		}
		if strings.Contains(string(body), "<script>window.__pwned") || strings.Contains(string(body), `<img src=x`) {
			t.Errorf("GET %s: the hostile title is not escaped", path)
		}
	}
	_, body, _ := e.get(t, "/?relevant=any")
	if !strings.Contains(string(body), "&lt;script&gt;window.__pwned=1&lt;/script&gt;") {
		t.Error("the hostile title is not shown as text")
	}
	_, body, _ = e.get(t, "/trends?from=2026-03-11&to=2026-03-20")
	for _, want := range []string{`role="img"`, `<title id="outlook-title">`, `<title id="heat-title">`, `<title id="topics-title">`, `<title id="actors-title">`, "<table>", `href="/?`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("trends page lacks %s", want)
		}
	}
	_, body, _ = e.get(t, fmt.Sprintf("/articles/%d", e.arts[0].ID))
	if !strings.Contains(string(body), "<mark") || !strings.Contains(string(body), "fixture.ceasefire") {
		t.Error("the article page does not highlight the evidence with its rule")
	}
	if code, _, _ := e.get(t, "/?topic=football"); code != 400 {
		t.Errorf("list with a bad topic: %d, want 400", code)
	}
}
