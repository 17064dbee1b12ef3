/*
 * skilldir.c: a local skills directory (SPEC section 8), as git sees
 * it and as skills-sync writes it.
 *
 * A skill is a directory at the top of a local skills directory
 * holding a regular SKILL.md.  Git decides what belongs to it: the
 * directory is listed by git ls-files as a work tree of the skills
 * clone, with an empty scratch index, so that its .skillsignore, the
 * skills repository's .gitignore and git's usual exclude files apply
 * as git applies them; its files go into that index as git add would
 * put them there, and git write-tree gives each skill's tree.  What is
 * left out (symlinks, what is ignored, other repositories, special
 * files) is noted with the reason.
 *
 * A skill of the branch is installed whole into a new hidden directory
 * beside its place, then renamed into place; what the old copy held
 * that is not synced is carried over into the new one.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layout.h"
#include "skills.h"

#define SCRATCH		"skills-sync."	/* and XXXXXX: a run's own directory */

/* git on a local directory as a work tree of the clone. */
struct srcgit {
	struct git	 g;
	struct strvec	 env;
};

/* A path inside a skill that is safe to write below its directory. */
static int
safe_path(const char *path)
{
	const char *p = path, *end;

	/* the station's own judgement of names: layout.c */
	for (;; p = end + 1) {
		end = p + strcspn(p, "/");
		if (layout_bad_name(p, (size_t)(end - p)) != NULL)
			return 0;
		if (*end == '\0')
			return 1;
	}
}

static mode_t
file_mask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if ((flag == FTW_DP || flag == FTW_DNR ? rmdir(path) :
	    unlink(path)) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/* rm -rf path, never following a symlink. */
int
skilldir_rmtree(const char *path)
{
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) == -1 &&
	    errno != ENOENT) {
		bus_seterrno("%s", path);
		return -1;
	}
	return 0;
}

/*
 * A new scratch directory in the clone's git directory, for a run's
 * index and rules; the ones of runs that were killed go first (the
 * caller holds the clone's lock).
 */
char *
skilldir_scratch(const char *gitdir)
{
	struct buf path = BUF_INIT;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(gitdir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, SCRATCH,
			    sizeof(SCRATCH) - 1) != 0 || strlen(de->d_name) !=
			    sizeof(SCRATCH) - 1 + 6)
				continue;
			buf_reset(&path);
			buf_addf(&path, "%s/%s", gitdir, de->d_name);
			(void)skilldir_rmtree(path.s);
		}
		closedir(d);
	}
	buf_reset(&path);
	buf_addf(&path, "%s/" SCRATCH "XXXXXX", gitdir);
	if (mkdtemp(path.s) == NULL) {
		bus_seterrno("%s/" SCRATCH "XXXXXX", gitdir);
		buf_free(&path);
		return NULL;
	}
	return buf_detach(&path);
}

/* Make the missing directories of path below top (a directory). */
static int
make_parents(const char *top, const char *path)
{
	struct buf dir = BUF_INIT;
	const char *p;
	int rv = 0;

	for (p = strchr(path, '/'); p != NULL; p = strchr(p + 1, '/')) {
		buf_reset(&dir);
		buf_addf(&dir, "%s/%.*s", top, (int)(p - path), path);
		if (mkdir(dir.s, 0777) == -1 && errno != EEXIST) {
			bus_seterrno("%s", dir.s);
			rv = -1;
			break;
		}
	}
	buf_free(&dir);
	return rv;
}

/* Whether something other than a directory stands above path in top. */
static int
file_above(const char *top, const char *path)
{
	struct buf dir = BUF_INIT;
	struct stat sb;
	const char *p;
	int rv = 0;

	for (p = strchr(path, '/'); p != NULL && !rv; p = strchr(p + 1, '/')) {
		buf_reset(&dir);
		buf_addf(&dir, "%s/%.*s", top, (int)(p - path), path);
		rv = lstat(dir.s, &sb) == 0 && !S_ISDIR(sb.st_mode);
	}
	buf_free(&dir);
	return rv;
}

static void
sync_dir(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
}

