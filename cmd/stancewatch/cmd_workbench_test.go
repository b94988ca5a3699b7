package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stancewatch/stancewatch/internal/wbfixture"
	"github.com/stancewatch/stancewatch/store/storetest"
	"github.com/stancewatch/stancewatch/web"
)

func TestExportCommand(t *testing.T) {
	dbURL := pg.NewDatabase(t)
	arts := wbfixture.Load(t, storetest.Open(t, dbURL))
	env := map[string]string{"DATABASE_URL": dbURL}
	want := 0
	for _, a := range arts {
		if a.Relevant && a.Source == "Volga Courier" {
			want++
		}
	}

	r := runWith(t, env, "", "export", "--format", "csv", "--source", "Volga Courier")
	if r.code != 0 {
		t.Fatalf("export csv: exit %d: %s", r.code, r.stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(recs) != want+1 || strings.Join(recs[0], ",") != strings.Join(web.CSVHeader, ",") {
		t.Fatalf("export csv: %v, %d rows, want a header and %d:\n%s", err, len(recs), want, r.stdout)
	}

	r = runWith(t, env, "", "export", "--format", "jsonl", "--relevant", "any", "--topic", "territory", "--topic", "sanctions")
	if r.code != 0 {
		t.Fatalf("export jsonl: exit %d: %s", r.code, r.stderr)
	}
	n := 0
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var a struct{ Topics []string }
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if !strings.Contains(strings.Join(a.Topics, ","), "sanctions") || !strings.Contains(strings.Join(a.Topics, ","), "territory") {
			t.Errorf("exported %v for --topic territory --topic sanctions", a.Topics)
		}
		n++
	}
	if n == 0 {
		t.Error("export jsonl gave no article")
	}

	for _, bad := range [][]string{{"--format", "xml"}, {"--topic", "football"}, {"--from", "yesterday"}} {
		r = runWith(t, env, "", append([]string{"export"}, bad...)...)
		if r.code != 2 || !strings.Contains(r.stderr, strings.TrimPrefix(bad[0], "--")) {
			t.Errorf("export %v: exit %d, stderr %q; want 2 naming the flag", bad, r.code, r.stderr)
		}
	}
	if r = runWith(t, env, "", "eval", "--corrections"); r.code != 1 || !strings.Contains(r.stderr, "no article has been corrected") {
		t.Errorf("eval --corrections without corrections: exit %d, %q", r.code, r.stderr)
	}
}
