/*
 * skills.h: skills-sync (SPEC section 8): the skills of local
 * directories, pushed to the canonical skills repository and pulled
 * from it through a clone of it.
 *
 * The first part is the module's API, for bin/skills-sync.c.  The
 * second is what the module's three files share and nothing else uses;
 * each name carries the prefix of the type it works on:
 *
 *	skillset.c	skills by name (skillset_*): in memory, in the
 *			clone's trees and in the bases; the plan a run
 *			leaves (skills_plan_*).  Calls neither of the others.
 *	skilldir.c	a local skills directory (skilldir_*): scanned as
 *			git sees it, installed into.  Calls skillset.c.
 *	skills.c	the clone and the two modes (skills_*).  Calls both.
 */
#ifndef SKILLS_H
#define SKILLS_H

#include <stddef.h>
#include <stdio.h>

#include "station.h"

/* skills.c: the skills clone, pushing and pulling */

struct skills_config {
	char		*repo;		/* skills.repo */
	char		*remote;	/* skills.remote */
	char		*target;	/* skills.target */
	char		**sources;	/* skills.source, in order */
	size_t		 nsources;
};

enum skills_act {
	SKILLS_PUSHED,			/* the hub has this version now */
	SKILLS_COMMITTED,		/* in the clone; the hub has not */
	SKILLS_BEHIND,			/* newer on the hub: left there */
	SKILLS_CONFLICT,		/* changed here and on the hub */
	SKILLS_INSTALLED,		/* new here */
	SKILLS_UPDATED,			/* the hub's version taken */
	SKILLS_KEPT,			/* here only, or changed here only */
	SKILLS_SKIPPED,			/* not ours to change */
	SKILLS_LEFT_OUT,		/* a path that is not synced */
	SKILLS_IN_THE_WAY		/* a conflict: an update would lose
					   what is not synced here */
};

struct skills_note {
	enum skills_act	 act;
	char		*name;		/* a skill; for LEFT_OUT a path */
	char		*why;		/* NULL, or why */
};

/* What a run did, for its report: skillset.c's skills_plan_*(). */
struct skills_plan {
	struct skills_note *notes;	/* by name, once a mode is done */
	size_t		 nnotes;
	size_t		 conflicts;	/* SKILLS_CONFLICT, SKILLS_IN_THE_WAY */
	struct buf	 warn;		/* lines for stderr */
};

#define SKILLS_DRY_RUN	0x1		/* change nothing */
#define SKILLS_FORCE	0x2		/* on a conflict, the writer wins */
#define SKILLS_VERBOSE	0x4		/* note what is left out */

struct skills {
	struct skills_plan plan;	/* what the run did */
	int		 offline;	/* the hub could not be reached */
	struct buf	 pushed;	/* the hub's tip we pushed; or empty */

	/* skills.c's own */
	struct station	 repo;		/* the clone, on its current branch */
	int		 flags;
	char		*tmp;		/* a scratch directory in its git dir */
	char		*objects;	/* dry run: its object directory */
	int		 journaled;	/* the work tree has a journal */
	struct buf	 start;		/* the branch when we began */
	struct buf	 names;		/* the names the push changed */
};

int	 skills_config(struct skills_config *, const char *, FILE *);
void	 skills_config_free(struct skills_config *);
int	 skills_open(struct skills *, const char *, const char *, int, FILE *);
int	 skills_push(struct skills *, char *const *, size_t);
int	 skills_pull(struct skills *, const char *);
int	 skills_notify(struct station *, const struct skills *, struct buf *);
void	 skills_close(struct skills *);

/*
 * Inside the module only: skillset.c, skilldir.c, skills.c (and the
 * unit test).
 */

#define SKILLS_FILE	"SKILL.md"

/* skillset.c: skills by name */

