/* The fix, ready to use: an openssl req configuration per flagged host whose
 * subjectAltNames (RFC 5280 section 4.2.1.6) cover every name clients used. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "snitrace/format.h"
#include "snitrace/output.h"

static bool is_ip_literal(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Names go into a config file: only the characters a host name or address
 * can have are written, anything else would be a config injection. */
static bool is_safe_name(const char *s)
{
    if (!*s || strlen(s) > 253)
        return false;
    for (const char *c = s; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '*' || *c == ':' ||
                  *c == '_';
        if (!ok)
            return false;
    }
    return true;
}

static void write_alt_names(FILE *f, const char *const *names, size_t n)
{
    unsigned dns = 0, ip = 0;
    fprintf(f, "[alt_names]\n");
    for (size_t i = 0; i < n; i++) {
        if (!is_safe_name(names[i]))
            continue;
        if (is_ip_literal(names[i]))
            fprintf(f, "IP.%u = %s\n", ++ip, names[i]);
        else
            fprintf(f, "DNS.%u = %s\n", ++dns, names[i]);
    }
}

static const char *first_dns_name(const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_safe_name(names[i]) && !is_ip_literal(names[i]))
            return names[i];
    return n && is_safe_name(names[0]) ? names[0] : "server";
}

bool snt_write_openssl_config(const char *dir, const struct snt_flag *fl, char *path, size_t len)
{
    char ip[64];
    snt_format_addr(&fl->server, ip, sizeof ip);
    for (char *c = ip; *c; c++)
        if (*c == ':')
            *c = '_'; /* IPv6 in a file name */
    snprintf(path, len, "%s/%s-%u.cnf", dir, ip, fl->port);
    const char *names[2 * SNT_FLAG_MAX_NAMES + SNT_CERT_MAX_NAMES];
    size_t n = snt_flag_suggested_names(fl, names, sizeof names / sizeof names[0]);
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f,
            "# openssl req configuration for %s port %u, written by snitrace.\n"
            "# Clients asked this server for names its certificate did not cover.\n"
            "# Use: openssl req -new -config %s -key KEY -out CSR\n\n",
            ip, fl->port, path);
    fprintf(f, "[req]\nprompt = no\ndistinguished_name = dn\nreq_extensions = v3_req\n\n");
    fprintf(f, "[dn]\nCN = %s\n\n", first_dns_name(names, n));
    fprintf(f, "[v3_req]\nbasicConstraints = CA:FALSE\n"
               "keyUsage = critical, digitalSignature, keyEncipherment\n"
               "extendedKeyUsage = serverAuth\nsubjectAltName = @alt_names\n\n");
    write_alt_names(f, names, n);
    int err = ferror(f);
    if (fclose(f) != 0 || err) {
        if (!errno)
            errno = EIO;
        return false;
    }
    return true;
}
