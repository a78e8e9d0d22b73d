package harness

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/stackql/any-sdk/public/formulation"
	"github.com/stackql/stackql-parser/go/vt/sqlparser"

	"github.com/stackql-labs/databricks-tokens/test/harness/jsonrows"
	"github.com/stackql-labs/databricks-tokens/test/harness/local"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

// A query is planned in two halves, as in the engine: every resource the
// statement names (in FROM, a join, a subquery, a UNION arm) becomes a
// table whose rows come from the API, fetched with the parameters its own
// WHERE supplies; everything else is SQLite's, run over those tables.

// responseColumn is one column of a method's rows, typed by its schema.
type responseColumn struct {
	name string
	typ  string // the OpenAPI schema type
}

// selectColumns lists the columns a method's rows have, sorted by name as
// the engine orders SELECT * (any-sdk's GetOrderedStarColumnsNames).
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
		return []responseColumn{{name: formulation.AnonymousColumnName, typ: s.GetType()}}
	}
	cols := make([]responseColumn, 0, len(props))
	for _, name := range slices.Sorted(maps.Keys(props)) {
		cols = append(cols, responseColumn{name: name, typ: props[name].GetType()})
	}
	return cols
}

// rowSource is how a method's responses become rows of a local table: its
// columns are the response's and, for a list read by a query, the method's
// parameters, all sorted by name as the engine orders SELECT *.
type rowSource struct {
	m     *method
	table local.Table
	// respCols maps a response column to its index in a row; params are
	// the indexes of the parameter columns.
	respCols map[string]int
	params   []int
	direct   bool // jsonrows can decode the list; path is its objectKey
	path     []string
	// transform is the method's response transform, which the engine runs
	// on every body (see load for when the harness does); nil when none.
	transform func([]byte) ([]byte, error)
}

func newRowSource(m *method, name string, withParams bool) (*rowSource, error) {
	cols, err := selectColumns(m)
	if err != nil {
		return nil, err
	}
	s := &rowSource{m: m, table: local.Table{Name: name}, respCols: map[string]int{}, transform: m.responseTransform()}
	all := map[string]local.Column{}
	for _, c := range cols {
		all[c.name] = local.Column{Name: c.name, Type: c.typ}
	}
	if withParams {
		for p, typ := range m.params {
			if _, dup := all[p]; !dup {
				all[p] = local.Column{Name: p, Type: typ}
			}
		}
	}
	isResp := map[string]bool{}
	for _, c := range cols {
		isResp[c.name] = true
	}
	for i, name := range slices.Sorted(maps.Keys(all)) {
		s.table.Columns = append(s.table.Columns, all[name])
		if isResp[name] {
			s.respCols[name] = i
		} else {
			s.params = append(s.params, i)
		}
	}
	if len(cols) != 1 || cols[0].name != formulation.AnonymousColumnName {
		s.path, s.direct = jsonrows.Path(m.op.GetSelectItemsKey())
	}
	return s, nil
}

// tableRef is one resource a query reads: where it is written, how its
// columns are qualified and the parameter sets it is fetched with.
type tableRef struct {
	*rowSource
	ate    *sqlparser.AliasedTableExpr
	alias  string
	fanout []map[string]value.Value
}

// queryPlan is a planned query: the tables to fetch and the SQL SQLite runs
// over them.
type queryPlan struct {
	e    *Engine
	refs []*tableRef
	sql  string
}

// planQuery plans a SELECT (or UNION) statement.
func (e *Engine) planQuery(stmt sqlparser.SelectStatement) (func(context.Context) (*Result, error), error) {
	refs, err := e.resolveRefs(stmt)
	if err != nil {
		return nil, err
	}
	f := &sqliteFormatter{refs: map[*sqlparser.AliasedTableExpr]*tableRef{}, names: outputNames(stmt)}
	for _, r := range refs {
		f.refs[r.ate] = r
	}
	p := &queryPlan{e: e, refs: refs, sql: f.render(stmt)}
	if err := p.check(); err != nil {
		return nil, err
	}
	return p.run, nil
}

