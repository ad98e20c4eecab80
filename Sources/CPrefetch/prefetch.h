#ifndef CONFLICTWATCH_CPREFETCH_H
#define CONFLICTWATCH_CPREFETCH_H
// The compiler's prefetch hint, which Swift has no spelling for: the model's tables are far
// larger than the caches, and a batch knows its next entries' addresses before it needs them.
static inline void cw_prefetch(const void *address) { __builtin_prefetch(address, 1, 3); }
#endif
