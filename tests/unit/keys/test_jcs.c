/* tests/unit/keys/test_jcs.c - RFC 8785 canonical JSON and eddsa-jcs-2022 proofs against
 * published vectors: the JSON Canonicalization Scheme reference test data (cyberphone's
 * testdata: arrays, french, structures, unicode, values, weird), 13,000 numbers printed by
 * V8's Number.prototype.toString (tests/fixtures/jcs/numgen.mjs), and the W3C vc-di-eddsa
 * eddsa-jcs-2022 test vectors (canonical document, hashes, signature bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "keys/keys.h"

#define JCS HERALD_FIXTURES "/jcs/"
#define VEC HERALD_FIXTURES "/eddsa-jcs-2022/"

/* Whole file PATH as a NUL-terminated heap buffer. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

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
    if (len)
        *len = (size_t)n;
    return buf;
}

static json_t *load(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, JSON_DECODE_ANY, &je);

    if (j == NULL)
        fail_msg("%s: %s", path, je.text);
    return j;
}

static void canon_equals(const json_t *j, const char *want, size_t want_len)
{
    char *got = NULL;
    size_t len = 0;

    assert_int_equal(keys_jcs(j, &got, &len, NULL), HR_OK);
    if (len != want_len || memcmp(got, want, len) != 0)
        fail_msg("canonical form differs:\n got: %.*s\nwant: %.*s", (int)len, got,
                 (int)want_len, want);
    free(got);
}

static void reference_testdata_canonicalises_to_the_published_output(void **state)
{
    static const char *const names[] = {"arrays", "french", "structures",
                                        "unicode", "values", "weird"};
    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char in[512], out[512];
        size_t len;
        snprintf(in, sizeof in, JCS "input/%s.json", names[i]);
        snprintf(out, sizeof out, JCS "output/%s.json", names[i]);
        json_t *j = load(in);
        char *want = slurp(out, &len);
        canon_equals(j, want, len);
        free(want);
        json_decref(j);
    }
}

static double from_bits(uint64_t bits)
{
    double v;

    memcpy(&v, &bits, sizeof v);
    return v;
}

static void numbers_print_as_ecmascript_number_to_string(void **state)
{
    char *all = slurp(JCS "numbers.txt", NULL), *save = NULL;
    size_t n = 0;

    (void)state;
    for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *comma = strchr(line, ',');
        assert_non_null(comma);
        *comma = '\0';
        json_t *j = json_real(from_bits(strtoull(line, NULL, 16)));
        assert_non_null(j);
        char *got = NULL;
        size_t len = 0;
        assert_int_equal(keys_jcs(j, &got, &len, NULL), HR_OK);
        if (strcmp(got, comma + 1) != 0)
            fail_msg("0x%s: got %s, want %s", line, got, comma + 1);
        free(got);
        json_decref(j);
        n++;
    }
    assert_true(n > 13000);
    free(all);
}

static void integers_are_read_as_doubles(void **state)
{
    json_t *j = json_pack("[I,I,I]", (json_int_t)9007199254740993LL, (json_int_t)-1,
                          (json_int_t)1000000000000000000LL);
    const char want[] = "[9007199254740992,-1,1000000000000000000]";

    (void)state;
    canon_equals(j, want, sizeof want - 1);
    json_decref(j);
}

static void members_sort_by_utf16_code_units_not_bytes(void **state)
{
    /* U+FB33 (one unit 0xFB33) sorts after U+1F602 (surrogates 0xD83D 0xDE02), although
     * its UTF-8 bytes (EF AC B3) sort before (F0 9F 98 82) */
    json_t *j = json_pack("{s:i,s:i,s:i}", "\xef\xac\xb3", 1, "\xf0\x9f\x98\x82", 2, "a", 3);
    const char want[] = "{\"a\":3,\"\xf0\x9f\x98\x82\":2,\"\xef\xac\xb3\":1}";

    (void)state;
    canon_equals(j, want, sizeof want - 1);
    json_decref(j);
}

static void control_characters_escape_as_rfc8785_says(void **state)
{
    json_t *j = json_stringn("\x01\b\t\n\f\r\"\\/\x7f\xe2\x82\xac", 13);
    const char want[] = "\"\\u0001\\b\\t\\n\\f\\r\\\"\\\\/\x7f\xe2\x82\xac\"";

    (void)state;
    canon_equals(j, want, sizeof want - 1);
    json_decref(j);
}

static void a_member_name_holding_nul_is_refused(void **state)
{
    json_t *j = json_object();
    char *out = NULL;
    size_t len;
    struct hr_err err = {0};

    (void)state;
    assert_int_equal(json_object_setn_new(j, "a\0b", 3, json_true()), 0);
    assert_int_equal(keys_jcs(j, &out, &len, &err), HR_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.msg, "U+0000"));
    json_decref(j);
}

