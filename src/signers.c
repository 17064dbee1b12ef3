/* signers.c: placeholder */
#include "config.h"
