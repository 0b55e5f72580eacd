/* tests/unit/keys/test_keys.c - keys/: generation, PEM loading policy, RSA and Ed25519
 * signatures, strict base64, SHA-256 and multibase, against fixed vectors made by
 * other implementations (OpenSSL's CLI, Python, the W3C/FEP-521a examples). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keys/keys.h"

#define FIX HERALD_FIXTURES "/keys/"

/* W3C vc-di-eddsa / FEP-521a example key: public Multikey and the PKCS#8 form of its
 * secret seed (secretKeyMultibase z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq). */
static const char w3c_multibase[] = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
static const char w3c_private_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIMlu+eoQxeQUxHFyOv+d5yw1+ltw+ul+iDLsrH0uK47W\n"
    "-----END PRIVATE KEY-----\n";

/* Whole file as a NUL-terminated heap buffer; fails the test when unreadable. */
static char *slurp(const char *name, size_t *len)
{
    char path[512];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof path, "%s%s", FIX, name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len != NULL)
        *len = (size_t)n;
    return buf;
}

static struct hr_slice sl(const char *s)
{
    return (struct hr_slice){s, strlen(s)};
}

static int load_public_file(const char *name, struct keys_key **out, struct hr_err *err)
{
    size_t len;
    char *pem = slurp(name, &len);
    int rc = keys_public_load(pem, len, out, err);

    free(pem);
    return rc;
}

/* ---- RSA ---------------------------------------------------------------------- */

static void rsa_key_generated_loaded_signs_and_verifies(void **state)
{
    char *priv = NULL, *pub = NULL, *sig = NULL;
    struct keys_key *sk = NULL, *pk = NULL;
    static const char msg[] = "(request-target): post /inbox";
    (void)state;

    assert_int_equal(keys_rsa_generate(&priv, &pub, NULL), HR_OK);
    assert_non_null(strstr(priv, "-----BEGIN PRIVATE KEY-----"));
    assert_non_null(strstr(pub, "-----BEGIN PUBLIC KEY-----"));
    assert_int_equal(keys_private_load(priv, &sk, NULL), HR_OK);
    assert_int_equal(keys_public_load(pub, strlen(pub), &pk, NULL), HR_OK);
    assert_true(keys_key_is_rsa(sk));
    assert_true(keys_key_is_rsa(pk));
    assert_int_equal(keys_rsa_sign(sk, msg, strlen(msg), &sig, NULL), HR_OK);
    assert_int_equal(strlen(sig), 344); /* 256 bytes: a 2048-bit key */
    assert_int_equal(keys_rsa_verify(pk, msg, strlen(msg), sl(sig), NULL), HR_OK);
    free(sig);
    keys_key_free(sk);
    keys_key_free(pk);
    keys_secret_free(priv);
    free(pub);
}

static void rsa_verify_fails_when_one_byte_of_data_or_signature_changes(void **state)
{
    struct keys_key *pk = NULL;
    struct hr_err err = {0};
    char *msg = slurp("rsa2048.msg", NULL), *sig = slurp("rsa2048.sig.b64", NULL);
    (void)state;

    assert_int_equal(load_public_file("rsa2048.pub.pem", &pk, NULL), HR_OK);
    assert_int_equal(keys_rsa_verify(pk, msg, strlen(msg), sl(sig), NULL), HR_OK);
    msg[3] ^= 0x01;
    assert_int_equal(keys_rsa_verify(pk, msg, strlen(msg), sl(sig), &err), HR_ESIG);
    assert_int_equal(err.code, HR_ESIG);
    msg[3] ^= 0x01;
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    assert_int_equal(keys_rsa_verify(pk, msg, strlen(msg), sl(sig), NULL), HR_ESIG);
    free(msg);
    free(sig);
    keys_key_free(pk);
}

