/* keys/keys.c - RSA and Ed25519 keys: generation, PEM and multibase encodings,
 * signatures. A struct keys_key wraps one EVP_PKEY; every operation makes its own
 * EVP_MD_CTX, so one key is used by many threads at once without locks.
 * The OpenSSL error queue is per thread; we clear it on every failure so a stale entry
 * never leaks into an unrelated later call. Never log or echo key material. */
#include "keys/keys.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define KEYS_PEM_MAX    (64 * 1024) /* a 16384-bit SPKI PEM is ~3 KiB: bound peer input */
#define KEYS_RSA_MIN    2048
#define KEYS_RSA_MAX    8192
#define KEYS_RSA_SIGMAX (KEYS_RSA_MAX / 8)
#define KEYS_MB_MAX     64 /* "z" + base58 of 34 bytes is 48 chars */

struct keys_key {
    EVP_PKEY *pkey;
    bool is_private; /* loaded by keys_private_load: may sign */
    bool is_rsa;     /* decided once: EVP_PKEY_is_a looks names up under OpenSSL's locks */
};

/* SHA-256 fetched once: a fetch by name per signature or verification takes OpenSSL's
 * global locks, and with several threads verifying that contention was their cost. */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256(void)
{
    pthread_once(&sha256_once, sha256_fetch);
    return sha256_md;
}

/* Turns a failed OpenSSL call into CODE + message; the queue is emptied so the next
 * call on this thread starts clean. The OpenSSL reason never contains key bytes. */
static int ossl_fail(struct hr_err *err, enum hr_rc code, const char *what)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;

    ERR_clear_error();
    return hr_fail(err, code, "%s%s%s", what, reason ? ": " : "", reason ? reason : "");
}

static int key_wrap(EVP_PKEY *pkey, bool is_private, struct keys_key **out, struct hr_err *err)
{
    struct keys_key *k = malloc(sizeof *k);

    if (k == NULL)
        return hr_fail(err, HR_ENOMEM, "key");
    k->pkey = pkey;
    k->is_private = is_private;
    k->is_rsa = EVP_PKEY_is_a(pkey, "RSA");
    *out = k;
    return HR_OK;
}

int keys_key_share(const struct keys_key *key, struct keys_key **out, struct hr_err *err)
{
    int rc;

    if (key == NULL)
        return hr_fail(err, HR_EINVAL, "no key to share");
    if (EVP_PKEY_up_ref(key->pkey) != 1)
        return ossl_fail(err, HR_EINTERNAL, "key reference");
    rc = key_wrap(key->pkey, key->is_private, out, err);
    if (rc != HR_OK)
        EVP_PKEY_free(key->pkey);
    return rc;
}

void keys_key_free(struct keys_key *key)
{
    if (key == NULL)
        return;
    EVP_PKEY_free(key->pkey);
    free(key);
}

bool keys_key_is_rsa(const struct keys_key *key)
{
    return key != NULL && key->is_rsa;
}

/* ---- PEM output ---------------------------------------------------------------- */

/* Copies a memory BIO into a NUL-terminated heap string. The BIO's buffer is wiped by
 * BIO_free (BUF_MEM_free clears), the copy is the caller's to wipe. */
static int bio_take(BIO *bio, char **out, struct hr_err *err)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *s;

    if (n <= 0 || data == NULL)
        return ossl_fail(err, HR_EINTERNAL, "PEM encoding");
    s = malloc((size_t)n + 1);
    if (s == NULL)
        return hr_fail(err, HR_ENOMEM, "PEM encoding");
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    *out = s;
    return HR_OK;
}

/* PKCS#8, unencrypted: private keys are protected by the data directory's permissions. */
static int pem_private(EVP_PKEY *pkey, char **out, struct hr_err *err)
{
    BIO *bio = BIO_new(BIO_s_secmem());
    int rc;

    if (bio == NULL)
        return ossl_fail(err, HR_ENOMEM, "PEM encoding");
    if (PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1)
        rc = ossl_fail(err, HR_EINTERNAL, "PEM encoding of private key");
    else
        rc = bio_take(bio, out, err);
    BIO_free(bio);
    return rc;
}

