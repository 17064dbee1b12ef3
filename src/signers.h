/* signers.h: placeholder */
