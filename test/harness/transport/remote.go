package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
)

// RemoteError is a request that failed after its statement was found valid:
// an error status, no usable response (network, TLS, timeout, redirect,
// cancellation) or a 2xx body that cannot be read. Fixing the statement will
// not help; the workspace, the network or time might.
type RemoteError struct {
	Method, URL string // URL is host and path: the query may hold values
	Status      int    // the response's status; 0 when none arrived
	Code        string // the API's error code, if its envelope had one
	Message     string // the API's error message, or a snippet of the body
	Err         error  // the cause, when there was no usable response
	Tries       int    // how many times the request was sent
	Hint        string // what to check before running the statement again
}

func (e *RemoteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", e.Method, e.URL)
	if e.Status != 0 {
		fmt.Fprintf(&b, "http %d", e.Status)
		if e.Code != "" {
			b.WriteString(" " + e.Code)
		}
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
		if e.Err != nil {
			b.WriteString(": ")
		}
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.Tries > 1 {
		fmt.Fprintf(&b, " (after %d tries)", e.Tries)
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

func (e *RemoteError) Unwrap() error { return e.Err }

// IsRemote reports whether err is, or wraps, a RemoteError.
func IsRemote(err error) bool {
	var re *RemoteError
	return errors.As(err, &re)
}

// ErrCancelled is the cause of a request stopped by its context (Ctrl-C,
// in the CLI); errors.Is(err, context.Canceled) holds for it.
var ErrCancelled error = cancelled{}

type cancelled struct{}

func (cancelled) Error() string        { return "cancelled" }
func (cancelled) Is(target error) bool { return target == context.Canceled }

// timeoutError is the cause of a request that outlived Config.Timeout.
type timeoutError struct{ d time.Duration }

func (t timeoutError) Error() string        { return fmt.Sprintf("timed out after %s", t.d) }
func (t timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// closedError is a connection the server closed without an answer.
type closedError struct{ err error }

func (c closedError) Error() string { return "the connection closed without a response" }
func (c closedError) Unwrap() error { return c.err }

// transportCause turns what the client returned into the error a user
// should read: without url.Error's repetition of method and URL, and with
// a name for a connection closed mid-exchange.
func transportCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return closedError{err}
	}
	return err
}

// mayHaveArrived reports whether a request that failed with err could have
// reached the server: not when the name did not resolve, the connection was
// refused or the certificate was not trusted. It is the fallback for a
// RoundTripper that does not report its connections (see
// Transport.tracesConns); the error's type is all it has to go on.
func mayHaveArrived(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &dnsErr), errors.As(err, &certErr):
		return false
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return false
	}
	return true
}
