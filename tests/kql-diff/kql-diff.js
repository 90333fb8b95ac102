#!/usr/bin/env node
/*
 * kql-diff.js: detcat's KQL parser beside Microsoft's (Kusto.Language,
 * npm @kusto/language-service-next, pinned in package.json) on the same
 * queries. Reads detcat-normalize's rule records (NDJSON, vendor kusto) on
 * stdin; for each query compares
 *   - the verdict: Kusto.Language's syntax diagnostics (errors) against our
 *     parse status (failed = rejected; ok and partial = accepted; no_query,
 *     a block of bindings only, is accepted but no query: counted apart and
 *     left out of the ok share);
 *   - the leaves of `where`/`filter` clauses, as (column, operator, value,
 *     negated): Microsoft's from its syntax tree, ours from the predicates'
 *     raw_field (or field), modifiers[0], raw_value and negated.
 * Both sides are put in the same shape by the same functions: white space
 * removed, tolower()/toupper()/tostring() around a column dropped, a value
 * that is not a literal is "*", lists (literal, or let-bound to a literal
 * list) one leaf per element, between one leaf per bound, not() flips the
 * polarity, a `!` operator is negated. `search` terms are left out (only
 * where/filter are compared).
 *
 * Usage: zstdcat rules.ndjson.zst | node kql-diff.js LABEL [--min-ok P]
 *        [--min-agree P] [--details N]
 * Prints one summary line per measure and the disagreements by category;
 * exits 1 when a measure is below its minimum (percent), 0 otherwise.
 */
'use strict';
const path = require('path');
const readline = require('readline');
const pkg = path.join(__dirname, 'node_modules', '@kusto', 'language-service-next');
require(path.join(pkg, 'bridge.min.js'));
require(path.join(pkg, 'Kusto.Language.Bridge.min.js'));
const K = global.Kusto.Language;

const args = process.argv.slice(2);
const label = args[0] || 'corpus';
function opt(name, def) {
	const i = args.indexOf(name);
	return i >= 0 ? Number(args[i + 1]) : def;
}
const minOk = opt('--min-ok', 0), minAgree = opt('--min-agree', 0), details = opt('--details', 5);

const kind = (n) => (n && n.constructor && n.constructor.$$name || '').replace('Kusto.Language.Syntax.', '');
/* a node's text without the comments inside it (its trivia), strings kept whole */
function stripComments(s) {
	let out = '', q = null, verbatim = false;
	for (let i = 0; i < s.length; i++) {
		const c = s[i];
		if (q) {
			out += c;
			if (c === '\\' && !verbatim && i + 1 < s.length) { out += s[++i]; continue; }
			if (c === q) q = null;
			continue;
		}
		if (c === '/' && s[i + 1] === '/') { while (i < s.length && s[i] !== '\n') i++; continue; }
		if (c === '"' || c === "'") { q = c; verbatim = s[i - 1] === '@'; }
		out += c;
	}
	return out;
}
const text = (n) => stripComments(n.ToString(1));
const squash = (s) => s.replace(/\s+/g, '');
const kids = (n) => { const v = []; for (let i = 0; i < n.ChildCount; i++) v.push(n.GetChild(i)); return v; };
const isToken = (n) => kind(n).indexOf('SyntaxToken') >= 0;

