package harness

import (
	"fmt"
	"io"

	"github.com/stackql/any-sdk/pkg/stream_transform"
)

// responseTransform returns the method's response transform, as the engine
// applies it to a response body before reading rows (any-sdk's template
// transformers), or nil when it declares none.
func (m *method) responseTransform() func([]byte) ([]byte, error) {
	r, ok := m.op.GetResponse()
	if !ok || r == nil {
		return nil
	}
	t, ok := r.GetTransform()
	if !ok || t == nil || t.GetBody() == "" {
		return nil
	}
	factory := stream_transform.NewStreamTransformerFactory(t.GetType(), t.GetBody())
	if !factory.IsTransformable() {
		return nil
	}
	return func(body []byte) ([]byte, error) {
		tr, err := factory.GetTransformer(string(body))
		if err != nil {
			return nil, fmt.Errorf("response transform of %s: %w", m, err)
		}
		if err := tr.Transform(); err != nil {
			return nil, fmt.Errorf("response transform of %s: %w", m, err)
		}
		return io.ReadAll(tr.GetOutStream())
	}
}
