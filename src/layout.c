/*
 * layout.c: which paths of a tree a station may write, and which the
 * hub may take (SPEC sections 2 and 7, "Trust").
 *
 * A station never trusts its hub: the hub may run no hook at all, or
 * be someone else's.  So every path that arrives in a tree is judged
 * here before it touches the file system, the way git's verify_path()
 * and fsck's hasDotgit judge theirs, and more strictly: only the
 * layout is written.  A name that a file system could take for .git,
 * or that climbs out of the work tree, or a symlink, a submodule or an
 * executable, is dangerous; a plain file outside the layout (a
 * directory that a newer version adds, say) is merely unknown.
 */
#include "config.h"

#include <string.h>

#include "layout.h"
#include "msg.h"
#include "util.h"

/*
 * Code points that HFS+ ignores when it compares names, so that
 * ".g\u200cit" is ".git" there (git's is_hfs_dotgit knows them too).
 */
static int
hfs_ignorable(unsigned long cp)
{
	return (cp >= 0x200c && cp <= 0x200f) ||
	    (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff;
}

/* Decode the UTF-8 sequence at s (valid, as checked before); its length. */
static size_t
utf8_decode(const unsigned char *s, size_t len, unsigned long *cp)
{
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if (n > len)
		n = len;
	*cp = s[0] & (0x3f >> (n - 1));
	for (i = 1; i < n; i++)
		*cp = (*cp << 6) | (s[i] & 0x3f);
	return n;
}

/*
 * Would a file system take this name (valid UTF-8) for ".git"?  Case
 * folds (".GIT"); HFS+ drops the ignorable code points; NTFS drops
 * trailing dots and spaces, reads "name:stream" as name, and knows
 * ".git" by its short name "GIT~1" (any "git~N" is refused: the
 * number depends on what else the directory held).
 */
int
layout_is_dotgit(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	char folded[16];
	unsigned long cp;
	size_t i = 0, n = 0, k;

	while (i < len) {
		i += utf8_decode(s + i, len - i, &cp);
		if (hfs_ignorable(cp))
			continue;
		if (cp == ':')
			break;		/* an NTFS stream of the name before */
		if (cp >= 0x80)
			return 0;
		if (n == sizeof(folded)) {
			/* only trailing dots and spaces may follow .git */
			if (cp == '.' || cp == ' ')
				continue;
			return 0;
		}
		folded[n++] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
	}
	while (n > 0 && (folded[n - 1] == '.' || folded[n - 1] == ' '))
		n--;
	if (n == 4 && memcmp(folded, ".git", 4) == 0)
		return 1;
	if (n < 5 || memcmp(folded, "git~", 4) != 0)
		return 0;
	for (k = 4; k < n; k++)
		if (folded[k] < '0' || folded[k] > '9')
			return 0;
	return 1;
}

/* Why one component of a path must never reach a file system, or NULL. */
const char *
layout_bad_name(const char *name, size_t len)
{
	size_t i;

	if (len == 0)
		return "an empty name";
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return "a . or .. name";
	for (i = 0; i < len; i++) {
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return "a name with a control character";
		if (name[i] == '\\')
			return "a name with a backslash (a separator on "
			    "Windows)";
	}
	if (!utf8_valid(name, len))
		return "a name that is not UTF-8";
	if (layout_is_dotgit(name, len))
		return "a name a file system may take for .git";
	return NULL;
}

/* Is the component [p, p+n) an agent's directory, inbox- or archive-? */
static int
agent_dir(const char *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n > k && strncmp(p, prefix, k) == 0 &&
	    valid_agent(p + k, n - k);
}

/* Is [p, p+n) "<id>.json", or, where keep_ok, ".keep"? */
static int
message_name(const char *p, size_t n, int keep_ok)
{
	if (keep_ok && n == 5 && strncmp(p, ".keep", 5) == 0)
		return 1;
	return n > 5 && strncmp(p + n - 5, ".json", 5) == 0 &&
	    valid_id(p, n - 5);
}

/* Is path one of the layout's (names checked already)? */
static int
in_layout(const char *path)
{
	const char *c[4];
	size_t len[4], n = 0;
	const char *p = path, *slash;

	/* at most three components: archive-<agent>/<day>/<id>.json */
	for (;;) {
		if (n == 3)
			return 0;
		c[n] = p;
		slash = strchr(p, '/');
		len[n] = slash != NULL ? (size_t)(slash - p) : strlen(p);
		n++;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	if (n == 1)
		return strcmp(path, "README.md") == 0 ||
		    strcmp(path, ".gitattributes") == 0;
	if (strcmp(path, "user-sync/USER.md") == 0 ||
	    strcmp(path, ".bus/allowed_signers") == 0)
		return 1;
	if (agent_dir(c[0], len[0], "inbox-"))
		return n == 2 && message_name(c[1], len[1], 1);
	if (!agent_dir(c[0], len[0], "archive-"))
		return 0;
	if (n == 2)
		return message_name(c[1], len[1], 1);
	return valid_day(c[1], len[1]) && message_name(c[2], len[2], 0);
}

/*
 * Judge a path that arrives in a tree with its mode ("100644"; NULL
 * when it is being removed, so that only its name counts).  *why says
 * what is wrong with anything but a LAYOUT_OK.
 */
enum layout_kind
layout_classify(const char *path, const char *mode, const char **why)
{
	const char *p, *end;

	for (p = path;; p = end + 1) {
		end = p + strcspn(p, "/");
		if ((*why = layout_bad_name(p, (size_t)(end - p))) != NULL)
			return LAYOUT_DANGEROUS;
		if (*end == '\0')
			break;
	}
	if (mode != NULL && strcmp(mode, "100644") != 0) {
		*why = strcmp(mode, "120000") == 0 ? "a symlink" :
		    strcmp(mode, "160000") == 0 ? "a submodule (gitlink)" :
		    strcmp(mode, "100755") == 0 ? "an executable file" :
		    "not a regular file";
		return LAYOUT_DANGEROUS;
	}
	if (in_layout(path)) {
		*why = NULL;
		return LAYOUT_OK;
	}
	*why = "not in the bus layout";
	return LAYOUT_UNKNOWN;
}

/* Is the attribute [p, p+n) one that leaves a file's bytes alone? */
static int
attr_inert(const char *p, size_t n)
{
	static const char *const names[] = { "merge", "diff" };
	size_t i, k;

	if (n == 5 && strncmp(p, "-text", 5) == 0)
		return 1;
	if (n == 6 && strncmp(p, "binary", 6) == 0)
		return 1;
	if (n > 0 && (*p == '-' || *p == '!'))
		p++, n--;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		k = strlen(names[i]);
		if (n >= k && strncmp(p, names[i], k) == 0 &&
		    (n == k || p[k] == '='))
			return 1;
	}
	return 0;
}

/*
 * Why the bytes of a layout file must not reach a work tree, or NULL.
 * Only .gitattributes matters: git reads it when it hashes the work
 * tree's files, and a filter, an encoding or an end-of-line rule
 * there could make every later index update fail (and a filter names
 * a program).  The layout's own line sets a merge driver; lines that
 * set only merge, diff, -text or binary are taken too.
 */
const char *
layout_bad_content(const char *path, const char *data, size_t len)
{
	const char *p, *end, *eol, *t;
	size_t n;

	if (strcmp(path, ".gitattributes") != 0)
		return NULL;
	if (memchr(data, '\0', len) != NULL || !utf8_valid(data, len))
		return "a .gitattributes that is not text";
	for (p = data, end = data + len; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p == eol || *p == '#')
			continue;
		if (*p == '[')
			return "a .gitattributes that defines a macro";
		/* git unquotes "..." and reads attributes right after it */
		if (*p == '"')
			return "a .gitattributes with a quoted pattern";
		/* the pattern, then the attributes */
		p += strcspn(p, " \t\r\n");
		for (;;) {
			while (p < eol && (*p == ' ' || *p == '\t' ||
			    *p == '\r'))
				p++;
			if (p >= eol)
				break;
			for (t = p; t < eol && *t != ' ' && *t != '\t' &&
			    *t != '\r'; t++)
				;
			n = (size_t)(t - p);
			if (!attr_inert(p, n))
				return "a .gitattributes that sets more than "
				    "merge, diff, -text or binary";
			p = t;
		}
	}
	return NULL;
}

