/*
 * cli.h: what every tool's main() shares beyond getopt_long: --version text,
 * size arguments, and the check that standard output really was written.
 */
#ifndef DETCAT_CLI_H
#define DETCAT_CLI_H

/*
 * First thing in every main(): the program's name for messages, and SIGPIPE
 * ignored, so that a closed pipe (`| head -1`) is seen as EPIPE and ends the
 * tool quietly with status 0 (ndjson writer, cli_close_stdout) instead of
 * killing it (status 141).
 */
void cli_init(const char *prog);
/* "detcat-TOOL 0.1.0" on stdout */
void cli_print_version(void);
/* "64M", "2G", "1000" → bytes; dies with a usage message (exit 2) when malformed */
unsigned long long cli_parse_size(const char *arg, const char *option);
/*
 * The mappings folder: the option's value when given, else $DETCAT_MAPPINGS,
 * else ./mappings when it exists (a checkout), else the one beside the program
 * (PREFIX/share/detcat/mappings for PREFIX/bin/detcat-*, or a checkout's
 * mappings/ for its bin/), else the prefix compiled in.
 */
const char *cli_mappings_dir(const char *option_value);
/* One sentence on how the mappings folder is found, for "cannot read" messages. */
const char *cli_mappings_hint(void);
/* Flush and close stdout; returns 0, or -1 after a message. EPIPE (the reader
 * has gone) is no error: the program exits quietly with status 0. */
int cli_close_stdout(void);

#endif
