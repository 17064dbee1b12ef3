/* skillset.c: placeholder */
#include "config.h"
