/*
 * jsmn.c: the one translation unit that compiles the jsmn tokenizer
 * (Debian's libjsmn-dev is a header holding the code).  Strict mode
 * and parent links, as json.h declares it.
 */
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include "config.h"

#include <jsmn.h>
