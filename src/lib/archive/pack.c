#include "archive/pack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/layer_dir.h"
#include "archive/ustar.h"
#include "common/cleanup.h"
#include "common/strset.h"
#include "common/utf8.h"
#include "common/xalloc.h"

#define BLOCK 512
#define OUT_BUF (256 * 1024)

struct link_seen {
  dev_t dev;
  ino_t ino;
  char *name;
};

struct packer {
  berth_write_fn write;
  void *ctx;
  berth_sha256 *sha;
  unsigned char *buf;
  size_t used;
  struct link_seen *links;
  size_t n_links, cap_links;
  berth_pack_result *res;
  bool as_layer; /* berth_layer_pack_as_layer: the tree made the layer's dir */
};

/* One entry's header fields, before encoding. */
struct hdr {
  const char *name;
  const char *linkname;
  char type;
  unsigned mode;
  long long uid, gid, size, mtime;
  unsigned devmajor, devminor;
  char *xattrs; /* PAX "SCHILY.xattr.*" records already encoded, or NULL */
  size_t xattrs_len;
};

static int
flush(struct packer *p, berth_error **err)
{
  if (p->used == 0)
    return 0;
  berth_sha256_update(p->sha, p->buf, p->used);
  int r = p->write(p->ctx, p->buf, p->used, err);
  p->used = 0;
  return r;
}

static int
emit(struct packer *p, const void *data, size_t len, berth_error **err)
{
  const unsigned char *d = data;
  while (len > 0) {
    size_t n = OUT_BUF - p->used < len ? OUT_BUF - p->used : len;
    memcpy(p->buf + p->used, d, n);
    p->used += n;
    d += n;
    len -= n;
    if (p->used == OUT_BUF && flush(p, err) < 0)
      return -1;
  }
  return 0;
}

static int
pad(struct packer *p, long long size, berth_error **err)
{
  static const unsigned char zeros[BLOCK];
  size_t rem = (size_t)(size % BLOCK);
  return rem == 0 ? 0 : emit(p, zeros, BLOCK - rem, err);
}

/* Octal in a field of w bytes: w-1 zero-padded digits and a NUL; false when
 * the value does not fit. */
static bool
put_octal(unsigned char *field, size_t w, long long v)
{
  if (v < 0)
    return false;
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "%0*llo", (int)(w - 1), v);
  if (n < 0 || (size_t)n > w - 1)
    return false;
  memcpy(field, tmp, w - 1);
  field[w - 1] = '\0';
  return true;
}

/* Appends one PAX record "<len> key=value\n" (len counts itself). */
static void
pax_add(char **acc, size_t *acc_len, const char *key, const char *value, size_t vlen)
{
  size_t len = berth_pax_record_len(key, vlen);
  char digits[24];
  snprintf(digits, sizeof digits, "%zu", len);
  *acc = xrealloc(*acc, *acc_len + len + 1);
  char *w = *acc + *acc_len;
  size_t dl = strlen(digits), kl = strlen(key);
  memcpy(w, digits, dl);
  w[dl] = ' ';
  memcpy(w + dl + 1, key, kl);
  w[dl + 1 + kl] = '=';
  memcpy(w + dl + 2 + kl, value, vlen);
  w[len - 1] = '\n';
  *acc_len += len;
  (*acc)[*acc_len] = '\0';
}

