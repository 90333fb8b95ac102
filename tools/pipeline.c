/*
 * detcat-pipeline: read a source list (a YAML file under pipeline/) and print the make rules
 * that fetch and unpack each source, so that the Makefile's chain knows its
 * sources without hard-coding them. Relative locations are taken from the
 * folder of the source list. A source's command line is kept in CMD-DIR/NAME.cmd,
 * rewritten only when it changes, so editing one source re-runs that source alone.
 */
#include "common/cli.h"
#include "common/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

struct source {
	char *name;
	char *vendor;
	char *location;		/* resolved: relative to the current folder, or a URL */
	char *browse;		/* URL prefix of the files' web pages, or NULL */
	char **include;
	size_t ninclude;
	char **exclude;
	size_t nexclude;
};

static const char *file;	/* the source list, for messages */

static const char *scalar(yaml_document_t *doc, yaml_node_t *n, const char *key)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		msg_die("%s:%zu: '%s' must be a string", file, n ? n->start_mark.line + 1 : 0, key);
	(void)doc;
	return (const char *)n->data.scalar.value;
}

static char **string_list(yaml_document_t *doc, yaml_node_t *n, const char *key, size_t *count)
{
	char **v;
	yaml_node_item_t *it;
	size_t i = 0;

	if (n->type == YAML_SCALAR_NODE) {
		v = xcalloc(1, sizeof(char *));
		v[0] = xstrdup(scalar(doc, n, key));
		*count = 1;
		return v;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		msg_die("%s:%zu: '%s' must be a list of globs", file, n->start_mark.line + 1, key);
	v = xcalloc((size_t)(n->data.sequence.items.top - n->data.sequence.items.start) + 1, sizeof(char *));
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
		v[i++] = xstrdup(scalar(doc, yaml_document_get_node(doc, *it), key));
	*count = i;
	return v;
}

/* dir + "/" + rel, with leading "x/../" pairs folded, for readable make rules. */
static char *resolve(const char *dir, const char *rel)
{
	struct strbuf sb = STRBUF_INIT;

	if (strstr(rel, "://") || rel[0] == '/' || !strcmp(dir, "."))
		return xstrdup(rel);
	strbuf_addstr(&sb, dir);
	while (!strncmp(rel, "../", 3)) {
		char *slash = strrchr(sb.buf, '/');
		const char *last = slash ? slash + 1 : sb.buf;

		if (!sb.len || !strcmp(last, "..") || !strcmp(last, "."))
			break;
		sb.len = slash ? (size_t)(slash - sb.buf) : 0;
		sb.buf[sb.len] = '\0';
		rel += 3;
	}
	if (sb.len)
		strbuf_addch(&sb, '/');
	strbuf_addstr(&sb, rel);
	return strbuf_detach(&sb, NULL);
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

static struct source *load(const char *path, size_t *count)
{
	FILE *f = fopen(path, "rb");
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *list = NULL;
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	struct source *v;
	char *dir, *slash;
	size_t n = 0;

	if (!f)
		msg_die("cannot read '%s': %s", path, strerror(errno));
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc))
		msg_die("%s:%zu: %s", path, parser.problem_mark.line + 1, parser.problem ? parser.problem : "invalid YAML");
	fclose(f);
	root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE)
		msg_die("%s: expected a mapping with a 'sources' list", path);
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);

		if (k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, "sources"))
			list = yaml_document_get_node(&doc, p->value);
	}
	if (!list || list->type != YAML_SEQUENCE_NODE)
		msg_die("%s: expected a 'sources' list", path);
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	v = xcalloc((size_t)(list->data.sequence.items.top - list->data.sequence.items.start) + 1, sizeof(*v));
	for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		yaml_node_t *src = yaml_document_get_node(&doc, *it);
		struct source *s = &v[n];
		size_t i;

		if (src->type != YAML_MAPPING_NODE)
			msg_die("%s:%zu: each source is a mapping", path, src->start_mark.line + 1);
		for (p = src->data.mapping.pairs.start; p < src->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&doc, p->key);
			yaml_node_t *val = yaml_document_get_node(&doc, p->value);
			const char *key = k->type == YAML_SCALAR_NODE ? (char *)k->data.scalar.value : "";

			if (!strcmp(key, "name"))
				s->name = xstrdup(scalar(&doc, val, key));
			else if (!strcmp(key, "vendor"))
				s->vendor = xstrdup(scalar(&doc, val, key));
			else if (!strcmp(key, "location"))
				s->location = resolve(dir, scalar(&doc, val, key));
			else if (!strcmp(key, "browse"))
				s->browse = xstrdup(scalar(&doc, val, key));
			else if (!strcmp(key, "include"))
				s->include = string_list(&doc, val, key, &s->ninclude);
			else if (!strcmp(key, "exclude"))
				s->exclude = string_list(&doc, val, key, &s->nexclude);
			else if (strcmp(key, "description") != 0)
				msg_die("%s:%zu: unknown key '%s' in a source", path, k->start_mark.line + 1, key);
		}
		if (!s->name || !s->vendor || !s->location)
			msg_die("%s:%zu: a source needs name, vendor and location", path, src->start_mark.line + 1);
		if (!valid_name(s->name))
			msg_die("%s:%zu: source name '%s' may hold only letters, digits, '-', '_' and '.'",
				path, src->start_mark.line + 1, s->name);
		for (i = 0; i < n; i++)
			if (!strcmp(v[i].name, s->name))
				msg_die("%s:%zu: source name '%s' used twice", path, src->start_mark.line + 1, s->name);
		n++;
	}
	free(dir);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	*count = n;
	return v;
}

