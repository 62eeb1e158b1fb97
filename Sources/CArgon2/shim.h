#ifndef PGPMAIL_CARGON2_SHIM_H
#define PGPMAIL_CARGON2_SHIM_H
// The reference Argon2 library (RFC 9106), for the Argon2 string-to-key of RFC 9580 §3.7.1.4.
#include <argon2.h>
#endif
