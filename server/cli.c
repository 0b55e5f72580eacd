/* server/cli.c - the herald command line. Every command gives one line on stderr and a
 * non-zero exit on bad input: 1 for errors, 2 for usage. */
#include "server/cli.h"
#include "agency/agency.h"
#include "server/server.h"
#include "server/attest.h"
#include "server/media_front.h"
#include "server/desk_front.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EXIT_USAGE 2

/* in parts: C17 compilers need only take string literals of 4095 bytes */
static const char *const usage_text[] = {
    "usage: herald [--data DIR] COMMAND ...\n"
    "\n"
    "  init --domain HOST [--base-url URL]    create the data directory (default ./herald-data)\n"
    "  account add NAME --kind agency|department|official|service [--name TEXT] [--summary TEXT]\n"
    "      [--agency NAME|ACTOR_URL]  an official's agency (required for official)\n"
    "      [--parent NAME|ACTOR_URL]  a department's parent (required), a service's (optional)\n"
    "  account list [--json]\n"
    "  account link|unlink PARENT ACTOR_URL [--kind KIND]   list a remote account under an\n"
    "                                         agency or department (its account matrix)\n"
    "  post NAME TEXT                         publish now, or file a submitted draft when the\n"
    "                                         account needs approvals\n"
    "  draft new NAME TEXT [--cw T] [--at 2026-12-01T09:00:00Z] [--reply-to URL] [--submit]\n"
    "  draft new NAME TEXT --lang zh [--submit]             the post's language (default: the\n"
    "                                         account's language, else the instance's first)\n"
    "  draft new NAME TEXT --quote POST_URL [--submit]      quote another agency's notice\n"
    "  draft new NAME TEXT --visibility public|unlisted|followers|direct   who it reaches\n"
    "  draft new NAME TEXT --image FILE --alt TEXT [...]     up to 4 images, each with alt text\n"
    "  draft new NAME TEXT --poll OPTION --poll OPTION [...] [--multiple] --closes TIME\n"
    "                                         a poll (public consultation), 2 to 10 options\n"
    "  draft new NAME TEXT --replaces NOTE_URL [--submit]   edit a published post (Update)\n"
    "  draft new NAME --deletes NOTE_URL [--submit]          delete a published post (Delete)\n"
    "  draft edit ID TEXT [...] | draft submit|withdraw ID\n"
    "  draft approve|reject ID --rev HASH [--comment T]   HASH: the rev_sha256 draft show\n"
    "                                         printed (refused if the draft changed since)\n"
    "  draft list [--account NAME] [--state S] | draft show ID\n",
    "  follow|unfollow NAME @user@host|ACTOR_URL   follow another agency's account\n"
    "  following NAME | timeline NAME [--limit N]  whom NAME follows, and what they posted\n"
    "  boost NAME POST_URL                    boost (Announce) a post, through approvals\n"
    "  posts NAME [--page CURSOR]             the account's published posts (outbox page)\n"
    "  poll results ID [--format csv|json]    a poll's record: counts and every vote\n"
    "  followers NAME [--json]                list an account's followers\n"
    "  stats [--json]                         counts of what is stored\n"
    "  domain block|unblock HOST [--reason TEXT]   refuse a domain (drops its followers)\n"
    "  domain allow|disallow HOST             the allow-list (federation_mode = allowlist)\n"
    "  domain list [--json]\n"
    "  serve [--listen ADDR:PORT]             run the server (SIGTERM stops it)\n"
    "  account set NAME approvals 0-3         approvals a post needs before it goes out\n"
    "  account set NAME field LABEL [VALUE]   a profile field (at most 4; no VALUE removes it)\n"
    "  account set NAME avatar|header [FILE]  profile images (PNG, JPEG, WebP, GIF)\n"
    "  media gc [--min-age SECONDS]           remove media files nothing refers to any more\n"
    "  account set NAME KEY [VALUE]           a profile key (display_name, summary, ...);\n"
    "                                         no VALUE clears it; followers get the update\n"
    "  website check NAME                     does the account's website link back (rel=me)?\n"
    "  keys rotate NAME                       new RSA and Ed25519 keys; old posts still verify\n"
    "  account freeze NAME --reason TEXT      suspected hijack: stop publishing and deliveries\n"
    "  account unfreeze NAME [--approve]      one admin asks, a second admin approves\n"
    "  operator add|disable NAME | operator list [--json]\n"
    "  grant|revoke OPERATOR ROLE [--account NAME]   roles: admin editor approver responder auditor\n"
    "  token create OPERATOR [--expires DAYS] | token list | token revoke ID\n"
    "  audit verify | audit list [--since DAYS] [--account NAME] [--json] | audit head\n"
    "  attest issue --issuer ACCOUNT --subject ACTOR_URL --name TEXT --kind agency|department|official\n"
    "         [--valid-until DATE] | attest revoke ID [--reason TEXT] | attest list [--json]\n"
    "  attest import URL [--account NAME]     show an attestation of one of our accounts\n"
    "  attest verify URL|HANDLE [--json]      check a post or actor up to the trust anchors\n"
    "\n",
    /* issue #12: the citizen desk and supervision (docs/desk.md, docs/evaluation.md) */
    DESK_CLI_USAGE_CASES,
    DESK_CLI_USAGE_DESK,
    DESK_CLI_USAGE_REPORT,
    DESK_CLI_USAGE_WEBHOOK,
    "\n"
    "Global options: --data DIR (default ./herald-data or $HERALD_DATA), --as OPERATOR\n"
    "(act as that operator: their roles are checked and the audit log records them).\n"
    "  help | --version\n",
    NULL,
};

static int fail(const struct hr_err *err)
{
    fprintf(stderr, "herald: %s\n", err->msg);
    return 1;
}

/* Exit code of a command: 0, or 1 with the error's one line (a refusal by allowed()
 * has already said why and left ERR empty). */
static int outcome(int rc, const struct hr_err *err)
{
    if (rc == HR_OK)
        return 0;
    if (rc == HR_EFORBIDDEN && err->msg[0] == '\0')
        return 1;
    return fail(err);
}

static int usage(const char *msg)
{
    fprintf(stderr, "herald: %s (see 'herald help')\n", msg);
    return EXIT_USAGE;
}

/* Option value after ARGV[*i] named NAME; NULL and a usage error when missing. */
static const char *opt_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static void app_close(struct app *app)
{
    fed_free(app->fed);
    agency_close(app->st);
    app->fed = NULL;
    app->st = NULL;
}

