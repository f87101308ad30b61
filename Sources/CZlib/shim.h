#ifndef TRADEWATCH_CZLIB_H
#define TRADEWATCH_CZLIB_H
#include <zlib.h>

/* deflateInit2/inflateInit2 are macros over the versioned entry points; Swift cannot call macros. */
static inline int tw_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
static inline int tw_inflate_init_auto(z_streamp stream) {
    return inflateInit2(stream, 15 + 32);
}
#endif
