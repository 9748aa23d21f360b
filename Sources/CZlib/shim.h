#ifndef HSQ_CZLIB_SHIM_H
#define HSQ_CZLIB_SHIM_H
#include <zlib.h>
#endif
