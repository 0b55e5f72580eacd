/* keys/hmac.c - HMAC-SHA256 for webhook signatures (issue #12), and the constant-time
 * comparison and wiping the callers of secrets need, so that OpenSSL stays in keys/. */
#include "keys/keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>

int keys_hmac_sha256_hex(const void *key, size_t klen, const void *data, size_t len,
                         char out[65])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;

    out[0] = '\0';
    if (klen > INT32_MAX ||
        HMAC(EVP_sha256(), key, (int)klen, data, len, mac, &mlen) == NULL || mlen != 32)
        return HR_EINTERNAL;
    for (unsigned int i = 0; i < mlen; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
    OPENSSL_cleanse(mac, sizeof mac);
    return HR_OK;
}

bool keys_equal_ct(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void keys_wipe(void *p, size_t n)
{
    if (p != NULL)
        OPENSSL_cleanse(p, n);
}