// check compiles the SQL over empty tables, so a statement SQLite would
// refuse (an unknown column, an unknown function) is refused before any
// request is sent.
func (p *queryPlan) check() error {
	tables := make([]local.Table, len(p.refs))
	for i, r := range p.refs {
		tables[i] = r.table
	}
	return p.sqlError(local.Compile(context.Background(), p.sql, tables...))
}

// sqlError names the resources in SQLite's message instead of the loaded
// tables' names.
func (p *queryPlan) sqlError(err error) error {
	var se *local.SQLError
	if !errors.As(err, &se) {
		return err
	}
	msg := se.Msg
	for i := len(p.refs) - 1; i >= 0; i-- { // resource_10 before resource_1
		msg = strings.ReplaceAll(msg, p.refs[i].table.Name, p.refs[i].m.t.id)
	}
	if col, ok := strings.CutPrefix(msg, "no such column: "); ok && len(p.refs) == 1 {
		return fmt.Errorf("unknown column %q in %s%s", col, p.refs[0].m.t.id, registry.Available(p.refs[0].table.ColumnNames()))
	}
	if col, ok := strings.CutPrefix(msg, "no such column: "); ok {
		return fmt.Errorf("unknown column %q", col)
	}
	return fmt.Errorf("%s", msg)
}

// resolveRefs finds every resource the statement reads, resolves it and
// binds its parameters from the WHERE and ON terms of the SELECT it is
// written in.
func (e *Engine) resolveRefs(stmt sqlparser.SQLNode) ([]*tableRef, error) {
	// selects lists every SELECT of the statement; sqlparser.Walk does not
	// enter WITH, so each CTE's body is walked as well. The CTEs' names are
	// the statement's own tables.
	var selects []*sqlparser.Select
	ctes := map[string]bool{}
	var walk func(n sqlparser.SQLNode)
	walk = func(n sqlparser.SQLNode) {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			sel, ok := n.(*sqlparser.Select)
			if !ok {
				return true, nil
			}
			selects = append(selects, sel)
			if sel.With != nil {
				for _, c := range sel.With.CTEs {
					ctes[c.Name.GetRawVal()] = true
					walk(c.Select)
				}
			}
			return true, nil
		}, n)
	}
	walk(stmt)
	var refs []*tableRef
	for _, sel := range selects {
		var leaves []*sqlparser.AliasedTableExpr
		var on []sqlparser.Expr
		for _, te := range sel.From {
			tableLeaves(te, &leaves, &on)
		}
		terms := conjuncts(nil)
		if sel.Where != nil {
			terms = conjuncts(sel.Where.Expr)
		}
		for _, c := range on {
			terms = append(terms, conjuncts(c)...)
		}
		for _, ate := range leaves {
			tn, ok := ate.Expr.(sqlparser.TableName)
			if !ok {
				continue // a subquery: its own SELECT is in selects
			}
			parts := names(tn)
			if len(parts) == 1 && (ctes[parts[0]] || parts[0] == "dual") {
				continue
			}
			r, err := e.resolveRef(ate, parts, terms, len(leaves) == 1)
			if err != nil {
				return nil, err
			}
			r.table.Name = fmt.Sprintf("resource_%d", len(refs)+1)
			refs = append(refs, r)
		}
	}
	return refs, nil
}

// tableLeaves collects the tables of a FROM item and its join conditions.
func tableLeaves(te sqlparser.TableExpr, leaves *[]*sqlparser.AliasedTableExpr, on *[]sqlparser.Expr) {
	switch t := te.(type) {
	case *sqlparser.AliasedTableExpr:
		*leaves = append(*leaves, t)
	case *sqlparser.JoinTableExpr:
		tableLeaves(t.LeftExpr, leaves, on)
		tableLeaves(t.RightExpr, leaves, on)
		if t.Condition.On != nil {
			*on = append(*on, t.Condition.On)
		}
	case *sqlparser.ParenTableExpr:
		for _, x := range t.Exprs {
			tableLeaves(x, leaves, on)
		}
	}
}

