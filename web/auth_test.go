package web_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stancewatch/stancewatch/config"
	"github.com/stancewatch/stancewatch/web"
)

func TestCorrectionNeedsAnEditor(t *testing.T) {
	e := newEnv(t, web.Token{Name: "rita", Secret: readerToken}, web.Token{Name: "ed", Editor: true, Secret: editorToken})
	a := e.arts[0]
	body := `{"relevant":true,"topics":["ceasefire"],"outlook":"mixed","framing":"neutral"}`
	do := func(auth func(*http.Request)) (int, string, http.Header) {
		req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/articles/%d/labels", e.srv.URL, a.ID), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != nil {
			auth(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	codeNone, bodyNone, hdr := do(nil)
	codeWrong, bodyWrong, _ := do(bearer("editor-token-012345678X"))
	if codeNone != 401 || codeWrong != 401 || bodyNone != bodyWrong || hdr.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %q; wrong token: %d %q; want the same 401 with a challenge", codeNone, bodyNone, codeWrong, bodyWrong)
	}
	if code, b, _ := do(bearer(readerToken)); code != 403 || !strings.Contains(b, "editor") {
		t.Errorf("reader token: %d %s, want 403", code, b)
	}
	if code, b, _ := do(func(r *http.Request) { r.SetBasicAuth("anyone", readerToken) }); code != 403 {
		t.Errorf("reader by basic auth: %d %s, want 403", code, b)
	}
	if code, b, _ := do(bearer(editorToken)); code != 200 || !strings.Contains(b, `"by":"ed"`) {
		t.Errorf("editor token: %d %s, want 200 by ed", code, b)
	}
	if code, b, _ := do(func(r *http.Request) { r.SetBasicAuth("x", editorToken) }); code != 200 {
		t.Errorf("editor by basic auth: %d %s", code, b)
	}
	// Reading needs a token too once tokens are configured.
	if code, _, _ := e.get(t, "/api/v1/articles"); code != 401 {
		t.Errorf("read without a token: %d, want 401", code)
	}
	if code, _, _ := e.get(t, "/api/v1/articles", "Authorization", "Bearer "+readerToken); code != 200 {
		t.Errorf("read with the reader token: %d", code)
	}
	if code, _, _ := e.get(t, "/", "Authorization", "Basic "+basic("u", readerToken)); code != 200 {
		t.Errorf("page with basic auth: %d", code)
	}
}

func basic(user, pw string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(user, pw)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

func TestNoTokensReadOnly(t *testing.T) {
	e := newEnv(t)
	if code, _, _ := e.get(t, "/api/v1/articles"); code != 200 {
		t.Errorf("open read: %d", code)
	}
	req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/articles/%d/labels", e.srv.URL, e.arts[0].ID),
		strings.NewReader(`{"relevant":false,"outlook":"none","framing":"neutral"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("write without configured tokens: %d, want 403", resp.StatusCode)
	}
}

func TestFormNeedsCSRFToken(t *testing.T) {
	e := newEnv(t, web.Token{Name: "ed", Editor: true, Secret: editorToken})
	a := e.arts[0]
	auth := "Bearer " + editorToken
	// The article page sets the cookie and puts the token in the form.
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/articles/%d", e.srv.URL, a.ID), nil)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "stancewatch_csrf" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("CSRF cookie %+v: want HttpOnly and SameSite=Strict", cookie)
	}
	if !bytes.Contains(page, []byte(`name="csrf" value="`+cookie.Value+`"`)) {
		t.Fatal("the form does not carry the cookie's token")
	}
	post := func(form string, withCookie bool, origin string) int {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/articles/%d/labels", e.srv.URL, a.ID), strings.NewReader(form))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if withCookie {
			req.AddCookie(cookie)
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	good := "relevant=true&outlook=mixed&framing=neutral&topic=ceasefire&csrf=" + cookie.Value
	if code := post("relevant=true&outlook=mixed&framing=neutral", true, ""); code != 403 {
		t.Errorf("form without the token: %d, want 403", code)
	}
	if code := post(good, false, ""); code != 403 {
		t.Errorf("form without the cookie: %d, want 403", code)
	}
	if code := post(good, true, "https://evil.example"); code != 403 {
		t.Errorf("form from another origin: %d, want 403", code)
	}
	if code := post(good, true, e.srv.URL); code != 303 {
		t.Errorf("good form: %d, want 303", code)
	}
}

func TestTokensFromEnvAndFileAreMasked(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/tok"
	if err := writeFile(file, "file-token-0123456789\n"); err != nil {
		t.Fatal(err)
	}
	yaml := fmt.Sprintf("http:\n  listen: 0.0.0.0:8080\n  auth:\n    tokens:\n"+
		"      - {name: a, role: reader, token: literal-token-0123456789}\n"+
		"      - {name: b, role: editor, token: \"env:SW_TOKEN\"}\n"+
		"      - {name: c, role: reader, token: \"file:%s\"}\n", file)
	path := dir + "/c.yaml"
	if err := writeFile(path, yaml); err != nil {
		t.Fatal(err)
	}
	l, err := config.Load(path, func(k string) string { return map[string]string{"SW_TOKEN": "env-token-0123456789"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	toks := l.HTTP.Auth.Tokens
	if toks[0].SecretValue() != "literal-token-0123456789" || toks[1].SecretValue() != "env-token-0123456789" || toks[2].SecretValue() != "file-token-0123456789" {
		t.Errorf("secrets: %q %q %q", toks[0].SecretValue(), toks[1].SecretValue(), toks[2].SecretValue())
	}
	if err := l.HTTP.CheckExposure(); err != nil {
		t.Errorf("non-loopback with tokens refused: %v", err)
	}
	out, err := l.Masked()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"literal-token", "env-token", "file-token"} {
		if strings.Contains(string(out), secret) {
			t.Errorf("config check shows %s:\n%s", secret, out)
		}
	}
	if _, err := config.Load(path, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "SW_TOKEN") {
		t.Errorf("unset env token: %v", err)
	}
}

func TestNonLoopbackWithoutAuthIsRefused(t *testing.T) {
	for listen, refused := range map[string]bool{"0.0.0.0:8080": true, "192.0.2.1:80": true, "[::]:8080": true,
		"127.0.0.1:8080": false, "localhost:8080": false, "[::1]:8080": false, "": false} {
		err := config.HTTP{Listen: listen, Workbench: true}.CheckExposure()
		if (err != nil) != refused {
			t.Errorf("listen %q: err = %v, want refused %v", listen, err, refused)
		}
		if err != nil && !strings.Contains(err.Error(), "http.auth.tokens") {
			t.Errorf("listen %q: the refusal does not say what to do: %v", listen, err)
		}
		if err := (config.HTTP{Listen: listen}).CheckExposure(); err != nil {
			t.Errorf("listen %q without the workbench: %v", listen, err)
		}
	}
}
