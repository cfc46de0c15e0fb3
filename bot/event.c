/* event: what the adapters fill in (include/event.h). */
#include "event.h"

#include <stdlib.h>

void
event_release(struct event *e)
{
	free(e->text);
	e->text = NULL;
}
