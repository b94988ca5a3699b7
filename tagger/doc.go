// Package tagger is stancewatch's rule-based tagger. It reads rule files
// (YAML; the built-in ones live in rules/ and are embedded in the binary)
// and labels an article with the answers of docs/taxonomy.md — relevant,
// topics, outlook, framing — plus the actors it names, each with the
// evidence (rule, matched text, byte offsets) that produced it.
//
// The tagger does no I/O besides reading rule files; an Engine is
// immutable once loaded and safe for concurrent use.
//
// # Stages and their files
//
// Loading, once per rule set:
//
//   - rulefile.go reads each YAML file into specs (spec.go): the rules,
//     actors, term sets, examples and settings as written, checked for
//     form. Every problem carries its file, line and rule id; all of them
//     are reported together rather than stopping at the first.
//   - compile.go resolves the specs into the Engine: labels to ids, term
//     sets and phrases to word patterns, conditions to a tree of cnodes,
//     and each rule to the phrase groups that can make it match.
//   - automaton.go holds what compile builds for matching: the lexicon of
//     normalised words and prefix globs (a byte trie laid out as a double
//     array) and the phrase trie over word-pattern ids.
//   - engine.go and load.go are the API: loading a rule set, Tag,
//     Explain, and TestRules, which runs the tests and examples written
//     in the rule files.
//
// Tagging, per document (Engine.Tag in engine.go):
//
//  1. text.go tokenises the title and body: words normalised (case,
//     ё/е, apostrophes, NFKC when needed), with their sentence,
//     paragraph, clause and quotation state.
//  2. match.go, Engine.match: one left-to-right pass of the tokens
//     through the lexicon and the phrase trie records every phrase match
//     in its groups; negations and barriers are found the same way.
//  3. match.go, Engine.evaluate: only the rules indexed under a matched
//     group (the most specific item of an all or a near: compiler.triggers)
//     whose whole condition can hold on the groups matched (canHold) are
//     evaluated (the evaluator walks their condition trees); each match
//     adds its weight, after scope, quotes, negation and max_hits, to a
//     label's score.
//  4. decide.go, Engine.decide: scores against the thresholds of the
//     settings give the answers, and the evidence of the labels given is
//     sorted and kept.
//
// # Why parts of it are hand-tuned
//
// The tagger re-tags every stored article whenever the rules change, so
// its targets are throughput on one core: BenchmarkTag (the gold corpus,
// shipped rules, one goroutine) at 50 MB/s or more, and ten times as many
// rules costing less than 1.5 times as much (BenchmarkRuleGrowth).
// BenchmarkStages shows where the time goes. These targets are why some
// code is written for speed rather than for obviousness:
//
//   - the lexicon is a double-array trie in 4-byte slots, so that a step
//     of the walk is one load and the built-in lexicon stays in the
//     first-level cache; the cost per token is its length, whatever the
//     number of rules (automaton.go);
//   - the tokeniser reads ASCII letters and digits eight bytes at a time
//     in a uint64 (asciiRun) and folds two-byte Cyrillic letters through
//     a table; tokenizer.word is kept in one loop with inlined steps
//     because a call per word is measurable (text.go);
//   - candidate rules are a bit set, walked in order without sorting
//     (match.go), and evidence is sorted by packed uint64 keys rather
//     than by a comparison function (decide.go);
//   - per-document scratch space (docState) is pooled and reused, and the
//     matching loop keeps its slices in locals.
//
// Keep these when changing the code, and compare the benchmarks before
// and after (run them with -cpu 1 and several counts; the machine
// matters, so compare ratios, and BenchmarkBaselineByteLoop says how fast
// the machine is running).
//
// # Where to start reading
//
// Read docs/tagger.md for the rule language, then Engine.Tag in
// engine.go and follow its three calls: match and evaluate in match.go,
// decide in decide.go. For a change to the rule language, start at
// ruleSpec in rulefile.go (what a rule may say) and compiler.rule in
// compile.go (what it becomes); rules/ holds the rules themselves.
// golden_test.go pins the results of every gold article and rule-file
// text (testdata/golden-results.jsonl): a change meant to be a refactor
// leaves it untouched.
package tagger