func (e *Engine) resolveRef(ate *sqlparser.AliasedTableExpr, parts []string, terms []sqlparser.Expr, only bool) (*tableRef, error) {
	t, err := e.resolveResource(parts)
	if err != nil {
		return nil, err
	}
	alias := ate.As.GetRawVal()
	if alias == "" {
		alias = parts[len(parts)-1]
	}
	// A column constrains this table when qualified with its alias (or its
	// name, when it has none), or unqualified when it is the only table.
	mine := func(c *sqlparser.ColName) bool {
		q := names(c.Qualifier)
		if len(q) == 0 {
			return only
		}
		if !ate.As.IsEmpty() {
			return len(q) == 1 && q[0] == alias
		}
		return strings.Join(q, ".") == t.id || len(q) == 1 && q[0] == alias
	}
	m, bound, err := t.bindTerms("select", terms, mine)
	if err != nil {
		if !only {
			err = fmt.Errorf("%w (joined as %s: qualify its parameters with %s.)", err, alias, alias)
		}
		return nil, err
	}
	src, err := newRowSource(m, "", true)
	if err != nil {
		return nil, err
	}
	r := &tableRef{rowSource: src, ate: ate, alias: alias}
	for name := range bound {
		if _, ok := m.params[name]; !ok {
			delete(bound, name) // another method's parameter: evaluated locally
		}
	}
	if r.fanout, err = fanout(m, bound); err != nil {
		return nil, err
	}
	return r, nil
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
				c := maps.Clone(s)
				c[name] = v
				next = append(next, c)
			}
		}
		sets = next
	}
	return sets, nil
}

// run fetches every table, loads it and runs the SQL.
func (p *queryPlan) run(ctx context.Context) (*Result, error) {
	fetched, failures, err := p.fetchAll(ctx)
	if err != nil {
		return nil, err
	}
	db, err := local.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	for i, r := range p.refs {
		if err := db.Create(ctx, r.table); err != nil {
			return nil, err
		}
		for j, resp := range fetched[i] {
			if resp == nil {
				continue // failed, and reported in failures
			}
			if err := r.load(ctx, db, resp, r.fanout[j]); err != nil {
				if !p.e.cfg.KeepGoing {
					return nil, err
				}
				failures = append(failures, err)
			}
		}
	}
	cols, rows, err := db.Query(ctx, p.sql)
	if err != nil {
		return nil, p.sqlError(err)
	}
	res := &Result{Failures: failures}
	res.Columns, res.Rows = cols, rows
	return res, nil
}

// maxFanout bounds the requests one statement has in flight at once: enough
// for a thousand workspaces answering in 50 ms each to take under 2 s, few
// enough to stay a polite client of one workspace.
const maxFanout = 64

// fetchAll sends the list request of every parameter set of every table, at
// most maxFanout at a time, and returns each table's responses in the order
// its parameter values were written. The first failure cancels the
// requests still in flight and is the one reported: a statement that has
// failed does not wait for its siblings. With Config.KeepGoing a failed
// request leaves a nil response and its error in failures, in the order
// written, and the others go on; an interrupt still stops everything.
func (p *queryPlan) fetchAll(ctx context.Context) (out [][]*transport.Response, failures []error, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out = make([][]*transport.Response, len(p.refs))
	errs := make([][]error, len(p.refs))
	total := 0
	for _, r := range p.refs {
		total += len(r.fanout)
	}
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
		mu       sync.Mutex // orders the progress calls
		done     int
	)
	progress := func() {
		if p.e.cfg.Progress == nil || total < 2 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		p.e.cfg.Progress(done, total)
	}
	slots := make(chan struct{}, maxFanout)
	if p.e.cfg.DryRun != nil {
		slots = make(chan struct{}, 1) // the requests print in the order written
	}
	for ri, r := range p.refs {
		out[ri] = make([]*transport.Response, len(r.fanout))
		errs[ri] = make([]error, len(r.fanout))
		for i, params := range r.fanout {
			wg.Add(1)
			slots <- struct{}{} // taken in order: requests start in the order written
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				defer progress()
				// Once cancelled, call fails at once without sending.
				resp, err := p.e.call(ctx, r.m, params, nil)
				if err != nil {
					if p.e.cfg.KeepGoing && ctx.Err() == nil && IsRemote(err) {
						errs[ri][i] = err
						return
					}
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				out[ri][i] = resp
			}()
		}
	}
	wg.Wait()
	if firstErr != nil {
		return nil, nil, firstErr
	}
	for _, es := range errs {
		for _, e := range es {
			if e != nil {
				failures = append(failures, e)
			}
		}
	}
	return out, failures, nil
}

