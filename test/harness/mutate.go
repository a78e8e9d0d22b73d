package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/stackql/stackql-parser/go/vt/sqlparser"

	"github.com/stackql-labs/databricks-tokens/test/harness/local"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

func (e *Engine) plan(s *Statement) (*Plan, error) {
	var run func(context.Context) (*Result, error)
	var err error
	switch n := s.ast.(type) {
	case sqlparser.SelectStatement:
		run, err = e.planQuery(n)
	case *sqlparser.Insert:
		run, err = e.planInsert(n)
	case *sqlparser.Exec:
		run, err = e.planExec(n)
	case *sqlparser.Delete:
		run, err = e.planDelete(n)
	case *sqlparser.Update:
		run, err = e.planUpdate(n)
	case *sqlparser.Show:
		run, err = e.planShow(n)
	case *sqlparser.DescribeTable:
		run, err = e.planDescribe(n)
	default:
		word := strings.ToUpper(strings.Fields(s.Text + " ?")[0])
		err = fmt.Errorf("%s statements are not supported", word)
	}
	if err != nil {
		return nil, err
	}
	return &Plan{Statement: s, run: run}, nil
}

// responseTable is how a mutation's response becomes rows: it is loaded
// into a local table named after its resource, and SQLite evaluates
// RETURNING's expressions over it (every column for RETURNING * and EXEC).
type responseTable struct {
	*rowSource
	sql string
}

func newResponseTable(m *method) (*responseTable, bool) {
	src, err := newRowSource(m, "response", false)
	if err != nil {
		return nil, false
	}
	return &responseTable{rowSource: src}, true
}

func (rt *responseTable) from() string {
	return " FROM " + local.Quote(rt.table.Name) + " AS " + local.Quote(rt.m.t.rsc.GetName())
}

// all selects every column.
func (rt *responseTable) all() { rt.sql = "SELECT *" + rt.from() }

// returningTable plans a mutation's RETURNING, or returns nil without one.
func returningTable(m *method, exprs sqlparser.SelectExprs) (*responseTable, error) {
	if len(exprs) == 0 {
		return nil, nil
	}
	rt, ok := newResponseTable(m)
	if !ok {
		return nil, fmt.Errorf("%s returns nothing to RETURNING", m)
	}
	return rt, rt.returning(exprs)
}

// returning selects RETURNING's expressions and checks them with SQLite, so
// a wrong one is refused before the request is sent.
func (rt *responseTable) returning(exprs sqlparser.SelectExprs) error {
	names := map[*sqlparser.AliasedExpr]string{}
	for _, se := range exprs {
		if ae, ok := se.(*sqlparser.AliasedExpr); ok && ae.As.IsEmpty() {
			names[ae] = outputName(ae)
		}
	}
	f := &sqliteFormatter{names: names}
	rt.sql = "SELECT " + f.render(exprs) + rt.from()
	return rt.sqlError(local.Compile(context.Background(), rt.sql, rt.table))
}

// sqlError says which response SQLite's message is about.
func (rt *responseTable) sqlError(err error) error {
	var se *local.SQLError
	if !errors.As(err, &se) {
		return err
	}
	if col, ok := strings.CutPrefix(se.Msg, "no such column: "); ok {
		return fmt.Errorf("unknown column %q in RETURNING of %s%s", col, rt.m, registry.Available(rt.table.ColumnNames()))
	}
	return fmt.Errorf("RETURNING: %s", se.Msg)
}

// rows evaluates the SELECT over the rows of one response.
func (rt *responseTable) rows(ctx context.Context, r *transport.Response) ([]string, [][]value.Value, error) {
	db, err := local.Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	if err := db.Create(ctx, rt.table); err != nil {
		return nil, nil, err
	}
	if err := rt.load(ctx, db, r, nil); err != nil {
		return nil, nil, err
	}
	cols, out, err := db.Query(ctx, rt.sql)
	if err != nil {
		return nil, nil, rt.sqlError(err)
	}
	return cols, out, nil
}

// INSERT ----------------------------------------------------------------------