static void rsa_signature_from_openssl_cli_verifies_with_pkcs1_and_spki_pem(void **state)
{
    struct keys_key *spki = NULL, *pkcs1 = NULL;
    char *msg = slurp("rsa2048.msg", NULL), *sig = slurp("rsa2048.sig.b64", NULL);
    (void)state;

    assert_int_equal(load_public_file("rsa2048.pub.pem", &spki, NULL), HR_OK);
    assert_int_equal(load_public_file("rsa2048.pkcs1.pem", &pkcs1, NULL), HR_OK);
    assert_int_equal(keys_rsa_verify(spki, msg, strlen(msg), sl(sig), NULL), HR_OK);
    assert_int_equal(keys_rsa_verify(pkcs1, msg, strlen(msg), sl(sig), NULL), HR_OK);
    free(msg);
    free(sig);
    keys_key_free(spki);
    keys_key_free(pkcs1);
}

static void rsa_sign_of_private_fixture_verifies_with_its_public_fixture(void **state)
{
    struct keys_key *sk = NULL, *pk = NULL;
    char *priv = slurp("rsa2048.pem", NULL), *sig = NULL;
    (void)state;

    assert_int_equal(keys_private_load(priv, &sk, NULL), HR_OK);
    assert_int_equal(load_public_file("rsa2048.pub.pem", &pk, NULL), HR_OK);
    assert_int_equal(keys_rsa_sign(sk, "x", 1, &sig, NULL), HR_OK);
    assert_int_equal(keys_rsa_verify(pk, "x", 1, sl(sig), NULL), HR_OK);
    free(sig);
    keys_secret_free(priv);
    keys_key_free(sk);
    keys_key_free(pk);
}

static void weak_1024_bit_rsa_key_is_refused_with_a_clear_message(void **state)
{
    struct keys_key *pk = NULL;
    struct hr_err err = {0};
    (void)state;

    assert_int_equal(load_public_file("rsa1024.pub.pem", &pk, &err), HR_EINVAL);
    assert_null(pk);
    assert_non_null(strstr(err.msg, "1024 bits"));
}

static void rsa_key_with_exponent_17_is_refused(void **state)
{
    struct keys_key *pk = NULL;
    struct hr_err err = {0};
    (void)state;

    assert_int_equal(load_public_file("rsa_e17.pub.pem", &pk, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "exponent"));
}

static void rsa_key_with_exponent_3_is_refused_like_a_short_key(void **state)
{
    struct keys_key *pk = NULL;
    struct hr_err err = {0};
    (void)state;

    assert_int_equal(load_public_file("rsa_e3.pub.pem", &pk, &err), HR_EINVAL);
    assert_null(pk);
    assert_non_null(strstr(err.msg, "exponent 3 refused"));
}

static void rsa_exponent_of_a_generated_key_is_65537(void **state)
{
    char *priv = NULL, *pub = NULL;
    struct keys_key *pk = NULL, *sk = NULL;
    uint64_t e = 0;
    (void)state;

    assert_int_equal(keys_rsa_generate(&priv, &pub, NULL), HR_OK);
    assert_int_equal(keys_public_load(pub, strlen(pub), &pk, NULL), HR_OK);
    assert_int_equal(keys_rsa_exponent(pk, &e, NULL), HR_OK);
    assert_int_equal(e, 65537);
    assert_int_equal(keys_private_load(priv, &sk, NULL), HR_OK);
    e = 0;
    assert_int_equal(keys_rsa_exponent(sk, &e, NULL), HR_OK);
    assert_int_equal(e, 65537);
    keys_secret_free(priv);
    free(pub);
    keys_key_free(pk);
    keys_key_free(sk);
}

static void rsa_exponent_of_an_ed25519_key_is_an_error(void **state)
{
    struct keys_key *pk = NULL;
    struct hr_err err = {0};
    uint64_t e = 0;
    (void)state;

    assert_int_equal(load_public_file("ed25519.pub.pem", &pk, NULL), HR_OK);
    assert_int_equal(keys_rsa_exponent(pk, &e, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "not an RSA key"));
    keys_key_free(pk);
}

static void ec_public_key_is_refused_as_unsupported(void **state)
{
    struct keys_key *pk = NULL;
    struct hr_err err = {0};
    (void)state;

    assert_int_equal(load_public_file("ec256.pub.pem", &pk, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "unsupported key type"));
}

