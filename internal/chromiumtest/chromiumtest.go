// Package chromiumtest starts headless Chromium (Debian's package) for the
// tests that check pages in a real browser, and collects what the pages
// say on the console.
package chromiumtest

import (
	"context"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Install is what the Makefile runs when Chromium is missing.
const Install = "apt-get update && apt-get install -y chromium"

// Start launches a headless Chromium with its own profile, stopped when t
// ends, and returns the context of its first tab. A missing Chromium
// fails the test with the command that installs it.
func Start(t testing.TB) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Fatalf("Chromium is not installed; pages are checked in a real browser. Install it with:\n  %s\n(`make test` does this by itself when run as root)", Install)
	}
	// As root Chromium needs --no-sandbox; without the networking flags it
	// tries to reach Google's servers, which this machine refuses.
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Run starts the browser; it must not carry a timeout.
	if _, err := chromedp.Run(ctx, chromedp.Title()); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return ctx
}

// WatchConsole collects console errors and warnings, uncaught exceptions
// and browser log errors of ctx's tab until the returned function is
// called; it returns them.
func WatchConsole(ctx context.Context) func() []string {
	var mu sync.Mutex
	var got []string
	watch, stop := context.WithCancel(ctx)
	msgs := chromedp.Console(watch)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
				mu.Lock()
				got = append(got, m.String())
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		// Messages travel on their own queue: give late ones a moment.
		time.Sleep(300 * time.Millisecond)
		stop()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return got
	}
}
