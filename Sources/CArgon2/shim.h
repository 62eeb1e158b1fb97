#ifndef PGPMAIL_CARGON2_SHIM_H
#define PGPMAIL_CARGON2_SHIM_H
#include <argon2.h>
#endif
