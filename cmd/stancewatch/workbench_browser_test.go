package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/stancewatch/stancewatch/gold"
	"github.com/stancewatch/stancewatch/internal/chromiumtest"
	"github.com/stancewatch/stancewatch/internal/wbfixture"
	"github.com/stancewatch/stancewatch/store"
	"github.com/stancewatch/stancewatch/store/storetest"
	"github.com/stancewatch/stancewatch/tagger"
)

const browserEditorToken = "browser-editor-token-0123456789"

// startDaemon runs `stancewatch run` in-process on a free loopback port
// against dbURL, with an editor token, and waits until it is ready.
func startDaemon(t *testing.T, dbURL string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "stancewatch.yaml")
	yaml := fmt.Sprintf("http:\n  listen: %s\n  auth:\n    tokens:\n      - {name: ed, role: editor, token: \"env:SW_TEST_TOKEN\"}\n"+
		"digest:\n  out_dir: %s\n  schedule: \"0 6 1 1 *\"\nlog:\n  level: error\n", addr, filepath.Join(dir, "digests"))
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr strings.Builder
	go func() {
		done <- runCLI(ctx, []string{"--config", cfg, "run"}, &cli{
			stdin: strings.NewReader(""), stdout: &strings.Builder{}, stderr: &stderr, version: "test",
			getenv: func(k string) string {
				return map[string]string{"DATABASE_URL": dbURL, "SW_TEST_TOKEN": browserEditorToken}[k]
			},
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("the daemon did not stop")
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base
			}
		}
		select {
		case code := <-done:
			t.Fatalf("the daemon exited with %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon is not ready after 30 s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// browser starts headless Chromium that sends the editor token by basic
// auth, and collects console errors.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	ctx := chromiumtest.Start(t)
	consoleErrors := chromiumtest.WatchConsole(ctx)
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("ed:"+browserEditorToken))
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1000, 900),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}})
			return err
		}))
	if err != nil {
		t.Fatal(err)
	}
	return ctx, consoleErrors
}

func TestWorkbenchInChromium(t *testing.T) {
	dbURL := pg.NewDatabase(t)
	st := storetest.Open(t, dbURL)
	arts := wbfixture.Load(t, st)
	// Tagged by the current rules, so that the daemon's re-tag job leaves
	// the fixture's labels alone.
	eng, err := tagger.Load()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Exec(t, st, `UPDATE article_tags SET rules_version = $1`, eng.Version())
	base := startDaemon(t, dbURL)
	ctx, consoleErrors := browser(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	b := &browserTab{t: t, ctx: tctx}

	checkListShowsHostileTitleAsText(b, base)
	checkFilterForm(b, arts)
	checkTrendsChartLink(b, base)
	checkCorrectionOnArticlePage(b, st, dbURL, base, arts[1])

	b.run("open the review queue", chromedp.Navigate(base+"/review?from=2026-03-01&to=2026-03-20"), chromedp.WaitVisible("#queue"))
	if c := consoleErrors(); len(c) > 0 {
		t.Errorf("console errors: %q", c)
	}
}

// browserTab drives one Chromium tab, failing the test on any error.
type browserTab struct {
	t   *testing.T
	ctx context.Context
}

// run performs steps, named what in a failure.
func (b *browserTab) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval returns the value of the JavaScript expression js in the page.
func (b *browserTab) eval(js string) any {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitFor waits until the page's URL matches: a click's navigation
// has replaced the page, not just begun.
func (b *browserTab) waitFor(what, js string) {
	b.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); b.eval(js) != true; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: still at %v", what, b.eval(`location.href`))
		}
	}
}

// checkListShowsHostileTitleAsText: in the list, hostile titles are text,
// and nothing ran.
func checkListShowsHostileTitleAsText(b *browserTab, base string) {
	b.t.Helper()
	b.run("open the list", chromedp.Navigate(base+"/?relevant=any"), chromedp.WaitVisible("#articles"))
	if got := b.eval(`document.body.innerText.includes(` + jsString(wbfixture.HostileTitle) + `)`); got != true {
		b.t.Error("the hostile title is not shown as text")
	}
	if got := b.eval(`window.__pwned === undefined && document.querySelectorAll('#articles script, #articles img').length === 0`); got != true {
		b.t.Error("the hostile title ran or made elements")
	}
}

