package harness

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/stackql/any-sdk/public/formulation"
	"github.com/stackql/stackql-parser/go/vt/sqlparser"

	"github.com/stackql-labs/databricks-tokens/test/harness/jsonrows"
	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

// responseColumns lists the columns a method's rows have, sorted by name as
// the engine orders SELECT * (any-sdk's GetOrderedStarColumnsNames), each
// with the affinity of its schema type.
type responseColumn struct {
	name string
	aff  value.Affinity
}

func selectColumns(m *method) ([]responseColumn, error) {
	s, _, err := m.op.GetSelectSchemaAndObjectPath()
	if err != nil || s == nil {
		return nil, fmt.Errorf("%s has no response schema", m)
	}
	return schemaColumns(s), nil
}

func schemaColumns(s formulation.Schema) []responseColumn {
	props, err := s.GetProperties()
	if err != nil || len(props) == 0 {
		return []responseColumn{{name: formulation.AnonymousColumnName, aff: value.AffinityOf(s.GetType())}}
	}
	cols := make([]responseColumn, 0, len(props))
	for name, p := range props {
		cols = append(cols, responseColumn{name: name, aff: value.AffinityOf(p.GetType())})
	}
	sort.Slice(cols, func(i, j int) bool { return cols[i].name < cols[j].name })
	return cols
}

// selectPlan is a planned SELECT.
type selectPlan struct {
	e    *Engine
	m    *method
	cols []responseColumn // response columns; parameters follow in the scope
	sc   *scope
	// direct is true when jsonrows can decode the list (a simple objectKey,
	// object items); path and respCols drive it.
	direct   bool
	path     []string
	respCols map[string]int
	fanout   []map[string]value.Value
	where    expr
	out      []outputColumn
	agg      bool
	order    []orderTerm
	limit    int64 // -1: none
	offset   int64
}

type outputColumn struct {
	name     string
	alias    bool // name comes from AS: ORDER BY name means this column
	fn       expr
	constant bool
	count    expr // COUNT(x): counts rows where x is not NULL
	star     bool // COUNT(*)
}

type orderTerm struct {
	out  int // index into the output row, or -1
	fn   expr
	desc bool
}

func (e *Engine) planSelect(sel *sqlparser.Select) (func(context.Context) (*Result, error), error) {
	switch {
	case sel.With != nil:
		return nil, fmt.Errorf("WITH is not supported")
	case sel.Distinct:
		return nil, fmt.Errorf("DISTINCT is not supported")
	case len(sel.GroupBy) > 0 || sel.Having != nil:
		return nil, fmt.Errorf("GROUP BY and HAVING are not supported")
	case len(sel.From) != 1:
		return nil, fmt.Errorf("SELECT needs exactly one resource in FROM (joins are not supported)")
	}
	ate, ok := sel.From[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return nil, fmt.Errorf("unsupported FROM clause %q", sqlparser.String(sel.From[0]))
	}
	tn, ok := ate.Expr.(sqlparser.TableName)
	if !ok {
		return nil, fmt.Errorf("unsupported FROM clause %q (subqueries are not supported)", sqlparser.String(ate.Expr))
	}
	parts := names(tn)
	t, err := e.resolveResource(parts)
	if err != nil {
		return nil, err
	}
	var where sqlparser.Expr
	if sel.Where != nil {
		where = sel.Where.Expr
	}
	m, bound, err := t.bindWhere("select", where)
	if err != nil {
		return nil, err
	}
	for name := range bound {
		if _, ok := m.params[name]; !ok {
			delete(bound, name) // another method's parameter: evaluated locally, if at all
		}
	}
	p := &selectPlan{e: e, m: m, limit: -1}
	if p.cols, err = selectColumns(m); err != nil {
		return nil, err
	}
	p.sc = newScope(t.id)
	p.respCols = map[string]int{}
	for _, c := range p.cols {
		p.sc.add(c.name, c.aff)
		p.respCols[c.name] = p.sc.cols[c.name]
	}
	if len(p.cols) != 1 || p.cols[0].name != formulation.AnonymousColumnName {
		p.path, p.direct = jsonrows.Path(m.op.GetSelectItemsKey())
	}
	for _, name := range slices.Sorted(maps.Keys(m.params)) {
		p.sc.add(name, value.AffinityOf(m.params[name]))
	}
	p.sc.qualifiers[parts[2]] = true
	p.sc.qualifiers[t.id] = true
	if a := ate.As.GetRawVal(); a != "" {
		p.sc.qualifiers = map[string]bool{a: true}
	}
	if p.fanout, err = fanout(m, bound); err != nil {
		return nil, err
	}
	if where != nil {
		if p.where, err = p.sc.compile(where); err != nil {
			return nil, err
		}
	}
	if err := p.planOutput(sel.SelectExprs); err != nil {
		return nil, err
	}
	if err := p.planOrder(sel.OrderBy); err != nil {
		return nil, err
	}
	if p.limit, p.offset, err = limits(sel.Limit); err != nil {
		return nil, err
	}
	return p.run, nil
}

