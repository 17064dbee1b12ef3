#!/bin/sh
# json-scale.sh: is strict JSON parsing linear in the input?
#
# For several shapes of document, parse a 100 KiB and a 1 MiB instance
# (median of 21 parses each) and print both times and their ratio.
# Linear parsing gives a ratio near 10; quadratic behaviour would give
# about 100.  Run with: make bench
set -eu
. "$(dirname "$0")/lib.sh"
tool=${1:-./bench/json-time}

# gen SHAPE BYTES: a valid document of about BYTES bytes.
gen () {
	awk -v shape="$1" -v size="$2" 'BEGIN {
		if (shape == "string") {
			printf "{\"body\":\""
			for (n = 0; n < size - 12; n += 10) printf "abc\\n\\u00e9x"
			printf "\"}"
		} else if (shape == "keys") {
			printf "{"
			for (i = 0; n < size; i++) {
				s = sprintf("%s\"key-%d\":%d", i ? "," : "", i, i)
				printf "%s", s; n += length(s)
			}
			printf "}"
		} else if (shape == "numbers") {
			printf "["
			for (i = 0; n < size; i++) {
				s = sprintf("%s%d.5e-3", i ? "," : "", i)
				printf "%s", s; n += length(s)
			}
			printf "]"
		} else if (shape == "objects") {
			printf "["
			for (i = 0; n < size; i++) {
				s = sprintf("%s{\"id\":\"m%d\",\"to\":[\"a\",\"b\"],\"ok\":true}", i ? "," : "", i)
				printf "%s", s; n += length(s)
			}
			printf "]"
		} else if (shape == "nested") {
			for (i = 0; n < size; i++) {
				s = sprintf("%s", i ? "," : "")
				for (d = 0; d < 60; d++) s = s "["
				for (d = 0; d < 60; d++) s = s "]"
				printf "%s", s; n += length(s)
			}
		}
	}' | if [ "$1" = nested ]; then { printf '['; cat; printf ']'; }; else cat; fi
}

printf '%-10s %12s %12s %8s\n' shape '100KiB(us)' '1MiB(us)' ratio
for shape in string keys numbers objects nested; do
	gen $shape 102400 >"$tmp/small.json"
	gen $shape 1048576 >"$tmp/big.json"
	small=$("$tool" "$tmp/small.json")
	big=$("$tool" "$tmp/big.json")
	awk -v s="$small" -v b="$big" -v n="$shape" \
		'BEGIN { printf "%-10s %12d %12d %8.1f\n", n, s, b, b / (s ? s : 1) }'
done