static void
encode_block(unsigned char b[BLOCK], const struct hdr *h, size_t prefix_len, bool *need_pax,
             char **pax, size_t *pax_len)
{
  memset(b, 0, BLOCK);
  const char *name = h->name;
  if (prefix_len > 0) {
    memcpy(b + 345, name, prefix_len);
    name += prefix_len + 1;
  }
  size_t nl = strlen(name);
  memcpy(b, name, nl > 100 ? 100 : nl);
  put_octal(b + 100, 8, h->mode);
  if (!put_octal(b + 108, 8, h->uid)) {
    char v[24];
    snprintf(v, sizeof v, "%lld", h->uid);
    pax_add(pax, pax_len, "uid", v, strlen(v));
    put_octal(b + 108, 8, 0);
    *need_pax = true;
  }
  if (!put_octal(b + 116, 8, h->gid)) {
    char v[24];
    snprintf(v, sizeof v, "%lld", h->gid);
    pax_add(pax, pax_len, "gid", v, strlen(v));
    put_octal(b + 116, 8, 0);
    *need_pax = true;
  }
  if (!put_octal(b + 124, 12, h->size)) {
    char v[24];
    snprintf(v, sizeof v, "%lld", h->size);
    pax_add(pax, pax_len, "size", v, strlen(v));
    put_octal(b + 124, 12, 0);
    *need_pax = true;
  }
  if (!put_octal(b + 136, 12, h->mtime)) {
    char v[24];
    snprintf(v, sizeof v, "%lld", h->mtime);
    pax_add(pax, pax_len, "mtime", v, strlen(v));
    put_octal(b + 136, 12, 0);
    *need_pax = true;
  }
  b[156] = (unsigned char)h->type;
  if (h->linkname != NULL) {
    size_t ll = strlen(h->linkname);
    memcpy(b + 157, h->linkname, ll > 100 ? 100 : ll);
  }
  memcpy(b + 257,
         "ustar\0"
         "00",
         8);
  put_octal(b + 329, 8, h->devmajor);
  put_octal(b + 337, 8, h->devminor);
  memset(b + 148, ' ', 8);
  unsigned sum = 0;
  for (size_t i = 0; i < BLOCK; i++)
    sum += b[i];
  snprintf((char *)b + 148, 8, "%06o", sum);
  b[155] = ' ';
}

/* Writes one entry's header(s): a PAX 'x' header first when needed. */
static int
write_header(struct packer *p, const struct hdr *h, berth_error **err)
{
  cleanup_free char *pax = NULL;
  size_t pax_len = 0, prefix_len = 0;
  bool need_pax = false;
  if (!berth_ustar_split(h->name, &prefix_len)) {
    pax_add(&pax, &pax_len, "path", h->name, strlen(h->name));
    need_pax = true;
    prefix_len = 0;
  }
  if (h->linkname != NULL && (strlen(h->linkname) > 100 || !berth_ascii(h->linkname))) {
    pax_add(&pax, &pax_len, "linkpath", h->linkname, strlen(h->linkname));
    need_pax = true;
  }
  unsigned char b[BLOCK];
  encode_block(b, h, prefix_len, &need_pax, &pax, &pax_len);
  if (h->xattrs != NULL) {
    size_t xl = h->xattrs_len;
    pax = xrealloc(pax, pax_len + xl + 1);
    memcpy(pax + pax_len, h->xattrs, xl + 1);
    pax_len += xl;
    need_pax = true;
  }
  if (need_pax) {
    /* The extended header: "<dir>/PaxHeaders.0/<base>" cut to 100 bytes. */
    cleanup_free char *trim = xstrdup(h->name);
    size_t tl = strlen(trim);
    if (tl > 1 && trim[tl - 1] == '/')
      trim[tl - 1] = '\0';
    const char *slash = strrchr(trim, '/');
    cleanup_free char *pname
        = slash != NULL ? xasprintf("%.*s/PaxHeaders.0/%s", (int)(slash - trim), trim, slash + 1)
                        : xasprintf("PaxHeaders.0/%s", trim);
    for (char *c = pname; *c != '\0'; c++)
      if ((unsigned char)*c >= 0x80)
        *c = '_';
    struct hdr x = { .name = pname, .type = 'x', .size = (long long)pax_len };
    unsigned char xb[BLOCK];
    bool dummy = false;
    char *none = NULL;
    size_t none_len = 0;
    encode_block(xb, &x, 0, &dummy, &none, &none_len);
    free(none);
    if (emit(p, xb, BLOCK, err) < 0 || emit(p, pax, pax_len, err) < 0
        || pad(p, (long long)pax_len, err) < 0)
      return -1;
    /* the ustar block keeps what it can say; a name it cannot hold is cut */
    if (prefix_len == 0 && strlen(h->name) > 100)
      memset(b + 345, 0, 155);
  }
  p->res->entries++;
  return emit(p, b, BLOCK, err);
}

/* The names of a directory, sorted bytewise, NULL-terminated. */
static char **
sorted_names(int dirfd, berth_error **err)
{
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    berth_error_set(err, errno, "open directory");
    return NULL;
  }
  cleanup_dir DIR *d = fdopendir(fd);
  if (d == NULL) {
    close(fd);
    berth_error_set(err, errno, "open directory");
    return NULL;
  }
  size_t n = 0, cap = 16;
  char **v = xmalloc(cap * sizeof *v);
  struct dirent *de;
  errno = 0;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if (n + 1 >= cap)
      v = xrealloc(v, (cap *= 2) * sizeof *v);
    v[n++] = xstrdup(de->d_name);
    errno = 0;
  }
  v[n] = NULL;
  if (errno != 0) {
    berth_error_set(err, errno, "read directory");
    for (size_t i = 0; i < n; i++)
      free(v[i]);
    free(v);
    return NULL;
  }
  qsort(v, n, sizeof *v, berth_strcmp_qsort);
  return v;
}

