package transport

// Safe is safe, for the test that keeps it identical to render.Safe.
var Safe = safe
