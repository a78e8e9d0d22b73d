// Package enginetest holds the engine comparison test: every SQL example of
// every docs page under provider/docs (as test/internal/docexamples reads
// them) is run through the real StackQL engine and through the harness CLI,
// each against a fresh, identically seeded workspace simulator, and what the
// two did is compared: both exit 0, neither reports an error on stderr, both
// return the same columns and the same rows (values compared as text, token
// ids and values by the part they play), and the simulators received the
// same requests.
//
// The engine is a separate binary that this repository neither builds nor
// holds, so the test is behind the enginetest build tag and runs only from
// `make engine-test`, with STACKQL=<path to a stackql binary>; without
// STACKQL it says how to get one and passes. It is not part of `make test`.
package enginetest
