/*
 * ssh.c: one ssh connection for the many git commands of a station.
 *
 * Every fetch and push over ssh is a login, hundreds of milliseconds
 * of handshake.  Where the user has not set up connection sharing, the
 * station's git commands get ssh options for a control master that
 * stays a minute after its last use, as Ansible does, so that a
 * bus-recv --wait loop or a burst of cron jobs pays one handshake.
 *
 * Nothing the user chose is changed: GIT_SSH, an ssh variant that is
 * not OpenSSH, control options in their ssh command or in their ssh
 * configuration for the hub's host, or bus.sshReuse / BUS_SSH_REUSE
 * set to false, leave git's ssh as it is.  Nothing from the hub picks
 * the command or the directory: they come from the environment, the
 * station's own configuration and ssh's.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "run.h"
#include "station.h"

#define PERSIST		60	/* seconds the master stays after its last use */
#define NAME_LEN	16	/* the socket's name: 64 bits of hash, in hex */
/* ssh binds the socket first as "<ControlPath>.<16 random characters>" */
#define BIND_SUFFIX	17
#define SOCKET_MAX	(sizeof(((struct sockaddr_un *)0)->sun_path) - 1)
/* a directory that neither the shell nor ssh's option parser reads into */
#define PLAIN_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789/._+-"

/*
 * Keep what a config listing (station.c's, setup.c's for a clone) says
 * here; the last value of a setting wins, as in git.
 */
void
ssh_setting(struct ssh_settings *s, const char *key, const char *value)
{
	size_t n = strlen(key);

	if (strcmp(key, "core.sshcommand") == 0) {
		free(s->command);
		s->command = xstrdup(value);
	} else if (strcmp(key, "ssh.variant") == 0) {
		free(s->variant);
		s->variant = xstrdup(value);
	} else if (strcmp(key, "bus.sshreuse") == 0)
		s->no_reuse = !git_config_bool(value);
	else if (strncmp(key, "url.", 4) == 0 && n > 9 &&
	    strcmp(key + n - 9, "insteadof") == 0)
		s->rewrites = 1;	/* and pushinsteadof */
	else if (strncmp(key, "remote.", 7) == 0) {
		buf_add(&s->urls, key, n + 1);
		buf_add(&s->urls, value, strlen(value) + 1);
	}
}

void
ssh_settings_free(struct ssh_settings *s)
{
	buf_free(&s->urls);
	free(s->command);
	free(s->variant);
	memset(s, 0, sizeof(*s));
}

/*
 * "[user@]host[:port]", len bytes at h, as git's get_host_and_port()
 * reads it, "[...]" holding a host with colons: dest gets "[user@]host"
 * and port the port, if any.  -1 for what git itself would refuse or
 * decode (a host that looks like an option, %-escapes).
 */
static int
host_and_port(const char *h, size_t len, struct buf *dest, struct buf *port)
{
	const char *end = h + len, *at, *host, *close, *colon;

	at = memchr(h, '@', len);
	host = at != NULL ? at + 1 : h;
	if (host < end && *host == '[' &&
	    (close = memchr(host, ']', (size_t)(end - host))) != NULL) {
		buf_add(dest, h, (size_t)(host - h));
		buf_add(dest, host + 1, (size_t)(close - host - 1));
		colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = memchr(host, ':', (size_t)(end - host));
		buf_add(dest, h, (size_t)((colon != NULL ? colon : end) - h));
	}
	if (colon != NULL)
		buf_add(port, colon + 1, (size_t)(end - colon - 1));
	if (dest->len == 0 || dest->s[0] == '-' ||
	    strspn(port->s, "0123456789") != port->len ||
	    strcspn(dest->s, "% \t\n[]") != dest->len)
		return -1;
	return 0;
}

/*
 * Whether git reaches url over ssh, and where: 1, with dest and port
 * set; 0 for another transport (a path, file://, http, git://, a
 * helper's "<name>::"); -1 for an ssh URL this file does not read.
 */
