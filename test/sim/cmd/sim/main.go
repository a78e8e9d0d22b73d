// Command sim runs the Databricks Token API simulator until SIGINT or SIGTERM, for
// poking at it by hand or pointing another process at it.
//
//	go run ./test/sim/cmd/sim -workspace dbc-abcd0123-a1bc,dbc-second
//
// It prints the listener address, the CA file (in a temporary directory removed on
// exit, unless -ca-file names one), a ready bearer token per workspace and a curl
// command that lists that user's tokens. The bearer token is a local test
// credential, so printing it is intended. It must not be used as a real endpoint: it
// keeps everything in memory and trusts nothing but its own CA.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

const defaultWorkspace = "dbc-abcd0123-a1bc"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sim:", err)
		os.Exit(1)
	}
}

// options are the command-line flags.
type options struct {
	addr       string
	plain      bool
	caFile     string
	workspaces []string
	user       string
}

// workspaceList collects -workspace, repeated or comma-separated.
type workspaceList []string

func (l *workspaceList) String() string { return strings.Join(*l, ",") }

func (l *workspaceList) Set(v string) error {
	for name := range strings.SplitSeq(v, ",") {
		if name = strings.TrimSpace(name); name != "" {
			*l = append(*l, name)
		}
	}
	return nil
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var workspaces workspaceList
	fs.StringVar(&o.addr, "addr", "127.0.0.1:0", "listen address")
	fs.BoolVar(&o.plain, "plain", false, "serve plain HTTP instead of TLS")
	fs.StringVar(&o.caFile, "ca-file", "", "where to write the CA certificate (PEM) (default a file in a new temporary directory, removed on exit)")
	fs.Var(&workspaces, "workspace", "deployment name to serve; repeat or comma-separate (default "+defaultWorkspace+")")
	fs.StringVar(&o.user, "user", "user@example.com", "user the printed bearer tokens belong to")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	o.workspaces = workspaces
	if len(o.workspaces) == 0 {
		o.workspaces = []string{defaultWorkspace}
	}
	return o, nil
}

// start serves the workspaces and returns the server and the text telling a user how
// to reach it.
func start(o options) (*sim.Server, string, error) {
	cfg := sim.Config{Addr: o.addr, Plain: o.plain}
	if !o.plain {
		cfg.CAFile = o.caFile
	}
	srv, err := sim.Start(cfg)
	if err != nil {
		return nil, "", err
	}
	var b strings.Builder
	scheme, caArg := "http", ""
	if o.plain {
		fmt.Fprintf(&b, "databricks workspace simulator listening on %s (plain HTTP)\n", srv.Addr())
	} else {
		scheme, caArg = "https", "--cacert "+shellQuote(o.caFile)+" "
		fmt.Fprintf(&b, "databricks workspace simulator listening on %s (TLS)\n", srv.Addr())
		fmt.Fprintf(&b, "CA certificate: %s\n", o.caFile)
	}
	var first, firstBearer string
	for _, name := range o.workspaces {
		ws, err := srv.AddWorkspace(name, sim.WorkspaceOptions{})
		if err != nil {
			_ = srv.Close()
			return nil, "", err
		}
		bearer := ws.AddUser(o.user)
		if first == "" {
			first, firstBearer = name, bearer
		}
		fmt.Fprintf(&b, "\nworkspace %s\n", ws.Host())
		fmt.Fprintf(&b, "  user:   %s\n", o.user)
		fmt.Fprintf(&b, "  bearer: %s\n", bearer)
		fmt.Fprintf(&b, "  curl %s--resolve %s:%d:127.0.0.1 -H 'Authorization: Bearer %s' %s://%s:%d/api/2.0/token/list\n",
			caArg, ws.Host(), srv.Port(), bearer, scheme, ws.Host(), srv.Port())
	}
	if !o.plain {
		proxy, err := srv.StartProxy()
		if err != nil {
			_ = srv.Close()
			return nil, "", err
		}
		srv.OnClose(func() { proxy.Close() })
		provider, _ := filepath.Abs("provider")
		fmt.Fprintf(&b, "\nCONNECT proxy for other programs: %s\n", proxy.Addr())
		fmt.Fprintf(&b, "  the StackQL engine, from this repository:\n")
		fmt.Fprintf(&b, "  DATABRICKS_TOKEN=%s stackql exec \"SELECT token_id, comment, creation_time, expiry_time FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '%s'\" \\\n", firstBearer, first)
		fmt.Fprintf(&b, "    --registry='{\"url\":\"file://%s\",\"localDocRoot\":\"%s\",\"verifyConfig\":{\"nopVerify\":true}}' \\\n", provider, provider)
		fmt.Fprintf(&b, "    --auth='{\"databricks_workspace\":{\"type\":\"bearer\",\"credentialsenvvar\":\"DATABRICKS_TOKEN\"}}' \\\n")
		fmt.Fprintf(&b, "    --tls.CABundle=%s --http.proxy.host=127.0.0.1 --http.proxy.port=%d\n", shellQuote(o.caFile), proxy.Port())
	}
	b.WriteString("\nstop with Ctrl-C\n")
	return srv, b.String(), nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if !o.plain && o.caFile == "" {
		// A directory per run: a shared default path would let a second instance
		// overwrite the CA that the first one's printed commands point at.
		dir, err := os.MkdirTemp("", "databricks-sim-")
		if err != nil {
			return fmt.Errorf("ca file: %w", err)
		}
		defer os.RemoveAll(dir)
		o.caFile = filepath.Join(dir, "ca.pem")
	}
	srv, banner, err := start(o)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, banner)
	<-ctx.Done()
	return srv.Close()
}

// shellQuote quotes a path for the printed command line when it needs it.
func shellQuote(s string) string {
	if strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