/* git for the local directory dir, as a work tree of the clone. */
static void
srcgit_init(const struct skilldir_ctx *dc, struct srcgit *sg, const char *dir)
{
	memset(sg, 0, sizeof(*sg));
	strvec_init(&sg->env);
	strvec_pushf(&sg->env, "GIT_DIR=%s", dc->gitdir);
	strvec_pushf(&sg->env, "GIT_WORK_TREE=%s", dir);
	strvec_pushf(&sg->env, "GIT_INDEX_FILE=%s/index", dc->tmp);
	if (dc->objects != NULL) {
		/* a dry run writes objects only into its scratch directory */
		strvec_pushf(&sg->env, "GIT_OBJECT_DIRECTORY=%s/objects",
		    dc->tmp);
		strvec_pushf(&sg->env, "GIT_ALTERNATE_OBJECT_DIRECTORIES=%s",
		    dc->objects);
	}
	sg->g.dir = dir;
	sg->g.trace = dc->g->trace;
	sg->g.env = sg->env.v;
}

/*
 * git ls-files on dir: the files it does not ignore, or (ignored) the
 * ones it does, a wholly ignored directory as "dir/".
 */
static int
list_files(const struct skilldir_ctx *dc, struct srcgit *sg, const char *dir,
    int ignored, struct buf *out)
{
	const char *ls[] = { "ls-files", "-z", "--others",
	    "--exclude-standard", NULL };
	struct strvec args = STRVEC_INIT;
	struct buf path = BUF_INIT;
	struct stat sb;
	int rv;

	strvec_pushv(&args, ls);
	/* the repository's own rules, then the directory's, which win */
	buf_addf(&path, "%s/gitignore", dc->tmp);
	if (lstat(path.s, &sb) == 0)
		strvec_pushf(&args, "--exclude-from=%s", path.s);
	buf_reset(&path);
	buf_addf(&path, "%s/.skillsignore", dir);
	if (lstat(path.s, &sb) == 0 && S_ISREG(sb.st_mode))
		strvec_pushf(&args, "--exclude-from=%s", path.s);
	if (ignored) {
		strvec_push(&args, "--ignored");
		strvec_push(&args, "--directory");
	}
	buf_reset(out);
	rv = git_run(&sg->g, NULL, out, NULL, args.v) == 0 ? 0 : -1;
	strvec_clear(&args);
	buf_free(&path);
	return rv;
}

static void
left_out(struct skilldir *sd, const char *path, const char *why)
{
	buf_add(&sd->leftout, path, strlen(path) + 1);
	buf_add(&sd->leftout, why, strlen(why) + 1);
}

/* What is at the top of dir, into sd->found: no trees yet. */
static int
scan_top(const struct skilldir_ctx *dc, const char *dir, struct skilldir *sd)
{
	struct buf path = BUF_INIT;
	struct skillset_ent *e;
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int rv = -1;

	if ((d = opendir(dir)) == NULL) {
		bus_seterrno("%s", dir);
		bus_setclass(EX_USAGE);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (!skillset_name_ok(de->d_name)) {
			if (strstr(de->d_name, ".skills-sync-new.") != NULL ||
			    strstr(de->d_name, ".skills-sync-old.") != NULL) {
				buf_reset(&path);
				buf_addf(&path, "%s/%s: left by an interrupted "
				    "skills-sync; take back what it holds, "
				    "then remove it", dir, de->d_name);
				skills_plan_warn(dc->plan, path.s);
			}
			continue;
		}
		buf_reset(&path);
		buf_addf(&path, "%s/%s", dir, de->d_name);
		if (lstat(path.s, &sb) == -1) {
			bus_seterrno("%s", path.s);
			goto out;
		}
		e = skillset_put(&sd->found, de->d_name, NULL);
		e->kind = S_ISLNK(sb.st_mode) ? SKILLSET_LINK :
		    S_ISDIR(sb.st_mode) ? SKILLSET_DIR : SKILLSET_FILE;
		if (e->kind == SKILLSET_LINK)
			left_out(sd, de->d_name, "symlink");
	}
	if (errno != 0) {
		bus_seterrno("%s", dir);
		goto out;
	}
	skillset_sort(&sd->found);
	rv = 0;
out:
	closedir(d);
	buf_free(&path);
	return rv;
}