/* overlayfs's own attributes (berth mounts as root, without userxattr, so
 * only trusted.overlay.* is overlay metadata: user.overlay.* is whatever the
 * container set, and is data like any user.* attribute). */
static bool
skip_xattr(const char *name)
{
  return strncmp(name, "trusted.overlay.", 16) == 0 || strcmp(name, "security.selinux") == 0;
}

static ssize_t
list_x(int fd, const char *path, char *buf, size_t len)
{
  return fd >= 0 ? flistxattr(fd, buf, len) : llistxattr(path, buf, len);
}

static ssize_t
get_x(int fd, const char *path, const char *name, void *buf, size_t len)
{
  return fd >= 0 ? fgetxattr(fd, name, buf, len) : lgetxattr(path, name, buf, len);
}

/* The names of a file's xattrs ("a\0b\0"), *len bytes, into *list (NULL
 * when it has none or its filesystem has no xattrs).  A list that grows
 * between the size query and the read is read again. */
static int
xattr_list(int fd, const char *path, const char *name, char **list, ssize_t *len, berth_error **err)
{
  *list = NULL;
  *len = 0;
  for (int tries = 0; tries < 8; tries++) {
    ssize_t n = list_x(fd, path, NULL, 0);
    if (n < 0 && (errno == ENOTSUP || errno == ENODATA))
      return 0;
    if (n < 0)
      break;
    if (n == 0)
      return 0;
    cleanup_free char *buf = xmalloc((size_t)n);
    n = list_x(fd, path, buf, (size_t)n);
    if (n >= 0) {
      *len = n;
      *list = n > 0 ? steal_pointer(&buf) : NULL;
      return 0;
    }
    if (errno != ERANGE)
      break;
  }
  return berth_error_set(err, errno, "list xattrs of %s", name);
}

/* One xattr's value; 0 with *val NULL when it went away since it was
 * listed (nothing to keep), -1 on any other failure. */
static int
xattr_value(int fd, const char *path, const char *name, const char *attr, char **val, size_t *vlen,
            berth_error **err)
{
  *val = NULL;
  for (int tries = 0; tries < 8; tries++) {
    ssize_t n = get_x(fd, path, attr, NULL, 0);
    if (n < 0 && errno == ENODATA)
      return 0;
    if (n < 0)
      break;
    cleanup_free char *v = xmalloc((size_t)n + 1);
    n = get_x(fd, path, attr, v, (size_t)n);
    if (n >= 0) {
      *vlen = (size_t)n;
      *val = steal_pointer(&v);
      return 0;
    }
    if (errno == ENODATA)
      return 0;
    if (errno != ERANGE)
      break;
  }
  return berth_error_set(err, errno, "read xattr %.100s of %s", attr, name);
}

/* PAX records of a file's xattrs, sorted by name, into *out (NULL when
 * none).  fd: the file opened (regular files, directories), or -1 to go by
 * path (symlinks, devices, fifos).  A read that fails is an error: dropping
 * an attribute would drop e.g. a binary's security.capability. */
static int
xattr_records(const struct packer *p, int fd, int dirfd, const char *base, const char *name,
              bool is_dir, char **out, size_t *out_len, berth_error **err)
{
  *out = NULL;
  *out_len = 0;
  cleanup_free char *path = fd >= 0 ? NULL : xasprintf("/proc/self/fd/%d/%s", dirfd, base);
  ssize_t len = 0;
  cleanup_free char *list = NULL;
  if (xattr_list(fd, path, name, &list, &len, err) < 0)
    return -1;
  if (list == NULL)
    return 0;
  size_t n = 0;
  cleanup_free char **names = xcalloc((size_t)len, sizeof *names);
  for (ssize_t i = 0; i < len; i += (ssize_t)strlen(list + i) + 1)
    if (!skip_xattr(list + i))
      names[n++] = list + i;
    else if (p->as_layer && berth_layer_dir_xattr(fd, path, name, list + i, is_dir, err) < 0)
      return -1;
  qsort(names, n, sizeof *names, berth_strcmp_qsort);
  char *acc = NULL;
  size_t acc_len = 0;
  for (size_t i = 0; i < n; i++) {
    cleanup_free char *val = NULL;
    size_t vl = 0;
    if (xattr_value(fd, path, name, names[i], &val, &vl, err) < 0) {
      free(acc);
      return -1;
    }
    if (val == NULL)
      continue;
    cleanup_free char *key = xasprintf("SCHILY.xattr.%s", names[i]);
    pax_add(&acc, &acc_len, key, val, vl);
  }
  *out = acc;
  *out_len = acc_len;
  return 0;
}

