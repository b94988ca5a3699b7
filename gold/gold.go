// Package gold reads labelled articles (the JSON-lines gold files of
// testdata/gold) and measures a tagger against them: precision, recall
// and F1 per topic, relevance F1, topic micro-F1, outlook and framing
// accuracy and macro-F1 with confusion matrices, and the articles it got
// wrong with the evidence behind each wrong answer.
package gold

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/stancewatch/stancewatch/tagger"
	"github.com/stancewatch/stancewatch/taxonomy"
)

// Labels are the four answers of the taxonomy.
type Labels struct {
	Relevant bool     `json:"relevant"`
	Topics   []string `json:"topics"`
	Outlook  string   `json:"outlook"`
	Framing  string   `json:"framing"`
}

// Article is one line of a gold file.
type Article struct {
	ID        string `json:"id"`
	Source    string `json:"source"`
	URL       string `json:"url"`
	Published string `json:"published"`
	Lang      string `json:"lang"`
	Title     string `json:"title"`
	// TitleFrom says where a title came from when the page showed no
	// headline (testdata/real): "url" for the URL's words, "excerpt" for
	// the excerpt's first line, "lead" for its opening sentence shortened;
	// empty for a real headline.
	TitleFrom string `json:"title_from,omitempty"`
	Body      string `json:"body"`
	Labels    Labels `json:"labels"`
	// Query and Note: how a real article was found and why it got its
	// labels (testdata/real).
	Query string `json:"query,omitempty"`
	Note  string `json:"note,omitempty"`
	File  string `json:"-"` // where it was read, for messages
	Line  int    `json:"-"`
}

// ReadFile reads a gold file. A labels file (NAME.labels.jsonl: the
// labels of third-party articles, without their text) is joined with its
// texts, which are kept out of the repository in texts/NAME.jsonl beside
// it (see testdata/real/README.md). When some of them have no text, the
// error is a *MissingTextError and the articles that have text come
// with it.
func ReadFile(path string) ([]Article, error) {
	if strings.HasSuffix(path, labelsSuffix) {
		return readLabels(path)
	}
	return readPlain(path)
}

func readPlain(path string) ([]Article, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gold: %w", err)
	}
	defer f.Close()
	return Read(f, path)
}

// Read reads gold articles, one JSON object a line; name is used in
// errors. Every bad line is reported, by line number.
func Read(r io.Reader, name string) ([]Article, error) {
	var out []Article
	bad, err := eachLine(r, name, func(line int, b []byte) error {
		var a Article
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			return err
		}
		if err := validate(a); err != nil {
			return err
		}
		a.File, a.Line = name, line
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, bad
}

// eachLine calls f with each line of r that is not blank, and its
// number. What f returns for a line is reported as name:line: ..., all
// such errors joined in bad; err is a failure to read, which stops it.
func eachLine(r io.Reader, name string, f func(line int, b []byte) error) (bad, err error) {
	var errs []error
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		b, rerr := br.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			if ferr := f(line, b); ferr != nil {
				errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, ferr))
			}
		}
		if errors.Is(rerr, io.EOF) {
			return errors.Join(errs...), nil
		}
		if rerr != nil {
			return nil, fmt.Errorf("gold: read %s: %w", name, rerr)
		}
	}
}

var (
	outlooks = taxonomy.Outlooks()
	framings = taxonomy.Framings()
	topics   = taxonomy.Topics()
)

