package digest

import (
	"errors"
	"fmt"
	"time"
)

// Day is a calendar day in a time zone.
type Day struct {
	y   int
	m   time.Month
	d   int
	loc *time.Location
}

// ErrFutureDay is returned for a day that has not begun yet.
var ErrFutureDay = errors.New("day is in the future")

// NewDay is the calendar date of t (its year, month and day as they are,
// whatever t's location) in loc.
func NewDay(t time.Time, loc *time.Location) Day {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := t.Date()
	return Day{y, m, d, loc}
}

// ParseDay reads a YYYY-MM-DD date in loc. It refuses a malformed date
// and a day that has not begun at now.
func ParseDay(s string, loc *time.Location, now time.Time) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Day{}, fmt.Errorf("date %q: want YYYY-MM-DD, a real calendar date (e.g. 2025-12-03)", s)
	}
	d := NewDay(t, loc)
	if err := d.CheckNotFuture(now); err != nil {
		return Day{}, err
	}
	return d, nil
}

// Yesterday is the day before now's day in loc: the default digest day.
func Yesterday(now time.Time, loc *time.Location) Day {
	if loc == nil {
		loc = time.UTC
	}
	return NewDay(now.In(loc), loc).AddDays(-1)
}

// CheckNotFuture returns ErrFutureDay (wrapped with a message that says
// what today is) when the day begins after now.
func (d Day) CheckNotFuture(now time.Time) error {
	if d.Start().After(now) {
		today := NewDay(now.In(d.loc), d.loc)
		return fmt.Errorf("%w: %s has not begun yet (today is %s in %s)", ErrFutureDay, d, today, d.loc)
	}
	return nil
}

// Start is the first instant of the day.
func (d Day) Start() time.Time { return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, d.loc) }

// End is the first instant of the next day; a day is [Start, End). It is
// not always 24 hours later (daylight saving time).
func (d Day) End() time.Time { return d.AddDays(1).Start() }

// AddDays is the day n days later (earlier when n < 0).
func (d Day) AddDays(n int) Day {
	t := time.Date(d.y, d.m, d.d+n, 12, 0, 0, 0, time.UTC)
	return Day{t.Year(), t.Month(), t.Day(), d.loc}
}

// Date is the day as midnight UTC, the form a SQL date takes.
func (d Day) Date() time.Time { return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC) }

// Location is the day's time zone.
func (d Day) Location() *time.Location { return d.loc }

// String is the day as YYYY-MM-DD.
func (d Day) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d) }

// Long is the day for people, e.g. "Wednesday 3 December 2025".
func (d Day) Long() string { return d.Date().Format("Monday 2 January 2006") }

// TrendBounds are the n+1 boundaries of the n days that end with d.
func (d Day) TrendBounds(n int) []time.Time {
	b := make([]time.Time, n+1)
	for i := 0; i <= n; i++ {
		b[i] = d.AddDays(i - n + 1).Start()
	}
	return b
}
