/* server/attest_cli.c - herald attest issue|revoke|list|import|verify: thin over
 * agency/attest.c (authorization, audit) and fed_attest_verify (the report). cli.c opens
 * the data directory and hands the app here. */
#include "server/attest.h"
#include "agency/agency.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTEST_USAGE                                                                               \
    "attest issue --issuer ACCOUNT --subject ACTOR_URL --name TEXT "                               \
    "--kind agency|department|official [--valid-until DATE] | attest revoke ID [--reason TEXT] "   \
    "| attest list [--json] | attest import URL [--account NAME] | attest verify URL|HANDLE "      \
    "[--json]"

/* "YYYY-MM-DD" (valid through that day, UTC) or "YYYY-MM-DDTHH:MM:SSZ". */
static int date_parse(const char *s, int64_t *out, struct hr_err *err)
{
    char full[32];

    if (strlen(s) == 10) {
        snprintf(full, sizeof full, "%sT23:59:59Z", s);
        s = full;
    }
    if (hr_iso8601_parse(s, out) != HR_OK)
        return hr_fail(err, HR_EINVAL,
                       "--valid-until must be YYYY-MM-DD or "
                       "YYYY-MM-DDTHH:MM:SSZ");
    return HR_OK;
}

static int issue(struct app *app, int argc, char **argv, struct hr_err *err)
{
    struct fed_attest_input in = {0};
    const char *until = NULL;
    char *url = NULL;
    int rc;

    for (int i = 2; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--issuer") == 0        ? &in.issuer
                            : strcmp(argv[i], "--subject") == 0     ? &in.subject
                            : strcmp(argv[i], "--name") == 0        ? &in.name
                            : strcmp(argv[i], "--kind") == 0        ? &in.kind
                            : strcmp(argv[i], "--valid-until") == 0 ? &until
                                                                    : NULL;
        if (slot == NULL || i + 1 >= argc)
            return hr_fail(err, HR_EINVAL, "usage: %s", ATTEST_USAGE);
        *slot = argv[++i];
    }
    if (in.issuer == NULL || in.subject == NULL || in.name == NULL || in.kind == NULL)
        return hr_fail(err, HR_EINVAL, "attest issue needs --issuer, --subject, --name and --kind");
    if (until != NULL && date_parse(until, &in.valid_until_ms, err) != HR_OK)
        return HR_EINVAL;
    rc = agency_attest_issue(app->st, app->fed, app->as, &in, &url, err);
    if (rc == HR_OK)
        printf("%s\n", url);
    free(url);
    return rc;
}

static int revoke(struct app *app, int argc, char **argv, struct hr_err *err)
{
    const char *reason = NULL;
    int rc;

    if (argc == 5 && strcmp(argv[3], "--reason") == 0)
        reason = argv[4];
    else if (argc != 3)
        return hr_fail(err, HR_EINVAL, "usage: attest revoke ID [--reason TEXT]");
    rc = agency_attest_revoke(app->st, app->as, argv[2], reason, err);
    if (rc == HR_OK)
        printf("revoked %s: it is in the issuer's revocation list from now on\n", argv[2]);
    return rc;
}

static int list(struct app *app, int argc, char **argv, struct hr_err *err)
{
    bool as_json = argc == 3 && strcmp(argv[2], "--json") == 0;
    json_t *all = NULL, *v;
    size_t i;
    int rc;

    if (argc != 2 && !as_json)
        return hr_fail(err, HR_EINVAL, "usage: attest list [--json]");
    rc = agency_attest_list(app->st, app->fed, app->as, &all, err);
    if (rc == HR_OK && as_json) {
        char *text = json_dumps(all, JSON_INDENT(2));
        printf("%s\n", text ? text : "[]");
        free(text);
    }
    json_array_foreach(rc == HR_OK && !as_json ? all : NULL, i, v)
    {
        cli_say("%s %s %s %s \"%s\"%s\n", json_string_value(json_object_get(v, "url")),
            json_string_value(json_object_get(v, "issuer")),
            json_string_value(json_object_get(v, "kind")),
            json_string_value(json_object_get(v, "subject")),
            json_string_value(json_object_get(v, "name")),
            json_object_get(v, "revoked_ms") ? " revoked" : "");
    }
    json_decref(all);
    return rc;
}