/* 'text' for the shell */
static void add_shell_quoted(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(sb, "'\\''");
		else if (*s == '$')
			strbuf_addstr(sb, "$$");	/* make expands $ first */
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

/* a file name in a make rule: spaces and specials escaped */
static void add_make_path(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '#' || *s == ':' || *s == '\\')
			strbuf_addch(sb, '\\');
		if (*s == '$')
			strbuf_addch(sb, '$');
		strbuf_addch(sb, *s);
	}
}

/* Write path only when its content differs, keeping its mtime otherwise. */
static void write_if_changed(const char *path, const char *text)
{
	struct strbuf old = STRBUF_INIT;
	FILE *f;

	if (strbuf_read_file(&old, path) == 0 && old.len == strlen(text) && !memcmp(old.buf, text, old.len)) {
		strbuf_release(&old);
		return;
	}
	strbuf_release(&old);
	f = fopen(path, "wb");
	if (!f || fputs(text, f) == EOF || fclose(f) != 0)
		msg_die("cannot write '%s': %s", path, strerror(errno));
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: detcat-pipeline [--cmd-dir DIR] SOURCES.yaml\n"
		"\n"
		"Print the make rules that build $(OUT)/raw/NAME.ndjson.zst for every source in\n"
		"SOURCES.yaml with $(BIN)/detcat-fetch-unpack.\n"
		"\n"
		"  -c, --cmd-dir DIR   keep each source's command in DIR/NAME.cmd (rewritten only\n"
		"                      when it changes; raw outputs depend on it)\n"
		"  -h, --help          this text\n"
		"      --version       print the version\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cmd-dir", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct strbuf out = STRBUF_INIT, cmd = STRBUF_INIT, target = STRBUF_INIT;
	const char *cmd_dir = NULL;
	struct source *v;
	size_t n, i, j;
	int c;

	cli_init("detcat-pipeline");
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': cmd_dir = optarg; break;
		case 'h': usage(stdout); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		case 'v': cli_print_version(); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		default: usage(stderr); return EXIT_FATAL;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_FATAL;
	}
	file = argv[optind];
	v = load(file, &n);
	if (cmd_dir)
		mkdir(cmd_dir, 0777);

	strbuf_addf(&out, "# generated by detcat-pipeline from %s: do not edit\n", file);
	strbuf_addstr(&out, "SOURCE_NAMES :=");
	for (i = 0; i < n; i++)
		strbuf_addf(&out, " %s", v[i].name);
	strbuf_addch(&out, '\n');
	for (i = 0; i < n; i++) {
		const struct source *s = &v[i];
		int remote = !strncmp(s->location, "http://", 7) || !strncmp(s->location, "https://", 8);
		struct stat st;

		strbuf_reset(&cmd);
		strbuf_addstr(&cmd, "--source ");
		add_shell_quoted(&cmd, s->name);
		strbuf_addstr(&cmd, " --vendor ");
		add_shell_quoted(&cmd, s->vendor);
		for (j = 0; j < s->ninclude; j++) {
			strbuf_addstr(&cmd, " --include ");
			add_shell_quoted(&cmd, s->include[j]);
		}
		for (j = 0; j < s->nexclude; j++) {
			strbuf_addstr(&cmd, " --exclude ");
			add_shell_quoted(&cmd, s->exclude[j]);
		}
		if (s->browse) {
			strbuf_addstr(&cmd, " --browse ");
			add_shell_quoted(&cmd, s->browse);
		}
		strbuf_addch(&cmd, ' ');
		add_shell_quoted(&cmd, s->location);

		strbuf_reset(&target);
		strbuf_addf(&target, "$(OUT)/raw/%s.ndjson.zst", s->name);
		strbuf_addf(&out, "SOURCE_VENDOR_%s := %s\n", s->name, s->vendor);
		/* a raw file without its record (an output of an older detcat) is made again */
		strbuf_addf(&out, "ifeq ($(wildcard $(OUT)/raw/%s.source.json),)\n%s: FORCE\nendif\n", s->name, target.buf);
		strbuf_addf(&out, "%s: $(BIN)/detcat-fetch-unpack", target.buf);
		if (cmd_dir) {
			char *p = xasprintf("%s/%s.cmd", cmd_dir, s->name);
			char *text = xasprintf("%s\n", cmd.buf);

			write_if_changed(p, text);
			strbuf_addch(&out, ' ');
			add_make_path(&out, p);
			free(p);
			free(text);
		}
		if (remote) {
			/* ask the server every time; a 304 leaves the output untouched */
			strbuf_addstr(&out, " FORCE");
		} else if (stat(s->location, &st) == 0 && S_ISDIR(st.st_mode)) {
			/* a folder: out of date when anything below it is newer than the output */
			strbuf_addch(&out, '\n');
			strbuf_addstr(&out, "ifneq ($(shell find ");
			add_shell_quoted(&out, s->location);
			strbuf_addf(&out, " -newer %s -print -quit 2>/dev/null || echo missing),)\n", target.buf);
			strbuf_addf(&out, "%s: FORCE\nendif", target.buf);
		} else {
			strbuf_addch(&out, ' ');
			add_make_path(&out, s->location);
		}
		/* --record: the source's record beside its raw file (fetch date, stale) */
		strbuf_addf(&out, "\n\t@mkdir -p $(@D)\n\t$(BIN)/detcat-fetch-unpack %s --record $(OUT)/raw/%s.source.json -o $@ || [ $$? -eq 1 ]\n\n",
			    cmd.buf, s->name);
	}
	fwrite(out.buf, 1, out.len, stdout);
	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].vendor);
		free(v[i].browse);
		free(v[i].location);
		for (j = 0; j < v[i].ninclude; j++)
			free(v[i].include[j]);
		for (j = 0; j < v[i].nexclude; j++)
			free(v[i].exclude[j]);
		free(v[i].include);
		free(v[i].exclude);
	}
	free(v);
	strbuf_release(&out);
	strbuf_release(&cmd);
	strbuf_release(&target);
	return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
}
