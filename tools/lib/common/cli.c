#include "common/cli.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

const char *cli_mappings_dir(const char *option_value)
{
	const char *env = getenv("DETCAT_MAPPINGS");
	struct stat st;

	if (option_value && *option_value)
		return option_value;
	if (env && *env)
		return env;
	if (stat("mappings", &st) == 0 && S_ISDIR(st.st_mode))
		return "mappings";
	return DETCAT_DATADIR "/mappings";
}

int cli_close_stdout(void)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);

	if (fclose(stdout) != 0)
		bad = 1;
	if (bad && errno != EPIPE) {
		msg_warn("error writing standard output: %s", strerror(errno));
		return -1;
	}
	return bad ? -1 : 0;
}
