/* What is known of an input file: why it cannot be opened, and its checksum (for
 * provenance, and for knowing a boundary file seen before). */
#include "core/internal.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *rg__open_failure(const char *path, const char *library_message, char *buf, size_t cap)
{
    if (library_message && *library_message)
        return library_message;
    struct stat sb;
    if (stat(path, &sb) != 0)
        snprintf(buf, cap, "%s", strerror(errno));
    else if (S_ISDIR(sb.st_mode))
        snprintf(buf, cap, "it is a folder, not a file of one of the formats read");
    else if (access(path, R_OK) != 0)
        snprintf(buf, cap, "%s", strerror(errno));
    else
        snprintf(buf, cap, "no format it knows (%lld bytes)", (long long)sb.st_size);
    return buf;
}

/* OpenSSL's SHA-256 uses the CPU's SHA instructions: a 10 GB input hashes in seconds. */
int rg__sha256_file(const char *path, char out[RG__SHA256_HEX])
{
    FILE *f = fopen(path, "rb");
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *block = rg_malloc(1 << 20);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    int ok = f && md && block && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    size_t n;
    while (ok && (n = fread(block, 1, 1 << 20, f)) > 0)
        ok = EVP_DigestUpdate(md, block, n);
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(md, digest, &len) && len == 32;
    for (unsigned i = 0; ok && i < len; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    if (f)
        fclose(f);
    EVP_MD_CTX_free(md);
    rg_free(block);
    return ok;
}