// fanout expands the bound parameters into one parameter set per request:
// the cartesian product of their values, in the order written.
func fanout(m *method, bound map[string]*binding) ([]map[string]value.Value, error) {
	sets := []map[string]value.Value{{}}
	for _, name := range slices.Sorted(maps.Keys(bound)) {
		vals := bound[name].values
		for _, v := range vals {
			if err := m.checkParam(name, v); err != nil {
				return nil, err
			}
		}
		var next []map[string]value.Value
		for _, s := range sets {
			for _, v := range vals {
				c := make(map[string]value.Value, len(s)+1)
				for k, x := range s {
					c[k] = x
				}
				c[name] = v
				next = append(next, c)
			}
		}
		sets = next
	}
	return sets, nil
}

func (p *selectPlan) planOutput(exprs sqlparser.SelectExprs) error {
	for _, se := range exprs {
		switch n := se.(type) {
		case *sqlparser.StarExpr:
			if q := names(n.TableName); len(q) > 0 && !p.sc.qualifiers[strings.Join(q, ".")] {
				return fmt.Errorf("unknown table %q in %q", strings.Join(q, "."), sqlparser.String(n))
			}
			for _, c := range p.cols {
				i := p.sc.cols[c.name]
				aff := c.aff
				p.out = append(p.out, outputColumn{name: c.name, fn: func(r row) value.Operand { return value.Operand{V: r[i], Aff: aff} }})
			}
		case *sqlparser.AliasedExpr:
			oc, err := p.outputColumn(n)
			if err != nil {
				return err
			}
			p.out = append(p.out, oc)
		default:
			return fmt.Errorf("unsupported select expression %q", sqlparser.String(se))
		}
	}
	plain := false
	for _, oc := range p.out {
		if oc.fn != nil && !oc.constant {
			plain = true
		}
	}
	if p.agg && plain {
		return fmt.Errorf("cannot mix COUNT with plain columns (GROUP BY is not supported)")
	}
	return nil
}

func (p *selectPlan) outputColumn(n *sqlparser.AliasedExpr) (outputColumn, error) {
	oc, err := p.outputExpr(n)
	oc.alias = n.As.GetRawVal() != ""
	return oc, err
}

func (p *selectPlan) outputExpr(n *sqlparser.AliasedExpr) (outputColumn, error) {
	name := n.As.GetRawVal()
	if name == "" {
		if c, ok := n.Expr.(*sqlparser.ColName); ok {
			name = c.Name.GetRawVal()
		} else {
			name = sqlparser.String(n.Expr)
		}
	}
	if f, ok := n.Expr.(*sqlparser.FuncExpr); ok {
		if !strings.EqualFold(f.Name.GetRawVal(), "count") || f.Distinct || len(f.Exprs) != 1 {
			return outputColumn{}, fmt.Errorf("unsupported function %q (only COUNT(*) and COUNT(column))", sqlparser.String(f))
		}
		p.agg = true
		switch a := f.Exprs[0].(type) {
		case *sqlparser.StarExpr:
			return outputColumn{name: name, star: true}, nil
		case *sqlparser.AliasedExpr:
			x, err := p.sc.compile(a.Expr)
			if err != nil {
				return outputColumn{}, err
			}
			return outputColumn{name: name, count: x}, nil
		}
		return outputColumn{}, fmt.Errorf("unsupported function %q", sqlparser.String(f))
	}
	fn, err := p.sc.compile(n.Expr)
	if err != nil {
		return outputColumn{}, err
	}
	_, notLiteral := literal(n.Expr)
	return outputColumn{name: name, fn: fn, constant: notLiteral == nil}, nil
}

