/*
 * Unit tests for the TOML reader (tools/lib/elastic/toml.c): each construct of TOML
 * 1.0 and the jansson value it becomes, then each thing the spec rejects,
 * with the line the error names, then hostile sizes and depths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "elastic/toml.h"
#include "common/util.h"

/* The document as compact JSON (keys in document order); fails the test if it is rejected. */
static char *load_json(const char *doc, size_t len)
{
	struct toml_error e;
	json_t *j;
	char *s;

	if (toml_load(doc, len, &j, &e) < 0)
		fail_msg("rejected: line %u: %s\n--\n%s", e.line, e.msg, doc);
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(j);
	return s;
}

static void assert_toml(const char *doc, const char *want)
{
	char *got = load_json(doc, strlen(doc));

	if (strcmp(got, want) != 0)
		fail_msg("for\n%s\nwant %s\ngot  %s", doc, want, got);
	free(got);
}

/* Rejected, at line `line`, with a message that contains `part`. */
static void assert_rejected_n(const char *doc, size_t len, unsigned line, const char *part)
{
	struct toml_error e;
	json_t *j = (json_t *)1;

	if (toml_load(doc, len, &j, &e) == 0) {
		json_decref(j);
		fail_msg("accepted, should fail at line %u (%s):\n%s", line, part, doc);
	}
	assert_null(j);
	if (e.line != line || !strstr(e.msg, part))
		fail_msg("for\n%s\nwant line %u '%s'\ngot  line %u '%s'", doc, line, part, e.line, e.msg);
}

static void assert_rejected(const char *doc, unsigned line, const char *part)
{
	assert_rejected_n(doc, strlen(doc), line, part);
}

/* ---- constructs ---- */

static void test_toml_scalars_of_every_type(void **state)
{
	(void)state;
	assert_toml("s = \"str\"\nl = 'lit'\ni = 42\nf = 3.5\nt = true\nn = false\n",
		    "{\"s\":\"str\",\"l\":\"lit\",\"i\":42,\"f\":3.5,\"t\":true,\"n\":false}");
	assert_toml("", "{}");
	assert_toml("# only a comment\n\n   \n", "{}");
	assert_toml("a=1", "{\"a\":1}");	/* no final newline */
}

static void test_toml_keys_bare_quoted_and_dotted(void **state)
{
	(void)state;
	assert_toml("bare_key-1 = 1\n\"quoted key\" = 2\n'lit.key' = 3\n\"\" = 4\n1234 = 5\n",
		    "{\"bare_key-1\":1,\"quoted key\":2,\"lit.key\":3,\"\":4,\"1234\":5}");
	assert_toml("a.b.c = 1\na . b . d = 2\na.\"x.y\" = 3\n",
		    "{\"a\":{\"b\":{\"c\":1,\"d\":2},\"x.y\":3}}");
	/* a float-looking key is two parts */
	assert_toml("3.14 = 'pi'\n", "{\"3\":{\"14\":\"pi\"}}");
}

static void test_toml_key_may_hold_nul(void **state)
{
	static const char doc[] = "\"a\\u0000b\" = 1\n";
	struct toml_error e;
	json_t *j;

	(void)state;
	assert_int_equal(toml_load(doc, strlen(doc), &j, &e), 0);
	assert_int_equal(json_integer_value(json_object_getn(j, "a\0b", 3)), 1);
	assert_null(json_object_get(j, "a"));
	json_decref(j);
}

static void test_toml_table_headers_and_sub_tables(void **state)
{
	(void)state;
	assert_toml("top = 0\n[a]\nx = 1\n[a.b]\ny = 2\n[ c . \"d e\" ]  # comment\nz = 3\n",
		    "{\"top\":0,\"a\":{\"x\":1,\"b\":{\"y\":2}},\"c\":{\"d e\":{\"z\":3}}}");
	/* a super-table may be defined after its sub-table */
	assert_toml("[a.b.c]\nx = 1\n[a]\ny = 2\n", "{\"a\":{\"b\":{\"c\":{\"x\":1}},\"y\":2}}");
	/* [table] may add sub-tables under a table made by dotted keys */
	assert_toml("[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true\n",
		    "{\"fruit\":{\"apple\":{\"color\":\"red\",\"texture\":{\"smooth\":true}}}}");
	/* dotted keys may add to a table a header path made in passing */
	assert_toml("[a.b.c]\n[a]\nb.d = 1\n", "{\"a\":{\"b\":{\"c\":{},\"d\":1}}}");
	assert_toml("[a]\n[b]\n", "{\"a\":{},\"b\":{}}");
}