static int
ssh_dest(const char *url, struct buf *dest, struct buf *port)
{
	const char *colon, *slash, *end;
	size_t n = 0;

	buf_reset(dest);
	buf_reset(port);
	buf_add(port, "", 0);		/* a string, even when empty */
	/* a scheme, as git's is_urlschemechar() reads one */
	if (isalpha((unsigned char)url[0]))
		n = 1 + strspn(url + 1, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	if (n > 0 && strncmp(url + n, "::", 2) == 0)
		return 0;
	if (strncmp(url + n, "://", 3) == 0) {
		if (!(n == 3 && strncmp(url, "ssh", 3) == 0) &&
		    !(n == 7 && (strncmp(url, "git+ssh", 7) == 0 ||
		    strncmp(url, "ssh+git", 7) == 0)))
			return 0;
		url += n + 3;
		end = url + strcspn(url, "/");
		return host_and_port(url, (size_t)(end - url), dest, port) ==
		    -1 ? -1 : 1;
	}
	/* scp-like [user@]host:path; a colon after a slash is a path's */
	colon = strchr(url, ':');
	slash = strchr(url, '/');
	if (colon == NULL || (slash != NULL && slash < colon))
		return 0;
	if (memchr(url, '[', (size_t)(colon - url)) != NULL)
		return -1;
	buf_add(dest, url, (size_t)(colon - url));
	return dest->len == 0 || dest->s[0] == '-' ||
	    strcspn(dest->s, "% \t\n") != dest->len ? -1 : 1;
}

/*
 * The URLs git uses for the remote, NUL-separated into urls: its url
 * and pushurl settings as they are, or git's own answer when a
 * url.<base>.insteadOf rule may rewrite them.
 */
static int
remote_urls(const struct git *g, const char *remote,
    const struct ssh_settings *s, struct buf *urls)
{
	struct buf url = BUF_INIT, pushurl = BUF_INIT;
	const char *k, *v;
	size_t i;

	if (s->rewrites) {
		if (git(g, urls, "remote", "get-url", "--all", remote,
		    NULL) != 0 || git(g, urls, "remote", "get-url", "--push",
		    "--all", remote, NULL) != 0)
			return -1;
		for (i = 0; i < urls->len; i++)
			if (urls->s[i] == '\n')
				urls->s[i] = '\0';
		return 0;
	}
	buf_addf(&url, "remote.%s.url", remote);
	buf_addf(&pushurl, "remote.%s.pushurl", remote);
	for (k = NULL; (k = strvec_next(&s->urls, k)) != NULL &&
	    (v = strvec_next(&s->urls, k)) != NULL; k = v)
		if (strcmp(k, url.s) == 0 || strcmp(k, pushurl.s) == 0)
			buf_add(urls, v, strlen(v) + 1);
	buf_free(&url);
	buf_free(&pushurl);
	return 0;
}

/*
 * Where git goes over ssh for the remote: 1, with dest and port set;
 * 0 when it uses no ssh; -1, why said, when this file cannot tell, or
 * its URLs reach more than one host (the socket's name is that of one).
 */
static int
hub_dest(const struct git *g, const char *remote,
    const struct ssh_settings *s, struct buf *dest, struct buf *port,
    struct buf *why)
{
	struct buf urls = BUF_INIT, d = BUF_INIT, p = BUF_INIT;
	const char *u;
	int found = 0, rv = -1;

	if (remote_urls(g, remote, s, &urls) == -1) {
		buf_addf(why, "the URLs of %s: %s", remote, bus_error());
		goto out;
	}
	for (u = NULL; (u = strvec_next(&urls, u)) != NULL; ) {
		switch (ssh_dest(u, &d, &p)) {
		case 0:
			continue;
		case -1:
			buf_addf(why, "%s: an ssh address not read here", u);
			goto out;
		}
		if (found && (strcmp(d.s, dest->s) != 0 ||
		    strcmp(p.s, port->s) != 0)) {
			buf_addf(why, "the URLs of %s reach more than one "
			    "ssh host", remote);
			goto out;
		}
		buf_reset(dest);
		buf_add(dest, d.s, d.len);
		buf_reset(port);
		buf_add(port, p.s, p.len);
		found = 1;
	}
	rv = found;
out:
	buf_free(&urls);
	buf_free(&d);
	buf_free(&p);
	return rv;
}

/*
 * The first of flags that the ssh command passes as an option, or 0;
 * the file it names with -F, the last as for ssh, into file.
 */
static int
ssh_options(const char *cmd, const char *flags, struct buf *file)
{
	const char *p, *c;
	size_t n;
	int found = 0, value = 0;

	for (p = cmd; *p != '\0'; p += n) {
		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (value && n > 0) {
			buf_reset(file);
			buf_add(file, p, n);
		}
		value = 0;
		if (n < 2 || p[0] != '-' || p[1] == '-')
			continue;
		for (c = p + 1; c < p + n; c++) {
			if (found == 0 && strchr(flags, *c) != NULL)
				found = *c;
			if (*c == 'F' && c + 1 < p + n) {
				buf_reset(file);
				buf_add(file, c + 1, (size_t)(p + n - c - 1));
			} else if (*c == 'F')
				value = 1;
			if (strchr("BbcDEeFIiJLlmOoPpQRSWw", *c) != NULL)
				break;		/* the rest is its value */
		}
	}
	return found;
}

/*
 * The ssh command git would run, into *cmd: GIT_SSH_COMMAND, else
 * core.sshCommand, else NULL for plain ssh.  -1, why said, when it is
 * the user's to run as it is, taking no options of ours: GIT_SSH (a
 * program run without a shell, which may take no -o), or a variant
 * that is not OpenSSH.
 */
static int
user_command(const struct ssh_settings *s, const char **cmd,
    struct buf *why)
{
	const char *variant = getenv("GIT_SSH_VARIANT"), *p, *base;
	size_t n;

	if ((p = getenv("GIT_SSH")) != NULL && *p != '\0') {
		buf_adds(why, "GIT_SSH is set");
		return -1;
	}
	if (variant == NULL)
		variant = s->variant;
	if (variant != NULL && strcasecmp(variant, "ssh") != 0 &&
	    strcasecmp(variant, "auto") != 0) {
		buf_addf(why, "the ssh variant is %s", variant);
		return -1;
	}
	if ((*cmd = getenv("GIT_SSH_COMMAND")) == NULL)
		*cmd = s->command;
	if (*cmd == NULL)
		return 0;
	/* git names the variant after the program, as here */
	p = *cmd + strspn(*cmd, " \t\n");
	n = strcspn(p, " \t\n");
	for (base = p + n; base > p && base[-1] != '/'; base--)
		;
	if (n == 0 || (variant == NULL &&
	    (strncasecmp(base, "plink", 5) == 0 ||
	    strncasecmp(base, "tortoiseplink", 13) == 0))) {
		buf_addf(why, "the ssh command is \"%s\"", *cmd);
		return -1;
	}
	return 0;
}

/*
 * May the station's git commands share a connection through the ssh
 * command cmd (NULL: plain ssh)?  Not when its user has chosen control
 * options of their own, or -v, whose master would hold git's stderr
 * open until it ends; nor when sharing is turned off.  The file that
 * it names with -F goes into file.
 */
static int
reuse_allowed(const struct ssh_settings *s, const char *cmd,
    struct buf *file, struct buf *why)
{
	const char *off = getenv("BUS_SSH_REUSE");
	int f;

	if (off != NULL && *off != '\0' && !git_config_bool(off))
		buf_adds(why, "BUS_SSH_REUSE is false");
	else if (s->no_reuse)
		buf_adds(why, "bus.sshReuse is false");
	else if (cmd != NULL && (strcasestr(cmd, "controlmaster") != NULL ||
	    strcasestr(cmd, "controlpath") != NULL ||
	    strcasestr(cmd, "controlpersist") != NULL))
		buf_adds(why, "the ssh command has control options");
	else if (cmd != NULL && (f = ssh_options(cmd, "MSv", file)) != 0)
		buf_addf(why, "the ssh command has -%c", f);
	return why->len > 0 ? -1 : 0;
}

/*
 * The directory of the sockets, private and short: a Unix socket's
 * path is at most SOCKET_MAX bytes.  $XDG_RUNTIME_DIR/git-bus, else
 * /tmp/git-bus-<uid>; made if need be, and taken only when it is a
 * directory of ours that no one else may enter.
 */
static int
control_dir(struct buf *dir, struct buf *why)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	struct stat sb;

	if (x != NULL && x[0] == '/')
		buf_addf(dir, "%s/git-bus", x);
	else
		buf_addf(dir, "/tmp/git-bus-%lu", (unsigned long)getuid());
	if (strspn(dir->s, PLAIN_CHARS) != dir->len)
		buf_addf(why, "%s: a name to quote", dir->s);
	else if (dir->len + 1 + NAME_LEN + BIND_SUFFIX > SOCKET_MAX)
		buf_addf(why, "%s: too long for a socket's path", dir->s);
	else if (mkdir(dir->s, 0700) == -1 && errno != EEXIST)
		buf_addf(why, "%s: %s", dir->s, strerror(errno));
	else if (lstat(dir->s, &sb) == -1)
		buf_addf(why, "%s: %s", dir->s, strerror(errno));
	else if (!S_ISDIR(sb.st_mode) || sb.st_uid != getuid() ||
	    (sb.st_mode & 07777) != 0700)
		buf_addf(why, "%s: not a directory of ours with mode 700",
		    dir->s);
	return why->len > 0 ? -1 : 0;
}