/* Opens DIR's store and config for every command but init. */
static int app_open(struct app *app, struct hr_err *err)
{
    char path[4096];
    struct fed_config fc;
    int rc;

    config_defaults(&app->cfg);
    rc = agency_open(app->data_dir, false, 0, &app->st, err);
    if (rc != HR_OK)
        return rc;
    snprintf(path, sizeof path, "%s/herald.conf", app->data_dir);
    rc = config_load(path, &app->cfg, err);
    if (rc == HR_OK && (app->cfg.domain[0] == '\0' || app->cfg.base_url[0] == '\0'))
        rc = hr_fail(err, HR_EINVAL, "%s must set domain and base_url", path);
    if (rc == HR_OK) {
        /* reopen with the configured map size */
        agency_close(app->st);
        app->st = NULL;
        rc = agency_open(app->data_dir, false, app->cfg.map_size_mb, &app->st, err);
    }
    if (rc == HR_OK) {
        app_fed_config(app, &fc);
        rc = fed_new(app->st, &fc, &app->fed, err);
    if (rc == HR_OK) /* a citizen's Note to us opens a case (agency/cases.c, issue #12) */
        fed_set_desk_hooks(app->fed, &(struct fed_desk_hooks){agency_desk_note, app->fed});
    }
    if (rc != HR_OK)
        app_close(app);
    return rc;
}

static bool domain_valid(const char *d)
{
    size_t n = strlen(d);

    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= '0' && d[i] <= '9') || d[i] == '-' ||
              d[i] == '.' || d[i] == ':'))
            return false;
    return d[0] != '.' && d[0] != '-' && d[0] != ':';
}

static int cmd_init(struct app *app, int argc, char **argv)
{
    const char *domain = NULL, *base = NULL;
    char base_buf[600], path[4096];
    struct hr_err err = {0};
    struct store *st = NULL;
    struct stat sb;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--domain") == 0 && (domain = opt_value(argc, argv, &i)) != NULL)
            continue;
        if (strcmp(argv[i], "--base-url") == 0 && (base = opt_value(argc, argv, &i)) != NULL)
            continue;
        return usage("init takes --domain HOST [--base-url URL]");
    }
    if (domain == NULL)
        return usage("init needs --domain HOST");
    if (!domain_valid(domain))
        return usage("--domain must be a lowercase host name (with :port if not 443)");
    if (base == NULL) {
        snprintf(base_buf, sizeof base_buf, "https://%s", domain);
        base = base_buf;
    }
    if ((strncmp(base, "https://", 8) != 0 && strncmp(base, "http://", 7) != 0) ||
        base[strlen(base) - 1] == '/' || strlen(base) > 500)
        return usage("--base-url must be http(s)://HOST[:PORT] without a trailing slash");
    snprintf(path, sizeof path, "%s/herald.conf", app->data_dir);
    if (stat(path, &sb) == 0) {
        fprintf(stderr, "herald: %s is already initialised\n", app->data_dir);
        return 1;
    }
    if (agency_open(app->data_dir, true, 0, &st, &err) != HR_OK)
        return fail(&err);
    if (agency_instance_init(st, &err) != HR_OK) {
        agency_close(st);
        return fail(&err);
    }
    agency_close(st);
    if (config_write_new(path, domain, base, &err) != HR_OK)
        return fail(&err);
    printf("initialised %s for %s (%s)\n", app->data_dir, domain, base);
    return 0;
}

/* The authorization table's verdict for the CLI's operator (--as, or the local shell user):
 * a refusal is printed here, and ERR is left empty so the command only exits 1. */
static int allowed(struct app *app, enum agency_action action, const char *account,
                   const char *subject)
{
    struct hr_err err = {0};
    int rc = agency_may(app->st, app->as, action, account, subject, &err);

    if (rc != HR_OK)
        fprintf(stderr, "herald: %s\n", err.msg);
    return rc;
}

/* After a remote parent was set: does it list the account? (federation/kinds_check.c) */
static void parent_check_now(struct app *app, const char *name)
{
    struct hr_err err = {0};

    if (fed_parent_check(app->fed, name, hr_now_ms(), &err) != HR_OK)
        fprintf(stderr, "herald: %s: parent not checked: %s\n", name, err.msg);
}

/* --agency for an official, --parent for the other kinds (agency/kinds.c has the rules). */
static int parent_option(struct agency_account_new *in, const char *agency, const char *parent)
{
    if (agency != NULL && parent != NULL)
        return usage("account add takes --agency (an official) or --parent, not both");
    if (agency != NULL && strcmp(in->kind, "official") != 0)
        return usage("--agency names an official's agency; other kinds take --parent");
    if (parent != NULL && strcmp(in->kind, "official") == 0)
        return usage("an official names its agency with --agency");
    in->parent = agency ? agency : parent;
    return 0;
}

static int cmd_account_add(struct app *app, int argc, char **argv)
{
    struct agency_account_new in = {0};
    const char *agency = NULL, *parent = NULL;
    struct hr_err err = {0};
    int rc;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--kind") == 0 && (in.kind = opt_value(argc, argv, &i)) != NULL)
            continue;
        if (strcmp(argv[i], "--name") == 0 && (in.display = opt_value(argc, argv, &i)) != NULL)
            continue;
        if (strcmp(argv[i], "--summary") == 0 && (in.summary = opt_value(argc, argv, &i)) != NULL)
            continue;
        if (strcmp(argv[i], "--agency") == 0 && (agency = opt_value(argc, argv, &i)) != NULL)
            continue;
        if (strcmp(argv[i], "--parent") == 0 && (parent = opt_value(argc, argv, &i)) != NULL)
            continue;
        if (argv[i][0] != '-' && in.name == NULL) {
            in.name = argv[i];
            continue;
        }
        return usage("account add NAME --kind KIND [--name TEXT] [--summary TEXT] "
                     "[--agency NAME|URL] [--parent NAME|URL]");
    }
    if (in.name == NULL || in.kind == NULL)
        return usage("account add needs NAME and --kind");
    if ((rc = parent_option(&in, agency, parent)) != 0)
        return rc;
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = allowed(app, AGENCY_ACCOUNT_CREATE, NULL, NULL);
    if (rc == HR_OK)
        rc = agency_account_create(app->st, app->as, &in, &err);
    else
        err.msg[0] = '\0';
    if (rc == HR_OK)
        printf("created @%s@%s (%s) %s/users/%s\n", in.name, app->cfg.domain, in.kind,
               app->cfg.base_url, in.name);
    if (rc == HR_OK && agency_parent_is_url(in.parent))
        parent_check_now(app, in.name);
    app_close(app);
    return rc == HR_OK ? 0 : err.msg[0] ? fail(&err) : 1;
}

/* account link|unlink PARENT ACTOR_URL [--kind KIND] */
static int cmd_account_link(struct app *app, int argc, char **argv)
{
    bool on = strcmp(argv[1], "link") == 0;
    const char *kind = NULL;
    struct hr_err err = {0};
    int rc;

    if (argc == 6 && on && strcmp(argv[4], "--kind") == 0)
        kind = argv[5];
    else if (argc != 4)
        return usage("account link PARENT ACTOR_URL [--kind KIND] | account unlink PARENT "
                     "ACTOR_URL");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = agency_account_link(app->st, app->as, argv[2], argv[3], kind, on, &err);
    app_close(app);
    if (rc != HR_OK)
        return outcome(rc, &err);
    printf("%s: %s %s\n", argv[2], on ? "lists" : "no longer lists", argv[3]);
    return 0;
}