func validate(a Article) error {
	if a.ID == "" {
		return errors.New("no id")
	}
	if !contains(outlooks, a.Labels.Outlook) {
		return fmt.Errorf("article %s: outlook %q is not one of %s", a.ID, a.Labels.Outlook, strings.Join(outlooks, ", "))
	}
	if !contains(framings, a.Labels.Framing) {
		return fmt.Errorf("article %s: framing %q is not one of %s", a.ID, a.Labels.Framing, strings.Join(framings, ", "))
	}
	for _, t := range a.Labels.Topics {
		if !contains(topics, t) {
			return fmt.Errorf("article %s: %q is not a topic", a.ID, t)
		}
	}
	return nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// PRF holds counts and the precision, recall and F1 derived from them.
type PRF struct {
	TP, FP, FN         int
	Precision, Recall  float64
	F1                 float64
	Support, Predicted int // gold and predicted positives
}

func prf(tp, fp, fn int) PRF {
	p := PRF{TP: tp, FP: fp, FN: fn, Support: tp + fn, Predicted: tp + fp}
	if tp+fp > 0 {
		p.Precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		p.Recall = float64(tp) / float64(tp+fn)
	}
	// With no gold and no predicted positives there is nothing to get
	// wrong: F1 is 1.
	switch {
	case tp+fp+fn == 0:
		p.Precision, p.Recall, p.F1 = 1, 1, 1
	case p.Precision+p.Recall > 0:
		p.F1 = 2 * p.Precision * p.Recall / (p.Precision + p.Recall)
	}
	return p
}

// Confusion is a confusion matrix over classes: Matrix[gold][predicted].
type Confusion struct {
	Classes  []string
	Matrix   [][]int
	Accuracy float64
	MacroF1  float64 // over the classes present in gold or predictions
	PerClass map[string]PRF
}

func confusion(classes []string, gold, got []string) Confusion {
	c := Confusion{Classes: classes, Matrix: make([][]int, len(classes)), PerClass: map[string]PRF{}}
	idx := map[string]int{}
	for i, k := range classes {
		idx[k] = i
		c.Matrix[i] = make([]int, len(classes))
	}
	right := 0
	for i := range gold {
		c.Matrix[idx[gold[i]]][idx[got[i]]]++
		if gold[i] == got[i] {
			right++
		}
	}
	if len(gold) > 0 {
		c.Accuracy = float64(right) / float64(len(gold))
	}
	n := 0
	for i, k := range classes {
		tp, fp, fn := c.Matrix[i][i], 0, 0
		for j := range classes {
			if j != i {
				fp += c.Matrix[j][i]
				fn += c.Matrix[i][j]
			}
		}
		p := prf(tp, fp, fn)
		c.PerClass[k] = p
		if tp+fp+fn > 0 {
			c.MacroF1 += p.F1
			n++
		}
	}
	if n > 0 {
		c.MacroF1 /= float64(n)
	}
	return c
}

// Miss is an article the tagger got wrong in at least one answer.
type Miss struct {
	Article Article
	Got     tagger.Result
	Matches []tagger.Evidence // every rule match, given or not (Engine.Explain)
	Wrong   []string          // what differs, one line each
}

// Report is the outcome of an evaluation.
type Report struct {
	Articles   int
	Relevance  PRF
	Topics     map[string]PRF
	TopicMicro PRF
	Outlook    Confusion
	Framing    Confusion
	Misses     []Miss
	ByLang     map[string]Report // the same figures per language (without misses)
}

// Evaluate tags every article with e and compares with the gold labels.
func Evaluate(e *tagger.Engine, arts []Article) Report {
	return EvaluateWith(e, arts, nil)
}

// EvaluateWith is Evaluate where an article without text takes its
// answer from kept (answers kept when the set was piped through the
// tagger; the caller checks that they come from e's rules).
func EvaluateWith(e *tagger.Engine, arts []Article, kept map[string]Answer) Report {
	preds := make([]Prediction, len(arts))
	for i, a := range arts {
		if k, ok := kept[a.ID]; ok && a.Title == "" && a.Body == "" {
			res := tagger.Result{Relevant: k.Labels.Relevant, Outlook: k.Labels.Outlook, Framing: k.Labels.Framing}
			for _, t := range k.Labels.Topics {
				res.Topics = append(res.Topics, tagger.TopicScore{Topic: t})
			}
			preds[i] = Prediction{Labels: k.Labels, Result: res}
			continue
		}
		res, matches := e.Explain(tagger.Document{Title: a.Title, Body: a.Body, Lang: a.Lang})
		preds[i] = Prediction{Labels: LabelsOf(res), Result: res, Matches: matches.Matches}
	}
	rep := Score(arts, preds)
	rep.ByLang = map[string]Report{}
	for _, lang := range langsOf(arts) {
		var la []Article
		var lp []Prediction
		for i, a := range arts {
			if a.Lang == lang {
				la, lp = append(la, a), append(lp, preds[i])
			}
		}
		sub := Score(la, lp)
		sub.Misses = nil
		rep.ByLang[lang] = sub
	}
	return rep
}

// Prediction is what a tagger answered for one article; Result and
// Matches, when set, explain the misses.
type Prediction struct {
	Labels  Labels
	Result  tagger.Result
	Matches []tagger.Evidence
}

// LabelsOf returns the taxonomy's answers of a tagger result.
func LabelsOf(res tagger.Result) Labels {
	l := Labels{Relevant: res.Relevant, Outlook: res.Outlook, Framing: res.Framing}
	for _, t := range res.Topics {
		l.Topics = append(l.Topics, t.Topic)
	}
	return l
}

func langsOf(arts []Article) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range arts {
		if !seen[a.Lang] {
			seen[a.Lang] = true
			out = append(out, a.Lang)
		}
	}
	sort.Strings(out)
	return out
}