static int pem_public(EVP_PKEY *pkey, char **out, struct hr_err *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    int rc;

    if (bio == NULL)
        return ossl_fail(err, HR_ENOMEM, "PEM encoding");
    if (PEM_write_bio_PUBKEY(bio, pkey) != 1)
        rc = ossl_fail(err, HR_EINTERNAL, "PEM encoding of public key");
    else
        rc = bio_take(bio, out, err);
    BIO_free(bio);
    return rc;
}

/* ---- generation ---------------------------------------------------------------- */

/* RSA-2048 with e = 65537 (OpenSSL's default exponent): what every peer verifies. */
int keys_rsa_generate(char **priv_pem, char **pub_pem, struct hr_err *err)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)KEYS_RSA_MIN);
    char *priv = NULL, *pub = NULL;
    int rc;

    if (pkey == NULL)
        return ossl_fail(err, HR_EINTERNAL, "RSA key generation");
    rc = pem_private(pkey, &priv, err);
    if (rc == HR_OK)
        rc = pem_public(pkey, &pub, err);
    if (rc == HR_OK) {
        *priv_pem = priv;
        *pub_pem = pub;
        priv = pub = NULL;
    }
    keys_secret_free(priv);
    free(pub);
    EVP_PKEY_free(pkey);
    return rc;
}

/* ---- multibase (FEP-521a: "z" + base58btc(0xed 0x01 || key)) ----------------------- */

static const char b58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* base58btc of N bytes into OUT (CAP bytes, NUL included). Schoolbook base conversion:
 * quadratic, but inputs are 34 bytes. Returns false when OUT is too small. */
static bool b58_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
    unsigned char digits[96] = {0}; /* base-58 digits, least significant first */
    size_t nd = 0, zeros = 0, pos = 0;

    while (zeros < n && in[zeros] == 0)
        zeros++;
    for (size_t i = zeros; i < n; i++) {
        unsigned carry = in[i];
        for (size_t j = 0; j < nd; j++) {
            carry += (unsigned)digits[j] << 8;
            digits[j] = (unsigned char)(carry % 58);
            carry /= 58;
        }
        for (; carry > 0; carry /= 58) {
            if (nd == sizeof digits)
                return false;
            digits[nd++] = (unsigned char)(carry % 58);
        }
    }
    if (zeros + nd + 1 > cap)
        return false;
    for (size_t i = 0; i < zeros; i++)
        out[pos++] = '1'; /* each leading zero byte is one '1' */
    while (nd > 0)
        out[pos++] = b58_alphabet[digits[--nd]];
    out[pos] = '\0';
    return true;
}

static int b58_value(char c)
{
    const char *p = c ? strchr(b58_alphabet, c) : NULL;
    return p ? (int)(p - b58_alphabet) : -1;
}

/* Decodes base58btc S (LEN chars) into exactly OUT_LEN bytes, big-endian. Fails on a
 * character outside the alphabet (0, O, I, l, whitespace) or a value that does not fit,
 * so a longer or shorter key never passes as a valid one. */
static bool b58_decode(const char *s, size_t len, unsigned char *out, size_t out_len)
{
    size_t zeros = 0;

    memset(out, 0, out_len);
    while (zeros < len && s[zeros] == '1')
        zeros++;
    for (size_t i = zeros; i < len; i++) {
        int v = b58_value(s[i]);
        unsigned carry;
        if (v < 0)
            return false;
        carry = (unsigned)v;
        for (size_t j = out_len; j-- > 0;) {
            carry += (unsigned)out[j] * 58;
            out[j] = (unsigned char)(carry & 0xff);
            carry >>= 8;
        }
        if (carry != 0)
            return false;
    }
    /* the leading '1's must be exactly the leading zero bytes: one spelling per key */
    for (size_t i = 0; i < out_len; i++) {
        if (out[i] != 0)
            return i == zeros;
    }
    return zeros == out_len;
}

