/*
 * station.h: an agent's clone of the bus: opening, settings, the lock,
 * the tips, commits (station.c); the work tree (worktree.c); mailboxes
 * (mailbox.c); what it fetched and trusts (verify.c); what it sent
 * (sent.c) and what became of it (status.c); making hubs and stations
 * (setup.c); the work of the tools (send.c, ack.c, report.c, lookup.c,
 * heartbeat.c, gc.c); the agents' presence (presence.c); when to go on
 * (policy.c); talking to the hub (sync.c, replay.c), over one ssh
 * connection where it can (ssh.c); the hub's sequencer (sequence.c).
 */
#ifndef STATION_H
#define STATION_H

#include "git.h"
#include "msg.h"

/* station.c: an agent's clone of the bus */

/* ahead.c: what a command lists after its fetch, read while it runs */
struct ahead {
	const char	*dir;		/* the directory to list, or NULL */
	struct buf	 list;		/* its listing (station_read_dir()) */
	struct buf	 tip;		/* the branch's tip it was read at */
	int		 valid;		/* the fetch brought nothing */
};

struct station {
	struct git	 g;
	char		*dir;		/* as given */
	char		*gitdir;	/* absolute */
	char		*worktree;	/* absolute; NULL when bare */
	char		*agent;		/* NULL when none is set */
	char		*remote;	/* bus.remote */
	int		 hub_local;	/* its URL is a path here (sync.c) */
	long		 push_ms;	/* the last push's time: the hub's
					   pace, for sync.c's backoff */
	char		*branch;	/* bus.branch */
	char		*ref;		/* refs/heads/<branch> */
	char		*tracking;	/* refs/remotes/<remote>/<branch> */
	size_t		 maxsize;	/* bus.maxSize */
	int		 lock_timeout;	/* bus.lockTimeout, seconds */
	int		 checked_out;	/* HEAD is ref, with a work tree */
	int		 sparse;	/* core.sparseCheckout: worktree.c */
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
	struct buf	 noted;		/* warnings about the index kept
					   for the user (sparse.c) */
	struct buf	 stale;		/* the journal's commit, when
					   station_recover() could not finish */
	int		 require_signed; /* bus.requireSigned: verify.c */
	struct buf	 unverified;	/* "what: why" lines of fetched
					   commits that failed verify.c */
	struct buf	 untrusted;	/* verify.c's record, once read */
	int		 untrusted_read;
	struct strvec	 ssh_env;	/* GIT_SSH_COMMAND from ssh.c, for
					   g.env: empty when left alone */
	int		 is_bus;	/* a bus station, not a skills clone:
					   its fetch brings presence too */
	struct buf	 beat;		/* a presence commit to push, or
					   empty (presence.c, sync.c) */
	int		 beat_sent;	/* the branch's push took it along */
	int		 queue_mode;	/* the hub folds queues: 1 yes, 0 no,
					   -1 not known yet (sync.c) */
	struct ahead	 ahead;		/* ahead.c */
};

int	 station_open(struct station *, const char *, const char *, int,
	    FILE *);
void	 station_close(struct station *);
int	 station_lock(struct station *);
void	 station_unlock(struct station *);
void	 station_path(const struct station *, const char *, struct buf *);
void	 station_git_noindex(const struct station *, struct git *,
	    struct strvec *);
int	 station_tips(struct station *);
void	 station_tips_args(const struct station *, const char **);
void	 station_tips_take(struct station *, struct buf *);
void	 tip_copy(struct buf *, const struct buf *);
int	 station_tips_copy(struct station *, struct buf *, struct buf *);
int	 station_update_ref(struct station *, const char *, const char *,
	    const char *);
void	 station_ident(const struct station *, struct buf *);
int	 station_commit(struct station *, struct changes *, const char *,
	    struct buf *);
int	 station_make_commits(struct station *, struct commit_spec *, size_t,
	    struct buf *);

/* sparse.c: a work tree and an index without the archives */