// Score compares predictions with the gold labels, article by article.
func Score(arts []Article, preds []Prediction) Report {
	rep := Report{Articles: len(arts), Topics: map[string]PRF{}}
	var rtp, rfp, rfn int
	ttp, tfp, tfn := map[string]int{}, map[string]int{}, map[string]int{}
	goldO, gotO := make([]string, 0, len(arts)), make([]string, 0, len(arts))
	goldF, gotF := make([]string, 0, len(arts)), make([]string, 0, len(arts))
	for i, a := range arts {
		p, g := preds[i].Labels, a.Labels
		res := preds[i].Result
		var wrong []string
		switch {
		case p.Relevant && g.Relevant:
			rtp++
		case p.Relevant:
			rfp++
			wrong = append(wrong, fmt.Sprintf("relevant: got true, want false (score %.3g)", res.Scores["relevant"]))
		case g.Relevant:
			rfn++
			wrong = append(wrong, fmt.Sprintf("relevant: got false, want true (score %.3g)", res.Scores["relevant"]))
		}
		var diff []string
		for _, t := range topics {
			got, want := contains(p.Topics, t), contains(g.Topics, t)
			switch {
			case got && want:
				ttp[t]++
			case got:
				tfp[t]++
				diff = append(diff, fmt.Sprintf("+%s (%.3g)", t, res.Scores["topic:"+t]))
			case want:
				tfn[t]++
				diff = append(diff, fmt.Sprintf("-%s (%.3g)", t, res.Scores["topic:"+t]))
			}
		}
		if len(diff) > 0 {
			wrong = append(wrong, "topics: "+strings.Join(diff, " "))
		}
		goldO, gotO = append(goldO, g.Outlook), append(gotO, p.Outlook)
		if g.Outlook != p.Outlook {
			wrong = append(wrong, fmt.Sprintf("outlook: got %s, want %s (progress %.3g, stalemate %.3g, mixed %.3g)", p.Outlook, g.Outlook,
				res.Scores["outlook:progress"], res.Scores["outlook:stalemate"], res.Scores["outlook:mixed"]))
		}
		goldF, gotF = append(goldF, g.Framing), append(gotF, p.Framing)
		if g.Framing != p.Framing {
			wrong = append(wrong, fmt.Sprintf("framing: got %s, want %s (pro_ukraine %.3g, pro_russia %.3g)", p.Framing, g.Framing,
				res.Scores["framing:pro_ukraine"], res.Scores["framing:pro_russia"]))
		}
		if len(wrong) > 0 {
			rep.Misses = append(rep.Misses, Miss{Article: a, Got: res, Matches: preds[i].Matches, Wrong: wrong})
		}
	}
	rep.Relevance = prf(rtp, rfp, rfn)
	var mtp, mfp, mfn int
	for _, t := range topics {
		rep.Topics[t] = prf(ttp[t], tfp[t], tfn[t])
		mtp, mfp, mfn = mtp+ttp[t], mfp+tfp[t], mfn+tfn[t]
	}
	rep.TopicMicro = prf(mtp, mfp, mfn)
	rep.Outlook = confusion(outlooks, goldO, gotO)
	rep.Framing = confusion(framings, goldF, gotF)
	return rep
}