static void nesting_past_64_levels_is_refused(void **state)
{
    json_t *j = json_array();
    char *out = NULL;
    size_t len;

    (void)state;
    for (int i = 0; i < 70; i++)
        j = json_pack("[o]", j);
    assert_int_equal(keys_jcs(j, &out, &len, NULL), HR_EINVAL);
    assert_null(out);
    json_decref(j);
}

/* ---- eddsa-jcs-2022 (W3C vc-di-eddsa test vectors) ---- */

static char *trimmed(const char *name)
{
    char path[512], *s;
    size_t n;

    snprintf(path, sizeof path, VEC "%s", name);
    s = slurp(path, &n);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static struct keys_key *vector_key(void)
{
    json_t *kp = load(VEC "keyPair.json");
    unsigned char raw[34];
    struct keys_key *key = NULL;

    /* privateKeyMultibase: multicodec ed25519-priv (0x80 0x26) + the 32-byte seed */
    assert_int_equal(keys_multibase_decode(json_string_value(json_object_get(
                                               kp, "privateKeyMultibase")),
                                           raw, sizeof raw),
                     HR_OK);
    assert_int_equal(raw[0], 0x80);
    assert_int_equal(raw[1], 0x26);
    assert_int_equal(keys_ed25519_seed_load(raw + 2, &key, NULL), HR_OK);
    json_decref(kp);
    return key;
}

static const char *vector_pub(void)
{
    return "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
}

static void the_vector_seed_gives_the_vector_public_key(void **state)
{
    struct keys_key *key = vector_key();
    char *mb = NULL;

    (void)state;
    assert_int_equal(keys_ed25519_multibase(key, &mb, NULL), HR_OK);
    assert_string_equal(mb, vector_pub());
    free(mb);
    keys_key_free(key);
}

static void the_vector_document_and_proof_config_canonicalise_and_hash_as_published(void **s)
{
    json_t *doc = load(VEC "signedJCS.json"), *config = load(VEC "proofConfigJCS.json");
    char *canon_doc = trimmed("canonDocJCS.txt"), *canon_proof = trimmed("proofCanonJCS.txt");
    char *doc_hash = trimmed("docHashJCS.txt"), *proof_hash = trimmed("proofHashJCS.txt");
    char *got = NULL, hex[65];
    size_t len;

    (void)s;
    json_object_del(doc, "proof");
    canon_equals(doc, canon_doc, strlen(canon_doc));
    canon_equals(config, canon_proof, strlen(canon_proof));
    assert_int_equal(keys_jcs(doc, &got, &len, NULL), HR_OK);
    keys_sha256_hex(got, len, hex);
    assert_string_equal(hex, doc_hash);
    free(got);
    assert_int_equal(keys_jcs(config, &got, &len, NULL), HR_OK);
    keys_sha256_hex(got, len, hex);
    assert_string_equal(hex, proof_hash);
    free(got);
    free(canon_doc);
    free(canon_proof);
    free(doc_hash);
    free(proof_hash);
    json_decref(doc);
    json_decref(config);
}

static void signing_the_vector_document_gives_the_published_signature(void **state)
{
    json_t *doc = load(VEC "signedJCS.json"), *want = json_object_get(doc, "proof");
    json_t *bare = json_deep_copy(doc);
    struct keys_key *key = vector_key();
    char *sig58 = trimmed("sigBTC58JCS.txt");
    const json_t *proof;

    (void)state;
    json_object_del(bare, "proof");
    assert_int_equal(keys_proof_add(bare, key,
                                    json_string_value(json_object_get(want, "verificationMethod")),
                                    json_string_value(json_object_get(want, "created")), NULL),
                     HR_OK);
    proof = json_object_get(bare, "proof");
    assert_string_equal(json_string_value(json_object_get(proof, "proofValue")), sig58);
    assert_string_equal(json_string_value(json_object_get(want, "proofValue")), sig58);
    assert_string_equal(json_string_value(json_object_get(proof, "cryptosuite")),
                        "eddsa-jcs-2022");
    /* ours leaves the proof's @context to the document's, as Fedify does */
    assert_null(json_object_get(proof, "@context"));
    assert_int_equal(keys_proof_verify(bare, vector_pub(), NULL), HR_OK);
    free(sig58);
    keys_key_free(key);
    json_decref(bare);
    json_decref(doc);
}

static void the_published_signed_document_verifies(void **state)
{
    json_t *doc = load(VEC "signedJCS.json");
    struct keys_proof p;

    (void)state;
    assert_int_equal(keys_proof_read(doc, &p, NULL), HR_OK);
    assert_string_equal(p.created, "2023-02-24T23:36:38Z");
    assert_int_equal(keys_proof_verify(doc, vector_pub(), NULL), HR_OK);
    json_decref(doc);
}

/* Each tamper makes the vector document fail with CODE. */
static void expect_tampered(void (*tamper)(json_t *doc), int code)
{
    json_t *doc = load(VEC "signedJCS.json");
    struct hr_err err = {0};

    tamper(doc);
    assert_int_equal(keys_proof_verify(doc, vector_pub(), &err), code);
    assert_true(err.msg[0] != '\0');
    json_decref(doc);
}

static void edit_text(json_t *d) { json_object_set_new(d, "name", json_string("Alumni credential")); }
static void add_member(json_t *d) { json_object_set_new(d, "extra", json_true()); }
static void edit_created(json_t *d)
{
    json_object_set_new(json_object_get(d, "proof"), "created", json_string("2023-02-24T23:36:39Z"));
}
static void proof_array(json_t *d) { json_object_set_new(d, "proof", json_pack("[O]", json_object_get(d, "proof"))); }
static void other_suite(json_t *d)
{
    json_object_set_new(json_object_get(d, "proof"), "cryptosuite", json_string("eddsa-rdfc-2022"));
}
static void bad_value(json_t *d)
{
    json_object_set_new(json_object_get(d, "proof"), "proofValue", json_string("z0OIl"));
}
static void no_proof(json_t *d) { json_object_del(d, "proof"); }
static void other_context(json_t *d)
{
    json_object_set_new(d, "@context", json_pack("[s]", "https://www.w3.org/ns/credentials/v2"));
}
static void other_purpose(json_t *d)
{
    json_object_set_new(json_object_get(d, "proof"), "proofPurpose", json_string("authentication"));
}

static void a_changed_document_or_proof_does_not_verify(void **state)
{
    (void)state;
    expect_tampered(edit_text, HR_ESIG);
    expect_tampered(add_member, HR_ESIG);
    expect_tampered(edit_created, HR_ESIG);
    expect_tampered(other_context, HR_ESIG);
}

static void a_malformed_proof_is_refused_with_its_reason(void **state)
{
    (void)state;
    expect_tampered(proof_array, HR_EINVAL);
    expect_tampered(other_suite, HR_EINVAL);
    expect_tampered(bad_value, HR_EINVAL);
    expect_tampered(other_purpose, HR_EINVAL);
    expect_tampered(no_proof, HR_ENOTFOUND);
}

static void another_key_does_not_verify(void **state)
{
    json_t *doc = load(VEC "signedJCS.json");
    char *priv = NULL, *pub = NULL;

    (void)state;
    assert_int_equal(keys_ed25519_generate(&priv, &pub, NULL), HR_OK);
    assert_int_equal(keys_proof_verify(doc, pub, NULL), HR_ESIG);
    keys_secret_free(priv);
    free(pub);
    json_decref(doc);
}

static void a_document_already_carrying_a_proof_is_not_signed_again(void **state)
{
    json_t *doc = load(VEC "signedJCS.json");
    struct keys_key *key = vector_key();

    (void)state;
    assert_int_equal(keys_proof_add(doc, key, "https://a.example/u#k", "2026-01-01T00:00:00Z", NULL),
                     HR_EEXIST);
    keys_key_free(key);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_testdata_canonicalises_to_the_published_output),
        cmocka_unit_test(numbers_print_as_ecmascript_number_to_string),
        cmocka_unit_test(integers_are_read_as_doubles),
        cmocka_unit_test(members_sort_by_utf16_code_units_not_bytes),
        cmocka_unit_test(control_characters_escape_as_rfc8785_says),
        cmocka_unit_test(a_member_name_holding_nul_is_refused),
        cmocka_unit_test(nesting_past_64_levels_is_refused),
        cmocka_unit_test(the_vector_seed_gives_the_vector_public_key),
        cmocka_unit_test(the_vector_document_and_proof_config_canonicalise_and_hash_as_published),
        cmocka_unit_test(signing_the_vector_document_gives_the_published_signature),
        cmocka_unit_test(the_published_signed_document_verifies),
        cmocka_unit_test(a_changed_document_or_proof_does_not_verify),
        cmocka_unit_test(a_malformed_proof_is_refused_with_its_reason),
        cmocka_unit_test(another_key_does_not_verify),
        cmocka_unit_test(a_document_already_carrying_a_proof_is_not_signed_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