static int multibase_from_pkey(EVP_PKEY *pkey, char **out, struct hr_err *err)
{
    unsigned char raw[34] = {0xed, 0x01};
    size_t n = 32;
    char *s = malloc(KEYS_MB_MAX);

    if (s == NULL)
        return hr_fail(err, HR_ENOMEM, "multibase");
    if (EVP_PKEY_get_raw_public_key(pkey, raw + 2, &n) != 1 || n != 32) {
        free(s);
        return ossl_fail(err, HR_EINTERNAL, "Ed25519 public key");
    }
    s[0] = 'z';
    if (!b58_encode(raw, sizeof raw, s + 1, KEYS_MB_MAX - 1)) {
        free(s);
        return hr_fail(err, HR_EINTERNAL, "multibase encoding");
    }
    *out = s;
    return HR_OK;
}

int keys_ed25519_generate(char **priv_pem, char **pub_multibase, struct hr_err *err)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    char *priv = NULL, *pub = NULL;
    int rc;

    if (pkey == NULL)
        return ossl_fail(err, HR_EINTERNAL, "Ed25519 key generation");
    rc = pem_private(pkey, &priv, err);
    if (rc == HR_OK)
        rc = multibase_from_pkey(pkey, &pub, err);
    if (rc == HR_OK) {
        *priv_pem = priv;
        *pub_multibase = pub;
        priv = pub = NULL;
    }
    keys_secret_free(priv);
    free(pub);
    EVP_PKEY_free(pkey);
    return rc;
}

/* ---- loading ------------------------------------------------------------------- */

/* OpenSSL's default passphrase callback prompts on the terminal: a server must never
 * block on stdin, and Herald never stores encrypted PEM, so refuse any passphrase. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* The public exponent of an RSA PKEY, when it fits 64 bits (HR_EINVAL otherwise). */
static int pkey_rsa_e(EVP_PKEY *pkey, uint64_t *out, struct hr_err *err)
{
    BIGNUM *e = NULL;
    BN_ULONG w;

    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
        return ossl_fail(err, HR_EINVAL, "RSA key without a public exponent");
    w = BN_get_word(e);
    BN_free(e);
    if (w == (BN_ULONG)-1) /* BN_get_word: does not fit */
        return hr_fail(err, HR_EINVAL, "RSA public exponent over 64 bits");
    *out = (uint64_t)w;
    return HR_OK;
}

/* RSA policy shared by public and private keys: under 2048 bits is forgeable in
 * practice; over 8192 bits makes each verify a CPU-exhaustion lever for a peer. The
 * exponent must be 65537 (F4): every fediverse server generates that; e = 3 keys invite
 * the low-exponent signature forgeries of careless verifiers (Bleichenbacher 2006) and no
 * peer needs them, and odd ones (1, even, huge) are either broken or a DoS. */
static int rsa_check(EVP_PKEY *pkey, struct hr_err *err)
{
    int bits = EVP_PKEY_get_bits(pkey), rc;
    uint64_t e = 0;

    if (bits < KEYS_RSA_MIN || bits > KEYS_RSA_MAX)
        return hr_fail(err, HR_EINVAL, "RSA key of %d bits refused (need %d..%d)", bits,
                       KEYS_RSA_MIN, KEYS_RSA_MAX);
    rc = pkey_rsa_e(pkey, &e, err);
    if (rc == HR_OK && e != 65537)
        rc = hr_fail(err, HR_EINVAL, "RSA public exponent %llu refused (only 65537)",
                     (unsigned long long)e);
    return rc;
}

int keys_rsa_exponent(const struct keys_key *key, uint64_t *out, struct hr_err *err)
{
    if (!keys_key_is_rsa(key))
        return hr_fail(err, HR_EINVAL, "not an RSA key");
    return pkey_rsa_e(key->pkey, out, err);
}