/* 1 when overlayfs marked the directory opaque, 0 when not, -1 when the
 * marker cannot be read (an unreadable marker is not taken as absent:
 * the lower files would come back into the image). */
static int
is_opaque(int fd, const char *name, berth_error **err)
{
  char v[2];
  ssize_t r = fgetxattr(fd, "trusted.overlay.opaque", v, sizeof v);
  if (r < 0 && (errno == ENODATA || errno == ENOTSUP))
    return 0;
  if (r < 0 && errno != ERANGE)
    return berth_error_set(err, errno, "read trusted.overlay.opaque of %s", name);
  return r == 1 && v[0] == 'y';
}

/* The name of an earlier occurrence of this inode, or NULL (remembered). */
static const char *
hardlink_of(struct packer *p, const struct stat *st, const char *name)
{
  for (size_t i = 0; i < p->n_links; i++)
    if (p->links[i].dev == st->st_dev && p->links[i].ino == st->st_ino)
      return p->links[i].name;
  if (p->n_links == p->cap_links) {
    p->cap_links = p->cap_links ? p->cap_links * 2 : 16;
    p->links = xrealloc(p->links, p->cap_links * sizeof *p->links);
  }
  p->links[p->n_links++] = (struct link_seen){ st->st_dev, st->st_ino, xstrdup(name) };
  return NULL;
}

static int
copy_contents(struct packer *p, int fd, const char *base, long long size, berth_error **err)
{
  long long left = size;
  while (left > 0) {
    if (p->used == OUT_BUF && flush(p, err) < 0)
      return -1;
    size_t room = OUT_BUF - p->used;
    size_t want = (long long)room < left ? room : (size_t)left;
    ssize_t r = read(fd, p->buf + p->used, want);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return berth_error_set(err, errno, "read %s", base);
    if (r == 0)
      return berth_error_set(err, 0, "%s shrank while being packed", base);
    p->used += (size_t)r;
    left -= r;
  }
  char c;
  if (read(fd, &c, 1) != 0)
    return berth_error_set(err, 0, "%s grew while being packed", base);
  p->res->size += size;
  return pad(p, size, err);
}

static int pack_dir(struct packer *p, int dirfd, const char *prefix, berth_error **err);