static int import(struct app *app, int argc, char **argv, struct hr_err *err)
{
    const char *account = argc == 5 && strcmp(argv[3], "--account") == 0 ? argv[4] : NULL;
    json_t *e = NULL;
    int rc;

    if (argc != 3 && account == NULL)
        return hr_fail(err, HR_EINVAL, "usage: attest import URL [--account NAME]");
    rc = agency_attest_import(app->st, app->fed, app->as, argv[2], account, &e, err);
    if (rc == HR_OK)
        cli_say("%s now shows: verified %s \"%s\", attested by %s (%s)\n",
            json_string_value(json_object_get(e, "subject")),
            json_string_value(json_object_get(e, "kind")),
            json_string_value(json_object_get(e, "name")),
            json_string_value(json_object_get(e, "issuer_name")),
            json_string_value(json_object_get(e, "issuer")));
    json_decref(e);
    return rc;
}

/* The report in plain lines: what is proven, then what is not. */
static void report_print(const json_t *rep)
{
    const json_t *post = json_object_get(rep, "post"), *v;
    size_t i;

    if (post != NULL)
        cli_say("post %s: proof %s%s%s\n", json_string_value(json_object_get(post, "url")),
            json_string_value(json_object_get(post, "proof")),
            json_string_value(json_object_get(post, "reason"))[0] ? ": " : "",
            json_string_value(json_object_get(post, "reason")));
    json_array_foreach(json_object_get(rep, "chain"), i, v)
    {
        if (json_is_true(json_object_get(v, "ok")))
            cli_say("proven: %s is %s \"%s\", attested by %s (%s)\n",
                json_string_value(json_object_get(v, "subject")),
                json_string_value(json_object_get(v, "kind")),
                json_string_value(json_object_get(v, "name")),
                json_string_value(json_object_get(v, "issuer_name")),
                json_string_value(json_object_get(v, "issuer")));
    }
    if (json_is_string(json_object_get(rep, "anchor")))
        cli_say("trust anchor: %s\n", json_string_value(json_object_get(rep, "anchor")));
    json_array_foreach(json_object_get(rep, "problems"), i, v)
        cli_say("not proven: %s\n", json_string_value(v));
    cli_say("%s\n", json_is_true(json_object_get(rep, "verified")) ? "VERIFIED" : "NOT VERIFIED");
}

/* Exit 0 only when verified. */
static int verify(struct app *app, int argc, char **argv, struct hr_err *err)
{
    bool as_json = argc == 4 && strcmp(argv[3], "--json") == 0;
    json_t *rep;
    char *text;
    bool ok;

    if (argc != 3 && !as_json)
        return hr_fail(err, HR_EINVAL, "usage: attest verify URL|HANDLE [--json]");
    rep = fed_attest_verify(app->fed, argv[2], app->cfg.trust_anchors);
    if (rep == NULL)
        return hr_fail(err, HR_ENOMEM, "verify");
    if (as_json) {
        text = json_dumps(rep, JSON_INDENT(2));
        printf("%s\n", text ? text : "{}");
        free(text);
    } else {
        report_print(rep);
    }
    ok = json_is_true(json_object_get(rep, "verified"));
    json_decref(rep);
    if (!ok)
        return hr_fail(err, HR_ESIG, "not verified");
    return HR_OK;
}

int cli_attest(struct app *app, int argc, char **argv, struct hr_err *err)
{
    static const struct {
        const char *verb;
        int (*fn)(struct app *, int, char **, struct hr_err *);
    } verbs[] = {{"issue", issue},
                 {"revoke", revoke},
                 {"list", list},
                 {"import", import},
                 {"verify", verify}};

    for (size_t i = 0; argc >= 2 && i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(argv[1], verbs[i].verb) == 0)
            return verbs[i].fn(app, argc, argv, err);
    return hr_fail(err, HR_EINVAL, "usage: %s", ATTEST_USAGE);
}
