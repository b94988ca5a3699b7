// Command realset builds and rebuilds the real-coverage sets of
// testdata/real (see its README): the labels files are committed, the
// third-party texts are kept beside them in the git-ignored texts/ and
// rebuilt on each machine by running the recorded queries again with the
// search tool. Its commands are what a helper gathering or rebuilding a
// set runs between searches:
//
//	realset todo real113 real114-en        the query blocks whose items have no text yet
//	realset put real113-en real113-en-004  < excerpt   store an item's text
//	realset check URL ...                  NEW, or the item that already has the URL
//	realset log real127-en "QUERY"         record a query in queries-real127-en.md
//	realset add real127-en --url U ... < excerpt   a new labelled item
//
// An excerpt on standard input may be the text itself or, exactly as the
// search tool shows it, a JSON string in double quotes: that is decoded,
// so a copied excerpt keeps its line breaks. Several helpers may write at
// once: each file is changed under a lock.
//
// -dir sets the folder (default testdata/real). add refuses labels that
// are not the taxonomy's, a not-relevant item with other labels, a date
// after -before (default 2025-12-31, the sets' cut-off) and a URL any set
// already has.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "realset:", err)
		os.Exit(1)
	}
}

const usage = `usage: realset [-dir DIR] COMMAND ...
  todo SET ...                 query blocks with items that have no text (SET: real113 or real113-en)
  put NAME ID < excerpt        store the text of item ID of NAME.labels.jsonl
  check URL ...                NEW, or USED and by which item
  log NAME QUERY               append QUERY to queries-NAME.md
  add NAME --url --source --title [--title-from url|lead] --published YYYY-MM-DD --query
      --relevant yes|no [--topics a,b] --outlook O --framing F --note N < excerpt`

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("realset", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("dir", "testdata/real", "folder of the labels files")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w\n%s", err, usage)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return errors.New(usage)
	}
	s := &sets{dir: *dir}
	cmd, rest := rest[0], rest[1:]
	switch cmd {
	case "todo":
		if len(rest) == 0 {
			return errors.New("todo needs at least one set")
		}
		return s.todo(stdout, rest)
	case "put":
		if len(rest) != 2 {
			return errors.New("usage: realset put NAME ID < excerpt")
		}
		text, err := readExcerpt(stdin)
		if err != nil {
			return err
		}
		return s.put(stdout, rest[0], rest[1], text)
	case "check":
		if len(rest) == 0 {
			return errors.New("check needs at least one URL")
		}
		return s.check(stdout, rest)
	case "log":
		if len(rest) < 2 {
			return errors.New(`usage: realset log NAME "QUERY"`)
		}
		return s.log(stdout, rest[0], strings.Join(rest[1:], " "))
	case "add":
		return s.addCommand(stdout, rest, stdin)
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

// readExcerpt reads an excerpt from r: the text, or the JSON string the
// search tool showed it as.
func readExcerpt(r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("reading the excerpt: %w", err)
	}
	text, err := decodeExcerpt(string(b))
	if err != nil {
		return "", err
	}
	if len(text) < minExcerpt {
		return "", fmt.Errorf("the excerpt on standard input is missing or shorter than %d bytes", minExcerpt)
	}
	return text, nil
}

// minExcerpt is the shortest text taken as an item: anything shorter is
// a paste that went wrong, not a news item.
const minExcerpt = 40