func (e *Engine) planInsert(ins *sqlparser.Insert) (func(context.Context) (*Result, error), error) {
	if ins.Action != sqlparser.InsertStr {
		return nil, fmt.Errorf("REPLACE is not supported")
	}
	if len(ins.OnDup) > 0 {
		return nil, fmt.Errorf("ON DUPLICATE KEY UPDATE is not supported")
	}
	t, err := e.resolveResource(names(ins.Table))
	if err != nil {
		return nil, err
	}
	cols := make([]string, len(ins.Columns))
	supplied := map[string]bool{}
	for i, c := range ins.Columns {
		cols[i] = c.GetRawVal()
		if supplied[cols[i]] {
			return nil, fmt.Errorf("column %q is given twice", cols[i])
		}
		supplied[cols[i]] = true
	}
	var tuples [][]sqlparser.Expr
	switch rows := ins.Rows.(type) {
	case sqlparser.Values:
		for _, vt := range rows {
			tuples = append(tuples, vt)
		}
	case *sqlparser.Select:
		if !fromDual(rows) {
			return nil, fmt.Errorf("INSERT ... SELECT supports only literal values, not a query")
		}
		var tuple []sqlparser.Expr
		for _, se := range rows.SelectExprs {
			ae, ok := se.(*sqlparser.AliasedExpr)
			if !ok {
				return nil, fmt.Errorf("INSERT ... SELECT supports only literal values, not %q", sqlparser.String(se))
			}
			tuple = append(tuple, ae.Expr)
		}
		tuples = append(tuples, tuple)
	default:
		return nil, fmt.Errorf("unsupported INSERT rows %q", sqlparser.String(ins.Rows))
	}
	m, err := t.chooseMethod("insert", supplied)
	if err != nil {
		return nil, err
	}
	if miss := m.missing(supplied); len(miss) > 0 {
		return nil, m.missingError(miss)
	}
	var reqs []request
	for ri, tuple := range tuples {
		if len(tuple) != len(cols) {
			return nil, fmt.Errorf("INSERT names %d columns but row %d has %d values", len(cols), ri+1, len(tuple))
		}
		r := request{params: map[string]value.Value{}, body: map[string]any{}}
		for i, x := range tuple {
			v, err := literal(x)
			if err != nil {
				return nil, fmt.Errorf("column %q: %w", cols[i], err)
			}
			if err := m.set(fmt.Sprintf("column %q", cols[i]), cols[i], v, r.params, r.body); err != nil {
				return nil, err
			}
		}
		reqs = append(reqs, r)
	}
	rt, err := returningTable(m, ins.SelectExprs)
	if err != nil {
		return nil, err
	}
	return e.sendEach(m, reqs, rt), nil
}

// request is one request of a mutation: its parameters and body.
type request struct {
	params map[string]value.Value
	body   map[string]any
}

// sendEach sends the requests in order, each once, and gathers what
// RETURNING selects from each response (or the engine's message when there
// is no RETURNING). On a failure the rows already returned stay in the
// result: a created token's value is shown once, so dropping it would lose
// it for good.
func (e *Engine) sendEach(m *method, reqs []request, rt *responseTable) func(context.Context) (*Result, error) {
	return func(ctx context.Context) (*Result, error) {
		res := &Result{}
		for _, r := range reqs {
			resp, err := e.call(ctx, m, r.params, r.body)
			if err == nil && rt != nil {
				var rows [][]value.Value
				res.Columns, rows, err = rt.rows(ctx, resp)
				res.Rows = append(res.Rows, rows...)
			}
			if err != nil {
				return partial(res), err
			}
		}
		if rt == nil {
			res.Message = despatched
		}
		return res, nil
	}
}

// partial keeps a result only if it has rows to show.
func partial(res *Result) *Result {
	if len(res.Rows) == 0 {
		return nil
	}
	return res
}

// needsBody reports whether the method's request body is required.
func (m *method) needsBody() bool {
	return m.t.svc.RequiredBodies[m.t.rsc.GetName()+"."+m.key]
}

// fromDual reports whether an INSERT's SELECT has no FROM (the parser
// supplies "dual") and no clauses: only then is it a row of literals.
func fromDual(s *sqlparser.Select) bool {
	if len(s.From) != 1 || s.Where != nil || len(s.GroupBy) > 0 || s.Having != nil || s.OrderBy != nil || s.Limit != nil {
		return false
	}
	ate, ok := s.From[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return false
	}
	tn, ok := ate.Expr.(sqlparser.TableName)
	return ok && tn.Name.GetRawVal() == "dual" && tn.Qualifier.IsEmpty()
}

