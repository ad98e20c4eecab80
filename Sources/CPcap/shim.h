#ifndef CONFLICTWATCH_CPCAP_SHIM_H
#define CONFLICTWATCH_CPCAP_SHIM_H
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <pcap/pcap.h>

/* glibc's fopencookie, under a name of our own: the real declaration needs _GNU_SOURCE, and
   defining that here would give this module's copy of the system headers other definitions
   than CZlib's (clang refuses to merge them). The layout is glibc's cookie_io_functions_t. */
typedef struct {
    ssize_t (*read)(void *cookie, char *buffer, size_t size);
    ssize_t (*write)(void *cookie, const char *buffer, size_t size);
    int (*seek)(void *cookie, int64_t *offset, int whence);
    int (*close)(void *cookie);
} conflictwatch_cookie_io_functions;

extern FILE *conflictwatch_fopencookie(void *cookie, const char *mode, conflictwatch_cookie_io_functions functions)
    __asm__("fopencookie");
#endif