// load inserts the rows of one response into the source's table, params
// filling the parameter columns: a list under a simple objectKey is decoded
// straight from the bytes (jsonrows, the hot path of a SELECT over hundreds
// of items), anything else through encoding/json and any-sdk's JSONPath.
// Either way a value of the wrong JSON type for its column is an error:
// rows that do not say what the schema says would answer queries wrongly.
func (r *rowSource) load(ctx context.Context, db *local.DB, resp *transport.Response, params map[string]value.Value) error {
	if resp.Empty() {
		return nil
	}
	rows, err := r.decode(resp)
	if err != nil {
		return err
	}
	// A list transform exists for bodies without the list (an API that
	// answers {} for an empty list, on which the engine fails). On a body that
	// holds the list it changes no row, and running it on hundreds of items
	// would cost more than the request, so it runs where it matters.
	if rows == nil && r.transform != nil {
		raw, err := r.transform(resp.Raw)
		if err != nil {
			return resp.Fail(err)
		}
		resp.Raw = raw
		if rows, err = r.decode(resp); err != nil {
			return err
		}
	}
	for i, row := range rows {
		if err := r.checkRow(row); err != nil {
			return resp.Fail(fmt.Errorf("the response does not match the schema of %s: item %d: %w", r.m, i+1, err))
		}
		for _, j := range r.params {
			row[j] = params[r.table.Columns[j].Name]
		}
	}
	return db.Load(ctx, r.table, rows)
}

func (r *rowSource) decode(resp *transport.Response) ([][]value.Value, error) {
	width := len(r.table.Columns)
	if r.direct {
		rows, err := jsonrows.Decode(resp.Raw, r.path, r.respCols, width)
		if err == nil {
			return rows, nil
		}
		if !errors.Is(err, jsonrows.ErrUnsupported) {
			return nil, resp.Fail(fmt.Errorf("the response is not JSON: %w", err))
		}
	}
	items, err := listItems(resp, r.m)
	if err != nil || items == nil {
		return nil, err // nil rows: no list in the body
	}
	rows := make([][]value.Value, len(items))
	for i, it := range items {
		rows[i] = make([]value.Value, width)
		if err := r.itemRow(it, rows[i]); err != nil {
			return nil, resp.Fail(fmt.Errorf("the response does not match the schema of %s: item %d: %w", r.m, i+1, err))
		}
	}
	return rows, nil
}

// itemRow fills row with the columns of one decoded response item: the
// item itself for the anonymous column, else its properties (NULL when
// absent). An item that is not an object where the schema has properties
// is an error.
func (r *rowSource) itemRow(it any, row []value.Value) error {
	obj, isObj := it.(map[string]any)
	if !isObj {
		if i, anon := r.respCols[formulation.AnonymousColumnName]; anon && len(r.respCols) == 1 {
			row[i] = value.FromJSON(it)
			return nil
		}
		return fmt.Errorf("is %s, not an object", jsonKind(it))
	}
	for name, i := range r.respCols {
		row[i] = value.FromJSON(obj[name])
	}
	return nil
}