// set routes one named value to the method's parameters or, for data__x, to
// its request body, typed by the schema.
// label names the value in messages ("column \"x\"" or "parameter @x").
func (m *method) set(label, name string, v value.Value, params map[string]value.Value, body map[string]any) error {
	if prop, ok := strings.CutPrefix(name, bodyPrefix); ok {
		s, known := m.body[prop]
		if !known {
			return fmt.Errorf("unknown %s: the request body of %s has no property %q%s", label, m, prop, registry.Available(slices.Sorted(maps.Keys(m.body))))
		}
		if v.IsNull() {
			return nil // NULL leaves the property out
		}
		x, err := bodyValue(s.GetType(), v)
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		body[prop] = x
		return nil
	}
	if _, known := m.params[name]; !known {
		return fmt.Errorf("unknown %s for %s (parameters: %s; body: %s)", label, m,
			strings.Join(slices.Sorted(maps.Keys(m.params)), ", "), bodyList(m))
	}
	if err := m.checkParam(name, v); err != nil {
		return err
	}
	params[name] = v
	return nil
}

func bodyList(m *method) string {
	if len(m.body) == 0 {
		return "none"
	}
	var s []string
	for _, k := range slices.Sorted(maps.Keys(m.body)) {
		s = append(s, bodyPrefix+k)
	}
	return strings.Join(s, ", ")
}

// bodyValue converts a SQL value to the JSON type of a request-body
// property, as the provider's schema declares it.
func bodyValue(typ string, v value.Value) (any, error) {
	switch typ {
	case "integer":
		if n, ok := v.Integer(); ok {
			return n, nil
		}
		return nil, fmt.Errorf("%s is not an integer", quote(v))
	case "number":
		if f, ok := v.Float(); ok {
			return f, nil
		}
		return nil, fmt.Errorf("%s is not a number", quote(v))
	case "boolean":
		switch {
		case v.Kind == value.Integer && (v.I == 0 || v.I == 1):
			return v.I == 1, nil
		case v.Kind == value.Text && (strings.EqualFold(v.S, "true") || strings.EqualFold(v.S, "false")):
			return strings.EqualFold(v.S, "true"), nil
		}
		return nil, fmt.Errorf("%s is not a boolean", quote(v))
	case "object", "array":
		if v.Kind != value.Text {
			return nil, fmt.Errorf("%s is not a JSON %s", quote(v), typ)
		}
		dec := json.NewDecoder(strings.NewReader(v.S))
		dec.UseNumber()
		var x any
		if err := dec.Decode(&x); err != nil || dec.More() {
			return nil, fmt.Errorf("%s is not a JSON %s", quote(v), typ)
		}
		if _, isObj := x.(map[string]any); isObj != (typ == "object") {
			return nil, fmt.Errorf("%s is not a JSON %s", quote(v), typ)
		}
		return x, nil
	case "string":
		return v.Text(), nil
	}
	switch v.Kind {
	case value.Integer:
		if v.Bool {
			return v.I == 1, nil
		}
		return v.I, nil
	case value.Real:
		return v.F, nil
	}
	return v.Text(), nil
}

func quote(v value.Value) string {
	if v.Kind == value.Text {
		return strconv.Quote(v.S)
	}
	return v.Text()
}

// checkJSONBody validates an @@json payload against the request schema:
// known properties only, each of its declared JSON type.
func checkJSONBody(m *method, obj map[string]any) error {
	if len(m.body) == 0 {
		return fmt.Errorf("@@json: %s takes no request body", m)
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		s, ok := m.body[k]
		if !ok {
			return fmt.Errorf("@@json: the request body of %s has no property %q%s", m, k, registry.Available(slices.Sorted(maps.Keys(m.body))))
		}
		if !jsonTypeOK(s.GetType(), obj[k]) {
			return fmt.Errorf("@@json: property %q must be %s", k, article(s.GetType()))
		}
	}
	return nil
}

