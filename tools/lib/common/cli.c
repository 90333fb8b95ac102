#include "common/cli.h"
#include "common/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_init(const char *prog)
{
	msg_setprog(prog);
	signal(SIGPIPE, SIG_IGN);
}

void cli_print_version(void)
{
	printf("%s %s\n", msg_prog(), DETCAT_VERSION);
}

unsigned long long cli_parse_size(const char *arg, const char *option)
{
	char *end;
	unsigned long long v, mult = 1;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end == arg || errno || arg[0] == '-')
		goto bad;
	switch (*end) {
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	case '\0': break;
	default: goto bad;
	}
	if (*end || (v && mult > ~0ULL / v))
		goto bad;
	return v * mult;
bad:
	msg_warn("%s: '%s' is not a size (a number with an optional K, M or G)", option, arg);
	exit(EXIT_FATAL);
}

#ifndef DETCAT_DATADIR
#define DETCAT_DATADIR "/usr/local/share/detcat"
#endif

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder of the running program (/proc/self/exe), or NULL. */
static char *exe_dir(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return xstrdup(buf);
}

const char *cli_mappings_dir(const char *option_value)
{
	static char *found;
	const char *env = getenv("DETCAT_MAPPINGS");
	char *dir;

	if (option_value && *option_value)
		return option_value;
	if (env && *env)
		return env;
	if (is_dir("mappings"))
		return "mappings";
	if (found)
		return found;
	/* relative to the program: installed (PREFIX/bin → PREFIX/share/detcat), then a
	 * checkout's bin/ or build/san/bin/, whatever the current folder and prefix */
	dir = exe_dir();
	if (dir) {
		static const char *const rel[] = { "../share/detcat/mappings", "../mappings", "../../../mappings" };
		size_t i;

		for (i = 0; i < sizeof(rel) / sizeof(rel[0]) && !found; i++) {
			char *p = xasprintf("%s/%s", dir, rel[i]);

			if (is_dir(p))
				found = p;
			else
				free(p);
		}
		free(dir);
		if (found)
			return found;
	}
	return DETCAT_DATADIR "/mappings";
}

const char *cli_mappings_hint(void)
{
	return "the mappings folder (fields/, events.yaml) is found with --mappings DIR, "
	       "$DETCAT_MAPPINGS, ./mappings, then beside the program (../share/detcat/mappings), "
	       "then " DETCAT_DATADIR "/mappings";
}

int cli_close_stdout(void)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);

	if (fclose(stdout) != 0)
		bad = 1;
	if (bad && errno == EPIPE)
		exit(EXIT_OK);
	if (bad) {
		msg_warn("standard output: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}
