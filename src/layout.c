/* layout.c: placeholder */
#include "config.h"
