/* The "C floor" of the benchmark (Benchmarks/README.md): the least work that still reads an nginx
 * combined log line by line and counts requests per route, so `analyze` can be compared with it.
 *
 * read() in 4 MiB chunks, lines split with memchr, the request path taken from the quoted request
 * ("METHOD PATH PROTO" after the first '"'), cut at '?', templated crudely (every path segment
 * containing a digit becomes {id}), and counted in a small open-addressing hash table (FNV-1a,
 * 1024 slots to start, doubled when 3/4 full).
 * One thread, no time, status or model. Prints "lines N routes R requests Q" (Q: lines that had
 * a request path) and, with -v, each route and its count.
 *
 *   cc -O2 -o floor Benchmarks/floor.c && ./floor access.log
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (4u << 20)
#define MAX_ROUTE 256          /* longer templated paths are cut here */

/* Open addressing, linear probing; the table doubles when 3/4 full, keys live in one arena. */
struct slot { uint64_t hash, count; uint32_t off, len; };
static struct slot *table;
static uint32_t slots = 1024, routes;
static char *arena;
static size_t arena_len, arena_cap;

static void *xalloc(void *p, size_t n) {
    p = realloc(p, n);
    if (!p) { fprintf(stderr, "floor: out of memory\n"); exit(1); }
    return p;
}

static void grow(void) {
    uint32_t old = slots;
    struct slot *t = table;
    slots *= 2;
    table = calloc(slots, sizeof *table);
    if (!table) { fprintf(stderr, "floor: out of memory\n"); exit(1); }
    for (uint32_t i = 0; i < old; i++) {
        if (!t[i].count) continue;
        uint32_t j = (uint32_t)t[i].hash & (slots - 1);
        while (table[j].count) j = (j + 1) & (slots - 1);
        table[j] = t[i];
    }
    free(t);
}

static void count_route(const char *k, uint32_t len) {
    uint64_t h = 1469598103934665603ull;                 /* FNV-1a */
    for (uint32_t i = 0; i < len; i++) h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
    for (uint32_t i = (uint32_t)h & (slots - 1);; i = (i + 1) & (slots - 1)) {
        struct slot *s = &table[i];
        if (s->count == 0) {
            if (arena_len + len > arena_cap) { arena_cap = 2 * (arena_cap + len); arena = xalloc(arena, arena_cap); }
            memcpy(arena + arena_len, k, len);
            *s = (struct slot){ h, 1, (uint32_t)arena_len, len };
            arena_len += len;
            if (++routes > slots / 4 * 3) grow();
            return;
        }
        if (s->hash == h && s->len == len && memcmp(arena + s->off, k, len) == 0) { s->count++; return; }
    }
}

/* One line (without its newline): template the request path and count it. Returns 1 when the
 * line had a request path. */
static int line(const char *p, const char *end) {
    const char *q = memchr(p, '"', (size_t)(end - p));
    if (!q) return 0;
    const char *sp = memchr(q + 1, ' ', (size_t)(end - q - 1));     /* after the method */
    if (!sp) return 0;
    const char *path = sp + 1, *e = path;
    while (e < end && *e != ' ' && *e != '?' && *e != '"') e++;
    char key[MAX_ROUTE];
    uint32_t n = 0;
    const char *seg = path;
    while (seg < e) {                         /* seg starts at a '/' (or the path's first byte) */
        const char *next = memchr(seg + 1, '/', (size_t)(e - seg - 1));
        if (!next) next = e;
        int digit = 0;
        for (const char *c = seg; c < next; c++) if ((unsigned)(*c - '0') < 10) { digit = 1; break; }
        if (digit) {
            if (n + 5 > MAX_ROUTE) break;
            if (*seg == '/') key[n++] = '/';
            memcpy(key + n, "{id}", 4); n += 4;
        } else {
            uint32_t l = (uint32_t)(next - seg);
            if (n + l > MAX_ROUTE) break;
            memcpy(key + n, seg, l); n += l;
        }
        seg = next;
    }
    count_route(key, n);
    return 1;
}

int main(int argc, char **argv) {
    int verbose = argc > 2 && strcmp(argv[1], "-v") == 0;
    const char *path = argv[argc - 1];
    if (argc < 2) { fprintf(stderr, "usage: floor [-v] FILE\n"); return 2; }
    int fd = open(path, O_RDONLY);
    if (fd < 0) { fprintf(stderr, "floor: %s: %s\n", path, strerror(errno)); return 1; }
    char *buf = xalloc(NULL, CHUNK);
    table = calloc(slots, sizeof *table);
    if (!table) return 1;
    uint64_t lines = 0, requests = 0;
    size_t have = 0;                          /* bytes of an unfinished line kept at buf[0] */
    for (;;) {
        ssize_t r = read(fd, buf + have, CHUNK - have);
        if (r < 0) { if (errno == EINTR) continue; fprintf(stderr, "floor: read: %s\n", strerror(errno)); return 1; }
        if (r == 0) break;
        const char *p = buf, *end = buf + have + (size_t)r, *nl;
        while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            lines++;
            requests += (uint64_t)line(p, nl);
            p = nl + 1;
        }
        have = (size_t)(end - p);
        if (have == CHUNK) { lines++; requests += (uint64_t)line(buf, buf + have); have = 0; continue; } /* > 4 MiB line */
        memmove(buf, p, have);
    }
    if (have) { lines++; requests += (uint64_t)line(buf, buf + have); }
    close(fd);
    printf("lines %llu routes %u requests %llu\n", (unsigned long long)lines, routes, (unsigned long long)requests);
    if (verbose)
        for (uint32_t i = 0; i < slots; i++)
            if (table[i].count) printf("%10llu %.*s\n", (unsigned long long)table[i].count, (int)table[i].len, arena + table[i].off);
    return 0;
}
