#ifndef PGPMAIL_CBZIP2_SHIM_H
#define PGPMAIL_CBZIP2_SHIM_H
#include <stdio.h>
#include <bzlib.h>
#endif
