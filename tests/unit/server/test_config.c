/* tests/unit/server/test_config.c - the configuration file parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/config.h"

#include <netinet/in.h>
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

static void a_hash_after_a_space_or_tab_starts_a_comment(void **state)
{
    struct config c;
    struct hr_err err = {0};

    (void)state;
    config_defaults(&c);
    assert_int_equal(config_parse("log_level = debug  # more detail\n"
                                  "signature_window = 600\t# ten minutes\n"
                                  "allow_private_network = true # loopback only\n"
                                  "listen = 127.0.0.1:9000 #behind nginx\n",
                                  "t", &c, &err),
                     HR_OK);
    assert_string_equal(c.log_level, "debug");
    assert_int_equal(c.signature_window, 600);
    assert_true(c.allow_private_network);
    assert_string_equal(c.listen, "127.0.0.1:9000");
}

static void a_hash_right_after_a_character_is_part_of_the_value(void **state)
{
    struct config c;

    (void)state;
    config_defaults(&c);
    assert_int_equal(config_parse("base_url = https://a.example/#x # the comment\n", "t", &c, NULL),
                     HR_OK);
    assert_string_equal(c.base_url, "https://a.example/#x");
}

static void a_value_that_is_only_a_comment_is_empty(void **state)
{
    struct config c;
    struct hr_err err = {0};

    (void)state;
    config_defaults(&c);
    assert_int_equal(config_parse("domain = # none yet\n", "t", &c, &err), HR_OK);
    assert_string_equal(c.domain, "");
    /* an empty number is still refused, naming the key */
    assert_int_equal(config_parse("signature_window = # later\n", "t", &c, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "signature_window"));
}

static void a_too_long_value_is_quoted_in_the_error(void **state)
{
    struct config c;
    struct hr_err err = {0};

    (void)state;
    config_defaults(&c);
    assert_int_equal(config_parse("\nlog_level = debugdebugdebugdebug\n", "herald.conf", &c, &err),
                     HR_EINVAL);
    assert_non_null(strstr(err.msg, "herald.conf line 2"));
    assert_non_null(strstr(err.msg, "at most 15 bytes"));
    assert_non_null(strstr(err.msg, "'debugdebugdebugdebug'"));
    assert_string_equal(c.log_level, "info"); /* untouched */
}

static void a_listen_value_serve_would_refuse_is_refused_when_read(void **state)
{
    static const char *const bad[] = {
        "listen = localhost:8080\n", "listen = 127.0.0.1\n",  "listen = 127.0.0.1:70000\n",
        "listen = :8080\n",          "listen = 127.0.0.1:\n", "listen = [::1]8080\n",
        "listen = 1.2.3.4.5:80\n",
    };
    struct config c;
    struct hr_err err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        config_defaults(&c);
        assert_int_equal(config_parse(bad[i], "herald.conf", &c, &err), HR_EINVAL);
        assert_non_null(strstr(err.msg, "herald.conf line 1"));
        assert_non_null(strstr(err.msg, "listen"));
    }
    config_defaults(&c);
    assert_int_equal(config_parse("listen = [::1]:8080\n", "t", &c, &err), HR_OK);
    assert_int_equal(config_parse("listen = 0.0.0.0:443\n", "t", &c, &err), HR_OK);
}

static void listen_parse_fills_the_socket_address(void **state)
{
    struct sockaddr_storage ss;
    socklen_t len = 0;
    struct hr_err err = {0};

    (void)state;
    assert_int_equal(config_listen_parse("127.0.0.1:8080", &ss, &len, &err), HR_OK);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(len, sizeof(struct sockaddr_in));
    assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8080);
    assert_int_equal(config_listen_parse("[::1]:443", &ss, &len, &err), HR_OK);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 443);
    assert_int_equal(config_listen_parse("herald.example:80", &ss, &len, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "must be an IP address"));
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(defaults_are_safe),
        cmocka_unit_test(keys_values_comments_and_blank_lines_parse),
        cmocka_unit_test(an_unknown_key_is_an_error_naming_the_line),
        cmocka_unit_test(bad_values_are_errors),
        cmocka_unit_test(a_written_config_lists_every_key_and_reads_back),
        cmocka_unit_test(a_hash_after_a_space_or_tab_starts_a_comment),
        cmocka_unit_test(a_hash_right_after_a_character_is_part_of_the_value),
        cmocka_unit_test(a_value_that_is_only_a_comment_is_empty),
        cmocka_unit_test(a_too_long_value_is_quoted_in_the_error),
        cmocka_unit_test(a_listen_value_serve_would_refuse_is_refused_when_read),
        cmocka_unit_test(listen_parse_fills_the_socket_address),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
