/* gen_audit.c — the audit capture set of the generator (placeholder). */
#include "gen.h"

/* Write the audit captures into dir. */
void write_audit(const char *dir) { (void)dir; }
