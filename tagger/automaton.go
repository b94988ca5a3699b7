package tagger

import (
	"slices"
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

// lexicon is a frozen byte trie laid out as a double array in 4-byte
// slots. The slot of a state holds the base of its children, the byte
// that leads to it and two flags; the child of state s for byte c is
// slot t = base(s) + c if t is in use and holds the byte c. That check
// is sound because no two states share a base (and leaves, base 0,
// point at slots 0-255: the root and slots never used). A step of the walk is one
// load, of the slot it moves to, and the built-in lexicon takes ~40 KB,
// so the walk runs in the first-level cache. The ids of the word
// patterns ending at a slot are kept aside, read only when its flags
// say there are some.
type lexicon struct {
	slots []uint32
	exact []int32 // by slot: id of the exact word ending there, or -1
	glob  []int32 // by slot: id of the glob ending there, or -1
}

// Bits of a lexicon slot.
const (
	lexByte   = 0xFF   // the byte leading here
	lexUsed   = 1 << 8 // the slot is a state (not the root)
	lexGlob   = 1 << 9 // a glob ends here
	lexExact  = 1 << 10
	lexShift  = 11 // base << lexShift
	lexMaxPos = 1<<(32-lexShift) - 256
)

// lexBuilder collects word patterns before freezing.
type lexBuilder struct {
	// The trie's edges, by node: its first child and next sibling (-1
	// for none), siblings in the order of their byte, which freeze
	// places them in. Flat arrays rather than a map or slice per node:
	// loading builds some forty thousand nodes.
	kid, sib []int32
	char     []byte // the byte leading to the node
	exact    []int32
	glob     []int32
	ids      map[wordPattern]int32
	words    []wordPattern
}

func newLexBuilder() *lexBuilder {
	b := &lexBuilder{ids: map[wordPattern]int32{}}
	b.node(0)
	return b
}

func (b *lexBuilder) node(c byte) int32 {
	b.kid, b.sib, b.char = append(b.kid, -1), append(b.sib, -1), append(b.char, c)
	b.exact = append(b.exact, -1)
	b.glob = append(b.glob, -1)
	return int32(len(b.kid) - 1)
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
		n = b.child(n, w.text[i])
	}
	if w.glob {
		b.glob[n] = id
	} else {
		b.exact[n] = id
	}
	return id
}

// child returns the child of node n for byte c, adding it if new.
func (b *lexBuilder) child(n int32, c byte) int32 {
	prev, k := int32(-1), b.kid[n]
	for k >= 0 && b.char[k] < c {
		prev, k = k, b.sib[k]
	}
	if k >= 0 && b.char[k] == c {
		return k
	}
	nk := b.node(c)
	b.sib[nk] = k
	if prev < 0 {
		b.kid[n] = nk
	} else {
		b.sib[prev] = nk
	}
	return nk
}

// freeze lays the trie out; it fails (nil) only for a vocabulary far
// beyond any rule set's (some 2 million trie nodes).
func (b *lexBuilder) freeze() *lexicon {
	lx := &lexicon{}
	grow := func(n int) {
		for len(lx.slots) < n {
			lx.slots = append(lx.slots, 0)
			lx.exact = append(lx.exact, -1)
			lx.glob = append(lx.glob, -1)
		}
	}
	// taken marks the slots in use (0-255 stay free for the leaves);
	// nextFree[i] leads from a taken slot to a later one, and is i for a
	// free slot, so that the search for a base skips runs of taken slots
	// (with path compression).
	taken, nextFree := make([]bool, 256), make([]int32, 256)
	for i := range taken {
		taken[i], nextFree[i] = true, 256
	}
	ensure := func(n int) {
		for len(taken) < n {
			nextFree = append(nextFree, int32(len(taken)))
			taken = append(taken, false)
		}
	}
	findFree := func(i int) int {
		ensure(i + 1)
		r := i
		for taken[r] {
			r = int(nextFree[r])
			ensure(r + 1)
		}
		for i != r && taken[i] {
			i, nextFree[i] = int(nextFree[i]), int32(r)
		}
		return r
	}
	var baseUsed []bool
	var resume [256]int // by first byte: no fit below
	grow(256)
	// Place nodes breadth first; each node's children go at the lowest
	// unused base where all their slots are free, searched by where the
	// first child could go.
	type item struct{ node, state int32 }
	queue := []item{{0, 0}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		first := b.kid[it.node]
		if first < 0 {
			continue
		}
		// Slots and bases once unfit for a first byte stay unfit, so
		// the search for a first byte resumes where it last left off.
		c0 := int(b.char[first])
		var base int
		for p := findFree(max(resume[c0], 256+c0)); ; p = findFree(p + 1) {
			base = p - c0
			ensure(base + 256)
			for len(baseUsed) < len(taken) {
				baseUsed = append(baseUsed, false)
			}
			if baseUsed[base] {
				continue
			}
			resume[c0] = max(resume[c0], p)
			ok := true
			for k := b.sib[first]; k >= 0; k = b.sib[k] {
				if taken[base+int(b.char[k])] {
					ok = false
					break
				}
			}
			if ok {
				break
			}
		}
		if base > lexMaxPos {
			return nil
		}
		baseUsed[base] = true
		grow(base + 256)
		lx.slots[it.state] |= uint32(base) << lexShift
		for k := first; k >= 0; k = b.sib[k] {
			c := b.char[k]
			t := base + int(c)
			taken[t] = true
			nextFree[t] = int32(t + 1)
			v := uint32(c) | lexUsed
			if b.exact[k] >= 0 {
				v |= lexExact
			}
			if b.glob[k] >= 0 {
				v |= lexGlob
			}
			lx.slots[t] = v
			lx.exact[t], lx.glob[t] = b.exact[k], b.glob[k]
			queue = append(queue, item{k, int32(t)})
		}
	}
	grow(len(lx.slots) + 256) // base+c stays in range
	return lx
}

