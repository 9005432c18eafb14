/*
 * A site is a folder of thousands of files, and it is published as one: it is written into
 * ".DIR.partial-PID" beside DIR and exchanged with DIR in one rename (renameat2's
 * RENAME_EXCHANGE), so a reader, a crash or a full disk sees the old site or the new one,
 * never a mixture. What a killed writer left is removed by the next.
 */
#define _GNU_SOURCE
#include "web/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void rg_web__remove_tree(const char *path) { nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

static unsigned file_mode, folder_mode; /* nftw() passes its callback no data of ours */
static int open_up(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag == FTW_F || flag == FTW_D)
        return chmod(path, S_ISDIR(sb->st_mode) ? folder_mode : file_mode) == 0 ? 0 : errno;
    return 0;
}

/* The process keeps its umask private (personal data elsewhere); a site is public. GDAL made
 * the tile folders under that umask, so the modes are set over the whole tree at the end. */
int rg_web__publish_modes(rg_ctx *ctx, const char *tmp)
{
    file_mode = rg_public_mode(0);
    folder_mode = rg_public_mode(1);
    int err = nftw(tmp, open_up, 16, FTW_PHYS);
    return err == 0 ? RG_OK : rg_ctx_error(ctx, RG_EIO, "%s: cannot set permissions: %s", tmp, strerror(err > 0 ? err : errno));
}

/* ".NAME.partial-PID" folders beside dir whose process is gone. */
void rg_web__remove_stale(const char *dir) { rg_io_partial_each_stale(dir, rg_web__remove_tree); }

/* tmp becomes dir; the site dir held before, if any, is removed after the exchange. */
int rg_web__swap(rg_ctx *ctx, const char *tmp, const char *dir)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (rename(tmp, dir) == 0)
            return RG_OK;
        return rg_ctx_error(ctx, RG_EIO, "%s: cannot move the finished site into place: %s", dir, strerror(errno));
    }
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) != 0)
        return rg_ctx_error(ctx, RG_EIO, "%s: cannot exchange it with the finished site: %s", dir, strerror(errno));
    rg_web__remove_tree(tmp); /* the previous site, now under the temporary name */
    return RG_OK;
}

int rg_web__folder(rg_ctx *ctx, const char *tmp, const char *rel)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", tmp, rel);
    if (n < 0 || (size_t)n >= sizeof path)
        return rg_ctx_error(ctx, RG_EIO, "%s/%s: the path is too long", tmp, rel);
    for (char *p = path + strlen(tmp) + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return rg_ctx_error(ctx, RG_EIO, "%s: cannot create the folder: %s", path, strerror(errno));
        if ((*p = c) == '\0')
            return RG_OK;
    }
}

int rg_web__file(rg_ctx *ctx, const char *tmp, const char *rel, const char *bytes, size_t len)
{
    const char *slash = strrchr(rel, '/');
    char folder[1024], path[4096];
    if (slash) {
        snprintf(folder, sizeof folder, "%.*s", (int)(slash - rel), rel);
        int rc = rg_web__folder(ctx, tmp, folder);
        if (rc != RG_OK)
            return rc;
    }
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    FILE *f = fopen(path, "wx");
    if (!f)
        return rg_ctx_error(ctx, RG_EIO, "%s: %s", path, strerror(errno));
    size_t wrote = fwrite(bytes, 1, len, f);
    int closed = fclose(f);
    if (wrote != len || closed != 0)
        return rg_ctx_error(ctx, RG_EIO, "%s: %s", path, strerror(errno ? errno : ENOSPC));
    return RG_OK;
}