int	 sparse_setup(const struct git *, const char *);
int	 sparse_select(struct station *, const struct change *, size_t, int *);
int	 sparse_index(struct station *, const char *, const char *, int,
	    int);

/* ssh.c: one ssh connection for the station's git commands */

struct ssh_settings {			/* from station.c's config listing */
	struct buf	 urls;		/* "remote.<name>.url\0<url>\0", and
					   pushurl, of every remote */
	char		*command;	/* core.sshCommand (read_config) */
	char		*variant;	/* ssh.variant (read_config) */
	int		 rewrites;	/* a url.<base>.insteadOf is set */
	int		 no_reuse;	/* bus.sshReuse is false */
};

void	 ssh_setting(struct ssh_settings *, const char *, const char *);
void	 ssh_command(const struct git *, const char *,
	    const struct ssh_settings *, struct strvec *);
void	 ssh_settings_free(struct ssh_settings *);

/* worktree.c: the station's work tree, in step with its branch */

int	 station_recover(struct station *);
int	 station_populate(struct station *);
int	 station_diff(struct station *, const char *, const char *,
	    struct changes *);
int	 station_advance(struct station *, const char *, const char *,
	    const struct changes *, const char *);
int	 station_flush(struct station *);

/* mailbox.c: the messages on the station's branch */

int	 station_agents(struct station *, struct buf *);
int	 agent_listed(const struct buf *, const char *);
int	 station_has(struct station *, const char *);
int	 station_stage(struct station *, const struct msg *,
	    struct changes *);
int	 station_stage_others(struct station *, const char *, const char *,
	    size_t, struct changes *);

struct inbox_msg {
	struct msg	 m;
	char		*path;		/* in the tree: inbox-<agent>/<id>.json */
	char		*oid;		/* its blob */
	struct buf	 raw;		/* the blob's bytes */
};

struct inbox {
	struct inbox_msg *msgs;		/* oldest first */
	size_t		 n;
	int		 found;		/* the directory is on the branch */
};

int	 station_read_dir(struct station *, const char *, struct inbox *,
	    struct buf *);
void	 station_list_args(const struct station *, const char *,
	    struct buf *, const char **);
int	 station_read_archive(struct station *, const char *, const char *,
	    const char *, struct inbox *, struct buf *);
int	 station_msg_admit(struct station *, const char *, const char *,
	    struct buf *);
int	 station_msg_take(struct station *, const char *, const char *,
	    const struct cat_obj *, struct inbox_msg *, struct buf *);
void	 inbox_msg_free(struct inbox_msg *);
void	 inbox_free(struct inbox *);
void	 station_archive(const struct station *, const struct inbox_msg *,
	    struct changes *);

/*
 * for station.c, worktree.c and mailbox.c only: station_commit() moves
 * the branch itself, so it writes the journal and defers the changed
 * paths to station_flush() as station_advance() does
 */
int	 station_journal(struct station *, const char *);
void	 station_defer(struct station *, const struct changes *);

/* verify.c: a station that checks the commits it fetches */

int	 verify_begin(struct station *, const char *);
int	 verify_fetched(struct station *, const char *, const char *);
const char *verify_path_untrusted(struct station *, const char *);
int	 verify_signed_by(struct station *, const char *const *, size_t,
	    char **);

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
	char		*state;		/* its presence's state, or NULL */
};

int	 status_lookup(struct station *, struct status *, size_t);
void	 status_free_one(struct status *);
void	 status_free(struct status *, size_t);
int	 status_agents(struct station *, const char *, struct agent_status **,
	    size_t *);

/* setup.c: making hubs and stations */

/* what a new station holds besides its git directory */
enum station_tree {
	TREE_SPARSE,	/* all but the archives (sparse.c): the default */
	TREE_FULL,	/* every file of the branch */
	TREE_BARE	/* no work tree at all */
};