/* Only plain RSA and Ed25519: RSA-PSS, EC, DSA, X25519 keys have no place in Herald. */
static int type_check(EVP_PKEY *pkey, struct hr_err *err)
{
    if (EVP_PKEY_is_a(pkey, "RSA"))
        return rsa_check(pkey, err);
    if (EVP_PKEY_is_a(pkey, "ED25519"))
        return HR_OK;
    return hr_fail(err, HR_EINVAL, "unsupported key type %s", EVP_PKEY_get0_type_name(pkey));
}

int keys_private_load(const char *pem, struct keys_key **out, struct hr_err *err)
{
    size_t len = pem ? strlen(pem) : 0;
    BIO *bio = NULL;
    EVP_PKEY *pkey = NULL;
    int rc;

    if (len == 0 || len > KEYS_PEM_MAX)
        return hr_fail(err, HR_EINVAL, "private key PEM empty or too long");
    bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL)
        return ossl_fail(err, HR_ENOMEM, "private key");
    pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    if (pkey == NULL)
        rc = ossl_fail(err, HR_EINVAL, "not a PEM private key");
    else
        rc = type_check(pkey, err);
    if (rc == HR_OK)
        rc = key_wrap(pkey, true, out, err);
    if (rc == HR_OK)
        pkey = NULL;
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    return rc;
}

/* DER body of one public-key PEM block: SPKI ("PUBLIC KEY") or PKCS#1 ("RSA PUBLIC
 * KEY"). Every byte must be consumed: trailing garbage in a key is refused rather than
 * silently ignored, so two different documents never parse to the same key. */
static EVP_PKEY *der_public(const char *name, const unsigned char *der, long n)
{
    const unsigned char *p = der;
    EVP_PKEY *pkey = NULL;

    if (strcmp(name, PEM_STRING_PUBLIC) == 0)
        pkey = d2i_PUBKEY(NULL, &p, n);
    else if (strcmp(name, PEM_STRING_RSA_PUBLIC) == 0)
        pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, n);
    if (pkey != NULL && p != der + n) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

/* Reads exactly one PEM block and decodes it by its label, so a private key or a
 * certificate handed in as a "public key" is refused instead of half-accepted. */
static int pem_public_parse(BIO *bio, EVP_PKEY **out, struct hr_err *err)
{
    char *name = NULL, *header = NULL;
    unsigned char *der = NULL;
    long n = 0;
    int rc = HR_OK;

    if (PEM_read_bio(bio, &name, &header, &der, &n) != 1) {
        rc = ossl_fail(err, HR_EINVAL, "not a PEM public key");
        goto out;
    }
    if (header[0] != '\0') { /* Proc-Type / DEK-Info: encrypted or odd */
        rc = hr_fail(err, HR_EINVAL, "PEM public key with headers refused");
        goto out;
    }
    *out = der_public(name, der, n);
    if (*out == NULL)
        rc = ossl_fail(err, HR_EINVAL, "PEM block is not a public key");
out:
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(der);
    return rc;
}

int keys_public_load(const char *pem, size_t len, struct keys_key **out, struct hr_err *err)
{
    BIO *bio = NULL;
    EVP_PKEY *pkey = NULL;
    int rc;

    if (pem == NULL || len == 0 || len > KEYS_PEM_MAX)
        return hr_fail(err, HR_EINVAL, "public key PEM empty or over %d bytes", KEYS_PEM_MAX);
    if (memchr(pem, '\0', len) != NULL) /* a NUL would cut the text OpenSSL sees */
        return hr_fail(err, HR_EINVAL, "public key PEM contains NUL");
    bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL)
        return ossl_fail(err, HR_ENOMEM, "public key");
    rc = pem_public_parse(bio, &pkey, err);
    if (rc == HR_OK)
        rc = type_check(pkey, err);
    if (rc == HR_OK)
        rc = key_wrap(pkey, false, out, err);
    if (rc == HR_OK)
        pkey = NULL;
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    return rc;
}

/* ---- signatures ---------------------------------------------------------------- */

/* MD is SHA-256 for RSASSA-PKCS1-v1_5 (the default RSA padding) and NULL for Ed25519,
 * which hashes internally (one-shot only). */