// lookup appends the ids of every word pattern that word satisfies:
// the globs along its path, then the exact word.
func (lx *lexicon) lookup(word []byte, out []int32) []int32 {
	slots := lx.slots
	v, s := slots[0], uint32(0)
	for _, c := range word {
		t := v>>lexShift + uint32(c)
		v = slots[t]
		if v&(lexUsed|lexByte) != lexUsed|uint32(c) {
			return out
		}
		s = t
		if v&lexGlob != 0 {
			out = append(out, lx.glob[t])
		}
	}
	if v&lexExact != 0 {
		out = append(out, lx.exact[s])
	}
	return out
}

// phraseTrie follows sequences of word-pattern ids. Children of the
// root are a dense table indexed by word id; deeper nodes have few
// children, kept (after freeze) as short sorted edge lists.
type phraseTrie struct {
	kids  []map[int32]int32 // by node, until freeze
	root  []int32           // word id -> node, or -1
	nodes []phraseNode
	word  []int32 // edges, by node: word id ...
	next  []int32 // ... and child
	// kidMask is a 64-bit summary of each node's edges: bit wordBit(w)
	// is set for every word w it has an edge for. Most words that follow
	// a live state do not go on its phrases; the mask tells so without
	// reading the node's edges.
	kidMask []uint64
}

// wordBit is the bit of word w in a kidMask.
func wordBit(w int32) uint64 { return 1 << (uint32(w) * 0x9E3779B1 >> 26) }

// indexKids sets kidMask from the edges.
func (pt *phraseTrie) indexKids() {
	pt.kidMask = make([]uint64, len(pt.nodes))
	for n, nd := range pt.nodes {
		for _, w := range pt.word[nd.first : nd.first+nd.n] {
			pt.kidMask[n] |= wordBit(w)
		}
	}
}

// phraseNode is 20 bytes, without pointers: the pass reads a node's
// depth, edges and the groups of the phrase ending there with one load.
type phraseNode struct {
	depth    int32
	first, n int32 // edges after freeze
	// The groups holding the phrase that ends here (Engine.groupList
	// [groups : groups+ngroups]); ngroups is 0 where none ends.
	groups, ngroups int32
}

// freeze turns the children maps into edge lists, and numbers the
// nodes so that the root's child for word w is node w+1 (a node that
// ends and continues no phrase where no phrase starts with w): the pass
// then finds a word's node without reading root.
func (pt *phraseTrie) freeze() {
	pt.renumber()
	pt.word, pt.next = pt.word[:0], pt.next[:0]
	for i := range pt.nodes {
		nd := &pt.nodes[i]
		kids := pt.kids[i]
		keys := make([]int32, 0, len(kids))
		for w := range kids {
			keys = append(keys, w)
		}
		slices.Sort(keys)
		nd.first, nd.n = int32(len(pt.word)), int32(len(keys))
		for _, w := range keys {
			pt.word = append(pt.word, w)
			pt.next = append(pt.next, kids[w])
		}
	}
	pt.kids = nil
	pt.indexKids()
}

// renumber puts the root's child for word w at node w+1, for every word
// of root, the other nodes after them in their order.
func (pt *phraseTrie) renumber() {
	words := len(pt.root)
	nodes := make([]phraseNode, words+1, len(pt.nodes)+words)
	kids := make([]map[int32]int32, words+1, len(pt.nodes)+words)
	nodes[0], kids[0] = pt.nodes[0], pt.kids[0]
	perm := make([]int32, len(pt.nodes)) // old number -> new
	for w, k := range pt.root {
		nodes[w+1] = phraseNode{depth: 1}
		if k >= 0 {
			perm[k] = int32(w + 1)
			nodes[w+1], kids[w+1] = pt.nodes[k], pt.kids[k]
		}
	}
	for k := 1; k < len(pt.nodes); k++ {
		if pt.nodes[k].depth > 1 {
			perm[k] = int32(len(nodes))
			nodes, kids = append(nodes, pt.nodes[k]), append(kids, pt.kids[k])
		}
	}
	for _, m := range kids {
		for w, k := range m {
			m[w] = perm[k]
		}
	}
	for w := range pt.root {
		pt.root[w] = int32(w + 1)
	}
	pt.nodes, pt.kids = nodes, kids
}

// child follows the edge of node n labelled with word id w, or returns -1.
// Edges are sorted by word id: a node with many (the word after
// "peace", after "talks") is searched by halves, where a scan would read
// every edge for every word that follows it.
func (pt *phraseTrie) child(n, w int32) int32 {
	nd := &pt.nodes[n]
	lo, hi := nd.first, nd.first+nd.n
	for hi-lo > 8 {
		if m := int32(uint32(lo+hi) >> 1); pt.word[m] <= w {
			lo = m
		} else {
			hi = m
		}
	}
	for i := lo; i < hi; i++ {
		if pt.word[i] == w {
			return pt.next[i]
		}
	}
	return -1
}

func newPhraseTrie() *phraseTrie {
	return &phraseTrie{nodes: []phraseNode{{}}, kids: []map[int32]int32{nil}} // node 0: the root, never live
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
		} else if kk, ok := pt.kids[n][w]; ok {
			k = kk
		}
		if k < 0 {
			k = int32(len(pt.nodes))
			pt.nodes = append(pt.nodes, phraseNode{depth: pt.nodes[n].depth + 1})
			pt.kids = append(pt.kids, nil)
			if n == 0 {
				pt.root[w] = k
			} else {
				if pt.kids[n] == nil {
					pt.kids[n] = map[int32]int32{}
				}
				pt.kids[n][w] = k
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
