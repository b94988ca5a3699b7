// Command headlines reads the headlines of labelled real items the way a
// feed reader would see a headline-only item: each committed title is
// tagged over a short neutral body that makes the item relevant and says
// nothing of the talks, and its outlook is compared with the item's
// label. No article text is needed, so every labels file counts, texts
// on disk or not.
//
// A headline carries the outlook of only some items, so the accuracy it
// prints is no score of the tagger; what it is for is the lists: the
// labelled states no headline cue caught (-misses), and with -base the
// items whose headline reading a rule change moved, each with its label.
//
// Without -rules it reads with the rules built into the binary: `go run`
// compiles the tree's current ones, a binary built earlier keeps its own.
//
//	go run ./internal/tools/headlines -rules tagger/rules -misses stalemate -lang ru testdata/real/*.labels.jsonl
//	go run ./internal/tools/headlines -rules tagger/rules -base /tmp/old-rules testdata/real/*.labels.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/stancewatch/stancewatch/tagger"
)

// neutralBody makes a headline relevant without an outlook cue of its own.
var neutralBody = map[string]string{
	"en": "Officials from Russia, Ukraine and the United States commented on the peace talks to end the war in Ukraine.",
	"ru": "Представители России, Украины и США прокомментировали мирные переговоры об окончании войны в Украине.",
	"uk": "Представники України, Росії та США прокоментували мирні переговори про завершення війни в Україні.",
}

// item is one labels line: only what a headline reading needs.
type item struct {
	ID        string `json:"id"`
	Lang      string `json:"lang"`
	Title     string `json:"title"`
	TitleFrom string `json:"title_from"`
	Labels    struct {
		Relevant bool   `json:"relevant"`
		Outlook  string `json:"outlook"`
	} `json:"labels"`
}

func main() {
	rules := flag.String("rules", "", "rules directory (default: the built-in rules)")
	base := flag.String("base", "", "rules directory to compare with: list the items whose headline outlook differs")
	misses := flag.String("misses", "", "list the items labelled with this outlook that the headline reading calls none")
	lang := flag.String("lang", "", "only items in this language (en, ru, uk)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: headlines [-rules DIR] [-base DIR] [-misses OUTLOOK] [-lang L] LABELS.jsonl ...\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdout, flag.Args(), *rules, *base, *misses, *lang); err != nil {
		fmt.Fprintln(os.Stderr, "headlines:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, files []string, rules, base, misses, lang string) error {
	eng, err := tagger.Load(tagger.FromDir(rules))
	if err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	var baseEng *tagger.Engine
	if base != "" {
		if baseEng, err = tagger.Load(tagger.FromDir(base)); err != nil {
			return fmt.Errorf("base rules: %w", err)
		}
	}
	var items []item
	for _, f := range files {
		its, err := readLabels(f)
		if err != nil {
			return err
		}
		for _, it := range its {
			if it.Labels.Relevant && neutralBody[it.Lang] != "" && (lang == "" || it.Lang == lang) {
				items = append(items, it)
			}
		}
	}
	confusion := map[[2]string]int{}
	right, baseRight := 0, 0
	for _, it := range items {
		got := headlineOutlook(eng, it)
		confusion[[2]string{it.Labels.Outlook, got}]++
		if got == it.Labels.Outlook {
			right++
		}
		if baseEng != nil {
			was := headlineOutlook(baseEng, it)
			if was == it.Labels.Outlook {
				baseRight++
			}
			if was != got {
				fmt.Fprintf(w, "%s\tlabel %s\t%s -> %s\t%s\n", it.ID, it.Labels.Outlook, was, got, it.Title)
			}
		}
		// Titles made of URL words are no headline a reader saw.
		if misses != "" && it.Labels.Outlook == misses && got == "none" && it.TitleFrom != "url" {
			fmt.Fprintf(w, "%s\t%s\n", it.ID, it.Title)
		}
	}
	fmt.Fprintf(w, "%d relevant items; headline outlook equals the label for %d", len(items), right)
	if baseEng != nil {
		fmt.Fprintf(w, " (base rules: %d)", baseRight)
	}
	fmt.Fprintln(w)
	keys := make([][2]string, 0, len(confusion))
	for k := range confusion {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	for _, k := range keys {
		fmt.Fprintf(w, "  label %-9s headline %-9s %d\n", k[0], k[1], confusion[k])
	}
	return nil
}

func headlineOutlook(e *tagger.Engine, it item) string {
	return e.Tag(tagger.Document{Title: it.Title, Body: neutralBody[it.Lang], Lang: it.Lang}).Outlook
}

// readLabels reads a labels file; a bad line is an error naming the file
// and the line, without echoing its content.
func readLabels(path string) ([]item, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var items []item
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var it item
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			return nil, fmt.Errorf("%s:%d: not a labels line: %w", path, n, err)
		}
		if it.ID == "" {
			return nil, fmt.Errorf("%s:%d: %w", path, n, errors.New("labels line without an id"))
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return items, nil
}