/* What sits at the top of a local directory under a name. */
enum skillset_kind {
	SKILLSET_SKILL,			/* a directory, its SKILL.md taken */
	SKILLSET_DIR,			/* another directory */
	SKILLSET_IGNORED,		/* a directory the ignore rules omit */
	SKILLSET_REPO,			/* a git repository of its own */
	SKILLSET_LINK,			/* a symlink */
	SKILLSET_FILE			/* anything else */
};

struct skillset_ent {
	char		*name;
	char		*oid;		/* its tree; NULL: none */
	enum skillset_kind kind;
	int		 taken;		/* its SKILL.md went into the index */
};

struct skillset {
	struct skillset_ent *v;
	size_t		 n;
};

#define SKILLSET_INIT	{ NULL, 0 }

int	 skillset_name_ok(const char *);
struct skillset_ent *skillset_find(const struct skillset *, const char *);
const char *skillset_oid(const struct skillset *, const char *);
struct skillset_ent *skillset_put(struct skillset *, const char *,
	    const char *);
struct skillset_ent *skillset_top(const struct skillset *, const char *);
void	 skillset_del(struct skillset *, const char *);
void	 skillset_copy(struct skillset *, const struct skillset *);
void	 skillset_sort(struct skillset *);
void	 skillset_free(struct skillset *);

/* ... in the clone: top-level trees, and each directory's base */
int	 skillset_read_tree(const struct git *, const char *,
	    struct skillset *, int);
int	 skillset_files(const struct git *, const char *, struct buf *);
int	 skillset_changed(const struct git *, const char *, const char *,
	    struct buf *);
int	 skillset_base_ref(const struct git *, const char *, struct buf *);
int	 skillset_base_read(const struct git *, const char *,
	    struct skillset *);
int	 skillset_base_write(const struct git *, const char *, const char *,
	    const struct skillset *, const struct skillset *);
int	 skillset_commit(struct station *, struct skillset *);
int	 skillset_bases_forget(const struct git *, const struct buf *,
	    const struct skillset *, const struct skillset *);

/* ... and the plan: what a mode does with a skill, and the notes */
#define SKILLS_PLAN_SAME	(-1)	/* here and the hub agree */

int	 skills_plan_push_act(const char *, const char *, const char *, int,
	    const char **);
int	 skills_plan_pull_act(const struct skillset_ent *, const char *,
	    const char *, int, const char **);
void	 skills_plan_note(struct skills_plan *, enum skills_act,
	    const char *, const char *);
void	 skills_plan_note_once(struct skills_plan *, enum skills_act,
	    const struct buf *);
void	 skills_plan_warn(struct skills_plan *, const char *);
void	 skills_plan_sort(struct skills_plan *);
void	 skills_plan_clear(struct skills_plan *);
void	 skills_plan_free(struct skills_plan *);

/* skilldir.c: a local skills directory, as git sees it and as it is written */

/* The clone, as git on a local directory needs it: filled by skills.c. */
struct skilldir_ctx {
	const struct git *g;		/* the clone */
	const char	*gitdir;	/* its git directory */
	const char	*tmp;		/* the run's scratch directory */
	const char	*objects;	/* dry run: the clone's objects */
	struct skills_plan *plan;	/* for notes and warnings */
	int		 verbose;	/* note what is left out */
};

/* A local directory as git sees it. */
struct skilldir {
	char		*dir;		/* absolute */
	struct skillset	 found;		/* what is at its top */
	struct buf	 leftout;	/* "path\0why\0" below dir */
};

int	 skilldir_scan(const struct skilldir_ctx *, const char *,
	    struct skilldir *);
void	 skilldir_free(struct skilldir *);
void	 skilldir_note_left_out(const struct skilldir_ctx *,
	    const struct skilldir *);
int	 skilldir_rules(const struct skilldir_ctx *, const char *);
const char *skilldir_in_the_way(const struct skilldir *, const char *,
	    const struct buf *);
int	 skilldir_install(const struct skilldir_ctx *, struct skilldir *,
	    const char *, struct buf *, int);
char	*skilldir_scratch(const char *);
int	 skilldir_rmtree(const char *);

#endif /* SKILLS_H */