// Write prints the report as text; with misses, also every article the
// tagger got wrong and the evidence it had.
func (r Report) Write(w io.Writer, misses bool) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "articles: %d\n\n", r.Articles)
	fmt.Fprintf(bw, "relevance   P %.3f  R %.3f  F1 %.3f   (tp %d, fp %d, fn %d)\n\n",
		r.Relevance.Precision, r.Relevance.Recall, r.Relevance.F1, r.Relevance.TP, r.Relevance.FP, r.Relevance.FN)
	fmt.Fprintf(bw, "%-20s %6s %6s %6s %8s %10s\n", "topic", "P", "R", "F1", "gold", "predicted")
	for _, t := range topics {
		p := r.Topics[t]
		fmt.Fprintf(bw, "%-20s %6.3f %6.3f %6.3f %8d %10d\n", t, p.Precision, p.Recall, p.F1, p.Support, p.Predicted)
	}
	m := r.TopicMicro
	fmt.Fprintf(bw, "%-20s %6.3f %6.3f %6.3f %8d %10d\n\n", "micro", m.Precision, m.Recall, m.F1, m.Support, m.Predicted)
	writeConfusion(bw, "outlook", r.Outlook)
	writeConfusion(bw, "framing", r.Framing)
	if len(r.ByLang) > 0 {
		writeByLang(bw, r)
	}
	fmt.Fprintf(bw, "summary: %s\n", r.Summary())
	if misses && len(r.Misses) > 0 {
		fmt.Fprintf(bw, "\n%d articles with at least one wrong answer:\n", len(r.Misses))
		for _, ms := range r.Misses {
			writeMiss(bw, ms)
		}
	}
	return bw.Flush()
}

// Summary is the report's headline figures on one line.
func (r Report) Summary() string {
	return fmt.Sprintf("relevance F1 %.3f, topic micro-F1 %.3f, outlook accuracy %.3f (macro-F1 %.3f), framing accuracy %.3f (macro-F1 %.3f)",
		r.Relevance.F1, r.TopicMicro.F1, r.Outlook.Accuracy, r.Outlook.MacroF1, r.Framing.Accuracy, r.Framing.MacroF1)
}

// writeByLang prints the headline figures and the outlook and framing
// recall of each class, per language.
func writeByLang(w io.Writer, r Report) {
	langs := make([]string, 0, len(r.ByLang))
	for l := range r.ByLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	fmt.Fprintf(w, "%-4s %5s %7s %7s %8s %8s %8s %8s  %s\n", "lang", "n", "rel F1", "top F1", "out acc", "out mF1", "fra acc", "fra mF1", "recall per class")
	for _, l := range append(langs, "all") {
		x := r
		if l != "all" {
			x = r.ByLang[l]
		}
		fmt.Fprintf(w, "%-4s %5d %7.3f %7.3f %8.3f %8.3f %8.3f %8.3f  %s; %s\n", l, x.Articles, x.Relevance.F1, x.TopicMicro.F1,
			x.Outlook.Accuracy, x.Outlook.MacroF1, x.Framing.Accuracy, x.Framing.MacroF1, recalls(x.Outlook), recalls(x.Framing))
	}
	fmt.Fprintln(w)
}

func recalls(c Confusion) string {
	var parts []string
	for _, k := range c.Classes {
		if p := c.PerClass[k]; p.Support > 0 {
			parts = append(parts, fmt.Sprintf("%s %.2f/%d", k, p.Recall, p.Support))
		}
	}
	return strings.Join(parts, " ")
}

func writeConfusion(w io.Writer, name string, c Confusion) {
	fmt.Fprintf(w, "%s: accuracy %.3f, macro-F1 %.3f (rows gold, columns predicted)\n", name, c.Accuracy, c.MacroF1)
	fmt.Fprintf(w, "  %-12s", "")
	for _, k := range c.Classes {
		fmt.Fprintf(w, " %11s", k)
	}
	fmt.Fprintf(w, " %8s\n", "F1")
	for i, k := range c.Classes {
		fmt.Fprintf(w, "  %-12s", k)
		for j := range c.Classes {
			fmt.Fprintf(w, " %11d", c.Matrix[i][j])
		}
		fmt.Fprintf(w, " %8.3f\n", c.PerClass[k].F1)
	}
	fmt.Fprintln(w)
}

