package transport

import (
	"testing"
	"time"
)

func TestBackoffDoublesToTheCap(t *testing.T) {
	for _, tc := range []struct {
		try  int
		want time.Duration
	}{
		{1, 250 * time.Millisecond},
		{2, 500 * time.Millisecond},
		{3, time.Second},
		{7, 10 * time.Second},
		{37, 10 * time.Second}, // 250ms<<36 overflows int64 nanoseconds
		{1000, 10 * time.Second},
	} {
		if got := backoff(tc.try, 10*time.Second); got != tc.want {
			t.Errorf("backoff(%d) = %v, want %v", tc.try, got, tc.want)
		}
	}
}
