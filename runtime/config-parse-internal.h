/* runtime: the typed getters config.c and config-linux.c share (private).
 * Each returns 1 (present and valid), 0 (absent) or -1 (present but wrong:
 * the parser's error is set to "config.json: FIELD: REASON"). */
#ifndef MSENTRY_RUNTIME_CONFIG_PARSE_INTERNAL_H
#define MSENTRY_RUNTIME_CONFIG_PARSE_INTERNAL_H

#include <jansson.h>

#include "config-internal.h"

struct parser {
	struct oci_config *c;
	struct error *e;
};

/* Zeroed memory owned by the config (freed by oci_config_free). */
void *parser_alloc(struct parser *p, size_t n);
/* Set "config.json: FIELD: REASON"; returns -1. */
int parser_bad(struct parser *p, const char *field, const char *reason);
/* "parent.key" (or "key" at the top) and "parent[i]", into buf. */
const char *field_name(char *buf, size_t size, const char *parent, const char *key);
const char *field_index(char *buf, size_t size, const char *parent, size_t i);

int get_string(struct parser *p, json_t *obj, const char *key, const char *field, const char **out);
int get_bool(struct parser *p, json_t *obj, const char *key, const char *field, bool *out);
int get_int(struct parser *p, json_t *obj, const char *key, const char *field, int64_t min,
	    int64_t max, int64_t *out);
int get_u32(struct parser *p, json_t *obj, const char *key, const char *field, uint32_t *out);
int get_object(struct parser *p, json_t *obj, const char *key, const char *field, json_t **out);
int get_array(struct parser *p, json_t *obj, const char *key, const char *field, json_t **out);
/* Absent: an empty list ({NULL}, n 0). */
int get_strings(struct parser *p, json_t *obj, const char *key, const char *field,
		struct oci_strings *out);
int get_pairs(struct parser *p, json_t *obj, const char *key, const char *field,
	      struct oci_pairs *out);

/* config-linux.c: mounts, linux, hooks. 0 or -1. */
int parse_mounts(struct parser *p, json_t *doc);
int parse_linux(struct parser *p, json_t *doc);
int parse_hooks(struct parser *p, json_t *doc);

#endif
