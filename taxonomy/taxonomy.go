// Package taxonomy holds the label values of the tagging taxonomy
// (docs/taxonomy.md): the topics, the outlook and framing values, their
// order and their display names. The tagger, the gold files, the store
// and the digest all take them from here; the CHECK constraints of
// migrations/001_schema.sql spell them once more for the database, and a
// test in store holds the two together.
//
// It imports nothing of the project, so any package may import it.
package taxonomy

import "slices"

// The outlook and framing values that say "nothing to say": a
// relevant article that does not characterise the talks, and an
// article without a slant (every irrelevant article has both).
const (
	OutlookNone    = "none"
	FramingNeutral = "neutral"
)

// NumTopics is the number of topics; the tagger's label ids depend on it.
const NumTopics = 8

// The values in the taxonomy's order, with their display names. Arrays,
// so that nobody can change them; the functions below hand out copies.
var (
	topics = [NumTopics]value{
		{"territory", "Territory"},
		{"security_guarantees", "Security guarantees"},
		{"european_response", "European response"},
		{"sanctions", "Sanctions"},
		{"ceasefire", "Ceasefire"},
		{"humanitarian", "Humanitarian"},
		{"peace_plan", "Peace plan"},
		{"us_mediation", "US mediation"},
	}
	outlooks = [...]value{
		{"progress", "progress"},
		{"stalemate", "stalemate"},
		{"mixed", "mixed"},
		{OutlookNone, "not characterised"},
	}
	framings = [...]value{
		{"pro_ukraine", "pro-Ukraine"},
		{"pro_russia", "pro-Russia"},
		{FramingNeutral, "neutral"},
	}
)

type value struct{ name, display string }

// Topics returns the topic names in the taxonomy's order.
func Topics() []string { return names(topics[:]) }

// Outlooks returns the outlook values in the taxonomy's order, "none"
// last.
func Outlooks() []string { return names(outlooks[:]) }

// Framings returns the framing values in the taxonomy's order,
// "neutral" last.
func Framings() []string { return names(framings[:]) }

// IsTopic reports whether s is a topic name.
func IsTopic(s string) bool { return slices.Contains(Topics(), s) }

// IsOutlook reports whether s is an outlook value, "none" included.
func IsOutlook(s string) bool { return slices.Contains(Outlooks(), s) }

// IsFraming reports whether s is a framing value, "neutral" included.
func IsFraming(s string) bool { return slices.Contains(Framings(), s) }

// TopicName is a topic's display name ("Security guarantees"); an
// unknown topic is returned as it is.
func TopicName(t string) string { return display(topics[:], t) }

// OutlookName is an outlook's display name ("not characterised").
func OutlookName(o string) string { return display(outlooks[:], o) }

// FramingName is a framing's display name ("pro-Ukraine").
func FramingName(f string) string { return display(framings[:], f) }

func names(vs []value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.name
	}
	return out
}

func display(vs []value, name string) string {
	for _, v := range vs {
		if v.name == name {
			return v.display
		}
	}
	return name
}
