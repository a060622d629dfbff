/* ecraudit — SVG writer for the report's pictures (picture.h).
 *
 * The SVG is built with libxml2's tree API (every string a text node or an
 * attribute value, escaped by the serializer) after the one text-cleaning
 * rule of the HTML renderer (ecr_html_text). Presentation attributes only
 * (no style attributes: the page's Content-Security-Policy allows no
 * inline style), no scripts, no links; the only references are url(#...)
 * to the picture's own arrow markers.
 */
#ifndef ECR_RENDER_SVG_H
#define ECR_RENDER_SVG_H

#include <libxml/tree.h>

#include "render/picture.h"
#include "util/util.h"

/* Model text -> text safe for HTML and XML (html.c's html_clean: invalid
 * UTF-8, controls and noncharacters become U+FFFD). Caller frees (free). */
xmlChar *ecr_html_text(const char *s);

/* Append to parent (an HTML or XML element) a <figure> holding the picture's
 * <svg role="img"> with <title>/<desc>, a <figcaption> and its text
 * equivalent as a visually hidden list (class "visually-hidden"). */
void ecr_svg_figure(xmlNodePtr parent, const ecr_picture *p);

/* Every picture of p (graphs, then the heat map) as figures under parent. */
void ecr_svg_figures(xmlNodePtr parent, const ecr_pictures *p);

/* The picture alone as a standalone SVG document (with the SVG namespace),
 * for tests and tools. Appends to out. */
void ecr_svg_document(const ecr_picture *p, ecr_buf *out);

#endif