int	 hub_create(const char *, int, FILE *);
int	 station_create(const char *, const char *, const char *,
	    enum station_tree, const char *, FILE *, struct buf *);

/* send.c: messages staged for bus-send, all in one commit */

struct send_what {
	const char	*type;
	const char	*body;
	size_t		 bodylen;
	const char	*re;		/* NULL: none */
	const char	*id;		/* NULL: a new one */
	const struct msg_field *fields;	/* more members, as -F gives */
	size_t		 nfields;
};

struct send {
	struct station	*st;
	struct changes	 staged;
	struct buf	 ids;		/* one a line, to print */
	struct buf	 agents;	/* NUL-separated */
	struct buf	 chosen;	/* "where\0ref:path\0" of chosen ids */
	int		 fetched;	/* the agents are as fresh as can be */
	const char	*away;		/* why the hub was not reached */
	time_t		 now;
};

int	 send_begin(struct send *, struct station *, int, const char *);
int	 send_all(struct send *, const struct send_what *);
int	 send_list(struct send *, const char *, const struct send_what *);
int	 send_batch(struct send *, struct buf *);
int	 send_check_chosen(struct send *);
int	 send_commit(struct send *, struct buf *);
void	 send_free(struct send *);

/* report.c: bus-status's question (which messages) and answer */

struct report {
	struct status	*asked;		/* the messages to report */
	size_t		 n;
	int		 listing;	/* none asked: the latest sends */
	struct agent_status *agents;	/* when listing */
	size_t		 nagents;
	struct buf	 bad;		/* presence left out, NUL-separated
					   "ref: why" (presence.c) */
};

#define REPORT_INIT	{ NULL, 0, 0, NULL, 0, BUF_INIT }

void	 report_ask(struct report *, const char *);
int	 report_time(const char *, const char *, int, char *, size_t);
int	 report_gather(struct report *, struct station *, const char *,
	    const char *);
void	 report_put(const struct report *, int, struct buf *, struct buf *);
void	 report_free(struct report *);

/* lookup.c: a message by id, without reading the whole archive */

int	 lookup_archived(struct station *, const char *, const char *);

/* show.c: messages by id, wherever they are on the branch */

struct shown {
	struct inbox_msg im;
	char		*gone;		/* found only in history: "commit ts"
					   of the commit that collected it */
};

struct show {
	struct shown	*msgs;		/* sorted by id, then path */
	size_t		 n;
	struct buf	 bad;		/* "path: why" lines of the files found
					   that are not valid messages */
};

#define SHOW_INIT	{ NULL, 0, BUF_INIT }

int	 show_lookup(struct station *, const char *const *, size_t, char *,
	    struct show *);
size_t	 show_find(const struct show *, const char *, size_t *);
void	 show_free(struct show *);

/* thread.c: the threads re links messages into, and their order */

int	 thread_ids(struct station *, const char *const *, size_t,
	    struct strvec *);
void	 thread_order(const struct show *, size_t *);

/* ack.c: read messages moved to the archive, and the replies */

int	 ack_stage(struct station *, const char *const *, size_t, int,
	    struct changes *, struct buf *);

/* gc.c: archive days dropped from the tip tree (bus-gc) */

int	 gc_days(struct station *, const char *, struct strvec *);
int	 gc_stage(struct station *, const struct strvec *, struct changes *);

/* heartbeat.c: when to beat; the heartbeat messages of older stations */

int	 heartbeat_interval(const struct station *, long *);
int	 heartbeat_send(struct station *, long, const char *);
int	 heartbeat_read(struct station *);

/* presence.c: an agent's last heartbeat and state, a ref on the hub */

#define PRESENCE_REF	"refs/bus/presence/"	/* + agent: on the hub; in a
						   station, its own last beat */
#define PRESENCE_HUB	"refs/bus/hub-presence/" /* + agent: the hub's, in
						   a station, as fetched */
#define QUEUE_REF	"refs/bus/queue/"	/* + agent: its commits, on the
						   hub, for the sequencer */
