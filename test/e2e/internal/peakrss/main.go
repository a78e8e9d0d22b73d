// Command peakrss runs a command and writes its wall time, peak resident set
// size and exit status as JSON to the file named by -o, for benchmarks.
//
// It exists because a child's rusage counts the memory of the process that
// forked it until exec: forked from a large benchmark process, even a tiny
// command reports the benchmark's size. Forked from this small process, the
// measure is the command's own. It must stay small and do nothing else.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	out := flag.String("o", "", "write the measurement here")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: peakrss -o FILE COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
	m := map[string]int64{"wall_ns": wall.Nanoseconds(), "exit": int64(cmd.ProcessState.ExitCode())}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m["maxrss_kib"] = int64(ru.Maxrss) // KiB on Linux
	}
	b, _ := json.Marshal(m)
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
}