func jsonTypeOK(typ string, x any) bool {
	if x == nil {
		return true
	}
	switch typ {
	case "integer":
		n, ok := x.(json.Number)
		_, err := strconv.ParseInt(string(n), 10, 64)
		return ok && err == nil
	case "number":
		_, ok := x.(json.Number)
		return ok
	case "string":
		_, ok := x.(string)
		return ok
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	}
	return true
}

func article(typ string) string {
	switch typ {
	case "integer", "object", "array":
		return "an " + typ
	}
	return "a " + typ
}

// EXEC ------------------------------------------------------------------------

func (e *Engine) planExec(ex *sqlparser.Exec) (func(context.Context) (*Result, error), error) {
	parts := names(ex.MethodName)
	if len(parts) != 4 {
		return nil, fmt.Errorf("EXEC needs provider.service.resource.method, not %q", strings.Join(parts, "."))
	}
	t, err := e.resolveResource(parts[:3])
	if err != nil {
		return nil, err
	}
	m, err := t.methodByKey(parts[3])
	if err != nil {
		return nil, err
	}
	params := map[string]value.Value{}
	body := map[string]any{}
	supplied := map[string]bool{}
	for _, d := range ex.ExecVarDefs {
		name := d.ColIdent.GetRawVal()
		if supplied[name] {
			return nil, fmt.Errorf("@%s is given twice", name)
		}
		supplied[name] = true
		v, err := literal(d.Val)
		if err != nil {
			return nil, fmt.Errorf("@%s: %w", name, err)
		}
		if err := m.set("parameter @"+name, name, v, params, body); err != nil {
			return nil, err
		}
	}
	if p := ex.OptExecPayload; p != nil {
		if name := p.ColIdent.GetRawVal(); !strings.EqualFold(name, "json") {
			return nil, fmt.Errorf("@@%s is not supported (only @@json)", name)
		}
		v, err := literal(p.Val)
		if err != nil || v.Kind != value.Text {
			return nil, fmt.Errorf("@@json must be a string holding a JSON object")
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(v.S)))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil || dec.More() {
			return nil, fmt.Errorf("@@json is not a JSON object: %s", jsonErr(err))
		}
		if obj == nil { // "null" decodes into a nil map without an error
			return nil, fmt.Errorf("@@json is null, not a JSON object")
		}
		if err := checkJSONBody(m, obj); err != nil {
			return nil, err
		}
		for k, x := range obj {
			if _, dup := body[k]; dup {
				return nil, fmt.Errorf("%s%s is given both as @%s%s and in @@json", bodyPrefix, k, bodyPrefix, k)
			}
			body[k] = x
			supplied[bodyPrefix+k] = true
		}
	}
	if miss := m.missing(supplied); len(miss) > 0 {
		return nil, m.missingError(miss)
	}
	if len(body) == 0 && m.needsBody() {
		return nil, fmt.Errorf("%s needs a request body: give @@json='{...}' or @%s<name> (body: %s)", m, bodyPrefix, bodyList(m))
	}
	if len(m.body) == 0 {
		body = nil
	}
	rt, hasRows := newResponseTable(m)
	if hasRows {
		rt.all()
	}
	return func(ctx context.Context) (*Result, error) {
		resp, err := e.call(ctx, m, params, body)
		if err != nil {
			return nil, err
		}
		if !hasRows || resp.Empty() {
			return &Result{Message: despatched}, nil
		}
		res := &Result{}
		if res.Columns, res.Rows, err = rt.rows(ctx, resp); err != nil {
			return nil, err
		}
		return res, nil
	}, nil
}

func jsonErr(err error) string {
	if err == nil {
		return "trailing data"
	}
	return err.Error()
}

// DELETE ----------------------------------------------------------------------

func (e *Engine) planDelete(del *sqlparser.Delete) (func(context.Context) (*Result, error), error) {
	if len(del.Targets) > 0 || del.OrderBy != nil || del.Limit != nil {
		return nil, fmt.Errorf("DELETE supports one resource and a WHERE clause only")
	}
	t, err := e.mutationTarget("DELETE", del.TableExprs)
	if err != nil {
		return nil, err
	}
	m, sets, err := t.whereParams("delete", del.Where, nil)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (*Result, error) {
		for _, params := range sets {
			if _, err := e.call(ctx, m, params, nil); err != nil {
				return nil, err
			}
		}
		return &Result{Message: despatched}, nil
	}, nil
}

