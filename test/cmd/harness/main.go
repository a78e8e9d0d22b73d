// Command harness runs StackQL statements against the provider documents in
// this repository, like `stackql exec`, but exits non-zero when a statement
// fails. See package cli for the flags; --profile and host-matched
// credentials come from Databricks configuration profiles (package
// databrickscfg).
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"runtime/debug"

	"github.com/stackql-labs/databricks-tokens/test/databrickscfg"
	"github.com/stackql-labs/databricks-tokens/test/harness/cli"
)

func main() {
	// A short-lived process: collect less often (the heap stays a few MiB),
	// with a soft ceiling in case a result is large.
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(256 << 20)
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ()))
}

// run is the whole command, callable in-process by tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return cli.RunWith(ctx, databrickscfg.Source, args, stdin, stdout, stderr, env)
}
