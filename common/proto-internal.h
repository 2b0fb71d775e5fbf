/*
 * proto-internal.h - what proto-stream.c needs from proto.c: turning one
 * decoded msgpack object into a checked message.  Not for use outside
 * common/.
 */
#ifndef BALRUN_PROTO_INTERNAL_H
#define BALRUN_PROTO_INTERNAL_H

#include <msgpack.h>

#include "proto.h"

/*
 * Check o against the message tables and copy it into *m (zeroed first).
 * 0, or -1 with a one-line reason in err and nothing left allocated in *m.
 */
int proto_decode_object(const msgpack_object *o, struct proto_msg *m, char *err, size_t errlen);

#endif
