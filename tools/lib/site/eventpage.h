/*
 * eventpage.h: a page per catalog event that rules read (event/PROVIDER-EVENT.html
 * and .md, the name made file-safe), with the techniques and rules (by vendor)
 * that read it, the fields those rules filter on and their most common
 * indicators; and the events index (event/index.html and .md), by provider with
 * rule counts. Live rules only, as the catalog counts them.
 */
#ifndef DETCAT_SITE_EVENTPAGE_H
#define DETCAT_SITE_EVENTPAGE_H

#include "site/site.h"

void site_event_pages(const struct site *s);
/* "event/Sysmon-1.html" relative to prefix, for links (into sb) */
void site_event_href(struct strbuf *sb, const char *prefix, const char *provider, const char *event,
		     const char *ext);

/* 1 when a live rule reads the event, so that it has a page */
int site_event_has_page(const struct site *s, const char *provider, const char *event);

#endif
