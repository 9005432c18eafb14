/*
 * Files GDAL writes through a file system of our own, "/vsirgchecked/PATH": GDAL 3.6's
 * GeoJSON and GeoJSONSeq writers ignore what fwrite and fclose return, so a full disk or a
 * file size limit left a truncated file behind an export that said it had succeeded. Every
 * write, flush, sync and close here is checked, and the first failure is kept for the
 * export to ask about when GDAL has closed the dataset.
 */
/* stat64: GDAL describes a file with it. */
#define _LARGEFILE64_SOURCE 1
#include "export/internal.h"

#include <cpl_vsi.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREFIX "/vsirgchecked/"

/* The export that writes is the thread that asks: GDAL's writers write synchronously. */
static _Thread_local int first_error; /* errno of the first failure since the reset; 0: none */

static void failed(int err)
{
    if (!first_error)
        first_error = err ? err : EIO;
}

static const char *real_path(const char *name)
{
    return strncmp(name, PREFIX, sizeof PREFIX - 1) == 0 ? name + sizeof PREFIX - 1 : name;
}

static void *cb_open(void *user, const char *name, const char *access)
{
    (void)user;
    FILE *f = fopen(real_path(name), access);
    if (!f && access[0] != 'r')
        failed(errno);
    return f;
}

static int cb_stat(void *user, const char *name, VSIStatBufL *buf, int flags)
{
    (void)user;
    (void)flags;
    return stat64(real_path(name), buf);
}

static int cb_unlink(void *user, const char *name)
{
    (void)user;
    return unlink(real_path(name));
}

static vsi_l_offset cb_tell(void *file) { return (vsi_l_offset)ftello(file); }

static int cb_seek(void *file, vsi_l_offset offset, int whence)
{
    return fseeko(file, (off_t)offset, whence);
}

static size_t cb_read(void *file, void *buf, size_t size, size_t count) { return fread(buf, size, count, file); }

static int cb_eof(void *file) { return feof((FILE *)file); }

static size_t cb_write(void *file, const void *buf, size_t size, size_t count)
{
    size_t n = fwrite(buf, size, count, file);
    if (n != count)
        failed(errno);
    return n;
}

static int cb_flush(void *file)
{
    int rc = fflush(file);
    if (rc != 0)
        failed(errno);
    return rc;
}

static int cb_truncate(void *file, vsi_l_offset size)
{
    int rc = fflush(file) == 0 ? ftruncate(fileno(file), (off_t)size) : -1;
    if (rc != 0)
        failed(errno);
    return rc;
}

/* Synced before it is closed: the file is renamed into place next, and a rename that a
 * crash keeps must not name blocks the disk never got. */
static int cb_close(void *file)
{
    int rc = fflush(file);
    if (rc == 0 && fsync(fileno(file)) != 0 && errno != EINVAL)
        rc = -1;
    if (rc != 0)
        failed(errno);
    if (fclose(file) != 0) {
        failed(errno);
        rc = -1;
    }
    return rc;
}

static pthread_once_t installed = PTHREAD_ONCE_INIT;
static int install_ok;

static void install(void)
{
    VSIFilesystemPluginCallbacksStruct *cb = VSIAllocFilesystemPluginCallbacksStruct();
    if (!cb)
        return;
    cb->open = cb_open;
    cb->stat = cb_stat;
    cb->unlink = cb_unlink;
    cb->tell = cb_tell;
    cb->seek = cb_seek;
    cb->read = cb_read;
    cb->eof = cb_eof;
    cb->write = cb_write;
    cb->flush = cb_flush;
    cb->truncate = cb_truncate;
    cb->close = cb_close;
    install_ok = VSIInstallPluginHandler(PREFIX, cb) == 0;
    VSIFreeFilesystemPluginCallbacksStruct(cb);
}

char *rg_export__checked_path(const char *path)
{
    pthread_once(&installed, install);
    if (!install_ok)
        return NULL;
    rg_buf b = {0};
    if (rg__buf_appendf(&b, PREFIX "%s", path) != RG_OK) {
        rg__buf_free(&b);
        return NULL;
    }
    return b.data;
}

void rg_export__checked_reset(void) { first_error = 0; }

int rg_export__checked_error(void) { return first_error; }
