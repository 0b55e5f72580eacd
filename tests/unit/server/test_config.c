/* tests/unit/server/test_config.c - the configuration file parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void defaults_are_safe(void **state)
{
    struct config c;

    (void)state;
    config_defaults(&c);
    assert_false(c.allow_private_network);
    assert_int_equal(c.signature_window, 3600);
    assert_int_equal(c.inbox_max_body, 262144);
    assert_string_equal(c.listen, "127.0.0.1:8080");
}

static void keys_values_comments_and_blank_lines_parse(void **state)
{
    struct config c;

    (void)state;
    config_defaults(&c);
    assert_int_equal(config_parse("# comment\n\ndomain = a.example\n  base_url=https://a.example  \n"
                                  "allow_private_network = true\nsignature_window = 600\n",
                                  "t", &c, NULL),
                     HR_OK);
    assert_string_equal(c.domain, "a.example");
    assert_string_equal(c.base_url, "https://a.example");
    assert_true(c.allow_private_network);
    assert_int_equal(c.signature_window, 600);
}

static void an_unknown_key_is_an_error_naming_the_line(void **state)
{
    struct config c;
    struct hr_err err = {0};

    (void)state;
    config_defaults(&c);
    assert_int_equal(config_parse("domain = a\n\nsignature_windw = 5\n", "herald.conf", &c, &err),
                     HR_EINVAL);
    assert_non_null(strstr(err.msg, "herald.conf line 3"));
    assert_non_null(strstr(err.msg, "signature_windw"));
}

static void bad_values_are_errors(void **state)
{
    struct config c;
    struct hr_err err = {0};

    (void)state;
    config_defaults(&c);
    assert_int_equal(config_parse("allow_private_network = yes\n", "t", &c, &err), HR_EINVAL);
    assert_int_equal(config_parse("signature_window = 5\n", "t", &c, &err), HR_EINVAL);
    assert_int_equal(config_parse("signature_window = -1\n", "t", &c, &err), HR_EINVAL);
    assert_int_equal(config_parse("inbox_max_body = lots\n", "t", &c, &err), HR_EINVAL);
    assert_int_equal(config_parse("just words\n", "t", &c, &err), HR_EINVAL);
    assert_int_equal(c.signature_window, 3600); /* untouched by the failures */
}

static void a_written_config_lists_every_key_and_reads_back(void **state)
{
    char path[] = "/tmp/herald-conf-XXXXXX";
    int fd = mkstemp(path);
    struct config c;
    FILE *f;
    char text[16384];
    size_t n;

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    assert_int_equal(config_write_new(path, "a.example", "https://a.example", NULL), HR_OK);
    assert_int_equal(config_write_new(path, "a.example", "https://a.example", NULL), HR_EEXIST);
    f = fopen(path, "r");
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_non_null(strstr(text, "# allow_private_network = false"));
    assert_non_null(strstr(text, "# signature_window = 3600"));
    config_defaults(&c);
    assert_int_equal(config_load(path, &c, NULL), HR_OK);
    assert_string_equal(c.domain, "a.example");
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(defaults_are_safe),
        cmocka_unit_test(keys_values_comments_and_blank_lines_parse),
        cmocka_unit_test(an_unknown_key_is_an_error_naming_the_line),
        cmocka_unit_test(bad_values_are_errors),
        cmocka_unit_test(a_written_config_lists_every_key_and_reads_back),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
