package digest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/stancewatch/stancewatch/digest"
	"github.com/stancewatch/stancewatch/internal/chromiumtest"
)

// pageReport is what the browser saw of a page.
type pageReport struct {
	Console    []string // console errors and warnings, uncaught exceptions, browser log errors
	Requests   []string // paths the page asked the server for, besides itself
	Resources  int      // entries of the page's resource timing
	Overflow   bool     // wider than the viewport: a phone would scroll sideways
	Screenshot []byte   // PNG of the whole page
	Text       string   // document.body.innerText
	Background string   // the body's computed background colour
}

// browse serves files on a loopback httptest server and opens page in
// headless Chromium with a phone-sized viewport, in the dark colour
// scheme when dark is set.
func browse(t *testing.T, files map[string][]byte, page string, dark bool) pageReport {
	t.Helper()
	var mu sync.Mutex
	var rep pageReport
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name != page {
			mu.Lock()
			rep.Requests = append(rep.Requests, r.URL.Path)
			mu.Unlock()
		}
		data, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(data)
	}))
	defer srv.Close()

	ctx := chromiumtest.Start(t)
	consoleErrors := chromiumtest.WatchConsole(ctx)

	tctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	err := chromedp.Do(tctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			})
			return err
		}),
		chromedp.Navigate(srv.URL+"/"+page),
	)
	if err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
	if rep.Resources, err = chromedp.Run(tctx, chromedp.Evaluate[int](`performance.getEntriesByType("resource").length`)); err != nil {
		t.Fatal(err)
	}
	if rep.Overflow, err = chromedp.Run(tctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil {
		t.Fatal(err)
	}
	if rep.Text, err = chromedp.Run(tctx, chromedp.Evaluate[string](`document.body.innerText`)); err != nil {
		t.Fatal(err)
	}
	if rep.Background, err = chromedp.Run(tctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`)); err != nil {
		t.Fatal(err)
	}
	if rep.Screenshot, err = chromedp.Run(tctx, chromedp.FullScreenshot(100)); err != nil {
		t.Fatal(err)
	}
	console := consoleErrors()
	mu.Lock()
	defer mu.Unlock()
	rep.Console = console
	return rep
}

// saveScreenshot keeps the PNG in $STANCEWATCH_SCREENSHOT_DIR when set
// (to look at it), else in the test's temporary directory.
func saveScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := os.Getenv("STANCEWATCH_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func TestHTMLRendersInChromium(t *testing.T) {
	ctx := context.Background()
	st, _, _ := fixtureStore(t)
	dir := t.TempDir()
	for i := 13; i >= 0; i-- { // a history for the index and the trends
		if _, err := digest.Generate(ctx, st, fixtureDay.AddDays(-i), digest.Options{Now: fixtureNow, OutDir: dir}); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string][]byte{}
	for _, name := range []string{"2026-03-29.html", "index.html"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	for _, c := range []struct {
		name string
		dark bool
	}{{"2026-03-29.html", false}, {"index.html", false}, {"2026-03-29.html", true}} {
		name := c.name
		rep := browse(t, files, name, c.dark)
		shot := strings.TrimSuffix(name, ".html") + "-phone.png"
		if c.dark {
			shot = strings.TrimSuffix(name, ".html") + "-phone-dark.png"
		}
		saveScreenshot(t, shot, rep.Screenshot)
		if len(rep.Console) > 0 {
			t.Errorf("%s: console errors: %q", name, rep.Console)
		}
		var r, g, b int
		fmt.Sscanf(rep.Background, "rgb(%d, %d, %d)", &r, &g, &b)
		if isDark := r+g+b < 200; isDark != c.dark {
			t.Errorf("%s: background %s in the %v colour scheme", name, rep.Background, map[bool]string{true: "dark", false: "light"}[c.dark])
		}
		if len(rep.Requests) > 0 || rep.Resources > 0 {
			t.Errorf("%s is not self-contained: it requested %q (%d resources)", name, rep.Requests, rep.Resources)
		}
		if rep.Overflow {
			t.Errorf("%s is wider than a 390px phone screen", name)
		}
		if len(rep.Screenshot) < 10_000 || string(rep.Screenshot[1:4]) != "PNG" {
			t.Errorf("%s: screenshot of %d bytes is not a real PNG", name, len(rep.Screenshot))
		}
	}
	rep := browse(t, files, "2026-03-29.html", false)
	for _, want := range []string{"Sunday 29 March 2026", "Coverage leaned to", "Framing by outlet", "Harbour City Gazette", "Named most"} {
		if !strings.Contains(rep.Text, want) {
			t.Errorf("rendered page does not show %q", want)
		}
	}
}

// The check above must be able to fail: a page with a console error, an
// exception and a missing image is caught.
func TestBrowserCheckCatchesErrors(t *testing.T) {
	page := []byte(`<!DOCTYPE html><html><head><title>bad</title></head><body><p>bad page</p>
<img src="/missing.png" alt=""><script>console.error("digest broke"); undefinedFunction();</script></body></html>`)
	rep := browse(t, map[string][]byte{"bad.html": page}, "bad.html", false)
	joined := strings.Join(rep.Console, "\n")
	for _, want := range []string{"digest broke", "undefinedFunction", "404"} {
		if !strings.Contains(joined, want) {
			t.Errorf("console check missed %q; it saw %q", want, rep.Console)
		}
	}
	if len(rep.Requests) == 0 || rep.Requests[0] != "/missing.png" {
		t.Errorf("request check missed the image: %q", rep.Requests)
	}
}
