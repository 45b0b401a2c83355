/* haul-part-file.c — a download's NAME.part and its final NAME
 *
 * Files are created relative to a descriptor of the destination folder,
 * never following a symlink, as NAME.part, and renamed to NAME without
 * replacing anything once complete and verified. A NAME.part is only ever
 * written to when it is a regular file with no other hard link, and only
 * resumed when its resume attribute says it is this URL's.
 *
 * See haul-part-file.h for who may call what from which thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-part-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "haul-filename.h"
#include "haul-http.h"
#include "haul-part-file.h"
#include "haul-segments.h"
#include "haul-transfer.h"

#define HASH_READ_SIZE (256 * 1024)
#define MAX_NAME_INDEX 10000

/* A .part carries what is needed to resume it in a later run: one extended
 * attribute "URL\nETAG\nLAST-MODIFIED\nCONTENT-TYPE" (empty fields for
 * unknown values; none of them can hold a newline). It is written once
 * the first XATTR_AFTER bytes of a body are on disk, or when an attempt
 * stops early, so small files that complete at once never pay for it. */
#define XATTR_RESUME "user.haul.resume"
#define XATTR_AFTER  (1024 * 1024)

/* A .part written in segments also carries "user.haul.ranges": the
 * written ranges (haul-segments.h's text form) that are on disk. It is
 * set before the first byte goes anywhere but the end of what is written,
 * and only ever names bytes after a sync: its size says nothing then. */
#define XATTR_RANGES "user.haul.ranges"

struct _HaulPartFile
{
  /* Set at creation, then read-only. */
  char           *directory;
  char           *uri;
  HaulNameClaims *claims;        /* nullable */
  int             dirfd;

  /* The owner's. */
  char           *name;          /* the final name; NAME.part while incomplete */
  gboolean        part_is_new;   /* no NAME.part existed: create it O_EXCL */
  char           *resume_etag;   /* the resume attribute's fields */
  char           *resume_last_modified;
  char           *resume_content_type;

  /* Shared with writers while open. */
  int             fd;
  _Atomic int     tag_pending;   /* the .part has no resume attribute yet */
  _Atomic gint64  written;       /* bytes written since it was opened */
};

static char *
part_name (const char *name)
{
  return g_strconcat (name, HAUL_PART_SUFFIX, NULL);
}

static gboolean
set_errno_error (GError     **error,
                 int          errsv,
                 const char  *directory,
                 const char  *name)
{
  g_autofree char *path = g_build_filename (directory, name, NULL);

  switch (errsv)
    {
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_DISK_FULL,
                   _("The disk is full: could not write “%s”"), path);
      break;
    case EACCES:
    case EPERM:
    case EROFS:
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_PERMISSION,
                   _("Haul is not allowed to write “%s”: %s"), path, g_strerror (errsv));
      break;
    case ELOOP:
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_UNSAFE_FILE,
                   _("“%s” is a symbolic link; Haul does not follow links when saving"), path);
      break;
    default:
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_LOCAL_IO,
                   _("Could not write “%s”: %s"), path, g_strerror (errsv));
      break;
    }
  return FALSE;
}

static int
open_directory (const char  *directory,
                GError     **error)
{
  int fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      int errsv = errno;

      if (errsv == ENOENT || errsv == ENOTDIR)
        g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_NO_DIRECTORY,
                     _("The folder “%s” does not exist"), directory);
      else if (errsv == EACCES || errsv == EPERM)
        g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_PERMISSION,
                     _("Haul is not allowed to open the folder “%s”"), directory);
      else
        g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_LOCAL_IO,
                     _("Could not open the folder “%s”: %s"), directory, g_strerror (errsv));
    }
  return fd;
}

/**
 * haul_part_file_new:
 * @directory: the destination folder
 * @uri: the download's link, as the resume attribute records it
 * @claims: (nullable): the names taken by this process's downloads
 *
 * Opens @directory for one download's file. The caller owns the result.
 *
 * Returns: (transfer full) (nullable): the file, or %NULL with @error set
 *   when the folder cannot be opened
 */
