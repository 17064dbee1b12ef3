/*
 * bus.h: the internal library shared by every git-bus tool.
 *
 * One section per file of src/.  The library never prints and never
 * exits: a function that fails returns -1 (or NULL) and leaves a
 * message for bus_error() to return; main() decides what to say and
 * which exit status to use.
 */
#ifndef BUS_H
#define BUS_H

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* jsmn is compiled once, in jsmn.c, with these settings. */
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#define JSMN_HEADER
#include <jsmn.h>

/* error.c: the last error, for main() to report */

/* The kinds of failure, numbered as the exit statuses of SPEC section 4. */
enum bus_fail {
	FAIL_USAGE = 64,	/* bad invocation or set-up */
	FAIL_DATA = 65,		/* invalid message or input */
	FAIL_NOMSG = 66,	/* no such message */
	FAIL_AGENT = 67,	/* unknown agent */
	FAIL_INTERNAL = 70,	/* anything else */
	FAIL_TEMP = 75		/* try again: hub unreachable, station busy */
};

void		 bus_seterr(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 bus_seterrno(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 bus_setclass(enum bus_fail);
enum bus_fail	 bus_errclass(void);
const char	*bus_error(void);

/* buf.c: a growable byte buffer; len is authoritative, s[len] is NUL */

struct buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT	{ NULL, 0, 0 }

void	 buf_grow(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, int);
void	 buf_adds(struct buf *, const char *);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vaddf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
void	 buf_rtrim(struct buf *);
char	*buf_detach(struct buf *);

/* buf.c too: allocations that exit on failure, the library's only exit */
void	*xmalloc(size_t);
void	*xreallocarray(void *, size_t, size_t);
void	*xcalloc(size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

/* file.c: whole-file reads and atomic writes */

int	 file_read(const char *, struct buf *, size_t);
int	 fd_read_all(int, struct buf *, size_t);
int	 file_write_atomic(const char *, const void *, size_t, mode_t);
int	 file_write(const char *, const void *, size_t);
int	 file_write_temp(char *, const void *, size_t);
int	 file_append(const char *, const void *, size_t);
const char *path_base(const char *);
int	 read_operands(FILE *, int, void (*)(const char *, void *), void *);

/* run.c: run a program with posix_spawn, never through a shell */

struct run {
	const char *const *argv;	/* argv[0] is looked up in PATH */
	const char *const *env_set;	/* "NAME=value" entries, or NULL */
	const char *const *env_unset;	/* "NAME" entries, or NULL */
	const void	*in;		/* stdin bytes; NULL: /dev/null */
	size_t		 inlen;
	struct buf	*out;		/* captured stdout; NULL: /dev/null */
	struct buf	*err;		/* captured stderr; NULL: ours */
	int		 timeout_ms;	/* > 0: kill the child after this */
	int		 keep_fd;	/* > 2: a descriptor the child keeps */
	int		 new_group;	/* lead a process group, all killed
					   on timeout (else in ours) */

	/* results */
	int		 status;	/* exit status, or 128 + signal */
	int		 signal;	/* the signal that killed it, or 0 */
	int		 timed_out;	/* killed because of timeout_ms */
};

int	 run(struct run *);
char	*run_find(const char *);

/* git.c: run git with prompts off and a stable locale */

struct git {
	const char	*dir;		/* the repository: git -C dir */
	FILE		*trace;		/* -v: each command echoed here */
	const char *const *env;		/* more "NAME=value" for git, or NULL */
	int		 lockfd;	/* > 2: the station's lock, held by the
					   commands that write refs or the index */
};

int	 git_run(const struct git *, const struct buf *, struct buf *,
	    struct buf *, const char *const *);
int	 git(const struct git *, struct buf *, const char *, ...)
	    __attribute__((sentinel));
const char *git_program(void);
int	 git_empty_tree(const struct git *, struct buf *);
int	 git_is_ancestor(const struct git *, const char *, const char *);

struct cat_obj {
	const char	*data;		/* into the output buffer */
	size_t		 size;
	int		 missing;
};

int	 git_cat_batch(const struct git *, const char *const *, size_t,
	    struct buf *, struct cat_obj *);
int	 git_oids(const struct git *, const char *const *, size_t,
	    struct buf *, const char **);

/* json.c: strict RFC 8259 on top of the jsmn tokenizer */

#define JSON_MAX_DEPTH	64
#define JSON_MAX_SIZE	(64 * 1024 * 1024)

struct json {
	const char	*s;		/* the document; not owned */
	size_t		 len;
	jsmntok_t	*tok;
	int		 ntok;
};

int	 json_parse(struct json *, const char *, size_t);
void	 json_free(struct json *);
int	 json_next(const struct json *, int);
int	 json_key_is(const struct json *, int, const char *);
int	 json_unescape(const struct json *, int, struct buf *);
int	 json_put_string(struct buf *, const char *, size_t);
int	 json_put_compact(struct buf *, const struct json *, int);
int	 utf8_valid(const char *, size_t);
size_t	 utf8_len(const char *, size_t);

/* text.c: untrusted text made safe for a terminal */

void	 text_safe(struct buf *, const char *, size_t);

/* msg.c: a message file (SPEC section 3) and where it may sit */

#define MSG_MAX_SIZE	65536	/* default bus.maxSize */

struct msg_field {
	char		*key;		/* unescaped */
	struct buf	 value;		/* compact JSON text */
};

struct msg {
	char		*id;
	char		*ts;
	char		*from;
	char		*to;
	char		*type;
	struct buf	 body;		/* unescaped; may hold NUL bytes */
	char		*re;		/* NULL when absent */
	struct msg_field *others;	/* unknown members, in file order */
	size_t		 nothers;
};

enum msg_place {
	PLACE_INBOX = 1,
	PLACE_ARCHIVE,			/* archive-X/DAY/ID.json */
	PLACE_ARCHIVE_FLAT		/* archive-X/ID.json, older layout */
};

struct msg_path {
	enum msg_place	 place;
	char		 owner[33];
	char		 day[11];	/* YYYY-MM-DD, PLACE_ARCHIVE only */
	char		 id[129];
};

int	 msg_parse(struct msg *, const char *, size_t, size_t, struct buf *);
void	 msg_free(struct msg *);
int	 msg_path_parse(struct msg_path *, const char *, struct buf *);
int	 msg_check_place(const struct msg *, const struct msg_path *,
	    struct buf *);
int	 msg_check_file(const char *, size_t, struct msg *, struct buf *);
int	 msg_is_keep(const char *);
void	 msg_write(const struct msg *, struct buf *);
int	 msg_new_id(char *, size_t, const char *, time_t);
int	 msg_id_parse(const char *, char *, char *);
int	 msg_ts(char *, size_t, time_t);
int	 msg_new(struct msg *, const char *, const char *, const char *,
	    const char *, size_t, const char *, const char *, time_t);

int	 valid_agent(const char *, size_t);
int	 valid_id(const char *, size_t);
int	 valid_type(const char *, size_t);
int	 valid_ts(const char *, size_t);
int	 valid_day(const char *, size_t);

/* check.c: the protocol's rules for changes, as the hooks apply them */

struct signer {
	char		*commit;
	char		*agent;
};

struct check {
	const struct git *g;
	int		 require_signed; /* bus.requireSigned */
	struct signer	*signers;	/* good signatures, by commit */
	size_t		 nsigners;
	size_t		 maxsize;	/* bus.maxSize */
	struct buf	 report;	/* "path: reason" lines */
	size_t		 problems;
	size_t		 hexlen;	/* of an object id, once known */
	struct buf	 bad;		/* commits with a problem, NUL-
					   separated (may repeat) */
};

int	 check_commits(struct check *, const char *const *);
int	 check_staged(struct check *);
int	 check_tree(struct check *, const char *);
int	 check_ref_updates(struct check *, char *, const char *);
const char *check_signer(const struct check *, const char *);
int	 check_commit_bad(const struct check *, const char *);
void	 check_free(struct check *);

/* commit.c: commits made by git fast-import, without an index */

struct change {
	char		*path;
	char		*mode;		/* NULL: the path is removed */
	char		*oid;		/* the blob; NULL while data holds it */
	char		*old;		/* the blob it replaces, if known */
	struct buf	 data;
	int		 has_data;	/* data holds the blob's bytes */
};

struct changes {
	struct change	*c;
	size_t		 n;
	struct buf	 sent;		/* sent.c lines of staged messages */
};

#define CHANGES_INIT	{ NULL, 0, BUF_INIT }

struct commit_spec {
	const char	*parent;	/* first commit only; NULL: none */
	const char	*author;	/* "Name <email> time zone"; NULL: */
	const char	*committer;	/* the committer's */
	const char	*message;
	struct changes	*changes;
};

void	 changes_add(struct changes *, const char *, const char *,
	    const char *);
void	 changes_add_data(struct changes *, const char *, const char *,
	    size_t);
void	 changes_add_blob(struct changes *, const char *, const char *,
	    const char *, size_t);
void	 changes_copy(struct changes *, const struct change *);
void	 changes_free(struct changes *);
int	 changes_has(const struct changes *, const char *);
int	 commits_import(const struct git *, const char *, int,
	    struct commit_spec *, size_t, struct buf *);

/* station.c: an agent's clone of the bus */

struct station {
	struct git	 g;
	char		*dir;		/* as given */
	char		*gitdir;	/* absolute */
	char		*worktree;	/* absolute; NULL when bare */
	char		*agent;		/* NULL when none is set */
	char		*remote;	/* bus.remote */
	char		*branch;	/* bus.branch */
	char		*ref;		/* refs/heads/<branch> */
	char		*tracking;	/* refs/remotes/<remote>/<branch> */
	size_t		 maxsize;	/* bus.maxSize */
	int		 lock_timeout;	/* bus.lockTimeout, seconds */
	int		 checked_out;	/* HEAD is ref, with a work tree */
	int		 lockfd;
	char		*user_name;	/* user.name, for commits */
	char		*user_email;	/* user.email */
	char		*signing_key;	/* bus.signingKey: sign commits */
	char		*profile;	/* bus.profile: the user's USER.md */
	char		*merger;	/* bus.profileMerger */
	char		*heartbeat;	/* bus.heartbeat: seconds between */
	struct buf	 tip_local;	/* the tip of ref, when tips_known */
	struct buf	 tip_remote;	/* the tip of tracking */
	int		 tips_known;
	struct changes	 pending;	/* for the work tree: station_flush() */
	int		 journaled;	/* $GIT_DIR/bus-checkout written */
	struct buf	 refused;	/* "path: why (commit)" lines: entries
					   too dangerous to write (layout.c) */
	struct buf	 skipped;	/* the same, for entries outside the
					   layout, merely unknown */
	struct buf	 stale;		/* the journal's commit, when
					   station_recover() could not finish */
	int		 require_signed; /* bus.requireSigned: verify.c */
	struct buf	 unverified;	/* "what: why" lines of fetched
					   commits that failed verify.c */
	struct buf	 untrusted;	/* verify.c's record, once read */
	int		 untrusted_read;
};

int	 station_open(struct station *, const char *, const char *, int,
	    FILE *);
void	 station_close(struct station *);
int	 station_lock(struct station *);
void	 station_unlock(struct station *);
int	 station_recover(struct station *);
int	 station_populate(struct station *);
void	 station_path(const struct station *, const char *, struct buf *);
int	 station_tips(struct station *);
void	 tip_copy(struct buf *, const struct buf *);
int	 station_update_ref(struct station *, const char *, const char *,
	    const char *);
int	 station_diff(struct station *, const char *, const char *,
	    struct changes *);
int	 station_advance(struct station *, const char *, const char *,
	    const struct changes *, const char *);
int	 station_flush(struct station *);
void	 station_abort(struct station *);
int	 station_commit(struct station *, struct changes *, const char *,
	    struct buf *);
void	 station_ident(const struct station *, struct buf *);
int	 station_make_commits(struct station *, struct commit_spec *, size_t,
	    struct buf *);
int	 station_agents(struct station *, struct buf *);
int	 agent_listed(const struct buf *, const char *);
int	 station_has(struct station *, const char *);
int	 station_stage(struct station *, const struct msg *,
	    struct changes *);
int	 station_stage_others(struct station *, const char *, const char *,
	    size_t, struct changes *);
int	 parse_size(const char *, size_t *);
int	 ts_cmp(const char *, const char *);

struct inbox_msg {
	struct msg	 m;
	char		*path;		/* in the tree: inbox-<agent>/<id>.json */
	char		*oid;		/* its blob */
	struct buf	 raw;		/* the blob's bytes */
};

struct inbox {
	struct inbox_msg *msgs;		/* oldest first */
	size_t		 n;
};

int	 station_read_dir(struct station *, const char *, struct inbox *,
	    struct buf *);
void	 inbox_free(struct inbox *);
void	 station_archive(const struct station *, const struct inbox_msg *,
	    struct changes *);

/* verify.c: a station that checks the commits it fetches */

int	 verify_begin(struct station *, const char *);
int	 verify_fetched(struct station *, const char *, const char *);
const char *verify_path_untrusted(struct station *, const char *);

/* sent.c: the station's record of the messages it sent */

struct sent {
	char		*ts;		/* all four point into one line */
	char		*to;
	char		*id;
	char		*type;
};

void	 sent_note(struct changes *, const struct msg *);
int	 sent_append(const struct station *, const struct buf *);
int	 sent_scan(const struct station *,
	    int (*)(const struct sent *, void *), void *);
int	 sent_refused(const struct station *, const char *, const char *);
int	 sent_refusals(const struct station *, struct buf *);

/* status.c: what happened to sent messages; how the agents are */

enum msg_state {
	STATE_NONE,			/* found nowhere */
	STATE_QUEUED,			/* only in the station */
	STATE_DELIVERED,		/* on the hub, in the inbox */
	STATE_READ,			/* on the hub, in the archive */
	STATE_ACKED,			/* and an ack with re=id exists */
	STATE_REFUSED			/* in a commit the hub refused */
};

struct status {
	char		*id;		/* set by the caller */
	char		*to;		/* may be set by the caller */
	char		*ts;		/* may be set by the caller */
	char		*from;
	char		*type;
	enum msg_state	 state;
	char		*path;		/* where it is, in the tree */
	char		*blob;
	int		 archived;	/* read: in the recipient's archive */
	char		*read_commit;	/* the move, when found */
	char		*read_time;
	char		*ack_id;	/* the first ack */
	char		*ack_ts;
	char		*ack_from;
	char		*refused_commit; /* set aside under SYNC_REFUSED */
	char		*refused_time;	/* when, as a ts */
	char		*refused_reason; /* the hub's words, terminal-safe */
};

struct agent_status {
	char		 agent[33];
	size_t		 unread;
	char		 seen[32];	/* ts of its newest message, or "" */
	char		 heartbeat[32];	/* ts of its newest heartbeat, or "" */
};

time_t	 ts_time(const char *);
int	 status_lookup(struct station *, struct status *, size_t);
void	 status_free_one(struct status *);
void	 status_free(struct status *, size_t);
int	 status_agents(struct station *, const char *, struct agent_status **,
	    size_t *);

/* setup.c: making hubs and stations */

int	 hub_create(const char *, FILE *);
int	 station_create(const char *, const char *, const char *, int,
	    const char *, FILE *, struct buf *);

/* sync.c: fetch, fast-forward or replay, push with retries */

#define SYNC_REFUSED	"refs/bus/refused/"	/* + the id of a commit the
						   hub's hook refused */

/* A commit of the station that the hub does not have, to replay. */
struct sync_queue_item {
	char		*id;
	char		*parent;	/* its first parent; "" for a root */
	struct changes	 changes;	/* from its parent */
	struct buf	 raw;		/* the commit object */
	char		*author;
	char		*committer;
	const char	*message;	/* into raw */
};

enum sync_pushed {
	SYNC_PUSH_ERROR = -1,		/* git could not be run */
	SYNC_PUSH_DONE,			/* the hub took it */
	SYNC_PUSH_REFUSED,		/* the hub's hook refused it */
	SYNC_PUSH_FAILED		/* away, or the hub moved: may pass */
};

int	 sync_fetch(struct station *);
int	 sync_hub_refs(struct station *);
int	 sync_integrate(struct station *);
int	 sync_queued(struct station *);
int	 sync_push(struct station *);
int	 sync_push_keep(struct station *);
int	 sync_all(struct station *);
/* for refused.c: the queue, replayed as sync_integrate() does; a push */
int	 sync_queue_read(struct station *, const char *, const char *,
	    struct sync_queue_item **, size_t *);
void	 sync_queue_spec(struct sync_queue_item *, const char *,
	    struct commit_spec *);
void	 sync_queue_free(struct sync_queue_item *, size_t);
int	 sync_check_preimages(struct station *, const char *,
	    struct changes *, size_t);
enum sync_pushed sync_push_one(struct station *, const char *, struct buf *);
int	 sync_push_retry(struct station *, int *, time_t, struct buf *,
	    struct buf *);

/* profile.c: the shared profile as sections of facts */

enum fact_kind {
	FACT_BLANK,			/* a run of blank lines */
	FACT_PARA,			/* a paragraph */
	FACT_ITEM,			/* a list item, nested items included */
	FACT_FENCE,			/* a fenced code block, whole */
	FACT_FRONT			/* front matter, whole */
};

struct fact {
	enum fact_kind	 kind;
	const char	*text;		/* into the profile's text */
	size_t		 len;		/* with its line ends */
};

struct section {
	const char	*head;		/* the heading line; NULL: preamble */
	size_t		 headlen;
	struct fact	*facts;
	size_t		 n;
};

struct profile {
	char		*text;		/* a copy of the input */
	size_t		 len;
	struct section	*sections;
	size_t		 n;
};

void	 profile_parse(struct profile *, const char *, size_t);
void	 profile_write(const struct profile *, struct buf *);
void	 profile_free(struct profile *);

/* merge.c: merging profiles by facts */

void	 profile_merge(const struct profile *, const struct profile *,
	    const struct profile *, struct buf *, struct buf *);

/* merger.c: an external profile merger */

int	 merger_run(const char *, int, const struct buf *, const struct buf *,
	    const struct buf *, struct buf *);
void	 profile_merge_bytes(const char *, const struct buf *,
	    const struct buf *, const struct buf *, struct buf *,
	    struct buf *);

/* usersync.c: a station's shared profile */

int	 profile_sync(struct station *, const char *, const char *, int,
	    struct buf *, int *);

#endif /* BUS_H */