static void private_key_pem_is_not_accepted_as_a_public_key(void **state)
{
    struct keys_key *pk = NULL;
    size_t len;
    char *pem = slurp("rsa2048.pem", &len);
    (void)state;

    assert_int_equal(keys_public_load(pem, len, &pk, NULL), HR_EINVAL);
    keys_secret_free(pem);
}

static void malformed_public_pem_is_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "hello",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    };
    struct keys_key *pk = NULL;
    size_t len;
    char *pem = slurp("rsa2048.pub.pem", &len), *huge = calloc(70 * 1024, 1);
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(keys_public_load(bad[i], strlen(bad[i]), &pk, NULL), HR_EINVAL);
    assert_non_null(huge);
    memcpy(huge, pem, len);
    memset(huge + len, '\n', 70 * 1024 - len); /* a key padded past the 64 KiB bound */
    assert_int_equal(keys_public_load(huge, 70 * 1024, &pk, NULL), HR_EINVAL);
    assert_int_equal(keys_public_load(pem, len, &pk, NULL), HR_OK);
    keys_key_free(pk);
    pk = NULL;
    pem[30] = '\0'; /* NUL inside: OpenSSL would see a different text than we were given */
    assert_int_equal(keys_public_load(pem, len, &pk, NULL), HR_EINVAL);
    assert_null(pk);
    free(huge);
    free(pem);
}

static void rsa_verify_refuses_non_base64_and_oversized_signatures(void **state)
{
    struct keys_key *pk = NULL;
    char big[2001];
    (void)state;

    assert_int_equal(load_public_file("rsa2048.pub.pem", &pk, NULL), HR_OK);
    assert_int_equal(keys_rsa_verify(pk, "x", 1, sl("not base64!"), NULL), HR_EINVAL);
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0'; /* 1500 bytes: longer than any 8192-bit signature */
    assert_int_equal(keys_rsa_verify(pk, "x", 1, sl(big), NULL), HR_ESIG);
    assert_int_equal(keys_rsa_verify(pk, "x", 1, sl(""), NULL), HR_ESIG);
    keys_key_free(pk);
}

/* ---- Ed25519 ------------------------------------------------------------------ */

static void ed25519_key_generated_loaded_signs_and_verifies(void **state)
{
    char *priv = NULL, *mb = NULL;
    struct keys_key *sk = NULL;
    unsigned char sig[64];
    static const char msg[] = "a post";
    (void)state;

    assert_int_equal(keys_ed25519_generate(&priv, &mb, NULL), HR_OK);
    assert_non_null(strstr(priv, "-----BEGIN PRIVATE KEY-----"));
    assert_int_equal(strncmp(mb, "z6Mk", 4), 0); /* every 0xed01 Multikey starts so */
    assert_int_equal(strlen(mb), 48);
    assert_int_equal(keys_private_load(priv, &sk, NULL), HR_OK);
    assert_false(keys_key_is_rsa(sk));
    assert_int_equal(keys_ed25519_sign(sk, msg, strlen(msg), sig, NULL), HR_OK);
    assert_int_equal(keys_ed25519_verify_multibase(mb, msg, strlen(msg), sig, NULL), HR_OK);
    sig[5] ^= 0x20;
    assert_int_equal(keys_ed25519_verify_multibase(mb, msg, strlen(msg), sig, NULL), HR_ESIG);
    sig[5] ^= 0x20;
    assert_int_equal(keys_ed25519_verify_multibase(mb, "a posT", 6, sig, NULL), HR_ESIG);
    keys_key_free(sk);
    keys_secret_free(priv);
    free(mb);
}

/* The W3C example's seed signs; the W3C example's Multikey verifies. That only holds when
 * the decoder maps "z6MkrJV..." to exactly b00d8d93...810f. Encoding is the inverse
 * checked by the round trip above (generate -> multibase -> verify). */
