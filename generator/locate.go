package generator

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// locate finds the YAML path of the first piece of doc that kin-openapi
// rejects, since its own messages name no location. It returns "" when no
// smaller piece fails on its own.
func locate(doc *openapi3.T) string {
	ctx := context.Background()
	for _, name := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
		if s := doc.Components.Schemas[name]; s != nil && s.Validate(ctx) != nil {
			return "components.schemas." + name
		}
	}
	for _, name := range slices.Sorted(maps.Keys(doc.Components.Responses)) {
		if r := doc.Components.Responses[name]; r != nil && r.Validate(ctx) != nil {
			return "components.responses." + name
		}
	}
	for _, p := range slices.Sorted(maps.Keys(doc.Paths)) {
		ops := doc.Paths[p].Operations()
		for _, verb := range slices.Sorted(maps.Keys(ops)) {
			op := ops[verb]
			at := "paths." + p + "." + strings.ToLower(verb)
			for _, code := range slices.Sorted(maps.Keys(op.Responses)) {
				if r := op.Responses[code]; r != nil && r.Validate(ctx) != nil {
					return at + ".responses." + code
				}
			}
			if op.RequestBody != nil && op.RequestBody.Validate(ctx) != nil {
				return at + ".requestBody"
			}
			for i, prm := range op.Parameters {
				if prm != nil && prm.Validate(ctx) != nil {
					return at + ".parameters[" + strconv.Itoa(i) + "]"
				}
			}
			if op.Validate(ctx) != nil {
				return at
			}
		}
	}
	return ""
}
