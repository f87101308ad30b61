#ifndef TRADEWATCH_CLIBXML2_H
#define TRADEWATCH_CLIBXML2_H
#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU, whose headers clash with the ICU copy inside Foundation.
   tradewatch uses no ICU-specific libxml2 API (only pointers to encoding handlers, whose ICU
   fields sit at the end of the struct), so hide them. */
#ifdef LIBXML_ICU_ENABLED
#undef LIBXML_ICU_ENABLED
#endif
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/encoding.h>
#include <libxml/HTMLparser.h>
#endif