#define QUEUE_MODE_REF	"refs/bus/mode/queue"	/* on a hub that folds the
						   queues (sequence.c) */
#define QUEUE_MODE_HUB	"refs/bus/hub-mode/queue" /* the mode ref, as
						   a station fetched it */
#define PRESENCE_FILE	"presence.json"		/* the one file of its tree */
#define PRESENCE_ENTRY	"100644 " PRESENCE_FILE	/* that tree's one entry */
#define PRESENCE_MAX	8192			/* bytes of the file */
#define PRESENCE_STATE_MAX 1024			/* bytes of its state */

struct presence {
	char		 agent[33];
	char		 ts[32];
	char		*state;		/* NULL: none */
	char		*why;		/* NULL, or why it is not taken */
};

int	 presence_parse(struct presence *, const char *, size_t);
void	 presence_write(const struct presence *, struct buf *);
void	 presence_free(struct presence *);
int	 presence_load(const struct git *, const char *const *, size_t,
	    struct presence *);
int	 presence_check_state(const char *);
int	 presence_beat(struct station *, const char *);
int	 presence_pending(struct station *);
int	 presence_gather(struct station *, struct agent_status *, size_t,
	    struct buf *);

/* policy.c: when talking with the hub fails, go on or stop, and the status */

enum policy_stage {
	POLICY_LOCK,			/* taking the station's lock */
	POLICY_SYNC,			/* the sync before the tool's work */
	POLICY_PUSH			/* the push of the work committed */
};

struct policy {
	int		 go_on;		/* the tool goes on from the station */
	int		 status;	/* the exit status this gives */
	const char	*note;		/* said after the error when going on */
};

struct policy policy_decide(enum policy_stage, int);
int	 policy_worse(int, int);

/* sync.c: fetch, fast-forward or replay, push with retries */

#define SYNC_REFUSED	"refs/bus/refused/"	/* + the id of a commit the
						   hub's hook refused */

/* A commit of the station that the hub does not have, to replay. */
struct sync_queue_item {
	struct own_commit c;		/* its id, first parent ("" for a
					   root) and changes from it */
	struct buf	 raw;		/* the commit object */
	char		*author;
	char		*committer;
	const char	*message;	/* into raw */
};

enum sync_pushed {
	SYNC_PUSH_ERROR = -1,		/* git could not be run */
	SYNC_PUSH_DONE,			/* the hub took it */
	SYNC_PUSH_REFUSED,		/* the hub's hook refused it */
	SYNC_PUSH_FAILED,		/* the hub moved, or was busy: may pass */
	SYNC_PUSH_AWAY			/* the hub did not answer at all */
};

int	 sync_fetch(struct station *);
int	 sync_hub_refs(struct station *);
int	 sync_integrate(struct station *);
int	 sync_push(struct station *);
int	 sync_push_keep(struct station *);
int	 sync_push_beat(struct station *);
int	 sync_hub_moved(struct station *);
long	 sync_count(struct station *, const char *, const char *);
/* replay.c: the station's commits the hub lacks, made again on its tip */
int	 sync_replay(struct station *, const char *, const char *);
int	 sync_queue_read(struct station *, const char *, const char *,
	    struct sync_queue_item **, size_t *);
void	 sync_queue_spec(struct sync_queue_item *, const char *,
	    struct commit_spec *);
void	 sync_queue_free(struct sync_queue_item *, size_t);
int	 sync_check_preimages(const struct git *, const char *,
	    struct changes *, size_t, char *);
enum sync_pushed sync_push_one(struct station *, const char *, struct buf *);
int	 sync_push_retry(struct station *, int *, time_t, struct buf *,
	    struct buf *);
/* ahead.c: what a command reads after its fetch, read while it runs */
int	 ahead_fetch(struct station *, const char *const *, struct buf *,
	    int *);
int	 ahead_list(struct station *, const char *, struct buf *);

#endif /* STATION_H */