// UPDATE and REPLACE ----------------------------------------------------------

// planUpdate plans UPDATE (the resource's update method, PATCH as a rule)
// and REPLACE (its replace method, PUT): SET names the request body
// (data__x) and parameters, WHERE the parameters; each parameter set the
// WHERE gives is one request, sent once.
func (e *Engine) planUpdate(up *sqlparser.Update) (func(context.Context) (*Result, error), error) {
	verb := "update"
	if up.Action == sqlparser.ReplaceStr {
		verb = "replace"
	}
	word := strings.ToUpper(verb)
	// The parser repeats the target in From; a FROM of other tables is not
	// something an API call can take.
	if len(up.From) > 1 || len(up.OrderBy) > 0 || up.Limit != nil {
		return nil, fmt.Errorf("%s supports one resource, SET and a WHERE clause only", word)
	}
	t, err := e.mutationTarget(word, up.TableExprs)
	if err != nil {
		return nil, err
	}
	set := map[string]value.Value{}
	var order []string
	for _, u := range up.Exprs {
		name := u.Name.Name.GetRawVal()
		if _, dup := set[name]; dup {
			return nil, fmt.Errorf("column %q is set twice", name)
		}
		v, err := literal(u.Expr)
		if err != nil {
			return nil, fmt.Errorf("SET %s: %w", name, err)
		}
		set[name] = v
		order = append(order, name)
	}
	supplied := map[string]bool{}
	for name := range set {
		supplied[name] = true
	}
	m, sets, err := t.whereParams(verb, up.Where, supplied)
	if err != nil {
		return nil, err
	}
	params := map[string]value.Value{}
	body := map[string]any{}
	for _, name := range order {
		if err := m.set(fmt.Sprintf("column %q", name), name, set[name], params, body); err != nil {
			return nil, err
		}
	}
	if len(body) == 0 && m.needsBody() {
		return nil, fmt.Errorf("%s needs a request body: SET %s<name> = ... (body: %s)", m, bodyPrefix, bodyList(m))
	}
	rt, err := returningTable(m, up.SelectExprs)
	if err != nil {
		return nil, err
	}
	reqs := make([]request, len(sets))
	for i, where := range sets {
		p := maps.Clone(params)
		maps.Copy(p, where)
		reqs[i] = request{params: p, body: body}
	}
	return e.sendEach(m, reqs, rt), nil
}

// mutationTarget resolves the one resource a DELETE, UPDATE or REPLACE
// names.
func (e *Engine) mutationTarget(word string, tes sqlparser.TableExprs) (*target, error) {
	if len(tes) != 1 {
		return nil, fmt.Errorf("%s takes one resource", word)
	}
	ate, ok := tes[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return nil, fmt.Errorf("unsupported %s target %q", word, sqlparser.String(tes[0]))
	}
	tn, ok := ate.Expr.(sqlparser.TableName)
	if !ok {
		return nil, fmt.Errorf("unsupported %s target %q", word, sqlparser.String(ate.Expr))
	}
	return e.resolveResource(names(tn))
}

// whereParams picks the verb's method from the parameters a mutation's
// WHERE constrains (and those already supplied, by SET), and expands them
// into one parameter set per request. A mutation sends its WHERE as
// parameters: nothing is left to filter by, so every term must be one.
func (t *target) whereParams(verb string, w *sqlparser.Where, supplied map[string]bool) (*method, []map[string]value.Value, error) {
	var terms []sqlparser.Expr
	if w != nil {
		terms = conjuncts(w.Expr)
	}
	all := func(*sqlparser.ColName) bool { return true }
	m, bound, err := t.bindTermsWith(verb, terms, all, supplied)
	if err != nil {
		return nil, nil, err
	}
	for p := range bound {
		if _, ok := m.params[p]; !ok {
			return nil, nil, fmt.Errorf("unknown parameter %q for %s", p, m)
		}
	}
	for _, c := range terms {
		if _, _, ok := paramConstraint(c, m.params, all); !ok {
			return nil, nil, fmt.Errorf("%s can only constrain parameters with = or IN, not %q", strings.ToUpper(verb), sqlparser.String(c))
		}
	}
	sets, err := fanout(m, bound)
	return m, sets, err
}
