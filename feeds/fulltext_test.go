package feeds

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const articlePage = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>%[1]s</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>%[1]s</h1>
<p>GENEVA – Negotiators from the United States and Ukraine met for a second day on Sunday and said they had narrowed their differences on the framework, according to officials familiar with the talks.</p>
<p>The delegations worked through the draft clause by clause, and several provisions that had alarmed Kyiv were rewritten or removed, the officials said, speaking on condition of anonymity.</p>
<p>European national security advisers were also in the city and met both delegations separately during the day, presenting their own counter-proposal on security guarantees.</p>
<p>The Kremlin said it had not seen the revised text and would not comment on a document it had not received.</p>
</article><footer>Copyright Wire</footer></body></html>`

func TestFetchFullText(t *testing.T) {
	t.Parallel()
	var inFlight, maxInFlight atomic.Int32
	var mu sync.Mutex
	uas := map[string]bool{}
	mux := http.NewServeMux()
	mux.HandleFunc("/a/", func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		mu.Lock()
		uas[r.UserAgent()] = true
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, articlePage, "Story "+strings.TrimPrefix(r.URL.Path, "/a/"))
	})
	mux.HandleFunc("/broken/", http.NotFound)
	mux.HandleFunc("/pdf/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.4"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var items []Item
	for i := 0; i < 6; i++ {
		items = append(items, Item{URL: fmt.Sprintf("%s/a/%d", srv.URL, i), ContentText: "One-line summary.", Summary: "One-line summary."})
	}
	items = append(items,
		Item{URL: srv.URL + "/broken/1", ContentText: "Kept summary."},
		Item{URL: srv.URL + "/pdf/1", ContentText: "Kept too."},
		Item{URL: "", ContentText: "No link."})

	f := newTestFetcher(Options{FullTextWorkers: 2, PerHost: 8})
	res := f.FetchFullText(context.Background(), items)
	if res.Tried != 8 || res.Extracted != 6 || len(res.Errors) != 2 {
		t.Fatalf("result %+v", res)
	}
	for _, it := range items[:6] {
		if !strings.HasPrefix(it.ContentText, "GENEVA – Negotiators") || !strings.Contains(it.ContentText, "\n\nThe Kremlin said") ||
			strings.Contains(it.ContentText, "Copyright") || it.Summary != "One-line summary." || !strings.Contains(it.ContentHTML, "<p>") {
			t.Errorf("item %s: text %q", it.URL, it.ContentText)
		}
	}
	if items[6].ContentText != "Kept summary." || items[7].ContentText != "Kept too." {
		t.Errorf("failed pages changed their items: %q %q", items[6].ContentText, items[7].ContentText)
	}
	if !strings.Contains(res.Errors[0]+res.Errors[1], "404") || !strings.Contains(res.Errors[0]+res.Errors[1], "application/pdf") {
		t.Errorf("errors %q", res.Errors)
	}
	if m := maxInFlight.Load(); m > 2 {
		t.Errorf("%d pages fetched at once, FullTextWorkers is 2", m)
	}
	if len(uas) != 1 || !uas[f.UserAgent()] {
		t.Errorf("user agents %v", uas)
	}

	// The per-host limit holds even with more workers.
	maxInFlight.Store(0)
	f = newTestFetcher(Options{FullTextWorkers: 8, PerHost: 1})
	f.FetchFullText(context.Background(), items[:6])
	if m := maxInFlight.Load(); m != 1 {
		t.Errorf("%d pages fetched at once from one host, PerHost is 1", m)
	}
}