HaulPartFile *
haul_part_file_new (const char      *directory,
                    const char      *uri,
                    HaulNameClaims  *claims,
                    GError         **error)
{
  HaulPartFile *self;
  int dirfd = open_directory (directory, error);

  if (dirfd < 0)
    return NULL;

  self = g_new0 (HaulPartFile, 1);
  self->directory = g_strdup (directory);
  self->uri = g_strdup (uri);
  self->claims = claims != NULL ? haul_name_claims_ref (claims) : NULL;
  self->dirfd = dirfd;
  self->fd = -1;
  return self;
}

/* Closes what is still open. Neither deletes the .part nor releases the
 * name: the name stays claimed for the download's next attempt (see
 * haul_part_file_release_name()). */
void
haul_part_file_free (HaulPartFile *self)
{
  if (self->fd >= 0)
    close (self->fd);
  close (self->dirfd);
  g_clear_pointer (&self->claims, haul_name_claims_unref);
  g_free (self->directory);
  g_free (self->uri);
  g_free (self->name);
  g_free (self->resume_etag);
  g_free (self->resume_last_modified);
  g_free (self->resume_content_type);
  g_free (self);
}

/* ------------------------------------------------------------------ */
/* Is this .part ours */

static char *
nonempty_or_null (const char *value)
{
  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

/* Size of NAME.part if it is a regular file with no other hard link, else
 * -1 (a symlink or a link to another file counts as "not there": it makes
 * the open fail safely later, and a new download takes another name). */
static gint64
part_size (int         dirfd,
           const char *part)
{
  struct stat st;

  if (fstatat (dirfd, part, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG (st.st_mode) ||
      st.st_nlink != 1)
    return -1;
  return st.st_size;
}

/* Whether an existing file left by an earlier run belongs to @self's URL.
 * Only the resume attribute can say so: on filesystems without user xattrs
 * (exFAT, vfat) a NAME.part may be another program's, so it is left alone
 * and the download takes a free name. (Within one run the download knows its
 * own .part and does not ask.) */
static gboolean
file_is_ours (HaulPartFile  *self,
              const char    *file,
              char         **etag,
              char         **last_modified,
              char         **content_type)
{
  int fd = openat (self->dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  char buf[16 * 1024 + 1];
  g_auto(GStrv) fields = NULL;
  ssize_t n;
  gboolean ours = FALSE;

  if (fd < 0)
    return FALSE;

  n = fgetxattr (fd, XATTR_RESUME, buf, sizeof buf - 1);
  close (fd);
  if (n < 0)
    return FALSE; /* no attribute, or none possible here: not provably ours */

  buf[n] = '\0';
  if (strlen (buf) != (gsize) n || !g_utf8_validate (buf, n, NULL))
    return FALSE;
  fields = g_strsplit (buf, "\n", 5);
  if (g_strv_length (fields) == 4 && strcmp (fields[0], self->uri) == 0)
    {
      ours = TRUE;
      for (guint i = 1; i < 4; i++)
        if (!haul_http_value_is_safe (fields[i]))
          return FALSE;
      *etag = nonempty_or_null (fields[1]);
      *last_modified = nonempty_or_null (fields[2]);
      *content_type = nonempty_or_null (fields[3]);
    }
  return ours;
}

/* ------------------------------------------------------------------ */
/* The name */

/* The name an earlier attempt chose (and claimed) for this download. */
void
haul_part_file_adopt_name (HaulPartFile *self,
                           const char   *name)
{
  g_free (self->name);
  self->name = g_strdup (name);
}

/* Whether @cand can be this download's name: no NAME, and either no
 * NAME.part at all or one this URL left behind in an earlier run. */
static gboolean
candidate_is_usable (HaulPartFile  *self,
                     const char    *cand,
                     gint64        *found_size,
                     char         **etag,
                     char         **last_modified,
                     char         **content_type)
{
  g_autofree char *part = part_name (cand);
  struct stat st;
  gint64 size;

  if (fstatat (self->dirfd, cand, &st, AT_SYMLINK_NOFOLLOW) == 0)
    return FALSE;

  size = part_size (self->dirfd, part);
  if (size >= 0)
    {
      if (!file_is_ours (self, part, etag, last_modified, content_type))
        return FALSE;
      *found_size = size;
      return TRUE;
    }
  if (fstatat (self->dirfd, part, &st, AT_SYMLINK_NOFOLLOW) == 0)
    return FALSE; /* a symlink, hard link or special file: leave it alone */

  self->part_is_new = TRUE;
  return TRUE;
}

/**
 * haul_part_file_choose_name:
 * @base: the name the server's answer suggests, sanitized
 * @found_size: (out): the size of a .part an earlier run of this URL left
 *   under the chosen name, unchanged when there is none
 * @etag: (out): that .part's validators, from its resume attribute
 *
 * Picks a free name for a new download, "BASE", "BASE (1)" and so on, and
 * claims it; or finds the .part an earlier run of the same URL left behind.
 */
gboolean
haul_part_file_choose_name (HaulPartFile  *self,
                            const char    *base,
                            gint64        *found_size,
                            char         **etag,
                            char         **last_modified,
                            char         **content_type,
                            GError       **error)
{
  for (guint i = 0; i < MAX_NAME_INDEX; i++)
    {
      g_autofree char *cand = haul_filename_with_index (base, i);

      if (self->claims != NULL && !haul_name_claims_try (self->claims, self->directory, cand))
        continue;

      if (candidate_is_usable (self, cand, found_size, etag, last_modified, content_type))
        {
          g_free (self->name);
          self->name = g_steal_pointer (&cand);
          return TRUE;
        }

      if (self->claims != NULL)
        haul_name_claims_release (self->claims, self->directory, cand);
    }

  g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_LOCAL_IO,
               _("Could not find a free file name for “%s”"), base);
  return FALSE;
}

/* Returns: (nullable): the final name, once chosen or adopted */
const char *
haul_part_file_get_name (HaulPartFile *self)
{
  return self->name;
}

/* Returns: the size of NAME.part, or -1 when there is none (or only a
 * symlink, hard link or special file the download leaves alone) */
gint64
haul_part_file_get_size (HaulPartFile *self)
{
  g_autofree char *part = part_name (self->name);

  return part_size (self->dirfd, part);
}

/* A restored download whose .part is gone may have completed just before
 * Haul died: the rename happened, the new state never reached the store.
 * The file is ours if it still carries this URL's resume attribute (it
 * survives the rename) and, when the size is known (@known_total >= 0),
 * has that size. Then it counts as done, with its size in @size, instead
 * of being fetched again as "NAME (1)". */
gboolean
haul_part_file_final_is_ours (HaulPartFile *self,
                              gint64        known_total,
                              gint64       *size)
{
  g_autofree char *etag = NULL, *last_modified = NULL, *content_type = NULL;
  struct stat st;

  if (fstatat (self->dirfd, self->name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG (st.st_mode) ||
      (known_total >= 0 && st.st_size != known_total) ||
      !file_is_ours (self, self->name, &etag, &last_modified, &content_type))
    return FALSE;

  *size = st.st_size;
  return TRUE;
}

/* Lets other downloads take the name again (once the file is complete). */
void
haul_part_file_release_name (HaulPartFile *self)
{
  if (self->claims != NULL && self->name != NULL)
    haul_name_claims_release (self->claims, self->directory, self->name);
}

/* ------------------------------------------------------------------ */
/* Writing */

/* What the resume attribute records besides the URL: the validators of
 * the answer whose bytes go into the file. */
void
haul_part_file_set_resume_info (HaulPartFile *self,
                                const char   *etag,
                                const char   *last_modified,
                                const char   *content_type)
{
  g_free (self->resume_etag);
  self->resume_etag = g_strdup (etag);
  g_free (self->resume_last_modified);
  self->resume_last_modified = g_strdup (last_modified);
  g_free (self->resume_content_type);
  self->resume_content_type = g_strdup (content_type);
}

/**
 * haul_part_file_open:
 * @keep: how many bytes of an existing NAME.part to keep (the resume
 *   offset); the rest is cut off. -1: keep all of it, as it is (a
 *   segmented resume: its written ranges say what it holds)
 *
 * Opens NAME.part for writing, creating it if the name was chosen as free.
 */
gboolean
haul_part_file_open (HaulPartFile  *self,
                     gint64         keep,
                     GError       **error)
{
  g_autofree char *part = part_name (self->name);
  struct stat st;
  int fd;

  /* Relative to the folder's descriptor; never through a symlink; a name
   * chosen as free is created exclusively (nothing planted since is
   * opened); no O_TRUNC before the checks below (a hard link to another
   * file would be emptied by the open itself). */
  fd = openat (self->dirfd, part,
               O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (self->part_is_new ? O_EXCL : 0),
               0644);
  if (fd < 0 && errno == EEXIST)
    {
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_UNSAFE_FILE,
                   _("“%s” appeared while the download started; it was left alone"), part);
      return FALSE;
    }
  if (fd < 0)
    return set_errno_error (error, errno, self->directory, part);
  self->part_is_new = FALSE;

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_UNSAFE_FILE,
                   _("“%s” exists and is not a regular file"), part);
      return FALSE;
    }
  if (st.st_nlink != 1)
    {
      close (fd);
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_UNSAFE_FILE,
                   _("“%s” is a hard link to another file; it was left alone"), part);
      return FALSE;
    }
  /* Clear O_NONBLOCK (it only protected the open from a planted FIFO). */
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);

  if (keep == 0 && st.st_size > 0 && ftruncate (fd, 0) != 0)
    {
      int saved = errno;

      close (fd);
      return set_errno_error (error, saved, self->directory, part);
    }
  if (keep >= 0)
    (void) fremovexattr (fd, XATTR_RANGES); /* its bytes are a prefix again */
  if (keep > 0 && (st.st_size < keep || ftruncate (fd, keep) != 0))
    {
      close (fd);
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_LOCAL_IO,
                   _("The partial file “%s” changed on disk"), part);
      return FALSE;
    }

  self->fd = fd;
  self->written = 0;
  self->tag_pending = TRUE;
  return TRUE;
}

