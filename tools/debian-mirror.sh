# shellcheck shell=bash
# The Debian mirror to download from, for tools/build-static-libmount.sh
# and tests/e2e/lib.sh (sourced by both; the one place that knows how).
#
#   . tools/debian-mirror.sh
#   mirror=$(pw_debian_mirror) || exit 1    # prints e.g. http://HOST/debian
#   pw_hide_mirror "$mirror" <log           # the log, the mirror's host hidden
#
# No mirror is written down in this repository: it is $PIVOTWRAP_MIRROR if
# set, else the machine's own apt configuration --
#   1. URIs: of a deb822 stanza in /etc/apt/sources.list.d/*.sources,
#   2. else a "deb URI SUITE ..." line of /etc/apt/sources.list or
#      /etc/apt/sources.list.d/*.list
# -- the first one (http or https, not disabled) whose suites include the
# machine's release (VERSION_CODENAME of /etc/os-release, e.g. bookworm): the
# main archive, which also carries the other suites (trixie, sid), not the
# security archive (bookworm-security) or a third-party one.
# PIVOTWRAP_APT_ETC (default /etc/apt) and PIVOTWRAP_OS_RELEASE (default
# /etc/os-release) exist for the tests of this helper.

# pw_debian_mirror: print the mirror URI (no trailing slash); on failure a
# line on stderr saying what was looked at and how to override, status 1.
pw_debian_mirror() {
	local etc=${PIVOTWRAP_APT_ETC:-/etc/apt} os=${PIVOTWRAP_OS_RELEASE:-/etc/os-release}
	local release uri f
	if [ -n "${PIVOTWRAP_MIRROR:-}" ]; then
		echo "${PIVOTWRAP_MIRROR%/}"
		return 0
	fi
	# shellcheck source=/dev/null
	release=$( . "$os" 2>/dev/null && echo "${VERSION_CODENAME:-}")
	if [ -z "$release" ]; then
		echo "no VERSION_CODENAME in $os: cannot tell which apt source is Debian's main archive; set PIVOTWRAP_MIRROR=http://HOST/debian" >&2
		return 1
	fi
	# deb822: stanzas separated by blank lines; Types, URIs and Suites may
	# list several values; "Enabled: no" turns a stanza off.
	for f in "$etc"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk -v rel="$release" '
			function field(line) { sub(/^[^:]*:[ \t]*/, "", line); return line }
			function flush(   n, i, s, u, hit) {
				if (!found && types ~ /(^| )deb( |$)/ && tolower(enabled) != "no") {
					n = split(suites, s, /[ \t]+/)
					for (i = 1; i <= n; i++) if (s[i] == rel) hit = 1
					if (hit) {
						split(uris, u, /[ \t]+/)
						if (u[1] ~ /^https?:\/\//) { print u[1]; found = 1; exit }
					}
				}
				types = uris = suites = enabled = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			tolower($1) == "types:" { types = field($0) }
			tolower($1) == "uris:" { uris = field($0); sub(/^[ \t]+/, "", uris) }
			tolower($1) == "suites:" { suites = field($0) }
			tolower($1) == "enabled:" { enabled = field($0) }
			END { flush() }' "$f")
		[ -z "$uri" ] || { echo "${uri%/}"; return 0; }
	done
	# one-line format: deb [OPTIONS] URI SUITE COMPONENT...
	for f in "$etc"/sources.list "$etc"/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		uri=$(awk -v rel="$release" '
			$1 != "deb" { next }
			{ i = 2 }
			$2 ~ /^\[/ { while (i <= NF && $i !~ /\]$/) i++; i++ }
			$(i) ~ /^https?:\/\// && $(i + 1) == rel { print $(i); exit }' "$f")
		[ -z "$uri" ] || { echo "${uri%/}"; return 0; }
	done
	echo "no Debian mirror for $release in the apt sources ($etc/sources.list.d/*.sources URIs:, $etc/sources.list deb lines); set PIVOTWRAP_MIRROR=http://HOST/debian" >&2
	return 1
}

# pw_hide_mirror MIRROR: copy stdin to stdout with MIRROR's host replaced
# by "<mirror>" (apt's logs name it; nothing printed here does).
pw_hide_mirror() {
	local host=${1#*://} line
	host=${host%%/*}
	while IFS= read -r line || [ -n "$line" ]; do
		if [ -n "$host" ]; then
			printf '%s\n' "${line//"$host"/<mirror>}"
		else
			printf '%s\n' "$line"
		fi
	done
}
