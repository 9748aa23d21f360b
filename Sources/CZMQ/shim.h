#ifndef HSQ_CZMQ_SHIM_H
#define HSQ_CZMQ_SHIM_H
#include <zmq.h>
#endif