/* The directory at the top of path in sd, while it is just that. */
static struct skillset_ent *
undecided(struct skilldir *sd, const char *path)
{
	struct skillset_ent *e = skillset_top(&sd->found, path);

	return e != NULL && e->kind == SKILLSET_DIR ? e : NULL;
}

/*
 * What git ignores in the directories of sd and what it would add
 * (into paths, NUL-separated), with an empty index: git lists every
 * file as untracked.
 */
static int
scan_files(const struct skilldir_ctx *dc, struct srcgit *sg,
    struct skilldir *sd, struct buf *paths)
{
	struct buf list = BUF_INIT, path = BUF_INIT;
	struct skillset_ent *e;
	struct stat sb;
	char *p;
	size_t n;
	int rv = -1;

	buf_addf(&path, "%s/index", dc->tmp);
	if (unlink(path.s) == -1 && errno != ENOENT) {
		bus_seterrno("%s", path.s);
		goto out;
	}
	/* what is ignored: whole directories, and files below the others */
	if (list_files(dc, sg, sd->dir, 1, &list) == -1)
		goto out;
	for (p = NULL; (p = strvec_next(&list, p)) != NULL;) {
		if ((e = undecided(sd, p)) == NULL)
			continue;
		n = strlen(e->name);
		if (p[n + 1] == '\0')
			e->kind = SKILLSET_IGNORED;
		left_out(sd, p, "ignored");
	}
	/* what is not: the files of each directory, for the index */
	if (list_files(dc, sg, sd->dir, 0, &list) == -1)
		goto out;
	for (p = NULL; (p = strvec_next(&list, p)) != NULL;) {
		if ((e = undecided(sd, p)) == NULL)
			continue;
		n = strlen(p);
		if (p[n - 1] == '/') {
			/* git lists a repository as a directory, not inside */
			if (n == strlen(e->name) + 1)
				e->kind = SKILLSET_REPO;
			left_out(sd, p, "a git repository");
			continue;
		}
		buf_reset(&path);
		buf_addf(&path, "%s/%s", sd->dir, p);
		if (lstat(path.s, &sb) == -1) {
			bus_seterrno("%s", path.s);
			goto out;
		}
		if (S_ISLNK(sb.st_mode))
			left_out(sd, p, "symlink");
		else if (!S_ISREG(sb.st_mode))
			left_out(sd, p, "not a regular file");
		else {
			buf_add(paths, p, n + 1);
			if (strcmp(p + strlen(e->name) + 1, SKILLS_FILE) == 0)
				e->taken = 1;
		}
	}
	rv = 0;
out:
	buf_free(&list);
	buf_free(&path);
	return rv;
}

/* The tree of each directory of sd, with paths in the index. */
static int
scan_trees(struct srcgit *sg, struct skilldir *sd, const struct buf *paths)
{
	const char *upd[] = { "update-index", "--add", "-z", "--stdin", NULL };
	struct buf tree = BUF_INIT, out = BUF_INIT;
	struct skillset_ent *e;
	char *p, *tab;
	int rv = -1;

	if (git_run(&sg->g, paths, NULL, NULL, upd) != 0 ||
	    git(&sg->g, &tree, "write-tree", NULL) != 0)
		goto out;
	buf_rtrim(&tree);
	if (git(&sg->g, &out, "ls-tree", "-z", tree.s, NULL) != 0)
		goto out;
	for (p = NULL; (p = strvec_next(&out, p)) != NULL;) {
		if ((tab = strchr(p, '\t')) == NULL ||
		    strncmp(p, "040000 tree ", 12) != 0 ||
		    (e = skillset_find(&sd->found, tab + 1)) == NULL)
			continue;
		*tab = '\0';
		skillset_put(&sd->found, e->name, p + 12);
		*tab = '\t';	/* the walk goes on after the whole record */
	}
	rv = 0;
out:
	buf_free(&tree);
	buf_free(&out);
	return rv;
}

/*
 * What is at the top of dir, and the tree of each directory there as
 * git would add it (symlinks, what is ignored, other repositories and
 * special files left out, and noted in sd->leftout).
 */
