package harness

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/stackql/any-sdk/public/formulation"
	"github.com/stackql/stackql-parser/go/vt/sqlparser"

	"github.com/stackql-labs/databricks-tokens/test/harness/local"
	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

// SHOW and DESCRIBE answer from the provider documents alone, with the
// engine's column sets (any-sdk's Get*Header and presentation maps).

func (e *Engine) planShow(n *sqlparser.Show) (func(context.Context) (*Result, error), error) {
	extended := strings.TrimSpace(n.Extended) != ""
	parts := names(n.OnTable)
	var res *Result
	var likeCol string
	switch strings.ToUpper(n.Type) {
	case "SERVICES":
		if len(parts) != 1 {
			return nil, fmt.Errorf("SHOW SERVICES needs IN provider")
		}
		p, err := e.provider(parts[0])
		if err != nil {
			return nil, err
		}
		res = &Result{}
		res.Columns = formulation.GetServicesHeader(extended)
		for _, s := range p.Services {
			vals := map[string]value.Value{
				"id": value.String(s.ID), "name": value.String(s.Name), "title": value.String(s.Title),
				"description": value.String(s.Description), "version": value.String(s.Version),
				"preferred": value.Boolean(s.Preferred),
			}
			res.Rows = append(res.Rows, pick(res.Columns, vals))
		}
		likeCol = "name"
	case "RESOURCES":
		if len(parts) != 2 {
			return nil, fmt.Errorf("SHOW RESOURCES needs IN provider.service")
		}
		_, s, err := e.service(parts[0], parts[1])
		if err != nil {
			return nil, err
		}
		rnames, err := s.ResourceNames()
		if err != nil {
			return nil, err
		}
		res = &Result{}
		res.Columns = formulation.GetResourcesHeader(extended)
		sort.Strings(rnames)
		for _, name := range rnames {
			r, err := s.Resource(name)
			if err != nil {
				return nil, err
			}
			res.Rows = append(res.Rows, pick(res.Columns, textMap(r.ToMap(extended))))
		}
		likeCol = "name"
	case "METHODS":
		t, err := e.resolveResource(parts)
		if err != nil {
			return nil, err
		}
		ops, err := t.rsc.GetMethodsMatched().OrderMethods()
		if err != nil {
			return nil, err
		}
		res = &Result{}
		for i, op := range ops {
			if i == 0 {
				res.Columns = op.GetColumnOrder(extended)
			}
			res.Rows = append(res.Rows, pick(res.Columns, textMap(op.ToPresentationMap(extended))))
		}
		if res.Columns == nil {
			res.Columns = []string{"MethodName", "RequiredParams", "SQLVerb"}
		}
		likeCol = "MethodName"
	default:
		return nil, fmt.Errorf("SHOW %s is not supported (SERVICES, RESOURCES and METHODS are)", strings.ToUpper(n.Type))
	}
	return filterShow(res, n.ShowTablesOpt, likeCol)
}

func pick(cols []string, vals map[string]value.Value) []value.Value {
	out := make([]value.Value, len(cols))
	for i, c := range cols {
		out[i] = vals[c]
	}
	return out
}

func textMap(m map[string]any) map[string]value.Value {
	out := make(map[string]value.Value, len(m))
	for k, v := range m {
		switch t := v.(type) {
		case nil:
		case bool:
			out[k] = value.Boolean(t)
		default:
			out[k] = value.String(fmt.Sprint(t))
		}
	}
	return out
}

// filterShow applies SHOW ... LIKE 'pattern' (to the name column) or
// SHOW ... WHERE expr (over the listed columns) in SQLite, as the engine
// does; the filter is checked now, applied when the statement runs.
func filterShow(res *Result, opt *sqlparser.ShowTablesOpt, likeCol string) (func(context.Context) (*Result, error), error) {
	static := func(context.Context) (*Result, error) { return res, nil }
	if opt == nil || opt.Filter == nil {
		return static, nil
	}
	var cond string
	switch {
	case opt.Filter.Like != "":
		cond = local.Quote(likeCol) + " LIKE '" + strings.ReplaceAll(opt.Filter.Like, "'", "''") + "'"
	case opt.Filter.Filter != nil:
		cond = (&sqliteFormatter{}).render(opt.Filter.Filter)
	default:
		return static, nil
	}
	t := local.Table{Name: "show"}
	for _, c := range res.Columns {
		t.Columns = append(t.Columns, local.Column{Name: c, Type: "string"})
	}
	query := "SELECT * FROM " + local.Quote(t.Name) + " WHERE " + cond
	if err := local.Compile(context.Background(), query, t); err != nil {
		return nil, err
	}
	return func(ctx context.Context) (*Result, error) {
		db, err := local.Open(ctx)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		if err := db.Create(ctx, t); err != nil {
			return nil, err
		}
		if err := db.Load(ctx, t, res.Rows); err != nil {
			return nil, err
		}
		out := &Result{}
		out.Columns, out.Rows, err = db.Query(ctx, query)
		return out, err
	}, nil
}

func (e *Engine) planDescribe(n *sqlparser.DescribeTable) (func(context.Context) (*Result, error), error) {
	extended := strings.TrimSpace(n.Extended) != ""
	t, err := e.resolveResource(names(n.Table))
	if err != nil {
		return nil, err
	}
	m, err := t.chooseMethod("select", nil)
	if err != nil {
		return nil, fmt.Errorf("DESCRIBE: %w", err)
	}
	s, _, err := m.op.GetSelectSchemaAndObjectPath()
	if err != nil || s == nil {
		return nil, fmt.Errorf("DESCRIBE: %s has no response schema", m)
	}
	desc := s.ToDescriptionMap(true)
	res := &Result{}
	res.Columns = formulation.GetDescribeHeader(extended)
	for _, c := range schemaColumns(s) {
		vals := map[string]value.Value{"name": value.String(c.name)}
		if d, ok := desc[c.name].(map[string]any); ok {
			vals["type"] = value.String(fmt.Sprint(d["type"]))
			if s, ok := d["description"].(string); ok {
				vals["description"] = value.String(s)
			}
		}
		res.Rows = append(res.Rows, pick(res.Columns, vals))
	}
	return func(context.Context) (*Result, error) { return res, nil }, nil
}
