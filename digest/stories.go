package digest

import (
	"cmp"
	"encoding/binary"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/stancewatch/stancewatch/store"
)

// Grouping copies into stories. Two articles are the same story when
//   - they have the same content hash (the same text under two URLs), or
//   - their titles are the same after normalisation and have at least
//     minTitleWords words, or
//   - the word 3-shingles of title and lead have an estimated Jaccard
//     similarity of at least copyThreshold (MinHash, with LSH banding so
//     that only likely pairs are compared).
//
// Hashes and MinHash seeds are fixed, so the same articles always give
// the same stories.
const (
	shingleWords  = 3
	minHashes     = 64
	lshBands      = 16 // of minHashes/lshBands rows: pairs above ~0.5 are candidates
	copyThreshold = 0.5
	minTitleWords = 5
	leadWords     = 80
)

// minHashSeeds are the seeds of the MinHash functions.
var minHashSeeds = func() [minHashes]uint64 {
	var s [minHashes]uint64
	x := uint64(0x5eed_d16e_57a7_c0de)
	for i := range s {
		x = splitmix64(x)
		s[i] = x
	}
	return s
}()

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// words splits text into lower-case runs of letters and digits.
func words(text string, limit int) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out = append(out, strings.ToLower(w))
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out
}

// signature is the MinHash signature of a word sequence's shingles.
func signature(ws []string) [minHashes]uint64 {
	var sig [minHashes]uint64
	for i := range sig {
		sig[i] = ^uint64(0)
	}
	k := min(shingleWords, len(ws))
	for i := 0; i+k <= len(ws) && k > 0; i++ {
		h := fnv.New64a()
		for _, w := range ws[i : i+k] {
			h.Write([]byte(w))
			h.Write([]byte{0})
		}
		x := h.Sum64()
		for j, seed := range minHashSeeds {
			if v := splitmix64(x ^ seed); v < sig[j] {
				sig[j] = v
			}
		}
	}
	return sig
}

func similarity(a, b *[minHashes]uint64) float64 {
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return float64(same) / minHashes
}

// unionFind groups article indexes.
type unionFind []int

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = i
	}
	return u
}

func (u unionFind) find(i int) int {
	for u[i] != i {
		u[i] = u[u[i]]
		i = u[i]
	}
	return i
}

// union keeps the smaller index as the root, so roots are deterministic.
func (u unionFind) union(a, b int) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if rb < ra {
		ra, rb = rb, ra
	}
	u[rb] = ra
}

// groupStories groups the day's relevant articles (oldest first) into
// stories, ranked: most outlets first, then most articles, then earliest.
func groupStories(arts []store.DigestArticle) []Story {
	n := len(arts)
	uf := newUnionFind(n)
	sigs := make([][minHashes]uint64, n)
	byHash := map[string]int{}
	byTitle := map[string]int{}
	buckets := map[uint64][]int{}
	rows := minHashes / lshBands
	for i, a := range arts {
		if j, ok := byHash[string(a.ContentHash)]; ok && len(a.ContentHash) > 0 {
			uf.union(j, i)
		} else {
			byHash[string(a.ContentHash)] = i
		}
		tw := words(a.Title, 0)
		if len(tw) >= minTitleWords {
			key := strings.Join(tw, " ")
			if j, ok := byTitle[key]; ok {
				uf.union(j, i)
			} else {
				byTitle[key] = i
			}
		}
		sigs[i] = signature(append(tw, words(a.Lead, leadWords)...))
		for b := 0; b < lshBands; b++ {
			h := fnv.New64a()
			var buf [8]byte
			binary.LittleEndian.PutUint64(buf[:], uint64(b))
			h.Write(buf[:])
			for _, v := range sigs[i][b*rows : (b+1)*rows] {
				binary.LittleEndian.PutUint64(buf[:], v)
				h.Write(buf[:])
			}
			key := h.Sum64()
			for _, j := range buckets[key] {
				if uf.find(j) != uf.find(i) && similarity(&sigs[i], &sigs[j]) >= copyThreshold {
					uf.union(j, i)
				}
			}
			buckets[key] = append(buckets[key], i)
		}
	}

	members := map[int][]int{}
	var roots []int
	for i := range arts {
		r := uf.find(i)
		if _, ok := members[r]; !ok {
			roots = append(roots, r)
		}
		members[r] = append(members[r], i)
	}
	stories := make([]Story, 0, len(roots))
	for _, r := range roots {
		stories = append(stories, newStory(arts, members[r]))
	}
	slices.SortStableFunc(stories, func(a, b Story) int {
		return cmp.Or(
			cmp.Compare(len(b.Outlets), len(a.Outlets)),
			cmp.Compare(len(b.Articles), len(a.Articles)),
			a.PublishedAt.Compare(b.PublishedAt),
			cmp.Compare(a.Articles[0].ID, b.Articles[0].ID),
		)
	})
	return stories
}

// newStory makes a story of the articles at idx (oldest first).
func newStory(arts []store.DigestArticle, idx []int) Story {
	first := arts[idx[0]]
	s := Story{
		ID:          "a" + strconv.FormatInt(first.ID, 10),
		Title:       first.Title,
		URL:         first.URL,
		Source:      first.Source,
		PublishedAt: first.PublishedAt,
		Outlook:     first.Outlook,
		Framing:     first.Framing,
	}
	for _, i := range idx {
		a := arts[i]
		s.Articles = append(s.Articles, StoryArticle{
			ID: a.ID, Title: a.Title, URL: a.URL, Source: a.Source,
			PublishedAt: a.PublishedAt, Outlook: a.Outlook, Framing: a.Framing,
		})
		if !slices.Contains(s.Outlets, a.Source) {
			s.Outlets = append(s.Outlets, a.Source)
		}
		for _, t := range a.Topics {
			if !slices.Contains(s.Topics, t) {
				s.Topics = append(s.Topics, t)
			}
		}
	}
	slices.Sort(s.Topics)
	if s.Topics == nil {
		s.Topics = []string{}
	}
	return s
}

// pickTopStories fills each topic's top stories: the best-ranked stories
// that have the topic.
func pickTopStories(dg *Digest, n int) {
	for i := range dg.Topics {
		t := &dg.Topics[i]
		for _, s := range dg.Stories {
			if len(t.TopStories) == n {
				break
			}
			if slices.Contains(s.Topics, t.Topic) {
				t.TopStories = append(t.TopStories, TopicStoryRef{Story: s.ID})
			}
		}
	}
}
