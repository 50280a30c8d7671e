/* The local manifest list document: load, check, change, render. */
#include "manifests/list.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "image/media_type.h"
#include "reference/reference.h"
#include "store/manifest_lists.h"

void
berth_manifest_list_clear(berth_manifest_list *l)
{
  free(l->ref);
  json_decref(l->members);
  memset(l, 0, sizeof *l);
}

static const char *
str(json_t *obj, const char *key)
{
  return json_string_value(json_object_get(obj, key));
}

/* One member as read back from the store: written by berth, still checked
 * (a hand-edited or damaged file must not push bytes that are not what the
 * digest says). */
static int
check_member(json_t *m, berth_error **err)
{
  json_t *d = json_object_get(m, "Descriptor");
  const char *ref = str(m, "Ref"), *raw = str(m, "Raw");
  const char *digest = str(d, "digest");
  json_t *size = json_object_get(d, "size");
  json_t *platform = json_object_get(d, "platform");
  if (ref == NULL || raw == NULL || str(d, "mediaType") == NULL || digest == NULL
      || !json_is_integer(size) || (platform != NULL && !json_is_object(platform)))
    return berth_error_set_as(err, EINVAL, "a member is not Ref, Descriptor and Raw");
  if (berth_digest_check(digest, err) < 0)
    return berth_error_prefix(err, "member %s", ref);
  size_t len = json_string_length(json_object_get(m, "Raw"));
  char got[BERTH_DIGEST_LEN];
  berth_sha256_digest(raw, len, got);
  if (strcmp(got, digest) != 0 || json_integer_value(size) != (json_int_t)len)
    return berth_error_set_as(err, EINVAL, "member %s: its manifest does not hash to %s", ref,
                              digest);
  return 0;
}

int
berth_manifest_list_load(berth_store *s, const char *ref, berth_manifest_list *out,
                         berth_error **err)
{
  memset(out, 0, sizeof *out);
  cleanup_free char *data = NULL;
  size_t len = 0;
  int found = berth_store_manifest_list_get(s, ref, &data, &len, err);
  if (found < 0)
    return -1;
  out->ref = xstrdup(ref);
  if (found == 0) {
    out->members = json_array();
    return 0;
  }
  json_error_t jerr;
  json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
  json_t *members = json_object_get(doc, "Manifests");
  int rc = 0;
  if (doc == NULL)
    rc = berth_error_set_as(err, EINVAL, "not JSON: %s", jerr.text);
  else if (!json_is_array(members) || str(doc, "Ref") == NULL || strcmp(str(doc, "Ref"), ref) != 0)
    rc = berth_error_set_as(err, EINVAL, "not the document of this list");
  for (size_t i = 0; rc == 0 && i < json_array_size(members); i++)
    rc = check_member(json_array_get(members, i), err);
  if (rc == 0)
    out->members = json_incref(members);
  json_decref(doc);
  if (rc < 0) {
    berth_manifest_list_clear(out);
    return berth_error_prefix(err, "manifest list %s", ref);
  }
  return 1;
}

int
berth_manifest_list_save(berth_store *s, const berth_manifest_list *l, berth_error **err)
{
  cleanup_json json_t *doc = json_pack("{s:s, s:O}", "Ref", l->ref, "Manifests", l->members);
  cleanup_free char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (text == NULL)
    return berth_error_set_as(err, ENOMEM, "manifest list %s: cannot write it", l->ref);
  return berth_store_manifest_list_put(s, l->ref, text, strlen(text), err);
}

json_t *
berth_manifest_list_member(const berth_manifest_list *l, const char *ref)
{
  size_t i;
  json_t *m;
  json_array_foreach(l->members, i, m) if (strcmp(str(m, "Ref"), ref) == 0) return m;
  return NULL;
}

/* Docker's file name for a reference (cli/manifest/store makeFilesafeName):
 * its store lists a list's members in the order of these names. */
static char *
filesafe(const char *ref)
{
  char *s = xstrdup(ref);
  for (char *p = s; *p; p++)
    if (*p == ':')
      *p = '-';
    else if (*p == '/')
      *p = '_';
  return s;
}