static void w3c_example_multikey_decodes_to_its_ed25519_key(void **state)
{
    struct keys_key *sk = NULL;
    unsigned char sig[64];
    (void)state;

    assert_int_equal(keys_private_load(w3c_private_pem, &sk, NULL), HR_OK);
    assert_int_equal(keys_ed25519_sign(sk, "abc", 3, sig, NULL), HR_OK);
    assert_int_equal(keys_ed25519_verify_multibase(w3c_multibase, "abc", 3, sig, NULL), HR_OK);
    keys_key_free(sk);
}

static void multibase_that_is_not_an_ed25519_multikey_is_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "z",
        "u7QGwDY2Tjn93PVFWWq02piP1NE9_XRlg-c8-jhJiDqKBDw",   /* base64url form, not 'z' */
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2A", /* 35 bytes */
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ",   /* too short */
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ0",  /* '0' not base58 */
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQl",  /* 'l' not base58 */
        "z6LSoXQuWdK51urgxF6xrhEr9cQVr8pN7e7CJV79YFZTPcPQ",  /* same key, X25519 0xec01 */
        " z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    };
    unsigned char sig[64] = {0};
    struct hr_err err = {0};
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = keys_ed25519_verify_multibase(bad[i], "abc", 3, sig, &err);
        if (rc != HR_EINVAL)
            fail_msg("case %zu (%s): rc %d", i, bad[i], rc);
    }
    assert_int_equal(keys_ed25519_verify_multibase(NULL, "abc", 3, sig, NULL), HR_EINVAL);
}

/* Ed25519 is deterministic (RFC 8032): our signature must equal OpenSSL CLI's, and its
 * signature must verify against the Multikey a separate base58 implementation made. */
static void ed25519_signature_from_openssl_pkeyutl_verifies_and_matches_ours(void **state)
{
    size_t msg_len, sig_len;
    char *msg = slurp("ed25519.msg", &msg_len), *sig = slurp("ed25519.sig", &sig_len);
    char *mb = slurp("ed25519.pub.multibase", NULL), *priv = slurp("ed25519.pem", NULL);
    struct keys_key *sk = NULL;
    unsigned char ours[64];
    (void)state;

    assert_int_equal(sig_len, 64);
    assert_int_equal(keys_ed25519_verify_multibase(mb, msg, msg_len, (unsigned char *)sig, NULL),
                     HR_OK);
    assert_int_equal(keys_private_load(priv, &sk, NULL), HR_OK);
    assert_int_equal(keys_ed25519_sign(sk, msg, msg_len, ours, NULL), HR_OK);
    assert_memory_equal(ours, sig, 64);
    keys_key_free(sk);
    keys_secret_free(priv);
    free(msg);
    free(sig);
    free(mb);
}

static void ed25519_spki_public_pem_is_accepted(void **state)
{
    struct keys_key *pk = NULL;
    (void)state;

    assert_int_equal(load_public_file("ed25519.pub.pem", &pk, NULL), HR_OK);
    assert_false(keys_key_is_rsa(pk));
    /* an Ed25519 key cannot be used where RSA is required */
    assert_int_equal(keys_rsa_verify(pk, "x", 1, sl("AAAA"), NULL), HR_EINVAL);
    keys_key_free(pk);
}

static void keys_of_the_wrong_type_are_refused_by_sign(void **state)
{
    struct keys_key *ed = NULL, *rsa = NULL;
    char *rsa_pem = slurp("rsa2048.pem", NULL), *sig = NULL;
    unsigned char raw[64];
    (void)state;

    assert_int_equal(keys_private_load(w3c_private_pem, &ed, NULL), HR_OK);
    assert_int_equal(keys_private_load(rsa_pem, &rsa, NULL), HR_OK);
    assert_int_equal(keys_rsa_sign(ed, "x", 1, &sig, NULL), HR_EINVAL);
    assert_int_equal(keys_ed25519_sign(rsa, "x", 1, raw, NULL), HR_EINVAL);
    assert_int_equal(keys_private_load("not a key", &rsa, NULL) == HR_EINVAL, 1);
    keys_key_free(ed);
    keys_key_free(rsa);
    keys_secret_free(rsa_pem);
}

