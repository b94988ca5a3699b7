package tagger

import (
	"sort"
	"strings"
)

// The matcher finds every phrase of every rule in one left-to-right pass
// over a document's tokens, in two levels:
//
//  1. The lexicon, a byte trie over normalised words, classifies each
//     token into the word patterns it satisfies: at most one exact word
//     and every prefix glob (negotiat*, переговор*) along its path. Its
//     cost per token is the token's length, whatever the number of rules.
//  2. The phrase trie, keyed by word-pattern ids, follows multi-word
//     phrases. Because one token can satisfy several patterns at once
//     (an exact word and several globs), the pass keeps the set of live
//     trie states, as an Aho–Corasick automaton without failure links
//     does when every pattern starts at a word boundary. Phrases never
//     cross a sentence boundary.
//
// Both levels grow with the vocabulary, not with the text; a document's
// cost is linear in its length and nearly flat in the number of rules.

// wordPattern is one word of a phrase: an exact word or a prefix glob.
type wordPattern struct {
	text string // normalised, without the '*'
	glob bool
}

func (w wordPattern) String() string {
	if w.glob {
		return w.text + "*"
	}
	return w.text
}

// lexicon is a frozen byte trie. Node 0 is the root; a node's edges are
// edges[first : first+n], sorted by byte.
type lexicon struct {
	nodes []lexNode
	label []byte
	next  []int32
}

type lexNode struct {
	first, n    int32
	exact, glob int32 // word-pattern ids ending here, or -1
}

// lexBuilder collects word patterns before freezing.
type lexBuilder struct {
	kids  []map[byte]int32
	exact []int32
	glob  []int32
	ids   map[wordPattern]int32
	words []wordPattern
}

func newLexBuilder() *lexBuilder {
	b := &lexBuilder{ids: map[wordPattern]int32{}}
	b.node()
	return b
}

func (b *lexBuilder) node() int32 {
	b.kids = append(b.kids, nil)
	b.exact = append(b.exact, -1)
	b.glob = append(b.glob, -1)
	return int32(len(b.kids) - 1)
}

// add returns the id of word pattern w, adding it if new.
func (b *lexBuilder) add(w wordPattern) int32 {
	if id, ok := b.ids[w]; ok {
		return id
	}
	id := int32(len(b.words))
	b.ids[w] = id
	b.words = append(b.words, w)
	n := int32(0)
	for i := 0; i < len(w.text); i++ {
		c := w.text[i]
		if b.kids[n] == nil {
			b.kids[n] = map[byte]int32{}
		}
		k, ok := b.kids[n][c]
		if !ok {
			k = b.node()
			b.kids[n][c] = k
		}
		n = k
	}
	if w.glob {
		b.glob[n] = id
	} else {
		b.exact[n] = id
	}
	return id
}

func (b *lexBuilder) freeze() *lexicon {
	lx := &lexicon{nodes: make([]lexNode, len(b.kids))}
	for i, kids := range b.kids {
		keys := make([]byte, 0, len(kids))
		for c := range kids {
			keys = append(keys, c)
		}
		sort.Slice(keys, func(a, b int) bool { return keys[a] < keys[b] })
		lx.nodes[i] = lexNode{first: int32(len(lx.label)), n: int32(len(keys)), exact: b.exact[i], glob: b.glob[i]}
		for _, c := range keys {
			lx.label = append(lx.label, c)
			lx.next = append(lx.next, kids[c])
		}
	}
	return lx
}

// child follows the edge labelled c, or returns -1.
func (lx *lexicon) child(n int32, c byte) int32 {
	nd := &lx.nodes[n]
	lo, hi := nd.first, nd.first+nd.n
	if nd.n <= 8 {
		for i := lo; i < hi; i++ {
			if lx.label[i] == c {
				return lx.next[i]
			}
		}
		return -1
	}
	for lo < hi {
		m := (lo + hi) / 2
		switch l := lx.label[m]; {
		case l == c:
			return lx.next[m]
		case l < c:
			lo = m + 1
		default:
			hi = m
		}
	}
	return -1
}

// lookup appends the ids of every word pattern that word satisfies.
func (lx *lexicon) lookup(word []byte, out []int32) []int32 {
	n := int32(0)
	for i := 0; i < len(word); i++ {
		n = lx.child(n, word[i])
		if n < 0 {
			return out
		}
		if g := lx.nodes[n].glob; g >= 0 {
			out = append(out, g)
		}
	}
	if e := lx.nodes[n].exact; e >= 0 {
		out = append(out, e)
	}
	return out
}

// phraseTrie follows sequences of word-pattern ids. Children of the
// root are a dense table indexed by word id; deeper nodes are rare and
// small, so they use maps.
type phraseTrie struct {
	root  []int32 // word id -> node, or -1
	nodes []phraseNode
}

type phraseNode struct {
	depth  int32
	phrase int32 // phrase id ending here, or -1
	kids   map[int32]int32
}

func newPhraseTrie() *phraseTrie {
	return &phraseTrie{nodes: []phraseNode{{phrase: -1}}} // node 0: the root, never live
}

// add inserts a phrase (word ids) and returns its terminal node.
func (pt *phraseTrie) add(words []int32) int32 {
	n := int32(0)
	for _, w := range words {
		var k int32 = -1
		if n == 0 {
			for int(w) >= len(pt.root) {
				pt.root = append(pt.root, -1)
			}
			k = pt.root[w]
		} else if kk, ok := pt.nodes[n].kids[w]; ok {
			k = kk
		}
		if k < 0 {
			k = int32(len(pt.nodes))
			pt.nodes = append(pt.nodes, phraseNode{depth: pt.nodes[n].depth + 1, phrase: -1})
			if n == 0 {
				pt.root[w] = k
			} else {
				if pt.nodes[n].kids == nil {
					pt.nodes[n].kids = map[int32]int32{}
				}
				pt.nodes[n].kids[w] = k
			}
		}
		n = k
	}
	return n
}

// phraseKey is the identity of a phrase: its word patterns.
func phraseKey(ws []wordPattern) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.String()
	}
	return strings.Join(parts, " ")
}
