package taxonomy_test

import (
	"testing"

	"github.com/stancewatch/stancewatch/taxonomy"
)

func TestValuesAreDistinctAndNamed(t *testing.T) {
	t.Parallel()
	if n := len(taxonomy.Topics()); n != taxonomy.NumTopics {
		t.Errorf("%d topics, NumTopics = %d", n, taxonomy.NumTopics)
	}
	for _, set := range []struct {
		kind   string
		values []string
		is     func(string) bool
		name   func(string) string
	}{
		{"topic", taxonomy.Topics(), taxonomy.IsTopic, taxonomy.TopicName},
		{"outlook", taxonomy.Outlooks(), taxonomy.IsOutlook, taxonomy.OutlookName},
		{"framing", taxonomy.Framings(), taxonomy.IsFraming, taxonomy.FramingName},
	} {
		seen := map[string]bool{}
		for _, v := range set.values {
			if seen[v] {
				t.Errorf("%s %q listed twice", set.kind, v)
			}
			seen[v] = true
			if !set.is(v) {
				t.Errorf("Is%s(%q) = false", set.kind, v)
			}
			if set.name(v) == "" {
				t.Errorf("%s %q has no display name", set.kind, v)
			}
		}
		if set.is("football") {
			t.Errorf("Is%s(football) = true", set.kind)
		}
	}
	if got := taxonomy.Outlooks(); got[len(got)-1] != taxonomy.OutlookNone {
		t.Errorf("outlooks %v: want %q last", got, taxonomy.OutlookNone)
	}
	if got := taxonomy.Framings(); got[len(got)-1] != taxonomy.FramingNeutral {
		t.Errorf("framings %v: want %q last", got, taxonomy.FramingNeutral)
	}
}

func TestCopiesCannotChangeTheTaxonomy(t *testing.T) {
	t.Parallel()
	taxonomy.Topics()[0] = "football"
	if taxonomy.Topics()[0] != "territory" {
		t.Error("a caller changed the topics")
	}
}

func TestDisplayNames(t *testing.T) {
	t.Parallel()
	for _, c := range [][2]string{
		{taxonomy.TopicName("us_mediation"), "US mediation"},
		{taxonomy.OutlookName("none"), "not characterised"},
		{taxonomy.FramingName("pro_russia"), "pro-Russia"},
		{taxonomy.TopicName("football"), "football"},
	} {
		if c[0] != c[1] {
			t.Errorf("display name %q, want %q", c[0], c[1])
		}
	}
}