static void public_keys_cannot_sign(void **state)
{
    struct keys_key *rsa = NULL, *ed = NULL;
    char *sig = NULL;
    unsigned char raw[64];
    (void)state;

    assert_int_equal(load_public_file("rsa2048.pub.pem", &rsa, NULL), HR_OK);
    assert_int_equal(load_public_file("ed25519.pub.pem", &ed, NULL), HR_OK);
    assert_int_equal(keys_rsa_sign(rsa, "x", 1, &sig, NULL), HR_EINVAL);
    assert_int_equal(keys_ed25519_sign(ed, "x", 1, raw, NULL), HR_EINVAL);
    assert_null(sig);
    keys_key_free(rsa);
    keys_key_free(ed);
}

/* ---- digests, base64, random -------------------------------------------------- */

static void sha256_of_abc_is_the_fips_180_known_answer(void **state)
{
    char hex[65], b64[48];
    unsigned char raw[32];
    (void)state;

    keys_sha256("abc", 3, raw);
    assert_int_equal(raw[0], 0xba);
    assert_int_equal(raw[31], 0xad);
    keys_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    keys_sha256_b64("abc", 3, b64);
    assert_string_equal(b64, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    keys_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void base64_encode_matches_rfc_4648_test_vectors(void **state)
{
    static const char *const vec[][2] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    unsigned char out[8];
    size_t n;
    (void)state;

    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        char *enc = keys_base64_encode(vec[i][0], strlen(vec[i][0]));
        assert_string_equal(enc, vec[i][1]);
        free(enc);
        assert_int_equal(keys_base64_decode(sl(vec[i][1]), out, sizeof out, &n), HR_OK);
        assert_int_equal(n, strlen(vec[i][0]));
        assert_memory_equal(out, vec[i][0], n);
    }
}

static void base64_round_trips_every_byte_value_and_long_input(void **state)
{
    enum { N = 100000 }; /* longer than one internal encoding chunk */
    unsigned char *in = malloc(N), *out = malloc(N);
    char *enc;
    size_t n = 0;
    (void)state;

    for (size_t i = 0; i < N; i++)
        in[i] = (unsigned char)(i * 7 + i / 256);
    enc = keys_base64_encode(in, N);
    assert_non_null(enc);
    assert_int_equal(strlen(enc), (N + 2) / 3 * 4);
    assert_int_equal(keys_base64_decode(sl(enc), out, N, &n), HR_OK);
    assert_int_equal(n, N);
    assert_memory_equal(in, out, N);
    free(enc);
    free(in);
    free(out);
}

static void base64_decode_refuses_everything_but_canonical_padded_base64(void **state)
{
    static const char *const bad[] = {
        "Zm9",        /* length not a multiple of 4 */
        "Zg",         /* missing padding */
        "Zg=",        /* short padding */
        " Zm9v",      /* leading space */
        "Zm9v ",      /* trailing space */
        "Zm9v\n",     /* trailing newline */
        "Zm\n9v",     /* embedded newline */
        "Zm9v\tYmFy", /* tab */
        "Zm9-",       /* base64url alphabet */
        "Zm9_",       /* base64url alphabet */
        "Zm=v",       /* '=' in the middle */
        "Z===",       /* three pad chars */
        "====",       /* only padding */
        "Zm9v====",   /* a whole quantum of padding */
        "Zh==",       /* non-zero pad bits: second spelling of "f" */
        "Zm9=",       /* non-zero pad bits: second spelling of "fo" */
        "Zm9v*A==",   /* out-of-alphabet char */
    };
    unsigned char out[16];
    size_t n;
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (keys_base64_decode(sl(bad[i]), out, sizeof out, &n) != HR_EINVAL)
            fail_msg("accepted bad base64 case %zu: \"%s\"", i, bad[i]);
    }
    /* a NUL byte inside the slice */
    assert_int_equal(keys_base64_decode((struct hr_slice){"Zm\0v", 4}, out, 16, &n), HR_EINVAL);
}

