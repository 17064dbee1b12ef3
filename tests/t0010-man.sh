#!/bin/sh
test_description='the manual pages are clean mdoc, one for each tool'
. "$BUS_SRC_DIR/tests/test-lib.sh"

# The SYNOPSIS of a page as one line of words.
synopsis () {
	"$MANDOC" -Tascii "$1" | sed "s/.$(printf '\b')//g" |
	awk '/^SYNOPSIS/ { on = 1; next } /^[A-Z]/ { on = 0 } on' |
	tr -s ' \n' '  ' | sed 's/^ *//; s/ *$//'
}

# A tool's usage line (from -h) as one line of words.
usage_line () {
	"$1" -h | sed 's/^usage: //' | tr -s ' \n' '  ' |
	sed 's/^ *//; s/ *$//'
}

for page in "$BUS_SRC_DIR"/man/*.[0-9]; do
	name=$(basename "$page")
	if [ -z "${MANDOC:-}" ]; then
		test_skip "mandoc -Tlint $name" 'mandoc is not installed'
		continue
	fi
	# at -W style, less what depends on the machine's manual database
	# (pages of git and ssh, and ours before they are installed)
	test_expect_success "mandoc -Tlint -W style $name" "
		\"\$MANDOC\" -Tlint -W style '$page' 2>&1 |
		    grep -v 'referenced manual not found' |
		    grep -v 'mandoc.db' >out;
		test_must_be_empty out
	"
done

for tool in "$BUS_BUILD_DIR"/bin/*; do
	[ -f "$tool" ] && [ -x "$tool" ] || continue
	name=$(basename "$tool")
	page="$BUS_SRC_DIR/man/$name.1"
	test_expect_success "$name has a manual page" "test -f '$page'"
	if [ -z "${MANDOC:-}" ]; then
		test_skip "$name -h matches its SYNOPSIS" 'mandoc is not installed'
		continue
	fi
	test_expect_success "$name -h matches its SYNOPSIS" "
		synopsis '$page' >expect &&
		usage_line '$tool' >actual &&
		test_cmp expect actual
	"
done

# configure's version, as the tools print it
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
	"$BUS_BUILD_DIR/config.h")

for tool in "$BUS_BUILD_DIR"/bin/*; do
	[ -f "$tool" ] && [ -x "$tool" ] || continue
	name=$(basename "$tool")
	test_expect_success "$name --version prints its version, as its page says" "
		echo '$name (git-bus) $version' >expect &&
		'$tool' --version >actual &&
		test_cmp expect actual &&
		grep -x -F '.It Fl \-version' '$BUS_SRC_DIR/man/$name.1'
	"
done

# The pages that tell how a tool commits say what src/commit.c does:
# one git fast-import, not ls-tree, mktree and commit-tree.
for name in bus-ack bus-init bus-send; do
	test_expect_success "$name(1) says its commit is made by fast-import" "
		grep -x '.Ic git fast-import' '$BUS_SRC_DIR/man/$name.1' &&
		! grep mktree '$BUS_SRC_DIR/man/$name.1'
	"
done

test_done