static void test_toml_arrays_of_tables_and_their_sub_tables(void **state)
{
	(void)state;
	assert_toml("[[p]]\nn = 1\n[[p]]\n[[p]]\nn = 3\n",
		    "{\"p\":[{\"n\":1},{},{\"n\":3}]}");
	/* a sub-table or sub-array goes into the last element */
	assert_toml("[[rule.threat]]\nf = 'x'\n[[rule.threat.technique]]\nid = 'T1'\n"
		    "[[rule.threat.technique.sub]]\nid = 'T1.001'\n[rule.threat.tactic]\nname = 'E'\n"
		    "[[rule.threat]]\nf = 'y'\n[rule.threat.tactic]\nname = 'D'\n",
		    "{\"rule\":{\"threat\":[{\"f\":\"x\",\"technique\":[{\"id\":\"T1\",\"sub\":"
		    "[{\"id\":\"T1.001\"}]}],\"tactic\":{\"name\":\"E\"}},{\"f\":\"y\",\"tactic\":"
		    "{\"name\":\"D\"}}]}}");
	assert_toml("[[a]]\nb.c = 1\n[[a]]\nb.c = 2\n", "{\"a\":[{\"b\":{\"c\":1}},{\"b\":{\"c\":2}}]}");
	assert_toml("[[ a . b ]]\n", "{\"a\":{\"b\":[{}]}}");
}

static void test_toml_inline_tables(void **state)
{
	(void)state;
	assert_toml("p = { x = 1, y.z = 2, w = { v = [1] } }\ne = {}\n",
		    "{\"p\":{\"x\":1,\"y\":{\"z\":2},\"w\":{\"v\":[1]}},\"e\":{}}");
	assert_toml("a = { b.c = 1, b.d = 2 }\n", "{\"a\":{\"b\":{\"c\":1,\"d\":2}}}");
}

static void test_toml_arrays_multi_line_with_comments_and_trailing_comma(void **state)
{
	(void)state;
	assert_toml("a = [\n  1,  # one\n  # a whole-line comment\n  2,\n\n  3 ,\n]\n",
		    "{\"a\":[1,2,3]}");
	assert_toml("a = []\nb = [ ]\nc = [1, 'x', [true], {k = 2}]\nd = [\n]\n",
		    "{\"a\":[],\"b\":[],\"c\":[1,\"x\",[true],{\"k\":2}],\"d\":[]}");
	assert_toml("index = [\"logs-endpoint.events.*\", \"winlogbeat-*\",]\n",
		    "{\"index\":[\"logs-endpoint.events.*\",\"winlogbeat-*\"]}");
}

static void test_toml_basic_string_escapes(void **state)
{
	(void)state;
	assert_toml("s = \"q\\\" b\\\\ \\b\\t\\n\\f\\r\"\n", "{\"s\":\"q\\\" b\\\\ \\b\\t\\n\\f\\r\"}");
	assert_toml("s = \"\\u00e9\\U0001F600 \\u0000\"\n",
		    "{\"s\":\"\xc3\xa9\xf0\x9f\x98\x80 \\u0000\"}");
	assert_toml("s = \"tab\tinside\"\n", "{\"s\":\"tab\\tinside\"}");
	assert_toml("s = \"\xc3\xa9t\xc3\xa9\"\n", "{\"s\":\"\xc3\xa9t\xc3\xa9\"}");
}

static void test_toml_literal_strings_keep_backslashes(void **state)
{
	(void)state;
	assert_toml("p = 'C:\\Users\\n'\nq = '\"x\"'\n",
		    "{\"p\":\"C:\\\\Users\\\\n\",\"q\":\"\\\"x\\\"\"}");
}

