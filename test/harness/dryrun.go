package harness

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
)

// dryRun writes the request a statement would send instead of sending it,
// and answers it with no body. No credential is read: a dry run shows what
// would be sent, not to whom it would authenticate.
func (e *Engine) dryRun(req *http.Request) (*transport.Response, error) {
	u := *req.URL
	u.ForceQuery = false
	line := req.Method + " " + u.Redacted()
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		_, err = io.Copy(&b, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		if b.Len() > 0 {
			line += " " + b.String()
		}
	}
	line = strings.Join(strings.Fields(e.Redact(line)), " ")
	if _, err := fmt.Fprintln(e.cfg.DryRun, line); err != nil {
		return nil, err
	}
	return &transport.Response{}, nil
}