struct list_ctx {
    json_t *arr;
    const struct app *app;
};

static int list_one(const struct store_account *a, void *ctx)
{
    struct list_ctx *l = ctx;
    char handle[300], actor[700];

    snprintf(handle, sizeof handle, "@%s@%s", a->name, l->app->cfg.domain);
    snprintf(actor, sizeof actor, "%s/users/%s", l->app->cfg.base_url, a->name);
    if (l->arr != NULL)
        json_array_append_new(l->arr, json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", a->name,
                                                "kind", a->kind, "display_name", a->display_name,
                                                "handle", handle, "actor", actor));
    else
        printf("%-20s %-10s %s  %s\n", a->name, a->kind, handle, a->display_name);
    return HR_OK;
}

/* Prints J as one JSON document on stdout and frees it. */
static int print_json(json_t *j)
{
    char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;

    json_decref(j);
    if (s == NULL)
        return 1;
    printf("%s\n", s);
    free(s);
    return 0;
}

static int cmd_account_list(struct app *app, int argc, char **argv)
{
    struct list_ctx l = {.app = app};
    struct hr_err err = {0};
    bool as_json = argc > 2 && strcmp(argv[2], "--json") == 0;
    int rc;

    if (argc > 3 || (argc == 3 && !as_json))
        return usage("account list [--json]");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    l.arr = as_json ? json_array() : NULL;
    rc = agency_account_each(app->st, app->as, list_one, &l, &err);
    app_close(app);
    if (rc != HR_OK) {
        json_decref(l.arr);
        return outcome(rc, &err);
    }
    return as_json ? print_json(l.arr) : 0;
}

/* account set NAME KEY [VALUE]: one profile key (agency/profile.c's table); no VALUE
 * clears it. */
/* account set NAME field LABEL [VALUE]: the profile key "field" takes its two words as
 * {"name", "value"} (agency/fields.c); without VALUE the field is removed. */
static char *field_json(int argc, char **argv)
{
    json_t *j = json_pack("{s:s,s:s}", "name", argv[4], "value", argc == 6 ? argv[5] : "");
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

    json_decref(j);
    return text;
}

static int cmd_account_profile(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    char keys[400], line[560], *image = NULL;
    bool is_field = strcmp(argv[3], "field") == 0;
    char *field = is_field && argc >= 5 ? field_json(argc, argv) : NULL;
    const char *value = is_field ? field : argc == 5 ? argv[4] : NULL;
    int rc;

    if ((argc != 4 && argc != 5 && !(argc == 6 && is_field)) || (is_field && argc >= 5 && !field)) {
        free(field);
        agency_profile_keys(keys, sizeof keys);
        snprintf(line, sizeof line, "account set NAME approvals 0|1|2|3, account set NAME field "
                                    "LABEL [VALUE], or account set NAME KEY [VALUE] with KEY one "
                                    "of: %s", keys);
        return usage(line);
    }
    /* avatar|header FILE: the file's bytes, base64 (server/media_cli.c) */
    if (!is_field && argc == 5 && argv[4][0] != '\0' &&
        media_cli_profile_value(argv[3], argv[4], &image, &err) != HR_OK)
        return fail(&err);
    rc = app_open(app, &err);
    if (rc == HR_OK)
        rc = agency_account_set(app->st, app->fed, app->as, argv[2], argv[3],
                                image ? image : value, &err);
    free(image);
    if (rc == HR_OK && strcmp(argv[3], "parent") == 0 && argc == 5 &&
        agency_parent_is_url(argv[4]))
        parent_check_now(app, argv[2]);
    app_close(app);
    free(field);
    if (rc != HR_OK)
        return outcome(rc, &err);
    if (is_field && argc >= 5)
        printf("%s: field \"%s\" %s\n", argv[2], argv[4],
               argc == 6 && argv[5][0] ? "set" : "removed");
    else
        printf("%s: %s %s\n", argv[2], argv[3], argc == 5 && argv[4][0] ? "set" : "cleared");
    return 0;
}

static int cmd_account_set(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    uint64_t n;
    int rc;

    if (argc >= 4 && strcmp(argv[3], "approvals") != 0)
        return cmd_account_profile(app, argc, argv);
    if (argc != 5 || hr_parse_u64(argv[4], 3, &n) != HR_OK)
        return usage("account set NAME approvals 0|1|2|3");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = allowed(app, AGENCY_SET_APPROVALS, argv[2], argv[4]);
    if (rc == HR_OK)
        rc = agency_set_approvals(app->st, app->as, argv[2], (unsigned)n, &err);
    app_close(app);
    if (rc == HR_EFORBIDDEN && err.msg[0] == '\0')
        return 1;
    if (rc != HR_OK)
        return fail(&err);
    printf("%s: posts need %u approval%s\n", argv[2], (unsigned)n, n == 1 ? "" : "s");
    return 0;
}

/* account freeze NAME --reason TEXT */
static int cmd_account_freeze(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    int rc;

    if (argc != 5 || strcmp(argv[3], "--reason") != 0)
        return usage("account freeze NAME --reason TEXT");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = agency_account_freeze(app->st, app->fed, app->as, argv[2], argv[4], &err);
    app_close(app);
    if (rc == HR_OK)
        printf("%s: frozen; nothing is published or delivered until two admins lift it\n",
               argv[2]);
    return outcome(rc, &err);
}

/* account unfreeze NAME [--approve]: the request, then a second admin's approval */
static int cmd_account_unfreeze(struct app *app, int argc, char **argv)
{
    bool approve = argc == 4 && strcmp(argv[3], "--approve") == 0;
    struct hr_err err = {0};
    size_t resumed = 0;
    int rc;

    if (argc != 3 && !approve)
        return usage("account unfreeze NAME [--approve]");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = agency_account_unfreeze(app->st, app->fed, app->as, argv[2], approve, &resumed, &err);
    app_close(app);
    if (rc == HR_OK && approve)
        printf("%s: freeze lifted; %zu held deliveries resume\n", argv[2], resumed);
    else if (rc == HR_OK)
        printf("%s: unfreeze requested; a second admin approves with "
               "herald --as OPERATOR account unfreeze %s --approve\n",
               argv[2], argv[2]);
    return outcome(rc, &err);
}