static void test_toml_multi_line_basic_string(void **state)
{
	(void)state;
	/* the first newline goes, the others stay */
	assert_toml("s = \"\"\"\nline 1\nline 2\n\"\"\"\n", "{\"s\":\"line 1\\nline 2\\n\"}");
	/* a line-ending backslash eats the newline and the blanks that follow */
	assert_toml("s = \"\"\"\\\n    The quick \\\n\n    fox.\\\n    \"\"\"\n",
		    "{\"s\":\"The quick fox.\"}");
	/* blanks between the backslash and the newline are allowed */
	assert_toml("s = \"\"\"a \\  \t\n  b\"\"\"\n", "{\"s\":\"a b\"}");
	assert_toml("s = \"\"\"esc \\\"\"\" \\u0041 \\\\n\"\"\"\n",
		    "{\"s\":\"esc \\\"\\\"\\\" A \\\\n\"}");
	assert_toml("s = \"\"\"\"\"\"\n", "{\"s\":\"\"}");
}

static void test_toml_multi_line_strings_allow_two_quotes_before_the_end(void **state)
{
	(void)state;
	assert_toml("s = \"\"\"\"q\" said \"\"x\"\"\"\"\"\n",
		    "{\"s\":\"\\\"q\\\" said \\\"\\\"x\\\"\\\"\"}");
	assert_toml("s = '''''a'''''\n", "{\"s\":\"''a''\"}");
}

static void test_toml_multi_line_literal_string(void **state)
{
	(void)state;
	assert_toml("q = '''\nprocess where process.name : \"x.exe\" and\n  path : \"C:\\\\*\"\n'''\n",
		    "{\"q\":\"process where process.name : \\\"x.exe\\\" and\\n  path : \\\"C:\\\\\\\\*\\\"\\n\"}");
	assert_toml("q = '''no \\ escapes \\n'''\n", "{\"q\":\"no \\\\ escapes \\\\n\"}");
}

static void test_toml_integers_in_four_bases_with_underscores(void **state)
{
	(void)state;
	assert_toml("a = +99\nb = -17\nc = 0\nd = -0\ne = 1_000_000\n",
		    "{\"a\":99,\"b\":-17,\"c\":0,\"d\":0,\"e\":1000000}");
	assert_toml("h = 0xDEAD_beef\no = 0o755\nb = 0b1101_0110\n",
		    "{\"h\":3735928559,\"o\":493,\"b\":214}");
	assert_toml("max = 9223372036854775807\nmin = -9223372036854775808\nhx = 0x7FFFFFFFFFFFFFFF\n",
		    "{\"max\":9223372036854775807,\"min\":-9223372036854775808,"
		    "\"hx\":9223372036854775807}");
}

static void test_toml_floats_and_non_finite_floats_as_strings(void **state)
{
	(void)state;
	assert_toml("a = 1.5\nb = -0.25\nc = 5e+2\nd = 1E-2\ne = 2.5e1_0\nf = 9_1.5_0\ng = 1e0_1\n",
		    "{\"a\":1.5,\"b\":-0.25,\"c\":500.0,\"d\":0.01,\"e\":25000000000.0,\"f\":91.5,\"g\":10.0}");
	assert_toml("a = inf\nb = +inf\nc = -inf\nd = nan\ne = -nan\nf = 1e400\n",
		    "{\"a\":\"inf\",\"b\":\"+inf\",\"c\":\"-inf\",\"d\":\"nan\",\"e\":\"-nan\","
		    "\"f\":\"1e400\"}");
}

static void test_toml_dates_and_times_kept_as_written(void **state)
{
	(void)state;
	assert_toml("a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00.999999-07:00\n"
		    "c = 1979-05-27 07:32:00\nd = 1979-05-27\ne = 07:32:00.5\nf = 2024-02-29t23:59:60z\n",
		    "{\"a\":\"1979-05-27T07:32:00Z\",\"b\":\"1979-05-27T00:32:00.999999-07:00\","
		    "\"c\":\"1979-05-27 07:32:00\",\"d\":\"1979-05-27\",\"e\":\"07:32:00.5\","
		    "\"f\":\"2024-02-29t23:59:60z\"}");
	/* a space after a date ends it when no time follows */
	assert_toml("d = 2026-01-10 # updated\n", "{\"d\":\"2026-01-10\"}");
	assert_toml("d = [2026-01-10,07:32:00]\n", "{\"d\":[\"2026-01-10\",\"07:32:00\"]}");
}

