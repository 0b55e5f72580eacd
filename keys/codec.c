/* keys/codec.c - digests, strict base64, random tokens and secret wiping.
 * OpenSSL does the work; this file adds the strictness OpenSSL's helpers lack
 * (EVP_DecodeBlock skips whitespace and ignores padding). */
#include "keys/keys.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* A void digest API cannot report failure, and a zeroed or stale digest would make two
 * different bodies compare equal; SHA-256 in the default provider cannot fail short of
 * a broken OpenSSL install, so we stop rather than return a wrong answer. */
void keys_sha256(const void *data, size_t len, unsigned char out[32])
{
    unsigned int n = 0;

    if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != 32) {
        fputs("herald: keys: SHA-256 unavailable in OpenSSL\n", stderr);
        abort();
    }
}

void keys_sha256_b64(const void *data, size_t len, char out[48])
{
    unsigned char md[32];

    keys_sha256(data, len, md);
    EVP_EncodeBlock((unsigned char *)out, md, (int)sizeof md); /* 44 chars + NUL */
}

void keys_sha256_hex(const void *data, size_t len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[32];

    keys_sha256(data, len, md);
    for (size_t i = 0; i < sizeof md; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0x0f];
    }
    out[64] = '\0';
}

/* EVP_EncodeBlock takes an int length: encode in chunks that are a multiple of 3 so the
 * pieces concatenate without padding in the middle. */
char *keys_base64_encode(const void *data, size_t len)
{
    const size_t chunk = 3 * 16384;
    const unsigned char *p = data;
    char *out;
    size_t groups = len / 3 + (len % 3 != 0), pos = 0;

    if (groups > (SIZE_MAX - 1) / 4)
        return NULL;
    out = malloc(groups * 4 + 1);
    if (out == NULL)
        return NULL;
    out[0] = '\0';
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        pos += (size_t)EVP_EncodeBlock((unsigned char *)out + pos, p + off, (int)n);
    }
    out[pos] = '\0';
    return out;
}

static bool b64_alphabet(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/* Value of one base64 digit (the caller has checked the alphabet). */
static unsigned b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : 63;
}

/* RFC 4648 §3.5 lets decoders reject encodings whose pad bits are not zero; we do, so
 * every byte string has exactly one accepted encoding (no signature malleability and
 * no two spellings of one Digest). Returns the number of '=' or -1 when malformed. */
static int b64_check(struct hr_slice in)
{
    const unsigned char *s = (const unsigned char *)in.p;
    size_t pad = 0, n = in.len;

    if (n % 4 != 0)
        return -1;
    while (pad < 2 && n > 0 && s[n - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i < n - pad; i++)
        if (!b64_alphabet(s[i])) /* whitespace, '=' inside, '-', '_', NUL, ... */
            return -1;
    if (pad == 1 && (b64_value(s[n - 2]) & 0x03) != 0)
        return -1;
    if (pad == 2 && (b64_value(s[n - 3]) & 0x0f) != 0)
        return -1;
    return (int)pad;
}

int keys_base64_decode(struct hr_slice in, unsigned char *out, size_t cap, size_t *out_len)
{
    unsigned char tmp[3];
    size_t need, pos = 0;
    int pad;

    if (in.len > 0 && in.p == NULL)
        return HR_EINVAL;
    pad = b64_check(in);
    if (pad < 0)
        return HR_EINVAL;
    need = in.len / 4 * 3 - (size_t)pad;
    if (need > cap)
        return HR_ETOOBIG;
    /* One quantum at a time: EVP_DecodeBlock writes the pad positions as zero bytes,
     * and OUT may be exactly NEED bytes long. */
    for (size_t i = 0; i < in.len; i += 4) {
        size_t n = need - pos < 3 ? need - pos : 3;
        if (EVP_DecodeBlock(tmp, (const unsigned char *)in.p + i, 4) != 3)
            return HR_EINVAL;
        memcpy(out + pos, tmp, n);
        pos += n;
    }
    OPENSSL_cleanse(tmp, sizeof tmp); /* may hold secret bytes */
    *out_len = pos;
    return HR_OK;
}

int keys_random_hex(size_t n, char *out, size_t out_size)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[64];

    if (out == NULL || n > (SIZE_MAX - 1) / 2 || out_size < 2 * n + 1)
        return HR_EINVAL;
    for (size_t done = 0; done < n;) {
        size_t k = n - done < sizeof raw ? n - done : sizeof raw;
        if (RAND_bytes(raw, (int)k) != 1) {
            OPENSSL_cleanse(raw, sizeof raw);
            return HR_EINTERNAL; /* never hand out a predictable token */
        }
        for (size_t i = 0; i < k; i++) {
            out[2 * (done + i)] = hex[raw[i] >> 4];
            out[2 * (done + i) + 1] = hex[raw[i] & 0x0f];
        }
        done += k;
    }
    OPENSSL_cleanse(raw, sizeof raw); /* tokens are secrets */
    out[2 * n] = '\0';
    return HR_OK;
}

void keys_secret_free(char *s)
{
    if (s == NULL)
        return;
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}

/* SHA-512 for RFC 9530 Content-Digest "sha-512"; fails as keys_sha256 does. */
void keys_sha512(const void *data, size_t len, unsigned char out[64])
{
    unsigned int n = 0;

    if (EVP_Digest(data, len, out, &n, EVP_sha512(), NULL) != 1 || n != 64) {
        fputs("herald: keys: SHA-512 unavailable in OpenSSL\n", stderr);
        abort();
    }
}