void
berth_manifest_list_set(berth_manifest_list *l, json_t *member)
{
  cleanup_free char *name = filesafe(str(member, "Ref"));
  size_t i;
  json_t *m;
  json_array_foreach(l->members, i, m)
  {
    cleanup_free char *other = filesafe(str(m, "Ref"));
    int c = strcmp(other, name);
    if (c == 0 && strcmp(str(m, "Ref"), str(member, "Ref")) == 0) {
      json_array_set_new(l->members, i, member);
      return;
    }
    if (c > 0) {
      json_array_insert_new(l->members, i, member);
      return;
    }
  }
  json_array_append_new(l->members, member);
}

/* The os/arch pairs Docker's client accepts (cli/command/manifest/util.go:
 * Go's list of ports, and linux/s390x). */
static bool
valid_os_arch(const char *os, const char *arch)
{
  static const char *const pairs[][2] = {
    { "darwin", "386" },    { "darwin", "amd64" },    { "darwin", "arm" },
    { "darwin", "arm64" },  { "dragonfly", "amd64" }, { "freebsd", "386" },
    { "freebsd", "amd64" }, { "freebsd", "arm" },     { "linux", "386" },
    { "linux", "amd64" },   { "linux", "arm" },       { "linux", "arm64" },
    { "linux", "ppc64le" }, { "linux", "mips64" },    { "linux", "mips64le" },
    { "linux", "riscv64" }, { "linux", "s390x" },     { "netbsd", "386" },
    { "netbsd", "amd64" },  { "netbsd", "arm" },      { "openbsd", "386" },
    { "openbsd", "amd64" }, { "openbsd", "arm" },     { "plan9", "386" },
    { "plan9", "amd64" },   { "solaris", "amd64" },   { "windows", "386" },
    { "windows", "amd64" },
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    if (strcmp(pairs[i][0], os) == 0 && strcmp(pairs[i][1], arch) == 0)
      return true;
  return false;
}

static int
set_if(json_t *p, const char *key, const char *value, berth_error **err)
{
  if (value == NULL || value[0] == '\0')
    return 0;
  json_t *v = berth_json_string_checked(value, key, err);
  if (v == NULL)
    return -1;
  json_object_set_new(p, key, v);
  return 0;
}

/* a holds the user's flags. */
int
berth_manifest_list_annotate(json_t *member, const berth_platform_annotation *a, berth_error **err)
{
  json_t *d = json_object_get(member, "Descriptor");
  json_t *old = json_object_get(d, "platform");
  cleanup_json json_t *p = old != NULL ? json_deep_copy(old) : json_object();
  if (set_if(p, "os", a->os, err) < 0 || set_if(p, "architecture", a->arch, err) < 0)
    return -1;
  json_t *features = json_object_get(p, "os.features");
  for (char *const *f = a->os_features; f != NULL && *f != NULL; f++) {
    if (!json_is_array(features)) {
      features = json_array();
      json_object_set_new(p, "os.features", features);
    }
    bool have = false;
    size_t i;
    json_t *v;
    json_array_foreach(features, i, v) have
        = have || (json_is_string(v) && strcmp(json_string_value(v), *f) == 0);
    json_t *nv = have ? NULL : berth_json_string_checked(*f, "os-features", err);
    if (!have && nv == NULL)
      return -1;
    if (!have)
      json_array_append_new(features, nv);
  }
  if (set_if(p, "variant", a->variant, err) < 0 || set_if(p, "os.version", a->os_version, err) < 0)
    return -1;
  const char *os = str(p, "os"), *arch = str(p, "architecture");
  if (!valid_os_arch(os ? os : "", arch ? arch : ""))
    return berth_error_set_as(err, EINVAL,
                              "manifest entry for image has unsupported os/arch combination: %s/%s",
                              a->os ? a->os : "", a->arch ? a->arch : "");
  json_object_set(d, "platform", p);
  return 0;
}

/* The platform as Docker's manifestlist.PlatformSpec writes it: architecture
 * and os always, the others when set. */
static json_t *
platform_json(json_t *p)
{
  json_t *out = json_object();
  const char *arch = str(p, "architecture"), *os = str(p, "os");
  json_object_set_new(out, "architecture", json_string(arch ? arch : ""));
  json_object_set_new(out, "os", json_string(os ? os : ""));
  if (str(p, "os.version") != NULL && str(p, "os.version")[0] != '\0')
    json_object_set(out, "os.version", json_object_get(p, "os.version"));
  json_t *f = json_object_get(p, "os.features");
  if (json_is_array(f) && json_array_size(f) > 0)
    json_object_set(out, "os.features", f);
  if (str(p, "variant") != NULL && str(p, "variant")[0] != '\0')
    json_object_set(out, "variant", json_object_get(p, "variant"));
  return out;
}

int
berth_manifest_list_index(const berth_manifest_list *l, const char *domain, bool for_push,
                          char **text, size_t *len, const char **media_type, berth_error **err)
{
  cleanup_json json_t *list = json_array();
  size_t i;
  json_t *m;
  json_array_foreach(l->members, i, m)
  {
    json_t *d = json_object_get(m, "Descriptor");
    json_t *p = json_object_get(d, "platform");
    const char *ref = str(m, "Ref");
    if (for_push
        && (str(p, "architecture") == NULL || str(p, "architecture")[0] == '\0'
            || str(p, "os") == NULL || str(p, "os")[0] == '\0'))
      return berth_error_set_as(err, EINVAL,
                                "manifest %s must have an OS and Architecture to be pushed to a "
                                "registry",
                                ref);
    if (domain != NULL) {
      cleanup_reference berth_reference *r = berth_reference_parse_normalized(ref, err);
      if (r == NULL)
        return berth_error_prefix(err, "member %s", ref);
      if (strcmp(r->domain, domain) != 0)
        return berth_error_set_as(err, EINVAL,
                                  "cannot use source images from a different registry than the "
                                  "target image: %s != %s",
                                  r->domain, domain);
    }
    /* Docker's manifestlist.ManifestDescriptor, whatever the index's type:
     * mediaType, size, digest, platform. */
    json_t *e = json_object();
    json_object_set(e, "mediaType", json_object_get(d, "mediaType"));
    json_object_set(e, "size", json_object_get(d, "size"));
    json_object_set(e, "digest", json_object_get(d, "digest"));
    json_object_set_new(e, "platform", platform_json(p));
    json_array_append_new(list, e);
  }
  /* Docker's manifestlist.FromDescriptors: an OCI index when the first
   * member is an OCI manifest, else a Docker manifest list. */
  json_t *first = json_object_get(json_array_get(l->members, 0), "Descriptor");
  const char *first_type = str(first, "mediaType");
  *media_type = first_type != NULL && strcmp(first_type, BERTH_MT_OCI_MANIFEST) == 0
                    ? BERTH_MT_OCI_INDEX
                    : BERTH_MT_DOCKER_LIST;
  cleanup_json json_t *doc = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType",
                                       *media_type, "manifests", list);
  /* Docker's distribution marshals a list indented by three spaces. */
  *text = json_dumps(doc, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
  if (*text == NULL)
    return berth_error_set_as(err, ENOMEM, "manifest list %s: cannot write it", l->ref);
  *len = strlen(*text);
  return 0;
}

/* data: an index from a registry (untrusted, already parsed as an index by
 * the caller); only the fields Docker keeps are read, as they are. */
int
berth_manifest_index_render(const char *data, size_t len, char **text, berth_error **err)
{
  json_error_t jerr;
  cleanup_json json_t *doc = json_loadb(data, len, 0, &jerr);
  json_t *entries = json_object_get(doc, "manifests");
  if (!json_is_array(entries))
    return berth_error_set_as(err, EINVAL, "not an index");
  berth_manifest_list l __attribute__((cleanup(berth_manifest_list_clear)))
  = { .ref = xstrdup(""), .members = json_array() };
  size_t i;
  json_t *e;
  json_array_foreach(entries, i, e)
  {
    json_t *d = json_object();
    json_t *p = json_object_get(e, "platform");
    json_object_set(d, "mediaType", json_object_get(e, "mediaType"));
    json_object_set(d, "size", json_object_get(e, "size"));
    json_object_set(d, "digest", json_object_get(e, "digest"));
    if (json_is_object(p))
      json_object_set(d, "platform", p);
    json_array_append_new(l.members, json_pack("{s:s, s:o}", "Ref", "", "Descriptor", d));
  }
  size_t n;
  const char *type;
  return berth_manifest_list_index(&l, NULL, false, text, &n, &type, err);
}
