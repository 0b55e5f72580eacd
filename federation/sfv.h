/* federation/sfv.h - a strict parser for the subset of RFC 8941 Structured Field Values
 * that RFC 9421 (Signature-Input, Signature, Accept-Signature) and RFC 9530
 * (Content-Digest) need: a Dictionary whose members are inner lists of strings or byte
 * sequences, with parameters whose values are strings, integers or true. Everything else
 * RFC 8941 allows (tokens, decimals, nested byte sequences in parameters, string escapes,
 * duplicate keys) is refused with HR_EINVAL and a message naming the byte, not guessed at.
 * Slices point into the header value given to the parser. Pure, thread-safe. */
#ifndef HERALD_FED_SFV_H
#define HERALD_FED_SFV_H

#include "base/hr.h"

#define FED_SF_MAX_BYTES   8192 /* one header value */
#define FED_SF_MAX_MEMBERS 8    /* dictionary members (signatures in one request) */
#define FED_SF_MAX_ITEMS   16   /* strings in one inner list (covered components) */
#define FED_SF_MAX_PARAMS  8    /* parameters of one item or inner list */

enum fed_sf_type { FED_SF_STRING, FED_SF_INTEGER, FED_SF_TRUE, FED_SF_BYTES, FED_SF_INNER };

struct fed_sf_param {
    struct hr_slice key;
    enum fed_sf_type type; /* FED_SF_STRING, FED_SF_INTEGER or FED_SF_TRUE */
    struct hr_slice str;   /* string contents (no quotes; escapes are refused) */
    int64_t num;
};

struct fed_sf_params {
    struct fed_sf_param p[FED_SF_MAX_PARAMS];
    size_t n;
};

struct fed_sf_item { /* a string inside an inner list */
    struct hr_slice str;
    struct fed_sf_params params;
};

struct fed_sf_member {
    struct hr_slice key;
    enum fed_sf_type type;  /* FED_SF_INNER or FED_SF_BYTES */
    struct fed_sf_item items[FED_SF_MAX_ITEMS];
    size_t n_items;
    struct hr_slice bytes;  /* FED_SF_BYTES: the base64 text between the colons */
    struct fed_sf_params params;
};

struct fed_sf_dict {
    struct fed_sf_member m[FED_SF_MAX_MEMBERS];
    size_t n;
};

/* Parses VALUE as an RFC 8941 §3.2 Dictionary of inner lists and byte sequences.
 * Refuses (HR_EINVAL): over FED_SF_MAX_* members/items/params or bytes, duplicate member
 * or parameter keys, string escapes, non-ASCII or control bytes, tokens, decimals, an
 * empty dictionary, and anything left over. */
int fed_sf_dict_parse(struct hr_slice value, struct fed_sf_dict *out, struct hr_err *err);

/* The parameter KEY of PARAMS, or NULL. */
const struct fed_sf_param *fed_sf_param_get(const struct fed_sf_params *params,
                                            const char *key);

/* Appends the RFC 8941 §4.1 serialisation of M's inner list (with parameters) to B, as
 * RFC 9421 §2.3 @signature-params needs. */
void fed_sf_inner_serialize(const struct fed_sf_member *m, struct hr_buf *b);

#endif