int
skilldir_scan(const struct skilldir_ctx *dc, const char *dir,
    struct skilldir *sd)
{
	struct srcgit sg;
	struct buf paths = BUF_INIT, path = BUF_INIT;
	struct skillset_ent *e;
	struct stat sb;
	size_t i;
	int rv = -1;

	memset(sd, 0, sizeof(*sd));
	sd->dir = xstrdup(dir);
	srcgit_init(dc, &sg, dir);
	if (scan_top(dc, dir, sd) == -1 ||
	    scan_files(dc, &sg, sd, &paths) == -1 ||
	    (paths.len > 0 && scan_trees(&sg, sd, &paths) == -1))
		goto out;
	/* a directory is a skill when its SKILL.md was taken */
	for (i = 0; i < sd->found.n; i++) {
		e = &sd->found.v[i];
		if (e->kind != SKILLSET_DIR)
			continue;
		if (e->taken) {
			e->kind = SKILLSET_SKILL;
			continue;
		}
		/* a regular SKILL.md that was not taken is ignored */
		buf_reset(&path);
		buf_addf(&path, "%s/%s/" SKILLS_FILE, dir, e->name);
		if (lstat(path.s, &sb) == 0 && S_ISREG(sb.st_mode))
			e->kind = SKILLSET_IGNORED;
	}
	rv = 0;
out:
	strvec_clear(&sg.env);
	buf_free(&paths);
	buf_free(&path);
	return rv;
}

void
skilldir_free(struct skilldir *sd)
{
	free(sd->dir);
	skillset_free(&sd->found);
	buf_free(&sd->leftout);
	memset(sd, 0, sizeof(*sd));
}

/* With -v: what a directory's scan left out, as notes. */
void
skilldir_note_left_out(const struct skilldir_ctx *dc,
    const struct skilldir *sd)
{
	struct buf path = BUF_INIT;
	const char *p, *why;

	if (!dc->verbose)
		return;
	for (why = NULL; (p = strvec_next(&sd->leftout, why)) != NULL &&
	    (why = strvec_next(&sd->leftout, p)) != NULL;) {
		buf_reset(&path);
		buf_addf(&path, "%s/%s", sd->dir, p);
		skills_plan_note(dc->plan, SKILLS_LEFT_OUT, path.s, why);
	}
	buf_free(&path);
}

/* The hub's .gitignore at rev, for list_files(), or none. */
int
skilldir_rules(const struct skilldir_ctx *dc, const char *rev)
{
	struct buf spec = BUF_INIT, data = BUF_INIT, path = BUF_INIT;
	const char *v[1];
	struct cat_obj o;
	int rv = -1;

	buf_addf(&path, "%s/gitignore", dc->tmp);
	if (unlink(path.s) == -1 && errno != ENOENT) {
		bus_seterrno("%s", path.s);
		goto out;
	}
	rv = 0;
	if (*rev == '\0')
		goto out;
	buf_addf(&spec, "%s:.gitignore", rev);
	v[0] = spec.s;
	if ((rv = git_cat_batch(dc->g, v, 1, &data, &o)) == 0 &&
	    !o.missing)
		rv = file_write(path.s, o.data, o.size);
out:
	buf_free(&spec);
	buf_free(&data);
	buf_free(&path);
	return rv;
}

/* Whether path is within (or is) the directory dir of length n. */
static int
below(const char *path, const char *dir, size_t n)
{
	return strncmp(path, dir, n) == 0 && (path[n] == '/' ||
	    path[n] == '\0');
}

/*
 * What the local copy of skill name holds that is not synced (a
 * symlink, an ignored file, a repository) and that the branch's
 * version (list, from skillset_files()) has something at, or a file
 * above: installing would lose it.  Returns its path below the skill
 * directory (with a trailing "/" for a directory), or NULL.
 */
const char *
skilldir_in_the_way(const struct skilldir *sd, const char *name,
    const struct buf *list)
{
	const char *p, *why, *rel, *f, *tab;
	size_t n = strlen(name), len;

	for (why = NULL; (p = strvec_next(&sd->leftout, why)) != NULL &&
	    (why = strvec_next(&sd->leftout, p)) != NULL;) {
		if (!below(p, name, n) || p[n] == '\0' || p[n + 1] == '\0')
			continue;
		rel = p + n + 1;
		if ((len = strlen(rel)) > 0 && rel[len - 1] == '/')
			len--;
		for (f = NULL; (f = strvec_next(list, f)) != NULL;) {
			if ((tab = strchr(f, '\t')) == NULL)
				continue;
			tab++;
			/* the same path, or a file where it needs a directory */
			if ((strlen(tab) == len && strncmp(tab, rel, len) == 0) ||
			    (strncmp(f, "040000 ", 7) != 0 &&
			    below(rel, tab, strlen(tab))))
				return rel;
		}
	}
	return NULL;
}