func (p *selectPlan) planOrder(ob sqlparser.OrderBy) error {
	for _, o := range ob {
		t := orderTerm{out: -1, desc: o.Direction == sqlparser.DescScr}
		if v, ok := o.Expr.(*sqlparser.SQLVal); ok && v.Type == sqlparser.IntVal {
			k, err := literal(v)
			if err != nil || k.I < 1 || k.I > int64(len(p.out)) {
				return fmt.Errorf("ORDER BY term %s is out of range (1 to %d)", string(v.Val), len(p.out))
			}
			t.out = int(k.I - 1)
		} else if c := asColumn(o.Expr); c != nil && len(names(c.Qualifier)) == 0 {
			t.out = p.outputNamed(c.Name.GetRawVal())
		}
		if t.out < 0 {
			if p.agg {
				return fmt.Errorf("ORDER BY %q: with COUNT, order by an output column", sqlparser.String(o.Expr))
			}
			fn, err := p.sc.compile(o.Expr)
			if err != nil {
				return err
			}
			t.fn = fn
		}
		p.order = append(p.order, t)
	}
	return nil
}

// outputNamed resolves a bare name in ORDER BY as SQLite does: an AS alias
// first; otherwise the input column of that name, except under COUNT, where
// only output columns exist. It returns -1 to evaluate the name as an input
// column.
func (p *selectPlan) outputNamed(name string) int {
	for i, oc := range p.out {
		if oc.alias && oc.name == name {
			return i
		}
	}
	if p.agg {
		for i, oc := range p.out {
			if oc.name == name {
				return i
			}
		}
	}
	return -1
}

func limits(l *sqlparser.Limit) (limit, offset int64, err error) {
	limit = -1
	if l == nil {
		return limit, 0, nil
	}
	read := func(e sqlparser.Expr, what string) (int64, error) {
		v, err := literal(e)
		if err != nil || v.Kind != value.Integer {
			return 0, fmt.Errorf("%s must be an integer, not %q", what, sqlparser.String(e))
		}
		return v.I, nil
	}
	if l.Rowcount != nil {
		if limit, err = read(l.Rowcount, "LIMIT"); err != nil {
			return 0, 0, err
		}
		if limit < 0 {
			limit = -1 // SQLite: a negative LIMIT means no limit
		}
	}
	if l.Offset != nil {
		if offset, err = read(l.Offset, "OFFSET"); err != nil {
			return 0, 0, err
		}
		offset = max(offset, 0)
	}
	return limit, offset, nil
}