/* keys rotate NAME */
static int cmd_keys(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    char key_id[128];
    int rc;

    if (argc != 3 || strcmp(argv[1], "rotate") != 0)
        return usage("keys rotate NAME");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = agency_keys_rotate(app->st, app->fed, app->as, argv[2], key_id, &err);
    if (rc == HR_OK)
        printf("%s: keys rotated; Ed25519 key %s/users/%s%s, the old one listed as "
               "superseded\n",
               argv[2], app->cfg.base_url, argv[2], key_id);
    app_close(app);
    return outcome(rc, &err);
}

static int cmd_account(struct app *app, int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "freeze") == 0)
        return cmd_account_freeze(app, argc, argv);
    if (argc >= 3 && strcmp(argv[1], "unfreeze") == 0)
        return cmd_account_unfreeze(app, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "set") == 0)
        return cmd_account_set(app, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return cmd_account_add(app, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return cmd_account_list(app, argc, argv);
    if (argc >= 2 && (strcmp(argv[1], "link") == 0 || strcmp(argv[1], "unlink") == 0))
        return cmd_account_link(app, argc, argv);
    return usage("account add|list|set|link|unlink|freeze|unfreeze");
}

static void print_result(const struct agency_draft_result *r)
{
    if (r->code == AGENCY_DRAFT_PUBLISHED)
        printf("%s\n", r->published_id);
    else if (r->code == AGENCY_DRAFT_SUBMITTED)
        printf("%s submitted, awaiting %u approval%s\n", r->id, r->required - r->approvals,
               r->required - r->approvals == 1 ? "" : "s");
    else
        printf("%s %s\n", r->id, r->state);
}

/* post NAME TEXT: published now when the account needs no approval, otherwise filed as a
 * submitted draft (its id and the approvals it awaits are printed). */
static int cmd_post(struct app *app, int argc, char **argv)
{
    struct agency_draft_input in = {0};
    struct agency_draft_result res = {0};
    struct hr_err err = {0};
    int rc;

    if (argc != 3)
        return usage("post NAME TEXT");
    if (!hr_name_valid(argv[1])) {
        fprintf(stderr, "herald: bad account name '%.40s'\n", argv[1]);
        return 1;
    }
    in.text = argv[2];
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = agency_draft_new(app->st, app->fed, app->as, argv[1], &in, true, &res, &err);
    app_close(app);
    if (rc != HR_OK)
        return fail(&err);
    print_result(&res);
    return 0;
}

/* The options of draft new/edit: TEXT plus --cw, --at, --reply-to (and --submit for new). */
/* --poll OPTION (repeatable), --multiple, --closes TIME at argv[*i]: 1 consumed, 0 not a
 * poll flag, -1 a bad one (usage printed). */
static int poll_arg(int argc, char **argv, int *i, struct agency_draft_input *in)
{
    if (strcmp(argv[*i], "--multiple") == 0) {
        in->poll_multiple = true;
        return 1;
    }
    if (*i + 1 >= argc)
        return 0;
    if (strcmp(argv[*i], "--poll") == 0) {
        if (in->n_poll_options == AGENCY_POLL_OPTIONS_MAX) {
            usage("a poll has at most 10 options");
            return -1;
        }
        in->poll_options[in->n_poll_options++] = argv[++*i];
        return 1;
    }
    if (strcmp(argv[*i], "--closes") == 0) {
        if (hr_iso8601_parse(argv[++*i], &in->poll_closes_ms) != HR_OK ||
            in->poll_closes_ms <= 0) {
            usage("--closes takes a UTC time like 2026-12-31T12:00:00Z");
            return -1;
        }
        return 1;
    }
    return 0;
}

static int draft_input(int argc, char **argv, int first, struct agency_draft_input *in,
                       bool *submit)
{
    int taken, pa;

    for (int i = first; i < argc; i++) {
        if (strcmp(argv[i], "--cw") == 0 && i + 1 < argc)
            in->cw = argv[++i];
        else if (strcmp(argv[i], "--reply-to") == 0 && i + 1 < argc)
            in->reply_to = argv[++i];
        else if (strcmp(argv[i], "--quote") == 0 && i + 1 < argc)
            in->quote = argv[++i];
        else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
            in->language = argv[++i];
        else if (strcmp(argv[i], "--visibility") == 0 && i + 1 < argc)
            in->visibility = argv[++i];
        else if (strcmp(argv[i], "--replaces") == 0 && i + 1 < argc && submit != NULL)
            in->replaces = argv[++i];
        else if (strcmp(argv[i], "--deletes") == 0 && i + 1 < argc && submit != NULL)
            in->deletes = argv[++i];
        else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc) {
            if (hr_iso8601_parse(argv[++i], &in->at_ms) != HR_OK)
                return usage("--at takes a UTC time like 2026-12-01T09:00:00Z");
        } else if (strcmp(argv[i], "--submit") == 0 && submit != NULL)
            *submit = true;
        else if ((taken = media_cli_draft_opt(argc, argv, &i, in)) >= 0) {
            if (taken > 0) /* --image FILE --alt TEXT (server/media_cli.c) */
                return taken;
        } else if ((pa = poll_arg(argc, argv, &i, in)) != 0) {
            if (pa < 0)
                return EXIT_USAGE;
        } else if (argv[i][0] != '-' && in->text == NULL)
            in->text = argv[i];
        else
            return usage("draft new NAME TEXT [--cw T] [--at TIME] [--reply-to URL] [--lang TAG]"
                         " [--visibility V] [--image FILE --alt TEXT ...]"
                         " [--poll OPTION ... [--multiple] --closes TIME] [--submit]"
                         " | draft edit ID TEXT [same options]");
    }
    return in->text == NULL && in->deletes == NULL ? usage("the draft needs a TEXT") : 0;
}

static int draft_list_cmd(struct app *app, int argc, char **argv, struct hr_err *err)
{
    const char *account = NULL, *state = NULL;
    char *json = NULL;
    int rc;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--account") == 0 && i + 1 < argc)
            account = argv[++i];
        else if (strcmp(argv[i], "--state") == 0 && i + 1 < argc)
            state = argv[++i];
        else if (strcmp(argv[i], "--json") != 0)
            return hr_fail(err, HR_EINVAL, "draft list [--account NAME] [--state S] [--json]");
    }
    rc = agency_draft_list(app->st, app->as, account, state, &json, err);
    if (rc == HR_OK)
        printf("%s\n", json);
    free(json);
    return rc;
}

/* ID [--rev HASH] [--comment TEXT] of submit, approve, reject, withdraw. */
static int draft_decision(int argc, char **argv, struct agency_draft_request *rq)
{
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--comment") == 0 && i + 1 < argc)
            rq->comment = argv[++i];
        else if (strcmp(argv[i], "--rev") == 0 && i + 1 < argc)
            rq->rev = argv[++i];
        else
            return usage("draft submit|withdraw ID | draft approve|reject ID --rev HASH "
                         "[--comment TEXT]");
    }
    if ((rq->verb == AGENCY_VERB_APPROVE || rq->verb == AGENCY_VERB_REJECT) && rq->rev == NULL)
        return usage("draft approve|reject needs --rev HASH: the rev_sha256 that 'draft show "
                     "ID' printed for the text you read");
    return 0;
}