/*
 * Move what skill name's copy in from holds that is not synced into
 * the same place in the copy in to, where nothing is in the way (the
 * caller has checked with skilldir_in_the_way(), or forces).
 */
static int
carry_over(struct skilldir *sd, const char *name, const char *from_top,
    const char *to_top)
{
	struct buf from = BUF_INIT, to = BUF_INIT, rel = BUF_INIT;
	const char *p, *why;
	struct stat sb;
	size_t n = strlen(name);
	int rv = -1;

	for (why = NULL; (p = strvec_next(&sd->leftout, why)) != NULL &&
	    (why = strvec_next(&sd->leftout, p)) != NULL;) {
		if (!below(p, name, n) || p[n] == '\0' || p[n + 1] == '\0')
			continue;
		buf_reset(&rel);
		buf_adds(&rel, p + n + 1);
		if (rel.s[rel.len - 1] == '/')
			rel.s[--rel.len] = '\0';
		buf_reset(&from);
		buf_addf(&from, "%s/%s", from_top, rel.s);
		buf_reset(&to);
		buf_addf(&to, "%s/%s", to_top, rel.s);
		/* something at it or a file above it: only when forced */
		if (lstat(to.s, &sb) == 0 || file_above(to_top, rel.s) ||
		    lstat(from.s, &sb) == -1)
			continue;
		if (make_parents(to_top, rel.s) == -1)
			goto out;
		if (rename(from.s, to.s) == -1) {
			bus_seterrno("rename %s", from.s);
			goto out;
		}
	}
	rv = 0;
out:
	buf_free(&from);
	buf_free(&to);
	buf_free(&rel);
	return rv;
}

/*
 * Write the files of skill name of the branch (list, from
 * skillset_files(), which this takes apart) into the new directory
 * new, then make it as the umask says.
 */
static int
write_new(const struct skilldir_ctx *dc, const struct skilldir *sd,
    const char *name, struct buf *list, const char *new)
{
	struct buf blobs = BUF_INIT, path = BUF_INIT, why = BUF_INIT;
	struct strvec oids = STRVEC_INIT, paths = STRVEC_INIT;
	struct strvec modes = STRVEC_INIT;
	struct cat_obj *obj = NULL;
	char *p, *next, *tab;
	mode_t mask = file_mask(), mode;
	size_t i;
	int rv = -1;

	/* the next record is found first: this one is cut in place */
	for (p = strvec_next(list, NULL); p != NULL; p = next) {
		next = strvec_next(list, p);
		if ((tab = strchr(p, '\t')) == NULL)
			continue;
		*tab++ = '\0';
		if (!safe_path(tab)) {
			bus_seterr("%s/%s: not a path to write", name, tab);
			bus_setclass(EX_DATAERR);
			goto out;
		}
		buf_reset(&path);
		buf_addf(&path, "%s/%s", new, tab);
		if (strncmp(p, "040000 ", 7) == 0) {
			if (mkdir(path.s, 0777) == -1) {
				bus_seterrno("%s", path.s);
				goto out;
			}
		} else if (strncmp(p, "100644 blob ", 12) == 0 ||
		    strncmp(p, "100755 blob ", 12) == 0) {
			strvec_push(&modes, p);
			strvec_push(&oids, p + 12);
			strvec_push(&paths, tab);
		} else if (dc->verbose) {
			buf_reset(&why);
			buf_addf(&why, "%s/%s/%s", sd->dir, name, tab);
			skills_plan_note(dc->plan, SKILLS_LEFT_OUT, why.s,
			    strncmp(p, "120000", 6) == 0 ?
			    "symlink on the hub" : "not a file on the hub");
		}
	}
	obj = xreallocarray(NULL, oids.n + 1, sizeof(*obj));
	if (git_cat_batch(dc->g, oids.v, oids.n, &blobs, obj) == -1)
		goto out;
	for (i = 0; i < oids.n; i++) {
		if (obj[i].missing) {
			bus_seterr("%s/%s: blob %s is missing", name,
			    paths.v[i], oids.v[i]);
			goto out;
		}
		buf_reset(&path);
		buf_addf(&path, "%s/%s", new, paths.v[i]);
		mode = strncmp(modes.v[i], "100755", 6) == 0 ? 0777 : 0666;
		if (file_write_atomic(path.s, obj[i].data != NULL ?
		    obj[i].data : "", obj[i].size, mode & ~mask) == -1)
			goto out;
	}
	if (chmod(new, 0777 & ~mask) == -1) {
		bus_seterrno("%s", new);
		goto out;
	}
	sync_dir(new);
	rv = 0;
out:
	strvec_clear(&oids);
	strvec_clear(&paths);
	strvec_clear(&modes);
	free(obj);
	buf_free(&blobs);
	buf_free(&path);
	buf_free(&why);
	return rv;
}