/*
 * git's object checks that a fetch or clone by a station must not turn
 * into refusals (with transfer.fsckObjects set, say): history that
 * merely holds such entries would jam the station for good, even
 * after the hub is cleaned by a commit on top, and this file's own
 * judgement is what keeps them out of the work tree.
 */
static const char *const fsck_path_ids[] = { "hasDot", "hasDotdot",
    "hasDotgit", "emptyName", "fullPathname", "zeroPaddedFilemode",
    "badFilemode", "nullSha1", "duplicateEntries", "treeNotSorted",
    "gitmodulesSymlink", "gitmodulesName", "gitmodulesPath",
    "gitmodulesUrl", "gitmodulesUpdate", "gitmodulesBlob",
    "gitmodulesLarge", "gitmodulesMissing", "gitmodulesParse",
    "gitattributesSymlink", "gitignoreSymlink", "mailmapSymlink" };

/*
 * Push "-c fetch.fsck.<id>=warn" for each of them onto args, before
 * the fetch or clone they are for.
 */
void
layout_fsck_args(struct strvec *args)
{
	size_t i;

	for (i = 0; i < sizeof(fsck_path_ids) / sizeof(fsck_path_ids[0]);
	    i++) {
		strvec_push(args, "-c");
		strvec_pushf(args, "fetch.fsck.%s=warn", fsck_path_ids[i]);
	}
}