static void base64_decode_stops_at_the_output_capacity(void **state)
{
    unsigned char out[6];
    size_t n = 99;
    (void)state;

    assert_int_equal(keys_base64_decode(sl("Zm9vYmFy"), out, 6, &n), HR_OK);
    assert_int_equal(n, 6);
    assert_int_equal(keys_base64_decode(sl("Zm9vYmE="), out, 5, &n), HR_OK);
    assert_int_equal(n, 5);
    assert_int_equal(keys_base64_decode(sl("Zm9vYmFy"), out, 5, &n), HR_ETOOBIG);
    assert_int_equal(keys_base64_decode(sl(""), out, 0, &n), HR_OK);
    assert_int_equal(n, 0);
}

static void random_hex_is_lowercase_hex_of_the_asked_length_and_differs(void **state)
{
    char a[65], b[65];
    (void)state;

    assert_int_equal(keys_random_hex(32, a, sizeof a), HR_OK);
    assert_int_equal(keys_random_hex(32, b, sizeof b), HR_OK);
    assert_int_equal(strlen(a), 64);
    assert_int_equal(strspn(a, "0123456789abcdef"), 64);
    assert_string_not_equal(a, b);
    assert_int_equal(keys_random_hex(33, a, sizeof a), HR_EINVAL);
    assert_int_equal(keys_random_hex(0, a, 1), HR_OK);
    assert_string_equal(a, "");
}

static void free_functions_accept_null(void **state)
{
    (void)state;
    keys_key_free(NULL);
    keys_secret_free(NULL);
    assert_false(keys_key_is_rsa(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rsa_key_generated_loaded_signs_and_verifies),
        cmocka_unit_test(rsa_verify_fails_when_one_byte_of_data_or_signature_changes),
        cmocka_unit_test(rsa_signature_from_openssl_cli_verifies_with_pkcs1_and_spki_pem),
        cmocka_unit_test(rsa_sign_of_private_fixture_verifies_with_its_public_fixture),
        cmocka_unit_test(weak_1024_bit_rsa_key_is_refused_with_a_clear_message),
        cmocka_unit_test(rsa_key_with_exponent_17_is_refused),
        cmocka_unit_test(rsa_key_with_exponent_3_is_refused_like_a_short_key),
        cmocka_unit_test(rsa_exponent_of_a_generated_key_is_65537),
        cmocka_unit_test(rsa_exponent_of_an_ed25519_key_is_an_error),
        cmocka_unit_test(ec_public_key_is_refused_as_unsupported),
        cmocka_unit_test(private_key_pem_is_not_accepted_as_a_public_key),
        cmocka_unit_test(malformed_public_pem_is_refused),
        cmocka_unit_test(rsa_verify_refuses_non_base64_and_oversized_signatures),
        cmocka_unit_test(ed25519_key_generated_loaded_signs_and_verifies),
        cmocka_unit_test(w3c_example_multikey_decodes_to_its_ed25519_key),
        cmocka_unit_test(multibase_that_is_not_an_ed25519_multikey_is_refused),
        cmocka_unit_test(ed25519_signature_from_openssl_pkeyutl_verifies_and_matches_ours),
        cmocka_unit_test(ed25519_spki_public_pem_is_accepted),
        cmocka_unit_test(keys_of_the_wrong_type_are_refused_by_sign),
        cmocka_unit_test(public_keys_cannot_sign),
        cmocka_unit_test(sha256_of_abc_is_the_fips_180_known_answer),
        cmocka_unit_test(base64_encode_matches_rfc_4648_test_vectors),
        cmocka_unit_test(base64_round_trips_every_byte_value_and_long_input),
        cmocka_unit_test(base64_decode_refuses_everything_but_canonical_padded_base64),
        cmocka_unit_test(base64_decode_stops_at_the_output_capacity),
        cmocka_unit_test(random_hex_is_lowercase_hex_of_the_asked_length_and_differs),
        cmocka_unit_test(free_functions_accept_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
