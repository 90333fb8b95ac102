#!/bin/sh
# Make sure the libraries and tools detcat builds and tests with are installed.
# On Debian/Ubuntu, missing packages are installed with apt-get (as root, or through
# sudo); elsewhere the exact packages to install are printed and the script fails.
# Called by make before the first compile; quiet when everything is there.
# groff and col render the man pages in tests/cli/man.sh.
#   --browser  also chromium (headless) and a font for it, which only the browser
#              test (tests/browser/run.sh, make check-browser) needs: plain make
#              never installs them
#   --node     also node and npm, which only the KQL differential test
#              (tests/kql-diff, make check-kql-diff) needs
#   --bench    also time (/usr/bin/time: wall, CPU and peak RSS), which only
#              make bench needs
#   --list     print the Debian packages it would want, one line, and exit
set -u

PACKAGES="build-essential pkg-config libyaml-dev libjansson-dev libpcre2-dev libzstd-dev \
libarchive-dev libcurl4-openssl-dev libcmocka-dev zstd jq python3 libarchive-tools \
groff-base bsdextrautils"
PKGCONFIG_MODULES="yaml-0.1 jansson libpcre2-8 libzstd libarchive libcurl cmocka"
COMMANDS="cc make pkg-config zstd jq python3 bsdtar groff col"
list=
for a in "$@"; do
	case $a in
	--browser) PACKAGES="$PACKAGES chromium fonts-dejavu-core" COMMANDS="$COMMANDS chromium" ;;
	--node) PACKAGES="$PACKAGES nodejs npm" COMMANDS="$COMMANDS node npm" ;;
	--bench) PACKAGES="$PACKAGES time" COMMANDS="$COMMANDS /usr/bin/time" ;;
	--list) list=1 ;;
	*) echo "usage: tools/install-deps.sh [--browser] [--node] [--bench] [--list]" >&2; exit 2 ;;
	esac
done
if [ -n "$list" ]; then
	echo $PACKAGES
	exit 0
fi

missing() {
	for c in $COMMANDS; do
		command -v "$c" >/dev/null 2>&1 || { echo "command $c"; return; }
	done
	pkg-config --exists $PKGCONFIG_MODULES 2>/dev/null || echo "pkg-config modules"
}

m=$(missing)
[ -z "$m" ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		SUDO=
	elif command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "install-deps: missing $m; run as root: apt-get install $PACKAGES" >&2
		exit 1
	fi
	echo "install-deps: missing $m: installing Debian packages" >&2
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq >&2 || exit 1
	$SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >&2 || exit 1
	m=$(missing)
	[ -z "$m" ] && exit 0
	echo "install-deps: still missing $m after apt-get" >&2
	exit 1
fi
echo "install-deps: missing $m; install the equivalents of these Debian packages: $PACKAGES" >&2
exit 1
