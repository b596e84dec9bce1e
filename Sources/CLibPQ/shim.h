#ifndef FOIFLOW_CLIBPQ_SHIM_H
#define FOIFLOW_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
