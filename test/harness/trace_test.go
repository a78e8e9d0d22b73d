package harness_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness"
)

var traceDuration = regexp.MustCompile(` [0-9.]+(µs|ms|s)\b`)

// TestTraceMasksSecrets: the trace has a line per request and per
// response; a credential the engine sends prints as [REDACTED] and a
// secret of a configured shape keeps only its prefix, in bodies and URLs;
// headers are never written.
func TestTraceMasksSecrets(t *testing.T) {
	var trace bytes.Buffer
	_, eng := startWidgetcoWith(t, func(c *harness.Config) {
		c.Trace = &trace // the service document declares wi_ codes secret
	})
	_, err := runCSV(eng, `INSERT INTO widgetco.inventory.gadgets (region, shop_id, data__name) SELECT 'eu1', 's1', 'copy of `+widgetKey+` and wi_123456';
SELECT id FROM widgetco.inventory.gadgets WHERE region = 'eu1' AND shop_id = 's1' AND colour = 'wi_654321'`)
	if err != nil {
		t.Fatal(err)
	}
	got := traceDuration.ReplaceAllString(trace.String(), " D")
	want := `> POST https://eu1.widgetco.example/v2/shops/s1/gadgets {"name":"copy of [REDACTED] and wi_***"}
< POST https://eu1.widgetco.example/v2/shops/s1/gadgets 201 D
> GET https://eu1.widgetco.example/v2/shops/s1/gadgets?colour=wi_***
< GET https://eu1.widgetco.example/v2/shops/s1/gadgets?colour=wi_*** 200 D
`
	if got != want {
		t.Errorf("trace\n--- want:\n%s--- got:\n%s", want, got)
	}
	if strings.Contains(trace.String(), "X-Widget-Key") || strings.Contains(trace.String(), widgetKey) {
		t.Errorf("the trace shows the credential:\n%s", trace.String())
	}
}
