/* server/media_front.h - media at the server's faces (issue #10): files served at
 * /media/SHA256.EXT, images in admin API bodies (standard base64) and on the command line
 * (files), and the collector's command. The images themselves: media/ and agency/. */
#ifndef HERALD_MEDIA_FRONT_H
#define HERALD_MEDIA_FRONT_H

#include "agency/agency.h"
#include "server/http_int.h"

#include <jansson.h>

/* GET/HEAD /media/SHA256.EXT: the file with its type, nosniff, immutable caching and a
 * sandboxing CSP; 404 JSON for any other name (only [0-9a-f]{64}\.(jpg|png|webp|gif)). */
enum MHD_Result media_http_get(struct http_req *r);
/* The body limit of a request: media_max_body for the admin routes that carry images
 * (POST .../drafts, .../drafts/ID/edit, .../accounts/NAME/profile), else inbox_max_body. */
uint64_t media_http_body_limit(const struct app *app, const char *method, const char *url);
/* BODY's "images": [{"data": BASE64, "alt": TEXT}] (at most 4) into IN->images; the
 * decoded bytes are in OWNED (media_api_images_free). HR_EINVAL with a message. */
int media_api_draft_images(const json_t *body, struct agency_draft_input *in,
                           unsigned char *owned[AGENCY_DRAFT_IMAGES_MAX], struct hr_err *err);
void media_api_images_free(unsigned char *owned[AGENCY_DRAFT_IMAGES_MAX]);

/* Mastodon client API (server/media_masto.c): ACCOUNT's avatar/header (+ _static) from
 * ACTOR's icon/image; STATUS's media_attachments from NOTE's attachment. */
void masto_account_media(const json_t *actor, json_t *account);
void masto_status_media(const json_t *note, json_t *status);

/* Command line. --image FILE and --alt TEXT at ARGV[*I] (each --alt after its --image):
 * -1 not one of them, 0 taken (*I advanced), else the exit code of a refusal it printed. */
int media_cli_draft_opt(int argc, char **argv, int *i, struct agency_draft_input *in);
/* account set NAME avatar|header FILE: *OUT = FILE's bytes in standard base64 (the value
 * agency_account_set takes; caller frees); other keys: *OUT = NULL, HR_OK. */
int media_cli_profile_value(const char *key, const char *file, char **out, struct hr_err *err);
/* The scheduler's hourly collection (a no-op until an hour after the last one; the first
 * call of a process runs it): agency_media_gc with the default grace, as the server. */
void media_gc_due(struct app *app, int64_t now_ms);
/* herald media gc [--min-age SECONDS] */
int media_cli_gc(struct app *app, int argc, char **argv);

#endif