/* One name of a directory: its header, its contents, its subtree. */
static int
pack_entry(struct packer *p, int dirfd, const char *base, const char *prefix, berth_error **err)
{
  struct stat st;
  if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_set(err, errno, "stat %s%s", prefix, base);
  if (S_ISSOCK(st.st_mode)) /* not in the tar, so not in the layer */
    return p->as_layer && unlinkat(dirfd, base, 0) < 0
               ? berth_error_set(err, errno, "remove socket %s%s", prefix, base)
               : 0;
  if (p->as_layer && strncmp(base, ".wh.", 4) == 0)
    p->res->plain = false; /* extraction would make it a whiteout or skip it */
  cleanup_free char *name = xasprintf("%s%s%s", prefix, base, S_ISDIR(st.st_mode) ? "/" : "");
  struct hdr h = { .name = name,
                   .mode = st.st_mode & 07777,
                   .uid = st.st_uid,
                   .gid = st.st_gid,
                   .mtime = st.st_mtim.tv_sec };
  cleanup_free char *target = NULL, *whname = NULL;
  if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
    whname = xasprintf("%s.wh.%s", prefix, base);
    h.name = whname, h.type = '0', h.mode = 0600;
    if (write_header(p, &h, err) < 0)
      return -1;
    return p->as_layer ? berth_layer_dir_whiteout(dirfd, base, &st, err) : 0;
  }
  cleanup_close int fd = -1;
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
    int flags = S_ISDIR(st.st_mode) ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NONBLOCK;
    fd = openat(dirfd, base, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
      return berth_error_set(err, errno, "open %s", name);
  }
  cleanup_free char *xattrs = NULL;
  if (xattr_records(p, fd, dirfd, base, name, S_ISDIR(st.st_mode), &xattrs, &h.xattrs_len, err) < 0)
    return -1;
  h.xattrs = xattrs;
  if (S_ISREG(st.st_mode)) {
    const char *first = st.st_nlink > 1 ? hardlink_of(p, &st, name) : NULL;
    if (first != NULL) {
      h.type = '1', h.linkname = first;
      return write_header(p, &h, err);
    }
    h.type = '0', h.size = st.st_size;
    if (write_header(p, &h, err) < 0 || copy_contents(p, fd, name, st.st_size, err) < 0)
      return -1;
    return p->as_layer ? berth_layer_dir_times(fd, dirfd, base, &st, err) : 0;
  }
  if (S_ISLNK(st.st_mode)) {
    target = xmalloc((size_t)st.st_size + 4097);
    ssize_t n = readlinkat(dirfd, base, target, (size_t)st.st_size + 4096);
    if (n < 0)
      return berth_error_set(err, errno, "readlink %s", name);
    target[n] = '\0';
    h.type = '2', h.linkname = target;
    /* Docker's layer size (directory.Size of the layer's dir) counts every
     * entry's st_size but directories': a symlink's is its target's length */
    p->res->size += n;
    if (write_header(p, &h, err) < 0)
      return -1;
    return p->as_layer ? berth_layer_dir_times(-1, dirfd, base, &st, err) : 0;
  }
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
    h.type = S_ISCHR(st.st_mode) ? '3' : S_ISBLK(st.st_mode) ? '4' : '6';
    if (!S_ISFIFO(st.st_mode))
      h.devmajor = major(st.st_rdev), h.devminor = minor(st.st_rdev);
    if (write_header(p, &h, err) < 0)
      return -1;
    return p->as_layer ? berth_layer_dir_times(-1, dirfd, base, &st, err) : 0;
  }
  if (!S_ISDIR(st.st_mode))
    return berth_error_set(err, 0, "%s: unsupported file type", name);
  h.type = '5';
  int opaque = is_opaque(fd, name, err);
  if (opaque < 0 || write_header(p, &h, err) < 0)
    return -1;
  if (opaque) {
    cleanup_free char *opq = xasprintf("%s.wh..wh..opq", name);
    struct hdr o = { .name = opq,
                     .type = '0',
                     .mode = st.st_mode & 0777,
                     .uid = st.st_uid,
                     .gid = st.st_gid,
                     .mtime = st.st_mtim.tv_sec };
    if (write_header(p, &o, err) < 0)
      return -1;
  }
  if (pack_dir(p, fd, name, err) < 0)
    return -1;
  return p->as_layer ? berth_layer_dir_times(fd, dirfd, base, &st, err) : 0;
}

static int
pack_dir(struct packer *p, int dirfd, const char *prefix, berth_error **err)
{
  cleanup_strv char **names = sorted_names(dirfd, err);
  if (names == NULL)
    return -1;
  for (char **n = names; *n != NULL; n++)
    if (pack_entry(p, dirfd, *n, prefix, err) < 0)
      return -1;
  return 0;
}

static int
pack(int dirfd, bool as_layer, berth_write_fn write, void *ctx, berth_pack_result *out,
     berth_error **err)
{
  static const unsigned char trailer[2 * BLOCK];
  memset(out, 0, sizeof *out);
  out->plain = true;
  struct packer p = { .write = write, .ctx = ctx, .res = out, .as_layer = as_layer };
  cleanup_sha256 berth_sha256 *sha = p.sha = berth_sha256_new();
  cleanup_free unsigned char *buf = xmalloc(OUT_BUF);
  p.buf = buf;
  int r = pack_dir(&p, dirfd, "", err);
  if (r == 0 && as_layer)
    r = berth_layer_dir_root(dirfd, err);
  if (r == 0)
    r = emit(&p, trailer, sizeof trailer, err);
  if (r == 0)
    r = flush(&p, err);
  for (size_t i = 0; i < p.n_links; i++)
    free(p.links[i].name);
  free(p.links);
  if (r < 0)
    return berth_error_prefix(err, "pack layer");
  berth_sha256_final(sha, out->diff_id);
  return 0;
}

int
berth_layer_pack(int dirfd, berth_write_fn write, void *ctx, berth_pack_result *out,
                 berth_error **err)
{
  return pack(dirfd, false, write, ctx, out, err);
}

int
berth_layer_pack_as_layer(int dirfd, berth_write_fn write, void *ctx, berth_pack_result *out,
                          berth_error **err)
{
  return pack(dirfd, true, write, ctx, out, err);
}