static int pkey_sign(EVP_PKEY *pkey, const EVP_MD *md, const void *data, size_t len,
                     unsigned char *sig, size_t *sig_len, struct hr_err *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = HR_OK;

    if (ctx == NULL)
        return ossl_fail(err, HR_ENOMEM, "signing");
    if (EVP_DigestSignInit(ctx, NULL, md, NULL, pkey) != 1 ||
        EVP_DigestSign(ctx, sig, sig_len, data, len) != 1)
        rc = ossl_fail(err, HR_EINTERNAL, "signing");
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* HR_OK, or HR_ESIG for a bad signature and any verify error alike: a peer must not be
 * able to tell "malformed" from "wrong key" by our answer. */
static int pkey_verify(EVP_PKEY *pkey, const EVP_MD *md, const void *data, size_t len,
                       const unsigned char *sig, size_t sig_len, struct hr_err *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = 0;

    if (ctx == NULL)
        return ossl_fail(err, HR_ENOMEM, "verifying");
    if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1)
        ok = EVP_DigestVerify(ctx, sig, sig_len, data, len);
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok == 1 ? HR_OK : hr_fail(err, HR_ESIG, "signature does not verify");
}

int keys_rsa_sign(const struct keys_key *priv, const char *data, size_t len, char **sig_b64,
                  struct hr_err *err)
{
    unsigned char sig[KEYS_RSA_SIGMAX];
    size_t n = sizeof sig;
    char *b64;
    int rc;

    if (!keys_key_is_rsa(priv) || !priv->is_private)
        return hr_fail(err, HR_EINVAL, "RSA signing needs an RSA private key");
    if (sha256() == NULL)
        return ossl_fail(err, HR_EINTERNAL, "SHA-256 unavailable");
    rc = pkey_sign(priv->pkey, sha256(), data, len, sig, &n, err);
    if (rc != HR_OK)
        return rc;
    b64 = keys_base64_encode(sig, n);
    if (b64 == NULL)
        return hr_fail(err, HR_ENOMEM, "signature");
    *sig_b64 = b64;
    return HR_OK;
}

int keys_rsa_verify(const struct keys_key *pub, const char *data, size_t len,
                    struct hr_slice sig_b64, struct hr_err *err)
{
    unsigned char sig[KEYS_RSA_SIGMAX];
    size_t n = 0;
    int rc;

    if (!keys_key_is_rsa(pub))
        return hr_fail(err, HR_EINVAL, "RSA verification needs an RSA key");
    rc = keys_base64_decode(sig_b64, sig, sizeof sig, &n);
    if (rc == HR_ETOOBIG)
        return hr_fail(err, HR_ESIG, "signature longer than any accepted key");
    if (rc != HR_OK)
        return hr_fail(err, HR_EINVAL, "signature is not standard base64");
    if (sha256() == NULL)
        return ossl_fail(err, HR_EINTERNAL, "SHA-256 unavailable");
    return pkey_verify(pub->pkey, sha256(), data, len, sig, n, err);
}

int keys_ed25519_sign(const struct keys_key *priv, const void *data, size_t len,
                      unsigned char sig[64], struct hr_err *err)
{
    size_t n = 64;

    if (priv == NULL || !priv->is_private || !EVP_PKEY_is_a(priv->pkey, "ED25519"))
        return hr_fail(err, HR_EINVAL, "Ed25519 signing needs an Ed25519 private key");
    return pkey_sign(priv->pkey, NULL, data, len, sig, &n, err);
}

/* FEP-521a Multikey: "z" + base58btc(0xed 0x01 || 32-byte key). Other multicodec
 * prefixes (X25519, secp256k1, ...) are refused: a key is only good for one purpose. */
