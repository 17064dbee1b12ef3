/*
 * t-layout: which paths from a hub's tree a station writes (SPEC
 * section 7, Trust): the layout, the names a file system may take for
 * .git, and the modes that never reach a work tree.
 */
#include "config.h"

#include <string.h>

#include "layout.h"
#include "util.h"
#include "tap.h"

#define ID	"20261128T101500Z-a-0123456789ab"

static void
expect(const char *path, const char *mode, enum layout_kind want)
{
	static const char *const kinds[] = { "ok", "unknown", "dangerous" };
	enum layout_kind got;
	const char *why;
	struct buf safe = BUF_INIT;

	got = layout_classify(path, mode, &why);
	text_safe(&safe, path, strlen(path));
	ok(got == want, "%s (%s): %s, want %s%s%s", safe.s,
	    mode != NULL ? mode : "removed", kinds[got], kinds[want],
	    why != NULL ? ": " : "", why != NULL ? why : "");
	buf_free(&safe);
}

/* Would a station write this .gitattributes? */
static int
attrs_ok(const char *text)
{
	return layout_bad_content(".gitattributes", text, strlen(text)) ==
	    NULL;
}

/* The fsck checks a fetch turns into warnings: "-c" pairs, pushed on. */
static void
fsck_args(void)
{
	struct strvec args = STRVEC_INIT;
	size_t i, pairs = 0, dotgit = 0;

	strvec_push(&args, "git");
	layout_fsck_args(&args);
	for (i = 1; i + 1 < args.n && strcmp(args.v[i], "-c") == 0 &&
	    strncmp(args.v[i + 1], "fetch.fsck.", 11) == 0 &&
	    strcmp(args.v[i + 1] + strlen(args.v[i + 1]) - 5, "=warn") == 0;
	    i += 2) {
		pairs++;
		dotgit += strcmp(args.v[i + 1], "fetch.fsck.hasDotgit=warn") ==
		    0;
	}
	ok(args.n > 1 && pairs == (args.n - 1) / 2 && args.n % 2 == 1,
	    "fsck args: %zu \"-c fetch.fsck.<id>=warn\" pairs after what "
	    "was there, of %zu entries", pairs, args.n);
	ok(dotgit == 1, "fsck args: hasDotgit is one of them");
	ok(args.v[args.n] == NULL, "fsck args: NULL-terminated");
	strvec_clear(&args);
}

int
main(void)
{
	static const char *const dotgit[] = { ".git", ".GIT", ".Git",
	    ".git.", ".git ", ".git. . ", ".git::$INDEX_ALLOCATION",
	    ".git:stream", "git~1", "GIT~1", "git~12",
	    ".g\xe2\x80\x8cit", "\xef\xbb\xbf.git", ".gi\xe2\x80\x8ft",
	    ".git\xe2\x80\xaa", ".git..............................." };
	static const char *const notgit[] = { ".gitx", "git", ".gi",
	    "git~", "git~1a", "x.git", ".git~1", ".gitattributes",
	    ".g\xc3\xaft" };
	size_t i;

	/* the layout */
	expect("README.md", "100644", LAYOUT_OK);
	expect(".gitattributes", "100644", LAYOUT_OK);
	expect("user-sync/USER.md", "100644", LAYOUT_OK);
	expect(".bus/allowed_signers", "100644", LAYOUT_OK);
	expect("inbox-a/.keep", "100644", LAYOUT_OK);
	expect("inbox-a/" ID ".json", "100644", LAYOUT_OK);
	expect("archive-bob-2/.keep", "100644", LAYOUT_OK);
	expect("archive-a/" ID ".json", "100644", LAYOUT_OK);
	expect("archive-a/2026-11-28/" ID ".json", "100644", LAYOUT_OK);
	expect("inbox-a/" ID ".json", NULL, LAYOUT_OK);

	/* safe, but not the layout's: skipped */
	expect("NEWS", "100644", LAYOUT_UNKNOWN);
	expect("presence/a.json", "100644", LAYOUT_UNKNOWN);
	expect("inbox-A/" ID ".json", "100644", LAYOUT_UNKNOWN);
	expect("inbox-a/sub/" ID ".json", "100644", LAYOUT_UNKNOWN);
	expect("inbox-a/" ID ".txt", "100644", LAYOUT_UNKNOWN);
	expect("archive-a/2026-13-28/" ID ".json", "100644", LAYOUT_UNKNOWN);
	expect("archive-a/2026-11-28/.keep", "100644", LAYOUT_UNKNOWN);
	expect("archive-a/2026-11-28/x/" ID ".json", "100644",
	    LAYOUT_UNKNOWN);
	expect("user-sync/OTHER.md", "100644", LAYOUT_UNKNOWN);
	expect(".bus/hooks", "100644", LAYOUT_UNKNOWN);
	expect(".gitmodules", "100644", LAYOUT_UNKNOWN);
	expect("README.md/x", "100644", LAYOUT_UNKNOWN);

	/* never on a file system */
	expect(".git/config", "100644", LAYOUT_DANGEROUS);
	expect(".git/config", NULL, LAYOUT_DANGEROUS);
	expect("inbox-a/.git/config", "100644", LAYOUT_DANGEROUS);
	expect("../x", "100644", LAYOUT_DANGEROUS);
	expect("inbox-a/../../x", "100644", LAYOUT_DANGEROUS);
	expect("./README.md", "100644", LAYOUT_DANGEROUS);
	expect("inbox-a//x.json", "100644", LAYOUT_DANGEROUS);
	expect("/etc/passwd", "100644", LAYOUT_DANGEROUS);
	expect("inbox-a\\..\\x", "100644", LAYOUT_DANGEROUS);
	expect("inbox-a/x\n.json", "100644", LAYOUT_DANGEROUS);
	expect("inbox-a/\x1b[31m.json", "100644", LAYOUT_DANGEROUS);
	expect("inbox-a/\xff.json", "100644", LAYOUT_DANGEROUS);
	expect("inbox-a/" ID ".json", "120000", LAYOUT_DANGEROUS);
	expect("inbox-a/" ID ".json", "100755", LAYOUT_DANGEROUS);
	expect("inbox-a", "160000", LAYOUT_DANGEROUS);
	expect("README.md", "100664", LAYOUT_DANGEROUS);
	ok(attrs_ok("user-sync/USER.md merge=profile\n"),
	    "the layout's own .gitattributes");
	ok(attrs_ok("# x\n\n*.md -text diff\n"), "merge, diff, -text");
	ok(!attrs_ok("*.json filter=x\n"), "a filter");
	ok(!attrs_ok("\"*.json\"ident\n"),
	    "a quoted pattern with an attribute glued on");
	ok(!attrs_ok("[attr]x -text\n"), "a macro");
	ok(layout_bad_content("README.md", "* filter=x\n", 11) == NULL,
	    "only .gitattributes is read for what it sets");
	for (i = 0; i < sizeof(dotgit) / sizeof(dotgit[0]); i++)
		ok(layout_is_dotgit(dotgit[i], strlen(dotgit[i])),
		    "dotgit %zu is .git", i);
	for (i = 0; i < sizeof(notgit) / sizeof(notgit[0]); i++)
		ok(!layout_is_dotgit(notgit[i], strlen(notgit[i])),
		    "notgit %zu is not .git", i);
	fsck_args();
	return done_testing();
}