/* Writes the resume attribute now (if the file is open). */
void
haul_part_file_tag (HaulPartFile *self)
{
  g_autofree char *value = NULL;

  self->tag_pending = FALSE;
  if (self->fd < 0)
    return;
  value = g_strjoin ("\n", self->uri,
                     self->resume_etag ? self->resume_etag : "",
                     self->resume_last_modified ? self->resume_last_modified : "",
                     self->resume_content_type ? self->resume_content_type : "",
                     NULL);
  (void) fsetxattr (self->fd, XATTR_RESUME, value, strlen (value), 0);
}

/**
 * haul_part_file_set_ranges:
 * @text: the written ranges now on disk (see haul_part_file_sync())
 *
 * Records in the open NAME.part which of its bytes are written. Best
 * effort: where user attributes are not supported a plain --headless
 * run cannot resume the segmented file (the store can).
 */
void
haul_part_file_set_ranges (HaulPartFile *self,
                           const char   *text)
{
  if (self->fd >= 0)
    (void) fsetxattr (self->fd, XATTR_RANGES, text, strlen (text), 0);
}

/**
 * haul_part_file_read_ranges:
 *
 * Returns: (transfer full) (nullable): the written ranges an earlier
 *   segmented run recorded in NAME.part, or %NULL when it recorded none
 */
