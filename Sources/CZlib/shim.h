#ifndef CONFLICTWATCH_CZLIB_SHIM_H
#define CONFLICTWATCH_CZLIB_SHIM_H
#include <zlib.h>
#endif