/*
 * ssh's configuration for dest (ssh -G, with the command's -F file),
 * into out; -1, why said, when it cannot be read, or has the user's
 * own ControlMaster or ControlPath for this host.  ssh -G reads files
 * only: it makes no connection.
 */
static int
ssh_config(FILE *trace, const struct buf *dest, const struct buf *port,
    const struct buf *file, struct buf *out, struct buf *why)
{
	struct strvec argv = STRVEC_INIT;
	struct buf err = BUF_INIT;
	struct run r;
	const char *l;
	size_t i;

	strvec_push(&argv, "ssh");
	strvec_push(&argv, "-G");
	if (file->len > 0) {
		strvec_push(&argv, "-F");
		strvec_push(&argv, file->s);
	}
	if (port->len > 0) {
		strvec_push(&argv, "-p");
		strvec_push(&argv, port->s);
	}
	strvec_push(&argv, dest->s);
	for (i = 0; trace != NULL && i < argv.n; i++)
		fprintf(trace, "%s%s", i == 0 ? "+ " : " ", argv.v[i]);
	if (trace != NULL)
		fputc('\n', trace);
	memset(&r, 0, sizeof(r));
	r.argv = argv.v;
	r.out = out;
	r.err = &err;
	r.timeout_ms = 10 * 1000;	/* a Match exec of the user's, say */
	r.new_group = 1;
	if (run(&r) == -1)
		buf_addf(why, "ssh -G: %s", bus_error());
	else if (r.status != 0)
		buf_addf(why, "ssh -G %s: exit status %d", dest->s, r.status);
	for (l = out->s; why->len == 0 && l != NULL && *l != '\0';
	    l = strchr(l, '\n') != NULL ? strchr(l, '\n') + 1 : NULL)
		if ((strncmp(l, "controlmaster ", 14) == 0 &&
		    strncmp(l + 14, "false\n", 6) != 0) ||
		    strncmp(l, "controlpath ", 12) == 0)
			buf_addf(why, "the ssh configuration for %s shares "
			    "connections already", dest->s);
	strvec_clear(&argv);
	buf_free(&err);
	return why->len > 0 ? -1 : 0;
}