char *
haul_part_file_read_ranges (HaulPartFile *self)
{
  g_autofree char *part = part_name (self->name);
  g_autofree char *buf = g_malloc (HAUL_SEGMENTS_TEXT_MAX + 1);
  int fd = openat (self->dirfd, part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  ssize_t n;

  if (fd < 0)
    return NULL;
  n = fgetxattr (fd, XATTR_RANGES, buf, HAUL_SEGMENTS_TEXT_MAX);
  close (fd);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  if (strlen (buf) != (gsize) n)
    return NULL;
  return g_steal_pointer (&buf);
}

/**
 * haul_part_file_can_be_sparse:
 *
 * Whether writing far past the end of the open NAME.part is cheap. vfat
 * and exFAT have no holes: the kernel fills the gap with zeros before the
 * write returns. FUSE filesystems (NTFS through ntfs-3g, network mounts)
 * may do the same, so they count as not sparse too.
 */
gboolean
haul_part_file_can_be_sparse (HaulPartFile *self)
{
  struct statfs st;

  if (fstatfs (self->fd, &st) != 0)
    return FALSE;
  switch ((unsigned long) st.f_type)
    {
    case 0x4d44UL:      /* MSDOS_SUPER_MAGIC: vfat */
    case 0x2011BAB0UL:  /* EXFAT_SUPER_MAGIC */
    case 0x65735546UL:  /* FUSE_SUPER_MAGIC */
      return FALSE;
    default:
      return TRUE;
    }
}

/* Makes every byte written so far durable (fdatasync()), from any thread
 * while the file is open: a checkpoint of the written ranges comes after. */
gboolean
haul_part_file_sync (HaulPartFile  *self,
                     GError       **error)
{
  if (fdatasync (self->fd) != 0 && errno != EINVAL && errno != EROFS)
    return set_errno_error (error, errno, self->directory, self->name);
  return TRUE;
}

/* Writes @len bytes at @offset of the open NAME.part. Safe from several
 * threads at once on different ranges (see the header). */
gboolean
haul_part_file_write_at (HaulPartFile  *self,
                         gint64         offset,
                         const char    *buf,
                         gsize          len,
                         GError       **error)
{
  gsize total = len;

  while (len > 0)
    {
      ssize_t n = pwrite (self->fd, buf, len, offset);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_errno_error (error, errno, self->directory, self->name);
        }
      buf += n;
      len -= n;
      offset += n;
    }

  /* Once a first stretch is on disk, the file is worth resuming. */
  if (atomic_fetch_add (&self->written, (gint64) total) + (gint64) total >= XATTR_AFTER &&
      atomic_exchange (&self->tag_pending, FALSE))
    haul_part_file_tag (self);
  return TRUE;
}

