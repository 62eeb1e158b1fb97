#ifndef PGPMAIL_COPENSSL_SHIM_H
#define PGPMAIL_COPENSSL_SHIM_H
// OpenSSL 3 libcrypto, as used by the OpenPGP engine (EVP only; no libssl). ec.h is here for
// ECDSA_SIG, the DER form of a DSA or ECDSA (r, s); its deprecated EC_KEY API is not used.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/param_build.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#endif
