/*
 * Atomic outputs: every file is written under a hidden temporary name beside its target
 * and renamed into place only when complete, so a crash, a kill or a full disk never
 * leaves a file that looks finished, and never damages the previous one.
 */
#include "io/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ".kupang.gpkg.partial-1234.gpkg" beside kupang.gpkg: same file system, so rename is atomic. */
char *rg_io_partial_name(const char *target, const char *ext)
{
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target + 1) : 0;
    rg_buf b = {0};
    if (rg__buf_appendf(&b, "%.*s.%s.partial-%ld%s", (int)dir_len, target, target + dir_len, (long)getpid(), ext) !=
        RG_OK) {
        rg__buf_free(&b);
        return NULL;
    }
    return b.data;
}

int rg_io_partial_probe(rg_ctx *ctx, const char *tmp, const char *target)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return rg_ctx_error(ctx, RG_EIO, "%s: cannot write in its folder: %s", target, strerror(errno));
    close(fd);
    unlink(tmp);
    return RG_OK;
}

/* A failed write may leave SQLite's journal beside the temporary file: remove both. */
void rg_io_partial_remove(const char *tmp)
{
    static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s%s", tmp, suffixes[i]);
        unlink(path);
    }
}

static void unlink_path(const char *path) { unlink(path); }

/* A writer killed outright cannot clean up after itself: the next write of the same
 * target removes temporary files whose writing process no longer exists. */
void rg_io_partial_remove_stale(const char *target) { rg_io_partial_each_stale(target, unlink_path); }

void rg_io_partial_each_stale(const char *target, void (*fn)(const char *path))
{
    const char *slash = strrchr(target, '/');
    char dir[4096], prefix[1024];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - target) : 1, slash ? target : ".");
    if (slash && slash == target)
        snprintf(dir, sizeof dir, "/");
    snprintf(prefix, sizeof prefix, ".%s.partial-", slash ? slash + 1 : target);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    size_t n = strlen(prefix);
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, n) != 0)
            continue;
        long pid = strtol(e->d_name + n, NULL, 10);
        if (pid <= 0 || pid == (long)getpid() || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) {
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            fn(path);
        }
    }
    closedir(d);
}

int rg_io_partial_publish(rg_ctx *ctx, const char *tmp, const char *target, unsigned mode)
{
    if (chmod(tmp, (mode_t)mode) != 0) {
        int rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot set its permissions: %s", target, strerror(errno));
        rg_io_partial_remove(tmp);
        return rc;
    }
    if (rename(tmp, target) != 0) {
        int rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot move the finished file into place: %s", target,
                              strerror(errno));
        rg_io_partial_remove(tmp);
        return rc;
    }
    return RG_OK;
}


int rg_io_folder_make(rg_ctx *ctx, const char *path, unsigned mode)
{
    struct stat sb;
    if (mkdir(path, (mode_t)mode) == 0) /* the umask narrowed it: the mode asked for, exactly */
        return chmod(path, (mode_t)mode) == 0
                   ? RG_OK
                   : rg_ctx_error(ctx, RG_EIO, "%s: cannot set its permissions: %s", path, strerror(errno));
    if (errno == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return RG_OK;
    if (errno == EEXIST)
        return rg_ctx_error(ctx, RG_EIO, "%s: exists and is not a folder", path);
    return rg_ctx_error(ctx, RG_EIO, "%s: cannot create the folder: %s", path, strerror(errno));
}

int rg_io_file_target_check(rg_ctx *ctx, const char *target)
{
    struct stat sb;
    size_t n = strlen(target);
    if ((n && target[n - 1] == '/') || (stat(target, &sb) == 0 && S_ISDIR(sb.st_mode)))
        return rg_ctx_error(ctx, RG_EINVAL, "%s: is a folder; name the file to write", target);
    return RG_OK;
}

int rg_io_atomic_begin(rg_ctx *ctx, const char *target, const char *ext, int overwrite, rg_io_atomic *out)
{
    out->tmp = out->target = NULL;
    struct stat sb;
    int rc = rg_io_file_target_check(ctx, target);
    if (rc != RG_OK)
        return rc;
    if (!overwrite && stat(target, &sb) == 0)
        return rg_ctx_error(ctx, RG_EEXIST, "%s: already exists; use --overwrite to replace it", target);
    rg_io_partial_remove_stale(target);
    out->tmp = rg_io_partial_name(target, ext);
    out->target = rg_strdup(target);
    if (!out->tmp || !out->target) {
        rg_io_atomic_abandon(out);
        return RG_ENOMEM;
    }
    return RG_OK;
}

int rg_io_atomic_commit(rg_ctx *ctx, rg_io_atomic *a)
{
    int rc = rg_io_partial_publish(ctx, a->tmp, a->target, 0600);
    rg_free(a->tmp);
    rg_free(a->target);
    a->tmp = a->target = NULL;
    return rc;
}

void rg_io_atomic_abandon(rg_io_atomic *a)
{
    if (a->tmp)
        rg_io_partial_remove(a->tmp);
    rg_free(a->tmp);
    rg_free(a->target);
    a->tmp = a->target = NULL;
}
