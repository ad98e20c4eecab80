#ifndef CONFLICTWATCH_CBYTESCAN_H
#define CONFLICTWATCH_CBYTESCAN_H
// Byte scans sixteen at a time, which Swift has no portable spelling for (its SIMD types have
// no "mask of the bytes that matched"). JSON access logs spend most of their parse inside
// strings (user agents, referers, request lines) looking for the byte that ends them.
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

/// The offset of the first of `p[0..<n]` that is a quote, a backslash or a control byte
/// (below 0x20), or `n` when there is none.
static inline size_t cw_json_string_stop(const uint8_t *p, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i highestControl = _mm_set1_epi8(0x1F);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        // unsigned v <= 0x1F  <=>  min(v, 0x1F) == v
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                   _mm_cmpeq_epi8(_mm_min_epu8(v, highestControl), v));
        int mask = _mm_movemask_epi8(hit);
        if (mask != 0) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#elif defined(__aarch64__)
    const uint8x16_t quote = vdupq_n_u8('"'), backslash = vdupq_n_u8('\\'), space = vdupq_n_u8(0x20);
    for (; i + 16 <= n; i += 16) {
        uint8x16_t v = vld1q_u8(p + i);
        uint8x16_t hit = vorrq_u8(vorrq_u8(vceqq_u8(v, quote), vceqq_u8(v, backslash)), vcltq_u8(v, space));
        if (vmaxvq_u8(hit) != 0) break;  // the byte loop below finds which one
    }
#endif
    for (; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\' || c < 0x20) return i;
    }
    return n;
}
#endif