static int multibase_to_pkey(const char *mb, EVP_PKEY **out, struct hr_err *err)
{
    unsigned char raw[34];
    size_t len = mb ? strlen(mb) : 0;

    if (len < 2 || len > KEYS_MB_MAX || mb[0] != 'z')
        return hr_fail(err, HR_EINVAL, "publicKeyMultibase is not base58btc ('z')");
    if (!b58_decode(mb + 1, len - 1, raw, sizeof raw) || raw[0] != 0xed || raw[1] != 0x01)
        return hr_fail(err, HR_EINVAL, "publicKeyMultibase is not an Ed25519 Multikey");
    *out = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, raw + 2, 32);
    if (*out == NULL)
        return ossl_fail(err, HR_EINVAL, "Ed25519 public key");
    return HR_OK;
}

int keys_ed25519_verify_multibase(const char *pub_multibase, const void *data, size_t len,
                                  const unsigned char sig[64], struct hr_err *err)
{
    EVP_PKEY *pkey = NULL;
    int rc;

    rc = multibase_to_pkey(pub_multibase, &pkey, err);
    if (rc == HR_OK)
        rc = pkey_verify(pkey, NULL, data, len, sig, 64, err);
    EVP_PKEY_free(pkey);
    return rc;
}

/* ---- multibase for proofs and seeds ------------------------------------------------ */

char *keys_multibase_encode(const void *data, size_t len)
{
    size_t cap = 2 + len * 138 / 100 + 2; /* log(256)/log(58) < 1.38 */
    char *s;

    if (len > 64)
        return NULL; /* b58_encode's digit buffer holds 64 bytes */
    s = malloc(cap);
    if (s == NULL)
        return NULL;
    s[0] = 'z';
    if (!b58_encode(data, len, s + 1, cap - 1)) {
        free(s);
        return NULL;
    }
    return s;
}

int keys_multibase_decode(const char *mb, unsigned char *out, size_t out_len)
{
    size_t len = mb ? strlen(mb) : 0;

    if (len < 2 || mb[0] != 'z' || len > 2 + out_len * 2)
        return HR_EINVAL;
    return b58_decode(mb + 1, len - 1, out, out_len) ? HR_OK : HR_EINVAL;
}

int keys_ed25519_seed_load(const unsigned char seed[32], struct keys_key **out,
                           struct hr_err *err)
{
    EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL, seed, 32);
    int rc;

    if (pkey == NULL)
        return ossl_fail(err, HR_EINVAL, "Ed25519 seed");
    rc = key_wrap(pkey, true, out, err);
    if (rc != HR_OK)
        EVP_PKEY_free(pkey);
    return rc;
}

int keys_ed25519_multibase(const struct keys_key *key, char **out, struct hr_err *err)
{
    if (key == NULL || key->is_rsa || !EVP_PKEY_is_a(key->pkey, "ED25519"))
        return hr_fail(err, HR_EINVAL, "not an Ed25519 key");
    return multibase_from_pkey(key->pkey, out, err);
}

/* ---- RFC 9421 additions: Ed25519 with a parsed key ------------------------------- */

bool keys_key_is_ed25519(const struct keys_key *key)
{
    return key != NULL && !key->is_rsa && EVP_PKEY_is_a(key->pkey, "ED25519");
}

int keys_ed25519_verify(const struct keys_key *pub, const void *data, size_t len,
                        const unsigned char sig[64], struct hr_err *err)
{
    if (!keys_key_is_ed25519(pub))
        return hr_fail(err, HR_EINVAL, "Ed25519 verification needs an Ed25519 key");
    return pkey_verify(pub->pkey, NULL, data, len, sig, 64, err);
}

int keys_ed25519_public_load(const char *pub_multibase, struct keys_key **out,
                             struct hr_err *err)
{
    EVP_PKEY *pkey = NULL;
    int rc = multibase_to_pkey(pub_multibase, &pkey, err);

    if (rc == HR_OK)
        rc = key_wrap(pkey, false, out, err);
    if (rc != HR_OK)
        EVP_PKEY_free(pkey);
    return rc;
}

int keys_public_pem(const struct keys_key *key, char **out, struct hr_err *err)
{
    if (key == NULL)
        return hr_fail(err, HR_EINVAL, "no key");
    return pem_public(key->pkey, out, err);
}
