package transport

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRetryWait: Retry-After in seconds or as an HTTP-date; one over
// MaxRetryWait ends the retries however large it is (no Duration overflow
// turns it into a short wait); one that is neither falls back to backoff.
func TestRetryWait(t *testing.T) {
	now := time.Date(2026, 10, 21, 7, 28, 0, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	const backoff2 = 500 * time.Millisecond // backoff before the third try
	for _, tc := range []struct {
		header string
		want   time.Duration
		err    string // the error, when the wait is over the limit
	}{
		{header: "", want: backoff2},
		{header: "0", want: 0},
		{header: " 7 ", want: 7 * time.Second},
		{header: "10", want: 10 * time.Second},
		{header: "0000000000000000000000000000005", want: 5 * time.Second}, // leading zeros are not a large number
		{header: "11", err: "not retried: Retry-After 11s is over the 10s limit"},
		{header: "3600", err: "not retried: Retry-After 1h0m0s is over the 10s limit"},
		{header: "9223372036", err: "not retried: Retry-After 2562047h47m16s is over the 10s limit"},
		{header: "9223372037", err: "not retried: Retry-After 9223372037s is over the 10s limit"}, // over a Duration
		{header: "9223372036854775807", err: "not retried: Retry-After 9223372036854775807s is over the 10s limit"},
		{header: "99999999999999999999", err: "not retried: Retry-After 99999999999999999999s is over the 10s limit"},
		{header: "18446744073709551616", err: "not retried: Retry-After 18446744073709551616s is over the 10s limit"}, // 2^64
		{header: strings.Repeat("9", 4000), err: "not retried: Retry-After of 4000 digits is over the 10s limit"},
		{header: "Wed, 21 Oct 2026 07:28:05 GMT", want: 5 * time.Second},
		{header: date(10 * time.Second), want: 10 * time.Second},
		{header: date(11 * time.Second), err: "not retried: Retry-After Wed, 21 Oct 2026 07:28:11 GMT is over the 10s limit"},
		{header: "Wed, 21 Oct 2099 07:28:00 GMT", err: "not retried: Retry-After Wed, 21 Oct 2099 07:28:00 GMT is over the 10s limit"},
		{header: "Fri, 31 Dec 9999 23:59:59 GMT", err: "not retried: Retry-After Fri, 31 Dec 9999 23:59:59 GMT is over the 10s limit"}, // beyond a Duration from now
		{header: "Wednesday, 21-Oct-26 07:28:03 GMT", want: 3 * time.Second},                                                           // RFC 850
		{header: "Wed Oct 21 07:28:04 2026", want: 4 * time.Second},                                                                    // asctime
		{header: "Wed, 21 Oct 2015 07:28:00 GMT", want: 0},                                                                             // past: now
		{header: "-1", want: backoff2},
		{header: "1.5", want: backoff2},
		{header: "+3", want: backoff2},
		{header: "soon", want: backoff2},
		{header: "2026-10-21T07:28:05Z", want: backoff2}, // not an HTTP-date
	} {
		tr := New(Config{}, &Redactor{})
		got, err := tr.retryWait(tc.header, 2, now)
		switch {
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("Retry-After %.40q: error %v, want %s", tc.header, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("Retry-After %.40q: %v", tc.header, err)
		case tc.err == "" && got != tc.want:
			t.Errorf("Retry-After %.40q: wait %v, want %v", tc.header, got, tc.want)
		}
	}
}
