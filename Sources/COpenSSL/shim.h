#ifndef PGPMAIL_COPENSSL_SHIM_H
#define PGPMAIL_COPENSSL_SHIM_H
// OpenSSL 3 libcrypto, as used by the OpenPGP engine (EVP only; no libssl).
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/param_build.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#endif
