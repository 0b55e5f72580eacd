/* server/embed.c - embeds and oEmbed (issue #11 item 2).
 * FOUNDATION STUB: the feeds helper writes them. */
#include "server/pages.h"

enum MHD_Result embed_get(struct http_req *r, const char *name, const char *id)
{
    (void)name;
    (void)id;
    return http_reply_error(r, 404, "not_found", "embeds are not written yet");
}

enum MHD_Result oembed_get(struct http_req *r)
{
    return http_reply_error(r, 404, "not_found", "oEmbed is not written yet");
}
