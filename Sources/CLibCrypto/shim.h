#ifndef TRADEWATCH_CLIBCRYPTO_H
#define TRADEWATCH_CLIBCRYPTO_H
/* The SHA256_* calls keep their context on the stack and cannot fail; OpenSSL 3 marks them
   deprecated in favour of EVP, which allocates. They remain supported, so silence the marks. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#endif