// run fetches every parameter set concurrently, merges the rows in the order
// the parameter values were written, then filters, aggregates, orders and
// limits them locally.
func (p *selectPlan) run(ctx context.Context) (*Result, error) {
	results, err := p.fetchAll(ctx)
	if err != nil {
		return nil, err
	}
	var rows []row
	for _, rs := range results {
		for _, r := range rs {
			if p.where != nil {
				if t, ok := value.Truthy(p.where(r).V); !ok || !t {
					continue
				}
			}
			rows = append(rows, r)
		}
	}
	res := &Result{}
	for _, oc := range p.out {
		res.Columns = append(res.Columns, oc.name)
	}
	type sorted struct {
		out  []value.Value
		keys []value.Value
	}
	var all []sorted
	if p.agg {
		out := make([]value.Value, len(p.out))
		for i, oc := range p.out {
			switch {
			case oc.star:
				out[i] = value.Int(int64(len(rows)))
			case oc.count != nil:
				n := 0
				for _, r := range rows {
					if !oc.count(r).V.IsNull() {
						n++
					}
				}
				out[i] = value.Int(int64(n))
			default:
				out[i] = oc.fn(nil).V
			}
		}
		all = append(all, sorted{out: out})
	} else {
		all = make([]sorted, len(rows))
		for ri, r := range rows {
			out := make([]value.Value, len(p.out))
			for i, oc := range p.out {
				out[i] = oc.fn(r).V
			}
			keys := make([]value.Value, len(p.order))
			for i, t := range p.order {
				if t.fn != nil {
					keys[i] = t.fn(r).V
				}
			}
			all[ri] = sorted{out: out, keys: keys}
		}
	}
	if len(p.order) > 0 {
		sort.SliceStable(all, func(a, b int) bool {
			for i, t := range p.order {
				var x, y value.Value
				if t.out >= 0 {
					x, y = all[a].out[t.out], all[b].out[t.out]
				} else {
					x, y = all[a].keys[i], all[b].keys[i]
				}
				c := value.Compare(x, y)
				if t.desc {
					c = -c
				}
				if c != 0 {
					return c < 0
				}
			}
			return false
		})
	}
	start := min(int(p.offset), len(all))
	end := len(all)
	// Compare before adding: start+limit overflows for LIMITs near MaxInt64.
	if p.limit >= 0 && p.limit < int64(end-start) {
		end = start + int(p.limit)
	}
	res.Rows = make([][]value.Value, 0, end-start)
	for _, s := range all[start:end] {
		res.Rows = append(res.Rows, s.out)
	}
	return res, nil
}

// maxFanout bounds the requests one SELECT has in flight at once.
const maxFanout = 8

// fetchAll fetches every parameter set, at most maxFanout at a time. The
// first failure cancels the requests still in flight and is the one
// reported: a statement that has failed does not wait for its siblings.
func (p *selectPlan) fetchAll(ctx context.Context) ([][]row, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([][]row, len(p.fanout))
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	slots := make(chan struct{}, maxFanout)
	for i, params := range p.fanout {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			// Once cancelled, fetch fails at once without sending.
			rows, err := p.fetch(ctx, params)
			if err != nil {
				once.Do(func() { firstErr = err; cancel() })
				return
			}
			results[i] = rows
		}()
	}
	wg.Wait()
	return results, firstErr
}

// fetch sends one list request and turns its items into rows.
func (p *selectPlan) fetch(ctx context.Context, params map[string]value.Value) ([]row, error) {
	resp, err := p.e.call(ctx, p.m, params, nil)
	if err != nil {
		return nil, err
	}
	rows, err := p.decodeRows(resp)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		for name, v := range params {
			i := p.sc.cols[name]
			if i >= len(p.cols) { // a parameter, not also a response column
				r[i] = v.WithAffinity(p.sc.affs[i])
			}
		}
	}
	return rows, nil
}

// decodeRows turns a list response into rows: straight from the bytes for a
// simple objectKey (the hot path), else through a full decode and any-sdk's
// JSONPath.
func (p *selectPlan) decodeRows(resp *response) ([]row, error) {
	if p.direct {
		if resp.empty() {
			return nil, nil
		}
		rs, err := jsonrows.Decode(resp.raw, p.path, p.respCols, p.sc.affs, len(p.sc.affs))
		if err == nil {
			rows := make([]row, len(rs))
			for i, r := range rs {
				rows[i] = r
			}
			return rows, nil
		}
		if !errors.Is(err, jsonrows.ErrUnsupported) {
			return nil, resp.fail(fmt.Errorf("the response is not JSON: %w", err))
		}
	}
	items, err := listItems(resp, p.m)
	if err != nil {
		return nil, err
	}
	rows := make([]row, 0, len(items))
	for _, it := range items {
		r := make(row, len(p.sc.affs))
		for i, c := range p.cols {
			r[i] = columnValue(it, c)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// columnValue is column c of one decoded response item: the item itself for
// the anonymous column of an item that is not an object, else its property
// (NULL when absent).
func columnValue(it any, c responseColumn) value.Value {
	obj, isObj := it.(map[string]any)
	if !isObj && c.name == formulation.AnonymousColumnName {
		return value.FromJSON(it, c.aff)
	}
	return value.FromJSON(obj[c.name], c.aff)
}