static void test_toml_crlf_line_endings_and_byte_order_mark(void **state)
{
	(void)state;
	assert_toml("\xef\xbb\xbf" "a = 1\r\n[t]\r\nb = [\r\n  2, # c\r\n]\r\ns = '''x\r\ny'''\r\n",
		    "{\"a\":1,\"t\":{\"b\":[2],\"s\":\"x\\ny\"}}");
}

/* ---- rejections ---- */

struct bad_case {
	const char *doc;
	unsigned line;
	const char *part;
};

static void test_toml_rejects_duplicates_and_redefinitions(void **state)
{
	static const struct bad_case cases[] = {
		{ "a = 1\n\nb = 2\na = 3\n", 4, "duplicate key 'a'" },
		{ "\"a\" = 1\na = 2\n", 2, "duplicate key 'a'" },	/* quoted and bare are one key */
		{ "a.b = 1\na.b = 2\n", 2, "duplicate key 'a.b'" },
		{ "a.b = 1\na.b.c = 2\n", 2, "already a value" },
		{ "a = 1\n[a]\n", 2, "already a value" },
		{ "[a]\nx = 1\n[a.x.y]\n", 3, "already a value" },
		{ "[a]\n[b]\n[a]\n", 3, "table 'a' is defined twice" },
		{ "[a]\nb = 1\n[a.b]\n", 3, "already a value" },
		{ "[a.b]\n[a]\n[a.b]\n", 3, "'a.b' is defined twice" },
		/* dotted keys define tables too */
		{ "a.b = 1\n[a]\n", 2, "'a' is defined twice" },
		{ "[fruit]\napple.color = 1\n[fruit.apple]\n", 3, "'fruit.apple' is defined twice" },
		{ "[a.b.c]\n[a]\nb.d = 1\n[a.b]\n", 4, "'a.b' is defined twice" },
		{ "[a.b]\nc = 1\n[a]\nb.d = 2\n", 4, "defined by a header" },
		{ "[x]\na.b = 1\n[y]\n[x.a.c]\n[x]\n", 5, "'x' is defined twice" },
		/* inline tables and arrays written as values are sealed */
		{ "a = {b = 1}\na.c = 2\n", 2, "inline table 'a'" },
		{ "a = {b = 1}\n[a]\n", 2, "inline table 'a'" },
		{ "a = {b.c = 1}\n[a.b.d]\n", 2, "inline table 'a'" },
		{ "a = {b = {c = 1}, b.d = 2}\n", 1, "inline table 'b'" },
		{ "a = {b = 1, b = 2}\n", 1, "duplicate key 'b'" },
		{ "a = []\n[[a]]\n", 2, "already a value" },
		{ "a = [{b = 1}]\n[a.c]\n", 2, "already a value" },
		/* tables and arrays of tables do not mix */
		{ "[a]\n[[a]]\n", 2, "'a' is a table, not an array of tables" },
		{ "[[a]]\n[a]\n", 2, "'a' is an array of tables, not a table" },
		{ "[a.b]\n[[a]]\n", 2, "not an array of tables" },
		{ "[[a.b]]\n[a]\nb.c = 1\n", 3, "already a value" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_rejected(cases[i].doc, cases[i].line, cases[i].part);
}

static void test_toml_rejects_bad_strings(void **state)
{
	static const struct bad_case cases[] = {
		{ "a = \"\\x41\"\n", 1, "invalid escape '\\x'" },
		{ "a = \"\\e\"\n", 1, "invalid escape '\\e'" },
		{ "a = \"\\ \"\n", 1, "invalid escape" },
		{ "a = \"\\u12\"\n", 1, "\\u needs 4 hexadecimal digits" },
		{ "a = \"\\UFFFFFFFF\"\n", 1, "not a Unicode scalar value" },
		{ "a = \"\\uD800\"\n", 1, "\\uD800 is not a Unicode scalar value" },
		{ "a = \"\\U0000DFFF\"\n", 1, "not a Unicode scalar value" },
		{ "a = \"\"\"x \\ y\"\"\"\n", 1, "invalid escape" },
		{ "x = 1\na = \"open\nb = 2\n", 2, "unterminated string" },
		{ "a = 'open\n", 1, "unterminated string" },
		{ "a = \"\"\"\nx\ny\n", 1, "unterminated multi-line string" },
		{ "a = '''\nx\n", 1, "unterminated multi-line string" },
		{ "a = \"\"\"x\"\"\"\"\"\"\n", 1, "too many quotes" },
		{ "a = \"ctl \x01\"\n", 1, "control character U+0001" },
		{ "a = 'del \x7f'\n", 1, "control character U+007F" },
		{ "a = \"\"\"x\n\x1f\"\"\"\n", 2, "control character U+001F" },
		{ "a = '''x\ry'''\n", 1, "control character U+000D" },
		{ "\"\"\"k\"\"\" = 1\n", 1, "multi-line string cannot be a key" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_rejected(cases[i].doc, cases[i].line, cases[i].part);
}

static void test_toml_rejects_invalid_utf8_and_control_characters(void **state)
{
	(void)state;
	assert_rejected("a = 1\nb = \"\xc3\x28\"\n", 2, "invalid UTF-8");
	assert_rejected("a = '\xed\xa0\x80'\n", 1, "invalid UTF-8");	/* encoded surrogate */
	assert_rejected("a = 1\n\n# \xc0\xaf overlong\n", 3, "invalid UTF-8");
	assert_rejected("# bell \x07\n", 1, "control character U+0007 in a comment");
	assert_rejected("# del \x7f\n", 1, "control character U+007F in a comment");
	assert_rejected("a = 1\rb = 2\n", 1, "U+000D");		/* a lone CR is no newline */
	assert_rejected("a = 1 # x\ry\n", 1, "control character U+000D in a comment");
	assert_rejected_n("a = 1\n\0", 7, 2, "expected a key, found U+0000");
}

static void test_toml_rejects_bad_numbers_dates_and_booleans(void **state)
{
	static const struct bad_case cases[] = {
		{ "a = 01\n", 1, "leading zero" },
		{ "a = 0_1\n", 1, "leading zero" },
		{ "a = -01.5\n", 1, "leading zero" },
		{ "a = 1__0\n", 1, "invalid number" },
		{ "a = 1_\n", 1, "invalid number" },
		{ "a = _1\n", 1, "expected a value" },
		{ "a = 0x_1\n", 1, "invalid hexadecimal integer" },
		{ "a = 0X1\n", 1, "invalid number" },
		{ "a = -0x1\n", 1, "invalid number" },
		{ "a = 0o8\n", 1, "invalid octal integer" },
		{ "a = 0b2\n", 1, "invalid binary integer" },
		{ "a = 9223372036854775808\n", 1, "does not fit in 64 bits" },
		{ "a = -9223372036854775809\n", 1, "does not fit in 64 bits" },
		{ "a = 0x8000000000000000\n", 1, "does not fit in 64 bits" },
		{ "a = 1.\n", 1, "digits must follow '.'" },
		{ "a = .5\n", 1, "expected a value" },
		{ "a = 1.e5\n", 1, "digits must follow '.'" },
		{ "a = 1e\n", 1, "bad exponent" },
		{ "a = 1e_5\n", 1, "bad exponent" },
		{ "a = 3_.14\n", 1, "invalid number" },
		{ "a = infinity\n", 1, "expected a value" },
		{ "a = NaN\n", 1, "expected a value" },
		{ "a = 2023-02-29\n", 1, "invalid date 2023-02-29" },
		{ "a = 1900-02-29\n", 1, "invalid date" },
		{ "a = 2024-13-01\n", 1, "invalid date" },
		{ "a = 2024-04-31\n", 1, "invalid date" },
		{ "a = 2024-1-01\n", 1, "invalid date" },
		{ "a = 24:00:00\n", 1, "invalid local time" },
		{ "a = 12:60:00\n", 1, "invalid local time" },
		{ "a = 12:30\n", 1, "invalid local time" },
		{ "a = 2024-01-01T12:30\n", 1, "invalid time in a date-time" },
		{ "a = 2024-01-01T12:30:00.\n", 1, "invalid time in a date-time" },
		{ "a = 2024-01-01T12:30:00+5:00\n", 1, "invalid time offset" },
		{ "a = 2024-01-01T12:30:00+24:00\n", 1, "invalid time offset" },
		{ "a = 12:30:00Z\n", 1, "unexpected 'Z' after a value" },
		{ "a = True\n", 1, "expected a value, found 'T'" },
		{ "a = truee\n", 1, "unexpected 'e' after a value" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_rejected(cases[i].doc, cases[i].line, cases[i].part);
}

static void test_toml_rejects_bad_structure(void **state)
{
	static const struct bad_case cases[] = {
		{ "a = 1\nb =\n", 2, "missing value" },
		{ "a = # c\n", 1, "missing value" },
		{ "a\n= 1\n", 1, "expected '=' after the key 'a'" },
		{ "= 1\n", 1, "expected a key, found '='" },
		{ "a b = 1\n", 1, "expected '=' after the key 'a'" },
		{ "a. = 1\n", 1, "expected a key, found '='" },
		{ "a = 1 b = 2\n", 1, "unexpected 'b' after a value" },
		{ "[a] b = 1\n", 1, "unexpected 'b' after a table header" },
		{ "[]\n", 1, "expected a key, found ']'" },
		{ "[a\n", 1, "expected ']' to close the header" },
		{ "[[a]\n", 1, "expected ']]' to close the header" },
		{ "[ [a] ]\n", 1, "expected a key, found '['" },
		{ "a = [1 2]\n", 1, "expected ',' or ']' in an array, found '2'" },
		{ "a = [,]\n", 1, "expected a value, found ','" },
		{ "a = [1,,2]\n", 1, "expected a value, found ','" },
		{ "x = 1\na = [1,\n2,\n", 2, "unterminated array" },
		{ "a = {b = 1,}\n", 1, "trailing comma in an inline table" },
		{ "a = {b = 1\n}\n", 1, "an inline table must close on its line" },
		{ "a = {\nb = 1}\n", 1, "expected a key, found end of line" },
		{ "a = {b = 1 c = 2}\n", 1, "expected ',' or '}' in an inline table, found 'c'" },
		{ "a = {b = 1 # c\n}\n", 1, "expected ',' or '}'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_rejected(cases[i].doc, cases[i].line, cases[i].part);
}

static void test_toml_parse_puts_the_line_in_the_message(void **state)
{
	char err[64], tiny[8];
	json_t *j = (json_t *)1;

	(void)state;
	assert_int_equal(toml_parse("a = 1\na = 2\n", 12, &j, err, sizeof(err)), -1);
	assert_null(j);
	assert_string_equal(err, "line 2: duplicate key 'a'");
	assert_int_equal(toml_parse("a = 1\na = 2\n", 12, &j, tiny, sizeof(tiny)), -1);
	assert_string_equal(tiny, "line 2:");
	assert_int_equal(toml_parse("a = 1\na = 2\n", 12, &j, NULL, 0), -1);
	assert_int_equal(toml_parse("a = 1\n", 6, &j, err, sizeof(err)), 0);
	json_decref(j);
}

static void test_toml_long_keys_are_cut_in_messages(void **state)
{
	struct strbuf doc = STRBUF_INIT;
	struct toml_error e;
	json_t *j;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		int k;

		strbuf_addch(&doc, '"');
		for (k = 0; k < 300; k++)
			strbuf_addstr(&doc, "\xc3\xa9");
		strbuf_addstr(&doc, "\" = 1\n");
	}
	assert_int_equal(toml_load(doc.buf, doc.len, &j, &e), -1);
	assert_non_null(strstr(e.msg, "duplicate key"));
	assert_non_null(strstr(e.msg, "...'"));
	assert_true(strlen(e.msg) < 120);
	/* cut on a character boundary: the message stays valid UTF-8 */
	j = json_string(e.msg);
	assert_non_null(j);
	json_decref(j);
	strbuf_release(&doc);
}

/* ---- hostile input ---- */

static void test_toml_nesting_is_bounded(void **state)
{
	struct strbuf doc = STRBUF_INIT;
	int i;

	(void)state;
	strbuf_addstr(&doc, "a = ");
	for (i = 0; i < 100000; i++)
		strbuf_addch(&doc, '[');
	assert_rejected_n(doc.buf, doc.len, 1, "nested deeper than 64 levels");
	strbuf_reset(&doc);
	strbuf_addstr(&doc, "a = ");
	for (i = 0; i < 1000; i++)
		strbuf_addstr(&doc, "{b=");
	assert_rejected_n(doc.buf, doc.len, 1, "nested deeper than 64 levels");
	strbuf_reset(&doc);
	for (i = 0; i < 1000; i++)
		strbuf_addstr(&doc, i ? ".k" : "k");
	strbuf_addstr(&doc, " = 1\n");
	assert_rejected_n(doc.buf, doc.len, 1, "more than 64 dotted parts");
	/* 64 levels of tables, one more array: too deep */
	strbuf_reset(&doc);
	strbuf_addch(&doc, '[');
	for (i = 0; i < 63; i++)
		strbuf_addstr(&doc, i ? ".t" : "t");
	strbuf_addstr(&doc, "]\nx = [[1]]\n");
	assert_rejected_n(doc.buf, doc.len, 2, "nested deeper than 64 levels");
	/* exactly 64 is fine */
	strbuf_reset(&doc);
	strbuf_addch(&doc, '[');
	for (i = 0; i < 63; i++)
		strbuf_addstr(&doc, i ? ".t" : "t");
	strbuf_addstr(&doc, "]\nx = [1]\n");
	free(load_json(doc.buf, doc.len));
	strbuf_release(&doc);
}

static void test_toml_large_documents_parse(void **state)
{
	struct strbuf doc = STRBUF_INIT;
	struct toml_error e;
	json_t *j;
	int i;

	(void)state;
	strbuf_addstr(&doc, "a = [");
	for (i = 0; i < 200000; i++)
		strbuf_addf(&doc, "%d,\n", i);
	strbuf_addstr(&doc, "]\n");
	for (i = 0; i < 100000; i++)
		strbuf_addf(&doc, "k%d = %d\n", i, i);
	for (i = 0; i < 100000; i++)
		strbuf_addf(&doc, "[[t]]\nx.y = %d\n[t.s]\n[t.s.u]\nz = 1\n", i);
	assert_int_equal(toml_load(doc.buf, doc.len, &j, &e), 0);
	assert_int_equal(json_array_size(json_object_get(j, "a")), 200000);
	assert_int_equal(json_array_size(json_object_get(j, "t")), 100000);
	json_decref(j);
	strbuf_release(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toml_scalars_of_every_type),
		cmocka_unit_test(test_toml_keys_bare_quoted_and_dotted),
		cmocka_unit_test(test_toml_key_may_hold_nul),
		cmocka_unit_test(test_toml_table_headers_and_sub_tables),
		cmocka_unit_test(test_toml_arrays_of_tables_and_their_sub_tables),
		cmocka_unit_test(test_toml_inline_tables),
		cmocka_unit_test(test_toml_arrays_multi_line_with_comments_and_trailing_comma),
		cmocka_unit_test(test_toml_basic_string_escapes),
		cmocka_unit_test(test_toml_literal_strings_keep_backslashes),
		cmocka_unit_test(test_toml_multi_line_basic_string),
		cmocka_unit_test(test_toml_multi_line_strings_allow_two_quotes_before_the_end),
		cmocka_unit_test(test_toml_multi_line_literal_string),
		cmocka_unit_test(test_toml_integers_in_four_bases_with_underscores),
		cmocka_unit_test(test_toml_floats_and_non_finite_floats_as_strings),
		cmocka_unit_test(test_toml_dates_and_times_kept_as_written),
		cmocka_unit_test(test_toml_crlf_line_endings_and_byte_order_mark),
		cmocka_unit_test(test_toml_rejects_duplicates_and_redefinitions),
		cmocka_unit_test(test_toml_rejects_bad_strings),
		cmocka_unit_test(test_toml_rejects_invalid_utf8_and_control_characters),
		cmocka_unit_test(test_toml_rejects_bad_numbers_dates_and_booleans),
		cmocka_unit_test(test_toml_rejects_bad_structure),
		cmocka_unit_test(test_toml_parse_puts_the_line_in_the_message),
		cmocka_unit_test(test_toml_long_keys_are_cut_in_messages),
		cmocka_unit_test(test_toml_nesting_is_bounded),
		cmocka_unit_test(test_toml_large_documents_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