/* Parses the draft verbs into one request for agency_draft_verb (the API's dispatcher too). */
static int draft_change(struct app *app, int argc, char **argv, struct agency_draft_result *res,
                        struct hr_err *err)
{
    struct agency_draft_request rq = {0};
    int bad;

    if (agency_draft_verb_parse(argv[1], &rq.verb) != HR_OK || argc < 3)
        return hr_fail(err, HR_EINVAL, "draft new|edit|submit|approve|reject|withdraw|list|show");
    if (rq.verb == AGENCY_VERB_NEW) {
        rq.account = argv[2];
        bad = draft_input(argc, argv, 3, &rq.in, &rq.submit);
    } else if (rq.verb == AGENCY_VERB_EDIT) {
        rq.id = argv[2];
        bad = argc < 4 ? usage("draft edit ID TEXT [...]") : draft_input(argc, argv, 3, &rq.in, NULL);
    } else {
        rq.id = argv[2];
        bad = draft_decision(argc, argv, &rq);
    }
    if (bad != 0)
        return HR_EINVAL;
    return agency_draft_verb(app->st, app->fed, app->as, &rq, res, err);
}

static int cmd_draft(struct app *app, int argc, char **argv)
{
    struct agency_draft_result res = {0};
    struct hr_err err = {0};
    char *json = NULL;
    int rc;

    if (argc < 2)
        return usage("draft new|edit|submit|approve|reject|withdraw|list|show ...");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    if (strcmp(argv[1], "list") == 0) {
        rc = draft_list_cmd(app, argc, argv, &err);
    } else if (strcmp(argv[1], "show") == 0 && argc == 3) {
        rc = agency_draft_show(app->st, app->as, argv[2], &json, &err);
        if (rc == HR_OK)
            printf("%s\n", json);
        free(json);
    } else {
        rc = draft_change(app, argc, argv, &res, &err);
        if (rc == HR_OK)
            print_result(&res);
    }
    app_close(app);
    if (rc == HR_EINVAL && err.msg[0] == '\0')
        return EXIT_USAGE;
    return outcome(rc, &err);
}

struct followers_ctx {
    json_t *arr;
};

static int follower_one(const struct store_follower *f, void *ctx)
{
    struct followers_ctx *c = ctx;
    char since[32];

    hr_iso8601(f->created_ms, since);
    if (c->arr != NULL)
        json_array_append_new(c->arr, json_pack("{s:s,s:s,s:s,s:s}", "actor", f->actor, "inbox",
                                                f->inbox, "shared_inbox", f->shared_inbox,
                                                "since", since));
    else
        printf("%s  since %s\n", f->actor, since);
    return HR_OK;
}

static int cmd_followers(struct app *app, int argc, char **argv)
{
    struct followers_ctx c = {0};
    struct hr_err err = {0};
    bool as_json = argc == 3 && strcmp(argv[2], "--json") == 0;
    int rc;

    if (argc < 2 || argc > 3 || (argc == 3 && !as_json))
        return usage("followers NAME [--json]");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    c.arr = as_json ? json_array() : NULL;
    rc = agency_follower_each(app->st, app->as, argv[1], follower_one, &c, &err);
    app_close(app);
    if (rc != HR_OK) {
        json_decref(c.arr);
        return fail(&err);
    }
    return as_json ? print_json(c.arr) : 0;
}

static int cmd_stats(struct app *app, int argc, char **argv)
{
    struct store_stats s = {0};
    struct hr_err err = {0};
    int rc;

    if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json") != 0))
        return usage("stats [--json]");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = agency_stats(app->st, app->as, &s, &err);
    app_close(app);
    if (rc != HR_OK)
        return fail(&err);
    return print_json(json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "accounts",
                                (json_int_t)s.accounts, "objects", (json_int_t)s.objects,
                                "followers", (json_int_t)s.followers, "remote_actors",
                                (json_int_t)s.remote_actors, "deliveries",
                                (json_int_t)s.deliveries, "seen", (json_int_t)s.seen, "inbound",
                                (json_int_t)s.inbound, "votes", (json_int_t)s.votes,
                                "reactions", (json_int_t)s.reactions));
}

static int domain_one(const struct store_domain *d, void *ctx)
{
    json_t *arr = ctx;
    char when[32];
    const char *kind = d->kind == STORE_DOMAIN_BLOCK ? "blocked" : "allowed";

    hr_iso8601(d->created_ms, when);
    if (arr != NULL)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "domain", d->host, "policy",
                                             kind, "since", when, "reason", d->reason));
    else
        printf("%-8s %-40s since %s  %s\n", kind, d->host, when, d->reason);
    return HR_OK;
}

static int domain_list(struct app *app, bool as_json)
{
    struct hr_err err = {0};
    json_t *arr = as_json ? json_array() : NULL;
    int rc = agency_domain_each(app->st, app->as, domain_one, arr, &err);

    if (rc != HR_OK) {
        json_decref(arr);
        return fail(&err);
    }
    if (!as_json && strcmp(app->cfg.federation_mode, "allowlist") == 0)
        printf("# federation_mode = allowlist: only allowed domains federate\n");
    return as_json ? print_json(arr) : 0;
}

static const struct {
    const char *verb;
    int kind;
    bool on;
    const char *done;
} domain_verbs[] = {
    {"block", STORE_DOMAIN_BLOCK, true, "blocked"},
    {"unblock", STORE_DOMAIN_BLOCK, false, "unblocked"},
    {"allow", STORE_DOMAIN_ALLOW, true, "added to the allow-list"},
    {"disallow", STORE_DOMAIN_ALLOW, false, "removed from the allow-list"},
};

static int domain_change(struct app *app, size_t v, const char *host, const char *reason)
{
    struct hr_err err = {0};
    size_t followers = 0, jobs = 0;
    char norm[256];

    if (allowed(app, AGENCY_DOMAIN_MANAGE, NULL, NULL) != HR_OK)
        return 1;
    if (fed_host_normalise(host, norm, sizeof norm, &err) != HR_OK ||
        agency_domain_set(app->st, app->as, domain_verbs[v].kind, domain_verbs[v].on, norm,
                          reason, &followers, &jobs, &err) != HR_OK)
        return fail(&err);
    host = norm;
    printf("%s %s", host, domain_verbs[v].done);
    if (domain_verbs[v].kind == STORE_DOMAIN_BLOCK && domain_verbs[v].on)
        printf(" (%zu followers removed, %zu queued deliveries dropped)", followers, jobs);
    printf("\n");
    return 0;
}

