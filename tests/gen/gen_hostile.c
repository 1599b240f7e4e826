/* gen_hostile.c — the hostile capture set of the generator (placeholder). */
#include "gen.h"

/* Write the hostile captures into dir. */
void write_hostile(const char *dir) { (void)dir; }
