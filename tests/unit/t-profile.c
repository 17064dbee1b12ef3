/*
 * t-profile: the profile model: Markdown read as sections of facts,
 * written back byte for byte.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "profile.h"
#include "tap.h"

static const char *const profiles[] = {
	"",
	"\n",
	"Just one paragraph, no newline at the end",
	"# User\n",
	"# User\n\n- likes tea\n- lives in Paris\n",
	"Before any heading.\n\n# Food\n\n- tea\n- no coffee after 4pm\n\n"
	    "# Work\n\nWrites C at work.\nReads Go.\n",
	"---\ntitle: USER\nupdated: 2026-11-28\n---\n# Prefs\n- dark mode\n",
	"# Prefs\r\n\r\n- dark mode\r\n- short answers\r\n",
	"# Lists\n- a\n  - a.1\n  - a.2\n    - a.2.i\n- b\n",
	"# Loose\n- first\n\n  still first\n\n- second\n",
	"# Numbers\n1. one\n2. two\n10) ten\n",
	"# Code\n```sh\nmake && make check\n# not a heading\n- not an item\n"
	    "```\nAfter the fence.\n",
	"# Tilde\n~~~~\n~~~\nstill code\n~~~~\n",
	"# Unclosed fence\n```\nruns to the end\n- still code",
	"## Deeper\n### Deeper still\n- x\n###### Six\n####### seven is text\n",
	"# Lazy\n- an item\ncontinued lazily\n- next\n",
	"#NoSpace is text\n# Real\n",
	"   # indented heading\n    # four spaces is not one\n",
	"# Key: values\n- Name: Ada\n- Timezone: Europe/Paris\n- Editor: vi\n",
	"# Mixed *emphasis* and `code`\n\nSome **bold** text.\n\n> a quote\n"
	    "> continued\n",
	"\n\n\n# After blanks\n\n\n- x\n\n\n",
	"# Tabs\n-\ttab item\n\t- nested by tab\n",
	"---\nno closing front matter\n# is it a heading\n",
	"# Trailing spaces   \n- item   \n  \n- next\n",
	"* star\n+ plus\n- minus\n",
	"# Unicode \xc3\xa9t\xc3\xa9\n- caf\xc3\xa9 \xe2\x98\x95\n",
};

static int
count(const struct profile *pr, enum fact_kind kind)
{
	size_t i, k;
	int n = 0;

	for (i = 0; i < pr->n; i++)
		for (k = 0; k < pr->sections[i].n; k++)
			n += pr->sections[i].facts[k].kind == kind;
	return n;
}

static void
test_round_trip(void)
{
	struct profile pr;
	struct buf out = BUF_INIT;
	size_t i, len;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		len = strlen(profiles[i]);
		profile_parse(&pr, profiles[i], len);
		buf_reset(&out);
		profile_write(&pr, &out);
		ok(out.len == len && (len == 0 ||
		    memcmp(out.s, profiles[i], len) == 0),
		    "profile %zu round-trips byte for byte (%zu bytes)", i, len);
		profile_free(&pr);
	}
	buf_free(&out);
}

static void
test_structure(void)
{
	struct profile pr;

	profile_parse(&pr, profiles[5], strlen(profiles[5]));
	ok(pr.n == 3, "a preamble and two headed sections (%zu)", pr.n);
	ok(pr.sections[0].head == NULL, "the preamble has no heading");
	ok(count(&pr, FACT_ITEM) == 2 && count(&pr, FACT_PARA) == 2,
	    "two items and two paragraphs");
	ok(pr.sections[2].n >= 2 && pr.sections[2].facts[1].kind ==
	    FACT_PARA && pr.sections[2].facts[1].len == 28,
	    "a two-line paragraph is one fact");
	profile_free(&pr);

	profile_parse(&pr, profiles[6], strlen(profiles[6]));
	ok(pr.sections[0].n == 1 && pr.sections[0].facts[0].kind ==
	    FACT_FRONT && pr.sections[0].facts[0].len == 40,
	    "front matter is one fact of the preamble");
	profile_free(&pr);

	profile_parse(&pr, profiles[8], strlen(profiles[8]));
	ok(count(&pr, FACT_ITEM) == 2, "nested items belong to their item");
	profile_free(&pr);

	profile_parse(&pr, profiles[9], strlen(profiles[9]));
	ok(count(&pr, FACT_ITEM) == 2 && pr.sections[1].facts[0].len == 23,
	    "a loose item keeps its indented paragraph");
	profile_free(&pr);

	profile_parse(&pr, profiles[11], strlen(profiles[11]));
	ok(pr.n == 2 && count(&pr, FACT_FENCE) == 1 &&
	    count(&pr, FACT_ITEM) == 0,
	    "a fence is one fact; headings and items inside are code");
	profile_free(&pr);

	profile_parse(&pr, profiles[13], strlen(profiles[13]));
	ok(count(&pr, FACT_FENCE) == 1 && count(&pr, FACT_ITEM) == 0,
	    "an unclosed fence runs to the end");
	profile_free(&pr);

	profile_parse(&pr, profiles[14], strlen(profiles[14]));
	ok(pr.n == 4, "headings of level 1 to 6 start sections, 7 is text");
	profile_free(&pr);

	profile_parse(&pr, profiles[15], strlen(profiles[15]));
	ok(count(&pr, FACT_ITEM) == 2, "a lazy line continues its item");
	profile_free(&pr);

	profile_parse(&pr, profiles[16], strlen(profiles[16]));
	ok(pr.n == 2 && count(&pr, FACT_PARA) == 1,
	    "#NoSpace is a paragraph, not a heading");
	profile_free(&pr);

	profile_parse(&pr, profiles[7], strlen(profiles[7]));
	ok(pr.n == 2 && count(&pr, FACT_ITEM) == 2,
	    "CRLF lines parse as LF lines do");
	profile_free(&pr);

	profile_parse(&pr, "", 0);
	ok(pr.n == 1 && pr.sections[0].n == 0, "an empty file: one empty "
	    "preamble");
	profile_free(&pr);
}

int
main(void)
{
	test_round_trip();
	test_structure();
	return done_testing();
}