static int cmd_domain(struct app *app, int argc, char **argv)
{
    const char *reason = NULL;
    struct hr_err err = {0};
    int rc;

    if (argc >= 2 && strcmp(argv[1], "list") == 0) {
        bool as_json = argc == 3 && strcmp(argv[2], "--json") == 0;
        if (argc > 3 || (argc == 3 && !as_json))
            return usage("domain list [--json]");
        if (app_open(app, &err) != HR_OK)
            return fail(&err);
        rc = domain_list(app, as_json);
        app_close(app);
        return rc;
    }
    if (argc == 5 && strcmp(argv[3], "--reason") == 0)
        reason = argv[4];
    else if (argc != 3)
        return usage("domain block|unblock|allow|disallow HOST [--reason TEXT] | domain list");
    for (size_t v = 0; v < sizeof domain_verbs / sizeof domain_verbs[0]; v++) {
        if (strcmp(argv[1], domain_verbs[v].verb) != 0)
            continue;
        if (app_open(app, &err) != HR_OK)
            return fail(&err);
        rc = domain_change(app, v, argv[2], reason);
        app_close(app);
        return rc;
    }
    return usage("domain block|unblock|allow|disallow HOST [--reason TEXT] | domain list");
}

static int print_operator(const struct agency_operator *o, void *ctx)
{
    json_t *arr = ctx;
    char since[32];

    hr_iso8601(o->created_ms, since);
    if (arr != NULL)
        json_array_append_new(arr, json_pack("{s:s,s:b,s:s,s:s}", "name", o->name, "disabled",
                                             o->disabled, "roles", o->roles, "since", since));
    else
        printf("%-20s %-9s %s\n", o->name, o->disabled ? "disabled" : "active", o->roles);
    return HR_OK;
}

static int cmd_operator(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    int rc;

    if (argc < 2 || (strcmp(argv[1], "list") != 0 && argc != 3))
        return usage("operator add|disable NAME | operator list [--json]");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    if (strcmp(argv[1], "list") == 0) {
        json_t *arr = argc == 3 && strcmp(argv[2], "--json") == 0 ? json_array() : NULL;
        rc = allowed(app, AGENCY_OPERATOR_LIST, NULL, NULL) == HR_OK
                 ? agency_operator_each(app->st, print_operator, arr, &err)
                 : HR_EFORBIDDEN;
        app_close(app);
        if (rc == HR_OK && arr != NULL)
            return print_json(arr);
        json_decref(arr);
        return rc == HR_OK ? 0 : rc == HR_EFORBIDDEN ? 1 : fail(&err);
    }
    rc = allowed(app, AGENCY_OPERATOR_MANAGE, NULL, NULL);
    if (rc == HR_OK && strcmp(argv[1], "add") == 0)
        rc = agency_operator_add(app->st, app->as, argv[2], &err);
    else if (rc == HR_OK && strcmp(argv[1], "disable") == 0)
        rc = agency_operator_disable(app->st, app->as, argv[2], &err);
    else if (rc == HR_OK)
        rc = hr_fail(&err, HR_EINVAL, "operator add|disable NAME | operator list");
    app_close(app);
    if (rc == HR_EFORBIDDEN && err.msg[0] == '\0')
        return 1;
    if (rc != HR_OK)
        return fail(&err);
    printf("operator %s %s\n", argv[2], strcmp(argv[1], "add") == 0 ? "added" : "disabled");
    return 0;
}

/* grant|revoke OPERATOR ROLE [--account NAME] */
static int cmd_grant(struct app *app, int argc, char **argv)
{
    const char *account = NULL;
    bool grant = strcmp(argv[0], "grant") == 0;
    struct hr_err err = {0};
    int rc;

    if (argc == 5 && strcmp(argv[3], "--account") == 0)
        account = argv[4];
    else if (argc != 3)
        return usage("grant|revoke OPERATOR ROLE [--account NAME]");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = allowed(app, grant ? AGENCY_GRANT : AGENCY_REVOKE, NULL, argv[1]);
    if (rc == HR_OK)
        rc = grant ? agency_grant(app->st, app->as, argv[1], argv[2], account, &err)
                   : agency_revoke(app->st, app->as, argv[1], argv[2], account, &err);
    app_close(app);
    if (rc == HR_EFORBIDDEN && err.msg[0] == '\0')
        return 1;
    if (rc != HR_OK)
        return fail(&err);
    printf("%s %s %s %s\n", grant ? "granted" : "revoked", argv[2], grant ? "to" : "from",
           argv[1]);
    return 0;
}

static int print_token(const struct agency_token_info *t, void *ctx)
{
    char created[32], expires[32] = "never";

    (void)ctx;
    hr_iso8601(t->created_ms, created);
    if (t->expires_ms != 0)
        hr_iso8601(t->expires_ms, expires);
    printf("%s  %-20s created %s  expires %s%s\n", t->id, t->operator, created, expires,
           t->revoked ? "  REVOKED" : "");
    return HR_OK;
}

static int token_create(struct app *app, int argc, char **argv, struct hr_err *err)
{
    uint64_t days = 0;
    char *token = NULL, id[17];
    int rc;

    if (!(argc == 3 || (argc == 5 && strcmp(argv[3], "--expires") == 0 &&
                        hr_parse_u64(argv[4], 3650, &days) == HR_OK)))
        return hr_fail(err, HR_EINVAL, "token create OPERATOR [--expires DAYS (1-3650)]");
    rc = agency_token_create(app->st, app->as, argv[2], (unsigned)days, &token, id, err);
    if (rc == HR_OK) {
        printf("%s\n", token);
        fprintf(stderr, "token %s for %s: shown once, store it now\n", id, argv[2]);
    }
    agency_secret_free(token);
    return rc;
}

static int cmd_token(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    int rc = HR_OK;

    if (argc < 2)
        return usage("token create OPERATOR [--expires DAYS] | token list | token revoke ID");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    if (strcmp(argv[1], "create") == 0 && argc >= 3 &&
        (rc = allowed(app, AGENCY_TOKEN_MINT, NULL, argv[2])) == HR_OK)
        rc = token_create(app, argc, argv, &err);
    else if (strcmp(argv[1], "list") == 0 && argc == 2 &&
             (rc = allowed(app, AGENCY_TOKEN_LIST, NULL, NULL)) == HR_OK)
        rc = agency_token_each(app->st, print_token, NULL, &err);
    else if (strcmp(argv[1], "revoke") == 0 && argc == 3 &&
             (rc = allowed(app, AGENCY_TOKEN_REVOKE, NULL, NULL)) == HR_OK) {
        rc = agency_token_revoke(app->st, app->as, argv[2], &err);
        if (rc == HR_OK)
            printf("token %s revoked\n", argv[2]);
    } else if (rc == HR_OK)
        rc = hr_fail(&err, HR_EINVAL,
                     "token create OPERATOR [--expires DAYS] | token list | token revoke ID");
    app_close(app);
    return outcome(rc, &err);
}