// checkRow reports a response value whose JSON type is not its column's
// schema type.
func (r *rowSource) checkRow(row []value.Value) error {
	for i, c := range r.table.Columns {
		v := row[i]
		if _, isResp := r.respCols[c.Name]; !isResp || v.IsNull() || c.Type == "" {
			continue
		}
		ok := false
		switch c.Type {
		case "integer":
			ok = v.Kind == value.Integer && !v.Bool
		case "number":
			ok = (v.Kind == value.Integer || v.Kind == value.Real) && !v.Bool
		case "boolean":
			ok = v.Bool
		case "string":
			ok = v.Kind == value.Text && !v.JSON
		case "object":
			ok = v.JSON && strings.HasPrefix(v.S, "{")
		case "array":
			ok = v.JSON && strings.HasPrefix(v.S, "[")
		default:
			ok = true
		}
		if !ok {
			return fmt.Errorf("property %q is %s, want %s", c.Name, v.JSONKind(), article(c.Type))
		}
	}
	return nil
}

func jsonKind(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a number"
}

// outputNames gives each unaliased expression of the statement's result the
// name the engine gives it: a column's name, else the expression's text.
func outputNames(stmt sqlparser.SelectStatement) map[*sqlparser.AliasedExpr]string {
	for {
		u, ok := stmt.(*sqlparser.Union)
		if !ok {
			break
		}
		stmt = u.FirstStatement
	}
	out := map[*sqlparser.AliasedExpr]string{}
	sel, ok := stmt.(*sqlparser.Select)
	if !ok {
		return out
	}
	for _, se := range sel.SelectExprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if ok && ae.As.IsEmpty() {
			out[ae] = outputName(ae)
		}
	}
	return out
}

// outputName is the name the engine gives an unaliased result column: a
// column's name; for a function, the name its first argument would have
// (upper(name) is "name", json_extract(info, '$.id') is "info"); else the
// expression's text (COUNT(*)).
func outputName(ae *sqlparser.AliasedExpr) string {
	if name := argName(ae.Expr); name != "" {
		return name
	}
	return sqlparser.String(ae.Expr)
}

func argName(e sqlparser.Expr) string {
	switch n := e.(type) {
	case *sqlparser.ColName:
		return n.Name.GetRawVal()
	case *sqlparser.FuncExpr:
		if len(n.Exprs) > 0 {
			if first, ok := n.Exprs[0].(*sqlparser.AliasedExpr); ok {
				return argName(first.Expr)
			}
		}
	}
	return ""
}

// sqliteFormatter prints a parsed statement as SQLite reads it: resources
// become their loaded tables, strings are quoted the SQL way, and result
// columns carry the engine's names.
type sqliteFormatter struct {
	refs  map[*sqlparser.AliasedTableExpr]*tableRef
	names map[*sqlparser.AliasedExpr]string
}

func (f *sqliteFormatter) render(n sqlparser.SQLNode) string {
	buf := sqlparser.NewTrackedBuffer(f.format)
	buf.Myprintf("%v", n)
	return buf.String()
}

func (f *sqliteFormatter) format(buf *sqlparser.TrackedBuffer, node sqlparser.SQLNode) {
	switch n := node.(type) {
	case *sqlparser.AliasedTableExpr:
		if r, ok := f.refs[n]; ok {
			buf.WriteString(local.Quote(r.table.Name) + " AS " + local.Quote(r.alias))
			return
		}
	case sqlparser.TableName:
		// A qualifier: provider.service.resource.column reads resource.column.
		if parts := names(n); len(parts) > 0 {
			buf.WriteString(local.Quote(parts[len(parts)-1]))
			return
		}
	case *sqlparser.SQLVal:
		if n.Type == sqlparser.StrVal {
			buf.WriteString("'" + strings.ReplaceAll(string(n.Val), "'", "''") + "'")
			return
		}
	case *sqlparser.AliasedExpr:
		if name, ok := f.names[n]; ok {
			buf.AstPrintf(n, "%v as ", n.Expr)
			buf.WriteString(local.Quote(name))
			return
		}
	case *sqlparser.OrExpr: // printed as ||, which SQLite reads as concatenation
		buf.AstPrintf(n, "%v or %v", n.Left, n.Right)
		return
	case *sqlparser.ComparisonExpr:
		if n.Operator == sqlparser.NullSafeEqualStr { // MySQL's <=> is SQLite's IS
			buf.AstPrintf(n, "%v is %v", n.Left, n.Right)
			return
		}
	}
	node.Format(buf)
}
