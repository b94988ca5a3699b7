package tagger

import "testing"

func TestOutlookMixedNeedsWeightOnBothSides(t *testing.T) {
	base := Thresholds{OutlookMin: 1, OutlookMargin: 1, OutlookRatio: 3, ReportedWeight: 1, ContradictedWeight: 0.5, HeadWeight: 1}
	lean := base
	lean.MixedMin, lean.LeanRatio = 1.5, 1.5
	for _, tc := range []struct {
		name           string
		own, reported  [3]float64
		always, leaned string
	}{
		{"a clear side wins either way", [3]float64{3, 0.5, 0}, [3]float64{}, "progress", "progress"},
		{"weak cues on both sides lean to the stronger", [3]float64{1, 0.5, 0}, [3]float64{}, "mixed", "progress"},
		{"a lean to stalemate", [3]float64{0.5, 1.25, 0}, [3]float64{}, "mixed", "stalemate"},
		{"both sides with real weight stay mixed", [3]float64{2, 1.5, 0}, [3]float64{}, "mixed", "mixed"},
		{"mixed cues that reach the minimum stay mixed", [3]float64{1, 0, 1.5}, [3]float64{}, "mixed", "mixed"},
		{"a near tie stays mixed", [3]float64{1, 0.75, 0}, [3]float64{}, "mixed", "mixed"},
		{"below the minimum nothing is said", [3]float64{0.5, 0.25, 0}, [3]float64{}, "none", "none"},
		// A claim the own voice contradicts cannot win, not even by a lean.
		{"a contradicted claim cannot lean", [3]float64{0, 0.75, 0}, [3]float64{3, 0, 0}, "mixed", "mixed"},
	} {
		tl := &Tally{Own: tc.own, Reported: tc.reported}
		if got := base.Outlook(tl); got != tc.always {
			t.Errorf("%s: without mixed_min got %s, want %s", tc.name, got, tc.always)
		}
		if got := lean.Outlook(tl); got != tc.leaned {
			t.Errorf("%s: with mixed_min got %s, want %s", tc.name, got, tc.leaned)
		}
	}
}

// A soft claim that nothing contradicts decides progress below the
// minimum only with SoftAlone, and only when no other side is heard.
func TestSoftClaimAlone(t *testing.T) {
	th := Thresholds{OutlookMin: 1, OutlookMargin: 1, OutlookRatio: 3, ReportedWeight: 1, ContradictedWeight: 0.5, HeadWeight: 1}
	alone := th
	alone.SoftAlone = true
	for _, tc := range []struct {
		name          string
		tally         Tally
		weigh, decide string
	}{
		{"a quoted readout alone", Tally{Reported: [3]float64{0.5, 0, 0}, Soft: 0.5}, "none", "progress"},
		{"a firm cue below the minimum is no readout", Tally{Reported: [3]float64{0.5, 0, 0}}, "none", "none"},
		{"a stalemate cue heard too", Tally{Reported: [3]float64{0.5, 0.25, 0}, Soft: 0.5}, "none", "none"},
		{"a mixed cue heard too", Tally{Own: [3]float64{0, 0, 0.25}, Reported: [3]float64{0.5, 0, 0}, Soft: 0.5}, "none", "none"},
		{"above the minimum nothing changes", Tally{Own: [3]float64{1.5, 0, 0}, Soft: 1.5}, "progress", "progress"},
	} {
		if got := th.Outlook(&tc.tally); got != tc.weigh {
			t.Errorf("%s: weighed, got %s, want %s", tc.name, got, tc.weigh)
		}
		if got := alone.Outlook(&tc.tally); got != tc.decide {
			t.Errorf("%s: soft_alone, got %s, want %s", tc.name, got, tc.decide)
		}
	}
}