struct audit_print {
    json_t *arr;
};

static int print_audit(const struct agency_audit_entry *e, void *ctx)
{
    struct audit_print *p = ctx;
    char when[32];

    hr_iso8601(e->time_ms, when);
    if (p->arr != NULL)
        json_array_append_new(p->arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "seq",
                                                (json_int_t)e->seq, "time", when, "operator",
                                                e->operator, "action", e->action, "target",
                                                e->target, "details", e->details, "hash",
                                                e->hash));
    else
        printf("%6llu %s %-16s %-20s %s %s\n", (unsigned long long)e->seq, when, e->operator,
               e->action, e->target, e->details);
    return HR_OK;
}

/* audit list [--since ISO-DATE|DAYS] [--account NAME] [--json] */
static int audit_list(struct app *app, int argc, char **argv, struct hr_err *err)
{
    struct audit_print p = {0};
    const char *account = NULL;
    int64_t since = 0;
    uint64_t days;
    int rc;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0 && p.arr == NULL)
            p.arr = json_array();
        else if (strcmp(argv[i], "--account") == 0 && i + 1 < argc)
            account = argv[++i];
        else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc &&
                 hr_parse_u64(argv[++i], 36500, &days) == HR_OK)
            since = hr_now_ms() - (int64_t)days * 86400000;
        else {
            json_decref(p.arr);
            return hr_fail(err, HR_EINVAL,
                           "audit list [--since DAYS] [--account NAME] [--json]");
        }
    }
    rc = agency_audit_list(app->st, since, account, print_audit, &p, err);
    if (rc == HR_OK && p.arr != NULL)
        return print_json(p.arr) == 0 ? HR_OK : HR_ENOMEM;
    json_decref(p.arr);
    return rc;
}

static int cmd_audit(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    uint64_t n = 0;
    char *head = NULL;
    int rc;

    if (argc < 2)
        return usage("audit verify | audit list [--since DAYS] [--account NAME] [--json] | audit head");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    /* the head is public (GET /api/herald/v1/audit/head); the log itself is not */
    rc = strcmp(argv[1], "head") == 0 ? HR_OK : allowed(app, AGENCY_AUDIT_READ, NULL, NULL);
    if (rc == HR_OK && strcmp(argv[1], "verify") == 0 && argc == 2) {
        rc = agency_audit_verify(app->st, &n, &err);
        if (rc == HR_OK)
            printf("audit log intact: %llu entries\n", (unsigned long long)n);
    } else if (rc == HR_OK && strcmp(argv[1], "list") == 0) {
        rc = audit_list(app, argc, argv, &err);
    } else if (rc == HR_OK && strcmp(argv[1], "head") == 0 && argc == 2) {
        rc = agency_audit_head(app->st, app->cfg.base_url, &head, &err);
        if (rc == HR_OK)
            printf("%s\n", head);
        free(head);
    } else if (rc == HR_OK) {
        rc = hr_fail(&err, HR_EINVAL, "audit verify | audit list | audit head");
    }
    app_close(app);
    return outcome(rc, &err);
}

/* follow|unfollow NAME HANDLE_OR_URL */
static int cmd_follow(struct app *app, int argc, char **argv)
{
    bool on = strcmp(argv[0], "follow") == 0;
    struct hr_err err = {0};
    char actor[512] = "";
    int rc;

    if (argc != 3)
        return usage("follow|unfollow NAME @user@host|ACTOR_URL");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = on ? agency_follow(app->st, app->fed, app->as, argv[1], argv[2], actor, sizeof actor, &err)
            : agency_unfollow(app->st, app->fed, app->as, argv[1], argv[2], &err);
    app_close(app);
    if (rc != HR_OK)
        return fail(&err);
    if (on)
        printf("%s follows %s (pending until it accepts)\n", argv[1], actor);
    else
        printf("%s no longer follows %s\n", argv[1], argv[2]);
    return 0;
}

/* following NAME | timeline NAME [--limit N] : JSON */
static int cmd_following(struct app *app, int argc, char **argv)
{
    bool timeline = strcmp(argv[0], "timeline") == 0;
    struct hr_err err = {0};
    uint64_t limit = 20;
    char *json = NULL;
    int rc;

    if (!(argc == 2 || (timeline && argc == 4 && strcmp(argv[2], "--limit") == 0 &&
                        hr_parse_u64(argv[3], 1000, &limit) == HR_OK)))
        return usage("following NAME | timeline NAME [--limit N]");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = allowed(app, AGENCY_FOLLOWING_READ, argv[1], NULL);
    if (rc != HR_OK) {
        app_close(app);
        return 1;
    }
    rc = timeline ? fed_timeline_list(app->fed, argv[1], (size_t)limit, &json, &err)
                  : fed_following_list(app->fed, argv[1], &json, &err);
    app_close(app);
    if (rc != HR_OK)
        return fail(&err);
    printf("%s\n", json);
    free(json);
    return 0;
}

/* The outbox page BODY with each post's replies, likes, shares (and votes) as "counts". */
static void print_with_counts(struct app *app, const char *body)
{
    json_t *page = json_loads(body, 0, NULL);
    char *out = NULL;

    if (page != NULL && fed_posts_counts(app->fed, page, NULL) == HR_OK)
        out = json_dumps(page, JSON_COMPACT);
    printf("%s\n", out ? out : body);
    free(out);
    json_decref(page);
}

/* poll results ID [--format csv|json]: the record of a consultation */
static int cmd_poll(struct app *app, int argc, char **argv)
{
    const char *format = argc == 5 && strcmp(argv[3], "--format") == 0 ? argv[4] : "json";
    struct hr_err err = {0};
    char *out = NULL;
    int rc;

    if (argc < 3 || strcmp(argv[1], "results") != 0 || (argc != 3 && argc != 5) ||
        (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) ||
        (argc == 5 && strcmp(argv[3], "--format") != 0))
        return usage("poll results ID [--format csv|json]");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = agency_poll_results(app->st, app->fed, app->as, argv[2], strcmp(format, "csv") == 0,
                             &out, &err);
    app_close(app);
    if (rc == HR_OK)
        printf("%s%s", out, strcmp(format, "csv") == 0 ? "" : "\n");
    free(out);
    return outcome(rc, &err);
}

/* posts NAME [--page CURSOR]: the account's outbox page, as the API's GET /posts */
static int cmd_posts(struct app *app, int argc, char **argv)
{
    const char *page = argc == 4 && strcmp(argv[2], "--page") == 0 ? argv[3] : "true";
    struct hr_err err = {0};
    struct fed_doc d = {0};
    int rc;

    if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--page") == 0))
        return usage("posts NAME [--page CURSOR]");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    if (allowed(app, AGENCY_POSTS_READ, argv[1], NULL) != HR_OK) {
        app_close(app);
        return 1;
    }
    fed_outbox_all(app->fed, argv[1], page, &d); /* the operator's view: every visibility */
    rc = d.status == 200 ? HR_OK : hr_fail(&err, HR_ENOTFOUND, "%s", d.message);
    if (rc == HR_OK)
        print_with_counts(app, d.body);
    fed_doc_fini(&d);
    app_close(app);
    return outcome(rc, &err);
}

