#ifndef TRADEWATCH_CLIBXML2_H
#define TRADEWATCH_CLIBXML2_H
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/SAX2.h>
#include <libxml/encoding.h>
#endif