static gboolean
hash_fd (int                    fd,
         gint64                 length,
         GChecksum             *checksum,
         HaulPartFileActivity   activity,
         gpointer               user_data,
         GError               **error)
{
  g_autofree char *buf = g_malloc (HASH_READ_SIZE);
  gint64 pos = 0;

  while (pos < length)
    {
      ssize_t n = pread (fd, buf, MIN ((gint64) HASH_READ_SIZE, length - pos), pos);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_LOCAL_IO,
                       _("Could not read back the partial file: %s"),
                       n < 0 ? g_strerror (errno) : _("it is shorter than expected"));
          return FALSE;
        }
      g_checksum_update (checksum, (const guchar *) buf, n);
      pos += n;
      if (activity != NULL)
        activity (user_data);
    }
  return TRUE;
}

/**
 * haul_part_file_hash_prefix:
 * @length: how many bytes to hash from the start of NAME.part
 * @activity: (nullable): called after each block read back: reading back
 *   gigabytes is not a stalled connection
 *
 * Feeds the first @length bytes of NAME.part to @checksum, through the
 * open descriptor, or opening NAME.part for reading when it is not open.
 */
gboolean
haul_part_file_hash_prefix (HaulPartFile          *self,
                            gint64                 length,
                            GChecksum             *checksum,
                            HaulPartFileActivity   activity,
                            gpointer               user_data,
                            GError               **error)
{
  g_autofree char *part = NULL;
  gboolean hashed;
  int fd;

  if (self->fd >= 0)
    return hash_fd (self->fd, length, checksum, activity, user_data, error);

  part = part_name (self->name);
  fd = openat (self->dirfd, part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return set_errno_error (error, errno, self->directory, part);
  hashed = hash_fd (fd, length, checksum, activity, user_data, error);
  close (fd);
  return hashed;
}

/* Closes the complete NAME.part; a failing close is a failed write. */
gboolean
haul_part_file_close (HaulPartFile  *self,
                      GError       **error)
{
  int fd = self->fd;

  self->fd = -1;
  if (close (fd) != 0)
    return set_errno_error (error, errno, self->directory, self->name);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Ending */

/**
 * haul_part_file_abandon:
 * @delete_part: delete NAME.part (a cancel) instead of keeping it
 *
 * Ends an attempt that stopped early. A kept .part is made resumable by a
 * later run. The name stays claimed either way.
 */
void
haul_part_file_abandon (HaulPartFile *self,
                        gboolean      delete_part)
{
  if (self->fd >= 0)
    {
      if (!delete_part && self->tag_pending)
        haul_part_file_tag (self);
      close (self->fd);
      self->fd = -1;
    }
  if (delete_part && self->name != NULL)
    haul_part_file_delete (self);
}

/* Deletes NAME.part (its bytes are unwanted or wrong). */
void
haul_part_file_delete (HaulPartFile *self)
{
  g_autofree char *part = part_name (self->name);

  unlinkat (self->dirfd, part, 0);
}

/* @cand is the file's name now: it replaces the chosen one. */
static void
take_final_name (HaulPartFile *self,
                 char         *cand)
{
  if (g_strcmp0 (cand, self->name) == 0)
    {
      g_free (cand);
      return;
    }
  if (self->claims != NULL)
    haul_name_claims_release (self->claims, self->directory, self->name);
  g_free (self->name);
  self->name = cand;
}

/* Renames NAME.part to NAME, never over an existing file. Returns 0 on
 * success, else an errno. */
static int
rename_no_replace (HaulPartFile *self,
                   const char   *part,
                   const char   *cand)
{
  if (renameat2 (self->dirfd, part, self->dirfd, cand, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno == EINVAL || errno == ENOSYS)
    {
      /* No RENAME_NOREPLACE here: link + unlink never replaces either. */
      if (linkat (self->dirfd, part, self->dirfd, cand, 0) == 0)
        {
          unlinkat (self->dirfd, part, 0);
          return 0;
        }
    }
  return errno;
}

/* Gives the complete, verified NAME.part its final name: NAME, or
 * "NAME (1)" and so on when NAME appeared meanwhile. */
gboolean
haul_part_file_finish (HaulPartFile  *self,
                       GError       **error)
{
  g_autofree char *part = part_name (self->name);

  for (guint i = 0; i < MAX_NAME_INDEX; i++)
    {
      g_autofree char *cand = haul_filename_with_index (self->name, i);
      int errsv = rename_no_replace (self, part, cand);

      if (errsv == 0)
        {
          take_final_name (self, g_steal_pointer (&cand));
          return TRUE;
        }
      if (errsv != EEXIST)
        return set_errno_error (error, errsv, self->directory, cand);
    }

  g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_LOCAL_IO,
               _("Could not find a free file name for “%s”"), self->name);
  return FALSE;
}

/* Deletes the NAME.part of a download that is not running (the queue's
 * cancel and removal; blocking, so off the main thread). Quietly does
 * nothing when the folder or the file is gone. */
static void
delete_by_name (const char *directory,
                const char *name)
{
  g_autofree char *part = part_name (name);
  int dirfd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (dirfd >= 0)
    {
      unlinkat (dirfd, part, 0);
      close (dirfd);
    }
}

/* ------------------------------------------------------------------ */
/* Forgetting a .part from the main thread */

typedef struct
{
  char           *directory;
  char           *name;
  HaulNameClaims *claims;
} ForgetPart;

static void
forget_part_free (ForgetPart *fp)
{
  g_free (fp->directory);
  g_free (fp->name);
  haul_name_claims_unref (fp->claims);
  g_free (fp);
}

static void
forget_part_thread (GTask        *task,
                    gpointer      source,
                    gpointer      data,
                    GCancellable *cancellable)
{
  ForgetPart *fp = data;

  delete_by_name (fp->directory, fp->name);
  g_task_return_boolean (task, TRUE);
}

static void
forget_part_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ForgetPart *fp = user_data;

  /* Only now may another download take the name. */
  haul_name_claims_release (fp->claims, fp->directory, fp->name);
  forget_part_free (fp);
}

/**
 * haul_part_file_forget:
 * @directory: the folder
 * @name: the final name whose NAME.part goes
 * @claims: where @name is claimed
 *
 * For the queue, on the main thread, when a download that is not running
 * is cancelled or removed: deletes NAME.part on a thread of GLib's shared
 * pool (a short task; idempotent if a worker deleted it already), then
 * releases @name in @claims back on the calling thread's main context.
 */
void
haul_part_file_forget (const char     *directory,
                       const char     *name,
                       HaulNameClaims *claims)
{
  g_autoptr(GTask) task = NULL;
  ForgetPart *fp = g_new0 (ForgetPart, 1);

  fp->directory = g_strdup (directory);
  fp->name = g_strdup (name);
  fp->claims = haul_name_claims_ref (claims);
  /* @fp is the callback's, freed there on this thread (as task data it
   * would be freed by whichever thread drops the task last). */
  task = g_task_new (NULL, NULL, forget_part_done, fp);
  g_task_set_source_tag (task, haul_part_file_forget);
  g_task_set_task_data (task, fp, NULL);
  g_task_run_in_thread (task, forget_part_thread);
}

/**
 * haul_part_file_forget_now:
 *
 * Like haul_part_file_forget(), but deletes NAME.part before it returns:
 * only for quitting, the one time the main thread may wait for the disk
 * (a task on GLib's pool might never run once the process exits).
 */
void
haul_part_file_forget_now (const char     *directory,
                           const char     *name,
                           HaulNameClaims *claims)
{
  delete_by_name (directory, name);
  haul_name_claims_release (claims, directory, name);
}