/* FNV-1a, 64 bits, of n bytes at p, going on from h. */
static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n-- > 0)
		h = (h ^ *c++) * 0x100000001b3ULL;
	return h;
}

/*
 * Into env, GIT_SSH_COMMAND for the station's git commands when they
 * reach the hub of remote over ssh with a command that takes options:
 * the user's command (or ssh) and after it, before the host that git
 * adds, BatchMode (a prompt for a password, a passphrase or an unknown
 * host key would hang the tool while it holds the station's lock), and
 * the options of a shared connection unless the user has set that up,
 * or turned it off.  Under -v, what was added, or why not.
 *
 * The socket is named by a hash of the ssh command and ssh's whole
 * configuration for the host, which tell one destination from
 * another: ssh's own %C alone is 40 characters, and a socket's path
 * must leave room for ssh's temporary name while it binds.
 */
void
ssh_command(const struct git *g, const char *remote,
    const struct ssh_settings *s, struct strvec *env)
{
	struct buf dest = BUF_INIT, port = BUF_INIT, dir = BUF_INIT;
	struct buf file = BUF_INIT, conf = BUF_INIT, why = BUF_INIT;
	struct buf opts = BUF_INIT;
	const char *cmd = NULL;
	uint64_t h;

	if (hub_dest(g, remote, s, &dest, &port, &why) != 1 ||
	    user_command(s, &cmd, &why) == -1)
		goto out;		/* not over ssh, or not ours to add to */
	if (cmd == NULL || strcasestr(cmd, "batchmode") == NULL)
		buf_adds(&opts, " -o BatchMode=yes");
	if (reuse_allowed(s, cmd, &file, &why) == 0 &&
	    control_dir(&dir, &why) == 0 &&
	    ssh_config(g->trace, &dest, &port, &file, &conf, &why) == 0) {
		h = fnv1a(0xcbf29ce484222325ULL, cmd != NULL ? cmd : "ssh",
		    strlen(cmd != NULL ? cmd : "ssh") + 1);
		h = fnv1a(h, conf.s, conf.len);
		buf_addf(&opts, " -o ControlMaster=auto -o ControlPersist=%d "
		    "-o 'ControlPath=%s/%0*llx'", PERSIST, dir.s, NAME_LEN,
		    (unsigned long long)h);
	}
	if (opts.len > 0)
		strvec_pushf(env, "GIT_SSH_COMMAND=%s%s", cmd != NULL ? cmd :
		    "ssh", opts.s);
out:
	if (g->trace != NULL && why.len > 0)
		fprintf(g->trace, "# no ssh connection reuse: %s\n", why.s);
	if (g->trace != NULL && env->n > 0)
		fprintf(g->trace, "# ssh for the hub: %s\n",
		    env->v[env->n - 1]);
	buf_free(&dest);
	buf_free(&port);
	buf_free(&dir);
	buf_free(&file);
	buf_free(&conf);
	buf_free(&why);
	buf_free(&opts);
}
