/*
 * The page and its library, compiled into the binary (cmake/EmbedFiles.cmake) so the tool
 * needs no data folder: web/client/ holds the page; OpenLayers comes from npm, pinned by
 * web/client/package-lock.json and installed by scripts/install-deps.sh.
 */
#include "web/internal.h"

#include <string.h>

extern const char rg_web_index[], rg_web_app[], rg_web_style[];
extern const char rg_web_oljs_ol[], rg_web_olcss_ol[], rg_web_ollicence_LICENSE[];

int rg_web__assets(rg_ctx *ctx, const char *tmp)
{
    static const struct {
        const char *rel, *bytes;
    } files[] = {
        {"index.html", rg_web_index},         {"app.js", rg_web_app},
        {"style.css", rg_web_style},          {"lib/ol.js", rg_web_oljs_ol},
        {"lib/ol.css", rg_web_olcss_ol},      {"lib/LICENSE-openlayers.md", rg_web_ollicence_LICENSE},
    };
    int rc = RG_OK;
    for (size_t i = 0; i < sizeof files / sizeof *files && rc == RG_OK; i++)
        rc = rg_web__file(ctx, tmp, files[i].rel, files[i].bytes, strlen(files[i].bytes));
    return rc;
}
