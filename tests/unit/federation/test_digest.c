/* tests/unit/federation/test_digest.c - the Digest header (RFC 3230, SHA-256):
 * building it and checking a peer's value against the body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "federation/httpsig.h"

/* draft-cavage-12 Appendix C's example body and its Digest */
static const char hello[] = "{\"hello\": \"world\"}";
static const char hello_digest[] = "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=";
static const char hello_sha512[] =
    "SHA-512=WZDPaVn/"
    "7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==";

static struct hr_slice sl(const char *s)
{
    return (struct hr_slice){s, strlen(s)};
}

static void digest_of_the_draft_cavage_example_body_is_its_known_value(void **state)
{
    char out[64];
    (void)state;

    fed_digest_make(hello, strlen(hello), out);
    assert_string_equal(out, hello_digest);
    fed_digest_make("", 0, out);
    assert_string_equal(out, "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

static void digest_made_by_us_checks_against_the_same_body(void **state)
{
    char out[64];
    (void)state;

    fed_digest_make(hello, strlen(hello), out);
    assert_int_equal(fed_digest_check(sl(out), hello, strlen(hello), NULL), HR_OK);
}

static void digest_algorithm_name_is_case_insensitive(void **state)
{
    (void)state;
    assert_int_equal(fed_digest_check(sl("sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="),
                                      hello, strlen(hello), NULL),
                     HR_OK);
    assert_int_equal(fed_digest_check(sl("Sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="),
                                      hello, strlen(hello), NULL),
                     HR_OK);
}

static void digest_with_several_algorithms_uses_the_sha256_one(void **state)
{
    char v[256];
    (void)state;

    snprintf(v, sizeof v, "%s,%s", hello_sha512, hello_digest);
    assert_int_equal(fed_digest_check(sl(v), hello, strlen(hello), NULL), HR_OK);
    snprintf(v, sizeof v, "%s, %s", hello_digest, hello_sha512); /* OWS after the comma */
    assert_int_equal(fed_digest_check(sl(v), hello, strlen(hello), NULL), HR_OK);
    snprintf(v, sizeof v, "MD5=Sd/dVLAcvNLSq16eXua5uQ==,%s", hello_digest);
    assert_int_equal(fed_digest_check(sl(v), hello, strlen(hello), NULL), HR_OK);
}

static void digest_of_a_different_body_is_a_signature_failure(void **state)
{
    struct hr_err err = {0};
    (void)state;

    assert_int_equal(fed_digest_check(sl(hello_digest), "{\"hello\": \"World\"}", 18, &err),
                     HR_ESIG);
    assert_int_equal(err.code, HR_ESIG);
    assert_int_equal(fed_digest_check(sl(hello_digest), "", 0, NULL), HR_ESIG);
}

static void malformed_digest_values_are_refused_as_invalid(void **state)
{
    static const struct {
        const char *why, *value;
    } bad[] = {
        {"empty", ""},
        {"no SHA-256 among the values", "SHA-512=WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+"
                                        "AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew=="},
        {"SHA-256 label on the SHA-1 (20 bytes)", "SHA-256=07CavjDP4u3/TungoUHJO/Wzr4c="},
        {"SHA-256 label on a 64-byte value", "SHA-256=WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+"
                                             "TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew=="},
        {"base64url alphabet", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE_"},
        {"missing padding", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE"},
        {"space inside the base64", "SHA-256=X48E9qOokqqrvdts8nOJ RJN3OWDUoyWxBf7kbu9DBPE="},
        {"no '='", "SHA-256"},
        {"empty value", "SHA-256="},
        {"empty algorithm", "=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="},
        {"trailing comma", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=,"},
        {"two SHA-256 values", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=,"
                               "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
        {"CR in the value", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\r"},
        {"bad algorithm token", "SHA 256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="},
    };
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = fed_digest_check(sl(bad[i].value), hello, strlen(hello), NULL);
        if (rc != HR_EINVAL)
            fail_msg("%s: rc %d, want EINVAL", bad[i].why, rc);
    }
}

static void digest_header_with_nul_or_over_one_kib_is_refused(void **state)
{
    char big[1100];
    (void)state;

    assert_int_equal(
        fed_digest_check((struct hr_slice){"SHA-256=\0AAA", 12}, hello, strlen(hello), NULL),
        HR_EINVAL);
    memset(big, 'A', sizeof big);
    memcpy(big, hello_digest, strlen(hello_digest));
    big[strlen(hello_digest)] = ',';
    big[strlen(hello_digest) + 1] = 'X';
    big[strlen(hello_digest) + 2] = '=';
    assert_int_equal(
        fed_digest_check((struct hr_slice){big, sizeof big}, hello, strlen(hello), NULL),
        HR_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(digest_of_the_draft_cavage_example_body_is_its_known_value),
        cmocka_unit_test(digest_made_by_us_checks_against_the_same_body),
        cmocka_unit_test(digest_algorithm_name_is_case_insensitive),
        cmocka_unit_test(digest_with_several_algorithms_uses_the_sha256_one),
        cmocka_unit_test(digest_of_a_different_body_is_a_signature_failure),
        cmocka_unit_test(malformed_digest_values_are_refused_as_invalid),
        cmocka_unit_test(digest_header_with_nul_or_over_one_kib_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
