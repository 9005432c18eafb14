/* Checksums of inputs, for provenance and for knowing a boundary file seen before. */
#include "core/internal.h"

#include <openssl/evp.h>
#include <stdio.h>

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