/*
 * Write the skill name of the branch (its files in list, from
 * skillset_files(), which this takes apart) into the directory of sd:
 * first whole into a new hidden directory beside it, then renamed
 * into place, the old copy (if any) renamed aside first and removed
 * last.  What the old copy holds that is not synced goes into the new
 * one; if a step after that fails, it goes back.
 */
int
skilldir_install(const struct skilldir_ctx *dc, struct skilldir *sd,
    const char *name, struct buf *list, int exists)
{
	struct buf dest = BUF_INIT;
	char new[PATH_MAX], aside[PATH_MAX];
	int rv = -1, carried = 0;

	new[0] = aside[0] = '\0';
	buf_addf(&dest, "%s/%s", sd->dir, name);
	if ((size_t)snprintf(new, sizeof(new), "%s/.%s.skills-sync-new.XXXXXX",
	    sd->dir, name) >= sizeof(new) || (size_t)snprintf(aside,
	    sizeof(aside), "%s/.%s.skills-sync-old.XXXXXX", sd->dir, name) >=
	    sizeof(aside)) {
		bus_seterr("%s: path too long", dest.s);
		new[0] = aside[0] = '\0';
		goto out;
	}
	if (mkdtemp(new) == NULL) {
		bus_seterrno("%s", new);
		new[0] = aside[0] = '\0';
		goto out;
	}
	if (write_new(dc, sd, name, list, new) == -1)
		goto out;
	if (!exists) {
		if (rename(new, dest.s) == -1) {
			bus_seterrno("rename %s", dest.s);
			goto out;
		}
		new[0] = '\0';
		rv = 0;
		goto out;
	}
	if (mkdtemp(aside) == NULL) {
		bus_seterrno("%s", aside);
		aside[0] = '\0';
		goto out;
	}
	/* from here on, the new directory may hold the user's files */
	carried = 1;
	if (carry_over(sd, name, dest.s, new) == -1)
		goto out;
	if (rename(dest.s, aside) == -1) {
		bus_seterrno("rename %s", dest.s);
		goto out;
	}
	if (rename(new, dest.s) == -1) {
		bus_seterrno("rename %s", dest.s);
		if (rename(aside, dest.s) == -1) {
			bus_seterr("%s; the old copy is in %s", bus_error(),
			    aside);
			aside[0] = '\0';
		}
		goto out;
	}
	new[0] = '\0';
	rv = skilldir_rmtree(aside);
	aside[0] = '\0';
out:
	if (new[0] != '\0' && carried) {
		/* failed after the move: the user's files go back */
		bus_errhold();
		if (carry_over(sd, name, new, dest.s) == 0)
			carried = 0;
		bus_errrelease();
		if (carried)
			bus_seterr("%s; unsynced files of %s are left in %s",
			    bus_error(), name, new);
	}
	if (new[0] != '\0' && !carried)
		(void)skilldir_rmtree(new);
	if (aside[0] != '\0')
		(void)rmdir(aside);
	if (rv == 0)
		sync_dir(sd->dir);
	buf_free(&dest);
	return rv;
}
