/* store/codec.c - record and key encodings. Records are length-prefixed fields so a
 * truncated or corrupted value is detected (d->bad) instead of read past its end. */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#define STORE_RECORD_MAX (64u << 20)

void store_be64(uint64_t v, unsigned char out[8])
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

uint64_t store_get_be64(const unsigned char in[8])
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = (v << 8) | in[i];
    return v;
}

void store_enc_init(struct store_enc *e)
{
    hr_buf_init(&e->b, STORE_RECORD_MAX);
}

void store_enc_str(struct store_enc *e, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 8), (unsigned char)n};

    hr_buf_add(&e->b, (const char *)len, 4);
    hr_buf_add(&e->b, s ? s : "", n);
}

void store_enc_u64(struct store_enc *e, uint64_t v)
{
    unsigned char be[8];

    store_be64(v, be);
    hr_buf_add(&e->b, (const char *)be, 8);
}

void store_dec_init(struct store_dec *d, const MDB_val *v)
{
    d->p = v->mv_data;
    d->len = v->mv_size;
    d->off = 0;
    d->bad = false;
}

/* The next string's length; the offset moves past the length. SIZE_MAX and d->bad when
 * the record ends too early. */
static size_t dec_len(struct store_dec *d)
{
    size_t n;

    if (d->bad || d->len - d->off < 4) {
        d->bad = true;
        return SIZE_MAX;
    }
    n = ((size_t)d->p[d->off] << 24) | ((size_t)d->p[d->off + 1] << 16) |
        ((size_t)d->p[d->off + 2] << 8) | d->p[d->off + 3];
    d->off += 4;
    if (n > d->len - d->off) {
        d->bad = true;
        return SIZE_MAX;
    }
    return n;
}

void store_dec_skip(struct store_dec *d)
{
    size_t n = dec_len(d);

    if (n != SIZE_MAX)
        d->off += n;
}

char *store_dec_str(struct store_dec *d)
{
    size_t n = dec_len(d);
    char *s;

    if (n == SIZE_MAX)
        return NULL;
    s = malloc(n + 1);
    if (s == NULL) {
        d->bad = true;
        return NULL;
    }
    memcpy(s, d->p + d->off, n);
    s[n] = '\0';
    d->off += n;
    return s;
}

uint64_t store_dec_u64(struct store_dec *d)
{
    uint64_t v;

    if (d->bad || d->len - d->off < 8) {
        d->bad = true;
        return 0;
    }
    v = store_get_be64(d->p + d->off);
    d->off += 8;
    return v;
}

size_t store_key2(char *out, size_t cap, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    if (la + 1 + lb > cap || la + 1 + lb > 511)
        return 0;
    memcpy(out, a, la);
    out[la] = '\0';
    memcpy(out + la + 1, b, lb);
    return la + 1 + lb;
}