func writeMiss(w io.Writer, ms Miss) {
	a := ms.Article
	fmt.Fprintf(w, "\n%s  %s\n", a.ID, a.Title)
	for _, x := range ms.Wrong {
		fmt.Fprintf(w, "  - %s\n", x)
	}
	// Every match, given or not, grouped by the label it scored for.
	byLabel := map[string][]string{}
	var labels []string
	for _, ev := range ms.Matches {
		if _, ok := byLabel[ev.Label]; !ok {
			labels = append(labels, ev.Label)
		}
		voice := ""
		if ev.Voice != "" {
			voice = " [" + ev.Voice + "]"
		}
		byLabel[ev.Label] = append(byLabel[ev.Label], fmt.Sprintf("%q %s %.3g%s", ev.Text, ev.Rule, ev.Weight, voice))
	}
	sort.Strings(labels)
	for _, l := range labels {
		fmt.Fprintf(w, "    %s: %s\n", l, strings.Join(byLabel[l], ", "))
	}
}

const labelsSuffix = ".labels.jsonl"

// articleText is one line of a texts file: the labels live in the labels
// file, so a texts line needs only its id, title and body (other keys,
// such as a labeller's note, are ignored).
type articleText struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// readTexts reads a texts file into a map by article id. Every bad line
// is reported, by line number.
func readTexts(path string) (map[string]articleText, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	byID := map[string]articleText{}
	var errs []error
	br := bufio.NewReader(f)
	for line := 1; ; line++ {
		b, rerr := br.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			var t articleText
			switch err := json.Unmarshal(b, &t); {
			case err != nil:
				errs = append(errs, fmt.Errorf("%s:%d: %w", path, line, err))
			case t.ID == "":
				errs = append(errs, fmt.Errorf("%s:%d: no id", path, line))
			default:
				byID[t.ID] = t
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, fmt.Errorf("%s: %w", path, rerr)
		}
	}
	return byID, errors.Join(errs...)
}

// readLabels reads a labels file and takes each article's title and body
// from the texts file beside it; the labels file's labels win.
func readLabels(path string) ([]Article, error) {
	arts, err := readPlain(path)
	if err != nil {
		return nil, err
	}
	textsPath := TextsPath(path)
	byID, err := readTexts(textsPath)
	if err != nil {
		return nil, fmt.Errorf("gold: %s has labels only; its texts are read from %s (rebuild them with the queries beside it): %w", path, textsPath, err)
	}
	kept := arts[:0]
	var missing []string
	for _, a := range arts {
		t, ok := byID[a.ID]
		if !ok || t.Body == "" {
			missing = append(missing, a.ID)
			continue
		}
		a.Title, a.Body = t.Title, t.Body
		kept = append(kept, a)
	}
	if len(missing) > 0 {
		return kept, &MissingTextError{Labels: path, Texts: textsPath, IDs: missing}
	}
	return kept, nil
}

// TextsPath is where the texts of a labels file are kept:
// texts/NAME.jsonl beside NAME.labels.jsonl.
func TextsPath(labelsPath string) string {
	base := strings.TrimSuffix(filepath.Base(labelsPath), labelsSuffix)
	return filepath.Join(filepath.Dir(labelsPath), "texts", base+".jsonl")
}

// MissingTextError says that some articles of a labels file have no text
// in its texts file (a page the search corpus no longer returns, say). It
// comes with the articles that do have text, so that a caller may score
// those and say how many were left out.
type MissingTextError struct {
	Labels, Texts string
	IDs           []string
}

func (e *MissingTextError) Error() string {
	return fmt.Sprintf("gold: %s: %d articles have no text in %s (first: %s)", e.Labels, len(e.IDs), e.Texts, e.IDs[0])
}
