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

// Grouping copies into stories. An article is a copy of a story's first
// article (its leader) when
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

// groupStories groups the day's relevant articles (oldest first) into
// stories, ranked: most outlets first, then most articles, then earliest.
//
// Each story is led by its first article, and a later article joins the
// story whose leader it is a copy of (the most similar, when several are).
// Comparing with the leader, not with any member, keeps chains of
// loosely similar articles (A like B, B like C, ...) from merging
// different stories into one.
func groupStories(arts []store.DigestArticle) []Story {
	rows := minHashes / lshBands
	var (
		leaderOf = make([]int, len(arts)) // article index -> its leader's index
		sigs     = make([][minHashes]uint64, len(arts))
		byHash   = map[string]int{}   // content hash -> leader
		byTitle  = map[string]int{}   // normalised title -> leader
		buckets  = map[uint64][]int{} // LSH band key -> leaders
		members  = map[int][]int{}    // leader -> article indexes, oldest first
		leaders  []int
	)
	for i, a := range arts {
		tw := words(a.Title, 0)
		title := ""
		if len(tw) >= minTitleWords {
			title = strings.Join(tw, " ")
		}
		sigs[i] = signature(append(tw, words(a.Lead, leadWords)...))
		keys := bandKeys(&sigs[i], rows)

		leader, ok := -1, false
		if len(a.ContentHash) > 0 {
			leader, ok = byHash[string(a.ContentHash)]
		}
		if !ok && title != "" {
			leader, ok = byTitle[title]
		}
		if !ok {
			best := copyThreshold
			for _, k := range keys {
				for _, l := range buckets[k] {
					if sim := similarity(&sigs[i], &sigs[l]); sim >= best && (!ok || sim > best || l < leader) {
						leader, best, ok = l, sim, true
					}
				}
			}
		}
		if !ok {
			leader = i
			leaders = append(leaders, i)
			for _, k := range keys {
				buckets[k] = append(buckets[k], i)
			}
			if title != "" {
				byTitle[title] = i
			}
		}
		if len(a.ContentHash) > 0 {
			if _, seen := byHash[string(a.ContentHash)]; !seen {
				byHash[string(a.ContentHash)] = leader
			}
		}
		leaderOf[i] = leader
		members[leader] = append(members[leader], i)
	}

	stories := make([]Story, 0, len(leaders))
	for _, l := range leaders {
		stories = append(stories, newStory(arts, members[l]))
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

// bandKeys hashes each LSH band of a signature: two signatures that agree
// on a whole band share its key.
func bandKeys(sig *[minHashes]uint64, rows int) []uint64 {
	keys := make([]uint64, 0, lshBands)
	var buf [8]byte
	for b := 0; b < lshBands; b++ {
		h := fnv.New64a()
		binary.LittleEndian.PutUint64(buf[:], uint64(b))
		h.Write(buf[:])
		for _, v := range sig[b*rows : (b+1)*rows] {
			binary.LittleEndian.PutUint64(buf[:], v)
			h.Write(buf[:])
		}
		keys = append(keys, h.Sum64())
	}
	return keys
}

// newStory makes a story of the articles at idx (oldest first).
func newStory(arts []store.DigestArticle, idx []int) Story {
	first := arts[idx[0]]
	s := Story{
		ID:          "a" + strconv.FormatInt(first.ID, 10),
		Title:       displayText(first.Title),
		URL:         first.URL,
		Source:      displayText(first.Source),
		PublishedAt: first.PublishedAt,
		Outlook:     first.Outlook,
		Framing:     first.Framing,
	}
	for _, i := range idx {
		a := arts[i]
		a.Source = displayText(a.Source)
		s.Articles = append(s.Articles, StoryArticle{
			ID: a.ID, Title: displayText(a.Title), URL: a.URL, Source: a.Source,
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