/* boost NAME POST_URL: an Announce, through the account's approval workflow */
static int cmd_boost(struct app *app, int argc, char **argv)
{
    struct agency_draft_input in = {0};
    struct agency_draft_result res = {0};
    struct hr_err err = {0};
    int rc;

    if (argc != 3)
        return usage("boost NAME POST_URL");
    in.boosts = argv[2];
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = agency_draft_new(app->st, app->fed, app->as, argv[1], &in, true, &res, &err);
    app_close(app);
    if (rc != HR_OK)
        return fail(&err);
    print_result(&res);
    return 0;
}

/* website check NAME: fetches the account's website now and records whether it links
 * back with rel="me"; exit 1 when it does not (issue 9 §5). */
static int cmd_website(struct app *app, int argc, char **argv)
{
    struct fed_website_result res;
    struct hr_err err = {0};
    int rc;

    if (argc != 3 || strcmp(argv[1], "check") != 0)
        return usage("website check NAME");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = allowed(app, AGENCY_ACCOUNT_PROFILE, argv[2], NULL);
    if (rc == HR_OK)
        rc = fed_website_check(app->fed, argv[2], &res, &err);
    app_close(app);
    if (rc != HR_OK)
        return outcome(rc, &err);
    printf("%s: website %s %s: %s\n", argv[2], res.url,
           res.verified ? "verified" : res.definite ? "not verified" : "unreachable", res.reason);
    if (res.changed)
        printf("%s: verified state changed; Update(actor) queued to followers\n", argv[2]);
    return res.verified ? 0 : 1;
}

static int cmd_serve(struct app *app, int argc, char **argv)
{
    const char *listen = NULL;
    struct hr_err err = {0};
    int rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--listen") == 0 && (listen = opt_value(argc, argv, &i)) != NULL)
            continue;
        return usage("serve [--listen ADDR:PORT]");
    }
    if (listen != NULL && config_listen_parse(listen, NULL, NULL, &err) != HR_OK)
        return fail(&err); /* the same check as the listen key of herald.conf */
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = server_run(app, listen ? listen : app->cfg.listen, &err);
    app_close(app);
    return rc == HR_OK ? 0 : fail(&err);
}

/* attest issue|revoke|list|import|verify ...: server/attest_cli.c */
static int cmd_attest(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    int rc;

    if (argc < 2)
        return usage("attest issue|revoke|list|import|verify ...");
    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = cli_attest(app, argc, argv, &err);
    app_close(app);
    return outcome(rc, &err);
}

/* media gc [--min-age SECONDS] (server/media_cli.c) */
static int cmd_media(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    int rc;

    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = media_cli_gc(app, argc, argv);
    app_close(app);
    return rc;
}

/* The desk's commands (issue #12): the store opened, then server/desk_front.h's. */
static int desk_cmd(struct app *app, int argc, char **argv,
                    int (*fn)(struct app *app, int argc, char **argv))
{
    struct hr_err err = {0};
    int rc;

    if (app_open(app, &err) != HR_OK)
        return fail(&err);
    rc = fn(app, argc, argv);
    app_close(app);
    return rc;
}

static int cmd_case(struct app *app, int argc, char **argv)
{
    return desk_cmd(app, argc, argv, desk_cli_case);
}

static int cmd_route(struct app *app, int argc, char **argv)
{
    return desk_cmd(app, argc, argv, desk_cli_route);
}

static int cmd_desk(struct app *app, int argc, char **argv)
{
    return desk_cmd(app, argc, argv, desk_cli_desk);
}

static int cmd_status(struct app *app, int argc, char **argv)
{
    return desk_cmd(app, argc, argv, desk_cli_status);
}

static int cmd_report(struct app *app, int argc, char **argv)
{
    return desk_cmd(app, argc, argv, desk_cli_report);
}

static int cmd_webhook(struct app *app, int argc, char **argv)
{
    return desk_cmd(app, argc, argv, desk_cli_webhook);
}

static const struct {
    const char *name;
    int (*fn)(struct app *app, int argc, char **argv);
} commands[] = {
    {"init", cmd_init},       {"account", cmd_account}, {"post", cmd_post},
    {"followers", cmd_followers}, {"stats", cmd_stats}, {"serve", cmd_serve},
    {"domain", cmd_domain},     {"operator", cmd_operator}, {"grant", cmd_grant},
    {"revoke", cmd_grant},      {"token", cmd_token},       {"audit", cmd_audit},
    {"draft", cmd_draft},       {"follow", cmd_follow},     {"unfollow", cmd_follow},
    {"following", cmd_following}, {"timeline", cmd_following}, {"boost", cmd_boost},
    {"posts", cmd_posts},       {"poll", cmd_poll},
    {"website", cmd_website},
    {"attest", cmd_attest},
    {"keys", cmd_keys},
    {"media", cmd_media},
    /* issue #12: the citizen desk and supervision (server/desk_front.h) */
    {"case", cmd_case},
    {"route", cmd_route},
    {"desk", cmd_desk},
    {"status", cmd_status},
    {"report", cmd_report},
    {"webhook", cmd_webhook},
};

int cli_main(int argc, char **argv)
{
    struct app app = {.data_dir = getenv("HERALD_DATA")};
    int i = 1;

    if (app.data_dir == NULL || app.data_dir[0] == '\0')
        app.data_dir = "./herald-data";
    app.as = AGENCY_LOCAL;
    while (i + 1 < argc && (strcmp(argv[i], "--data") == 0 || strcmp(argv[i], "--as") == 0)) {
        if (strcmp(argv[i], "--data") == 0)
            app.data_dir = argv[i + 1];
        else if (hr_name_valid(argv[i + 1]))
            app.as = argv[i + 1];
        else
            return usage("--as takes an operator name");
        i += 2;
    }
    if (i >= argc)
        return usage("no command given");
    if (strcmp(argv[i], "help") == 0 || strcmp(argv[i], "--help") == 0 ||
        strcmp(argv[i], "-h") == 0) {
        for (size_t k = 0; usage_text[k] != NULL; k++)
            fputs(usage_text[k], stdout);
        return 0;
    }
    if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "version") == 0) {
        printf("herald %s\n", HERALD_VERSION);
        return 0;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].fn(&app, argc - i, argv + i);
    fprintf(stderr, "herald: unknown command '%.40s' (see 'herald help')\n", argv[i]);
    return EXIT_USAGE;
}