/* the same value key on both sides: a literal as written, anything else "*" */
function valueKey(s) {
	if (s === undefined || s === null) return '';
	s = squash(s);
	return /^([hH]?@?["']|```|[0-9]|true$|false$)/.test(s) ? s : '*';
}
function columnKey(s) {
	s = squash(s);
	let m;
	while ((m = /^(tolower|toupper|tostring|toint|tolong|todouble|toreal|todatetime)\((.*)\)$/.exec(s))) s = m[2];
	while ((m = /^\((.*)\)$/.exec(s))) s = m[1];
	return s;
}

/* the elements of an ExpressionList (in, has_any, function arguments) */
function elements(list) {
	const out = [];
	for (const c of kids(list)) {
		if (kind(c).startsWith('SyntaxList'))
			for (const e of kids(c)) out.push(kind(e).startsWith('SeparatedElement') ? e.GetChild(0) : e);
	}
	return out;
}

/* Microsoft's side: lets, then the leaves of every where/filter */
function msLeaves(root) {
	const lets = new Map();
	const leaves = new Set();
	(function collect(n) {
		if (!n || isToken(n)) return;
		if (kind(n) === 'LetStatement') lets.set(squash(text(n.GetChild(1))), n.GetChild(3));
		for (const c of kids(n)) collect(c);
	})(root);
	function explode(e, out, depth) {
		const k = kind(e);
		if (depth > 16) { out.push('*'); return; }
		if (k === 'ParenthesizedExpression') return explode(e.GetChild(1), out, depth + 1);
		if (k === 'DynamicExpression') {
			const a = e.GetChild(2);
			if (kind(a) === 'JsonArrayExpression') { for (const x of elements(a)) explode(x, out, depth + 1); return; }
		}
		if (k === 'FunctionCallExpression' && squash(text(e.GetChild(0))) === 'pack_array') {
			for (const x of elements(e.GetChild(1))) explode(x, out, depth + 1);
			return;
		}
		if (k === 'JsonArrayExpression') { for (const x of elements(e)) explode(x, out, depth + 1); return; }
		if (k === 'ExpressionList') { for (const x of elements(e)) explode(x, out, depth + 1); return; }
		if (k === 'NameReference' && lets.has(squash(text(e)))) {
			const v = lets.get(squash(text(e)));
			const vk = kind(v);
			if (vk === 'DynamicExpression' || vk === 'LiteralExpression' || vk === 'ParenthesizedExpression' ||
			    vk === 'NameReference' || vk === 'CompoundStringLiteralExpression' ||
			    (vk === 'FunctionCallExpression' && squash(text(v.GetChild(0))) === 'pack_array'))
				return explode(v, out, depth + 1);
			out.push('*');
			return;
		}
		out.push(valueKey(text(e)));
	}
	function add(col, op, val, neg) {
		leaves.add([columnKey(col), op, val, neg ? 1 : 0].join('\u0001'));
	}
	function leaf(e, neg) {
		const k = kind(e);
		if (k === 'BinaryExpression') {
			const op = text(e.GetChild(1));
			if (op === 'and' || op === 'or') { leaf(e.GetChild(0), neg); leaf(e.GetChild(2), neg); return; }
			const n = neg !== (op.startsWith('!') || op === '<>');
			const vals = [];
			explode(e.GetChild(2), vals, 0);
			for (const v of vals) add(text(e.GetChild(0)), op, v, n);
			return;
		}
		if (k === 'ParenthesizedExpression') return leaf(e.GetChild(1), neg);
		if (k === 'InExpression' || k === 'HasAnyExpression' || k === 'HasAllExpression') {
			const op = text(e.GetChild(1));
			const vals = [];
			explode(e.GetChild(2), vals, 0);
			for (const v of vals) add(text(e.GetChild(0)), op, v, neg !== op.startsWith('!'));
			return;
		}
		if (k === 'BetweenExpression') {
			const op = text(e.GetChild(1)), c = e.GetChild(2);
			const vals = [];
			for (const x of kids(c).filter((y) => !isToken(y))) explode(x, vals, 0);
			for (const v of vals) add(text(e.GetChild(0)), op, v, neg !== op.startsWith('!'));
			return;
		}
		if (k === 'FunctionCallExpression') {
			const name = squash(text(e.GetChild(0)));
			const a = elements(e.GetChild(1));
			if (name === 'not' && a.length === 1) return leaf(a[0], !neg);
			/* isempty(x) is "x exists" negated, as we write it */
			if (['isnotempty', 'isempty', 'isnull', 'isnotnull', 'ipv4_is_private'].includes(name) && a.length === 1)
				return add(text(a[0]), name, '', neg !== (name === 'isempty' || name === 'isnull'));
			if (['ipv4_is_in_range', 'ipv4_is_match', 'ipv4_is_in_any_range', 'has_any_ipv4', 'has_ipv4'].includes(name) && a.length >= 2) {
				const vals = [];
				for (const x of a.slice(1, name === 'ipv4_is_match' || name === 'has_ipv4' ? 2 : a.length)) explode(x, vals, 0);
				for (const v of vals) add(text(a[0]), name, v, neg);
				return;
			}
			return add(text(e), '', '', neg);
		}
		if (k === 'NameReference' || k === 'PathExpression' || k === 'ElementExpression')
			return add(text(e), '', '', neg);
		if (k === 'PrefixUnaryExpression' && text(e.GetChild(0)) === '!')
			return leaf(e.GetChild(1), !neg);
		add(text(e), '?', '', neg);
	}
	(function walk(n) {
		if (!n || isToken(n)) return;
		if (kind(n) === 'FilterOperator') {
			const c = kids(n);
			leaf(c[c.length - 1], false);
		}
		for (const c of kids(n)) walk(c);
	})(root);
	return leaves;
}

/* our side, from the predicates */
function ourLeaves(rule) {
	const leaves = new Set();
	for (const p of rule.predicates || []) {
		const op = (p.modifiers && p.modifiers[0]) || '';
		if (p.field === 'keywords' || op === ':') continue;	/* search terms */
		const col = p.raw_field !== null && p.raw_field !== undefined ? p.raw_field : p.field;
		const val = op === '' ? '' : p.raw_value === undefined ? '' : valueKey(p.raw_value);
		leaves.add([columnKey(col), op, val, p.negated ? 1 : 0].join('\u0001'));
	}
	return leaves;
}

const stats = { queries: 0, bindings: 0, msOk: 0, ourOkOfMsOk: 0, ourOkMsBad: 0, verdictAgree: 0, both: 0, ms: 0, ours: 0 };
const cat = new Map();	/* category -> {n, examples} */
function note(category, example) {
	const c = cat.get(category) || { n: 0, ex: [] };
	c.n++;
	if (c.ex.length < details) c.ex.push(example);
	cat.set(category, c);
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
	if (!line.trim()) return;
	const r = JSON.parse(line);
	if (r.vendor !== 'kusto' || typeof r.query !== 'string') return;
	stats.queries++;
	const code = K.KustoCode.Parse(r.query);
	const d = code.GetDiagnostics();
	let errors = 0, first = '';
	for (let i = 0; i < d.Count; i++) {
		const x = d.getItem(i);
		if (x.Severity === 'Error') { if (!errors) first = x.Message; errors++; }
	}
	const msOk = errors === 0, st = r.parse && r.parse.status;
	const ourAccepts = st === 'ok' || st === 'partial' || st === 'no_query';
	if (st === 'no_query') stats.bindings++;
	if (msOk && st !== 'no_query') stats.msOk++;
	if (msOk && st === 'ok') stats.ourOkOfMsOk++;
	if (!msOk && st === 'ok') { stats.ourOkMsBad++; note('verdict: ok here, rejected by Kusto.Language', `${r.uid}: ${first}`); }
	if (msOk === ourAccepts) stats.verdictAgree++;
	else if (msOk) note('verdict: accepted by Kusto.Language, ' + st + ' here', `${r.uid}: ${(r.parse.errors[0] || {}).message}`);
	else note('verdict: rejected by Kusto.Language, ' + st + ' here', `${r.uid}: ${first}`);
	if (!msOk || !ourAccepts) return;
	const m = msLeaves(code.Syntax), o = ourLeaves(r);
	for (const x of m) {
		stats.ms++;
		if (o.has(x)) stats.both++;
		else note('leaf only in Kusto.Language: op ' + (x.split('\u0001')[1] || '(none)'), `${r.uid}: ${x.split('\u0001').join(' | ')}`);
	}
	for (const x of o) {
		stats.ours++;
		if (!m.has(x)) note('leaf only here: op ' + (x.split('\u0001')[1] || '(none)'), `${r.uid}: ${x.split('\u0001').join(' | ')}`);
	}
});
rl.on('close', () => {
	const pct = (a, b) => (b ? (100 * a / b) : 100).toFixed(2);
	const okPct = pct(stats.ourOkOfMsOk, stats.msOk);
	const recall = pct(stats.both, stats.ms), precision = pct(stats.both, stats.ours);
	console.log(`${label}: queries ${stats.queries} (${stats.bindings} of bindings only: no query), accepted by Kusto.Language ${stats.msOk} of the others, ok here ${stats.ourOkOfMsOk} (${okPct} %)`);
	console.log(`${label}: verdicts agree ${stats.verdictAgree}/${stats.queries} (${pct(stats.verdictAgree, stats.queries)} %); ok here but rejected there: ${stats.ourOkMsBad}`);
	console.log(`${label}: where leaves: Kusto.Language ${stats.ms}, ours ${stats.ours}, both ${stats.both}; found of theirs ${recall} %, ours confirmed ${precision} %`);
	for (const [k, v] of [...cat.entries()].sort((a, b) => b[1].n - a[1].n)) {
		console.log(`  ${v.n}\t${k}`);
		for (const e of v.ex) console.log(`\t\t${e}`);
	}
	const bad = Number(okPct) < minOk || Number(recall) < minAgree || Number(precision) < minAgree || stats.ourOkMsBad > 0;
	process.exit(bad ? 1 : 0);
});