// checkFilterForm filters the list with the form: the URL holds the
// filter, and every row shown, and only those, match it.
func checkFilterForm(b *browserTab, arts []wbfixture.Article) {
	b.t.Helper()
	b.run("filter by framing", chromedp.SetValue("#f-framing", "pro_russia"), chromedp.SetValue("#f-relevant", "true"),
		chromedp.Click("#apply"))
	b.waitFor("filter by framing", `location.search.includes('framing=pro_russia') && document.readyState === 'complete'`)
	if got := b.eval(`location.search.includes('framing=pro_russia')`); got != true {
		b.t.Errorf("the URL does not hold the filter: %v", b.eval(`location.search`))
	}
	want := 0
	for _, a := range arts {
		if a.Relevant && a.Framing == "pro_russia" {
			want++
		}
	}
	if got := b.eval(`(() => { const li = [...document.querySelectorAll('#articles li')]; return li.every(l => l.querySelector('.f-pro_russia')) ? li.length : -1 })()`); got != float64(want) {
		b.t.Errorf("filtered list: %v rows (−1: a row without the framing), want %d", got, want)
	}
}

// checkTrendsChartLink opens the trends page, saves its screenshot, and
// follows a chart link to the list behind it.
func checkTrendsChartLink(b *browserTab, base string) {
	b.t.Helper()
	b.run("open the trends", chromedp.Navigate(base+"/trends?from=2026-03-11&to=2026-03-20"), chromedp.WaitVisible("#h-actors"))
	shot, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	saveWorkbenchScreenshot(b.t, "workbench-trends.png", shot)
	label := b.eval(`document.querySelector('a.actor-link title').textContent`).(string) // "Zelensky: 3 articles"
	actor, count, _ := strings.Cut(label, ": ")
	count = strings.TrimSuffix(count, " articles")
	b.run("follow the actor chart's first bar", chromedp.Click("a.actor-link rect"))
	b.waitFor("follow the actor chart's first bar", `location.pathname === '/' && document.readyState === 'complete'`)
	if got := b.eval(`new URLSearchParams(location.search).get('actor')`); got != actor {
		b.t.Errorf("the chart link went to actor %v, want %q", got, actor)
	}
	if got := b.eval(`String(document.querySelectorAll('#articles li').length)`); got != count {
		b.t.Errorf("the chart says %s articles name %s; the list behind it has %v", count, actor, got)
	}
}

// checkCorrectionOnArticlePage corrects a label of target on its article
// page, then finds the correction stored, shown, and in eval and gold
// export.
func checkCorrectionOnArticlePage(b *browserTab, st *store.Store, dbURL, base string, target wbfixture.Article) {
	t := b.t
	t.Helper()
	b.run("correct the outlook", chromedp.Navigate(fmt.Sprintf("%s/articles/%d", base, target.ID)), chromedp.WaitVisible("#correct"),
		chromedp.SetValue("#c-outlook", "mixed"), chromedp.SetValue("#c-note", "Moscow signals movement"),
		chromedp.Click("#save"), chromedp.WaitVisible("#saved"))
	var outlook string
	var corrected bool
	if err := storetest.QueryRow(t, st, `SELECT outlook, corrected FROM article_labels_reviewed WHERE article_id = $1`, target.ID).Scan(&outlook, &corrected); err != nil {
		t.Fatal(err)
	}
	if outlook != "mixed" || !corrected {
		t.Errorf("article_labels_reviewed after the correction: %s, corrected %v", outlook, corrected)
	}
	if got := b.eval(`document.querySelector('#corrections').innerText.includes('Moscow signals movement')`); got != true {
		t.Error("the article page does not list the correction")
	}
	if got := b.eval(`[...document.querySelectorAll('mark small')].some(m => m.textContent.includes('fixture.title'))`); got != true {
		t.Error("the article page does not mark the evidence with its rule")
	}
	if shot, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot()); err == nil {
		saveWorkbenchScreenshot(t, "workbench-article.png", shot)
	}
	r := runWith(t, map[string]string{"DATABASE_URL": dbURL}, "", "eval", "--corrections", "--misses=false")
	if r.code != 0 || !strings.Contains(r.stdout, "1 corrected articles") {
		t.Errorf("eval --corrections: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runWith(t, map[string]string{"DATABASE_URL": dbURL}, "", "gold", "export", "--corrections")
	if r.code != 0 {
		t.Fatalf("gold export --corrections: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	exported, err := gold.Read(strings.NewReader(r.stdout), "gold export")
	if err != nil || len(exported) != 1 || exported[0].Labels.Outlook != "mixed" || exported[0].Body != target.Body || exported[0].Title != target.Title {
		t.Errorf("gold export --corrections is not the gold format with the correction: %v\n%s", err, r.stdout)
	}
}

func jsString(s string) string {
	return "`" + strings.NewReplacer("`", "\\`", "\\", "\\\\", "${", "\\${").Replace(s) + "`"
}

// saveWorkbenchScreenshot keeps the PNG in $STANCEWATCH_SCREENSHOT_DIR
// when set (docs/ holds the one the README shows), else in the test's
// temporary directory.
func saveWorkbenchScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	if len(png) < 10_000 {
		t.Errorf("screenshot %s of %d bytes is too small to show the page", name, len(png))
	}
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
