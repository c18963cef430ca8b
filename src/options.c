/* Command-line parsing: tcpdump-like flags plus snitrace's own long options. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/options.h"
#include "snitrace/session.h"

/* In two parts: C11 promises string literals of 4095 bytes, no more. */
static const char usage_input_output[] =
    "usage: snitrace -r FILE [options] [filter expression]\n"
    "       snitrace -i IFACE [options] [filter expression]\n"
    "\n"
    "Trace every connection attempt: the name the client meant (TLS SNI, HTTP Host,\n"
    "HTTP CONNECT), the server, protocol, TLS details and outcome, as one JSON\n"
    "object per line (NDJSON), or as text.\n"
    "\n"
    "Input:\n"
    "  -r, --read FILE        read a .pcap or .pcapng file ('-' for standard input)\n"
    "  -i, --interface IFACE  capture live on IFACE ('any' for all interfaces)\n"
    "  -f, --filter EXPR      BPF filter (as in tcpdump); trailing arguments also form one\n"
    "  -s, --snaplen N        live snapshot length in bytes (default 262144)\n"
    "  -p, --no-promiscuous   do not put the interface into promiscuous mode\n"
    "  -B, --buffer-size MB   live kernel capture buffer size (default 32)\n"
    "  -Z, --relinquish-privileges USER\n"
    "                         after opening the capture and output, run as USER\n"
    "                         (default for live capture as root: nobody; -Z root keeps root)\n"
    "\n"
    "Output:\n"
    "  -o, --output FILE      write to FILE instead of standard output\n"
    "  -F, --format FORMAT    json (default) or text\n"
    "      --stats-interval S live: write a stats record every S seconds (default 60, 0 off)\n"
    "  -q, --quiet            no warnings or progress line on standard error\n"
    "      --threads N        1: one thread does everything; 2: certificate checks and\n"
    "                         writing run on threads of their own, same records and order;\n"
    "                         3: a pcap file is also read on a thread of its own\n"
    "                         (default: 3 with 3 CPUs or more, 2 with 2)\n"
    "\n"
    "Certificates (in clear up to TLS 1.2; TLS 1.3 and QUIC with --keylog or --probe):\n"
    "      --ca-file FILE     trust store for chain checks (PEM); default: the system's\n"
    "      --ca-path DIR      trust store directory (c_rehash form)\n"
    "      --openssl-config DIR  write, per flagged host, an openssl req configuration\n"
    "                         whose subjectAltNames cover every name clients used\n"
    "      --no-cert-checks   do not examine certificates\n"
    "\n"
    "TLS keys (also read from pcapng Decryption Secrets Blocks):\n"
    "      --keylog FILE      TLS key log (SSLKEYLOGFILE format): decrypt TLS 1.3 and QUIC\n"
    "                         handshakes to see their certificates; up to 16 times;\n"
    "                         live, followed as it grows\n"
    "Active certificate probe (off by default; it SENDS PACKETS, snitrace otherwise never does):\n"
    "      --probe            for TLS 1.3 and QUIC attempts, whose certificate is encrypted,\n"
    "                         connect once to the same server, port and name and judge the\n"
    "                         certificate it presents (QUIC: over TCP on the same port); the\n"
    "                         answer is as of the probe, not of the capture\n"
    "      --probe-only NET   probe only addresses inside NET (CIDR, IPv4 or IPv6; repeatable)\n"
    "      --probe-timeout T  connect + handshake limit per probe: seconds, or '500ms' (default "
    "3)\n"
    "      --probe-max N      probes per run, one per server, port and name (default 256)\n"
    "      --probe-parallel N probes in flight at once (default 4, at most 16)\n"
    "\n";

static const char usage_tracking[] =
    "Sessions:\n"
    "      --session-gap S    a client idle for S seconds (capture time) ends its\n"
    "                         session (default 30)\n"
    "\n"
    "Tracking (times are capture time):\n"
    "      --max-flows N      connections tracked at once (default 262144); the oldest\n"
    "                         is finished and dropped when full (counted as evictions)\n"
    "      --syn-timeout S    no SYN-ACK after S seconds: outcome no_answer (default 10)\n"
    "      --tcp-timeout S    idle TCP connections are finished after S seconds (default 300)\n"
    "      --udp-timeout S    idle UDP (QUIC) flows are finished after S seconds (default 60)\n"
    "      --c2s-bytes N      client-to-server bytes reassembled (default 16384)\n"
    "      --s2c-bytes N      server-to-client bytes reassembled (default 65536)\n"
    "      --reassembly-memory MIB  memory for all connections still in their handshake\n"
    "                         (their work and reassembly buffers; default 96); when it\n"
    "                         runs out the least recently active is finished as it stands\n"
    "      --scan-threshold N attempts that never got past the SYN, from one client or to\n"
    "                         one server, written before the rest are summarised in one\n"
    "                         scan or flood record (default 100; 0: write them all)\n"
    "      --scan-window S    a client or server quiet for S seconds is followed no more;\n"
    "                         its scan or flood record is written then, and every S\n"
    "                         seconds while it goes on (default 60)\n"
    "\n"
    "  -h, --help             this help\n"
    "  -V, --version          version\n"
    "\n"
    "Exit status: 0 on success (also after SIGINT/SIGTERM, and when the reader of the\n"
    "output goes away, as in `| head`), 1 when the input could not be read completely,\n"
    "2 for usage errors.\n";

enum {
    OPT_STATS_INTERVAL = 256,
    OPT_MAX_FLOWS,
    OPT_SYN_TIMEOUT,
    OPT_TCP_TIMEOUT,
    OPT_UDP_TIMEOUT,
    OPT_C2S,
    OPT_S2C,
    OPT_REASSEMBLY_MEMORY,
    OPT_SCAN_THRESHOLD,
    OPT_SCAN_WINDOW,
    OPT_CA_FILE,
    OPT_CA_PATH,
    OPT_OPENSSL_CONFIG,
    OPT_NO_CERT_CHECKS,
    OPT_SESSION_GAP,
    OPT_KEYLOG,
    OPT_PROBE,
    OPT_PROBE_ONLY,
    OPT_PROBE_TIMEOUT,
    OPT_PROBE_MAX,
    OPT_PROBE_PARALLEL,
    OPT_THREADS,
};

static const struct option long_options[] = {
    {"read", required_argument, NULL, 'r'},
    {"interface", required_argument, NULL, 'i'},
    {"filter", required_argument, NULL, 'f'},
    {"snaplen", required_argument, NULL, 's'},
    {"no-promiscuous", no_argument, NULL, 'p'},
    {"buffer-size", required_argument, NULL, 'B'},
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, 'F'},
    {"quiet", no_argument, NULL, 'q'},
    {"relinquish-privileges", required_argument, NULL, 'Z'},
    {"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"syn-timeout", required_argument, NULL, OPT_SYN_TIMEOUT},
    {"tcp-timeout", required_argument, NULL, OPT_TCP_TIMEOUT},
    {"udp-timeout", required_argument, NULL, OPT_UDP_TIMEOUT},
    {"c2s-bytes", required_argument, NULL, OPT_C2S},
    {"s2c-bytes", required_argument, NULL, OPT_S2C},
    {"reassembly-memory", required_argument, NULL, OPT_REASSEMBLY_MEMORY},
    {"scan-threshold", required_argument, NULL, OPT_SCAN_THRESHOLD},
    {"scan-window", required_argument, NULL, OPT_SCAN_WINDOW},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"ca-path", required_argument, NULL, OPT_CA_PATH},
    {"openssl-config", required_argument, NULL, OPT_OPENSSL_CONFIG},
    {"no-cert-checks", no_argument, NULL, OPT_NO_CERT_CHECKS},
    {"session-gap", required_argument, NULL, OPT_SESSION_GAP},
    {"keylog", required_argument, NULL, OPT_KEYLOG},
    {"probe", no_argument, NULL, OPT_PROBE},
    {"probe-only", required_argument, NULL, OPT_PROBE_ONLY},
    {"probe-timeout", required_argument, NULL, OPT_PROBE_TIMEOUT},
    {"probe-max", required_argument, NULL, OPT_PROBE_MAX},
    {"probe-parallel", required_argument, NULL, OPT_PROBE_PARALLEL},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* A whole number in [lo, hi], or false with a message. */
static bool parse_number(const char *opt, const char *s, unsigned long long lo,
                         unsigned long long hi, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi) {
        fprintf(stderr, "snitrace: %s wants a whole number from %llu to %llu, not '%s'\n", opt, lo,
                hi, s);
        return false;
    }
    *out = v;
    return true;
}

static bool set_format(struct snt_options *o, const char *s)
{
    if (strcmp(s, "json") == 0)
        o->format = SNT_FORMAT_JSON;
    else if (strcmp(s, "text") == 0)
        o->format = SNT_FORMAT_TEXT;
    else {
        fprintf(stderr, "snitrace: --format is json or text, not '%s'\n", s);
        return false;
    }
    return true;
}

static bool set_seconds(const char *opt, const char *s, uint64_t *usec)
{
    unsigned long long v;
    if (!parse_number(opt, s, 1, 86400ULL * 365, &v))
        return false;
    *usec = v * 1000000ULL;
    return true;
}

static bool add_keylog(struct snt_options *o, const char *path)
{
    if (o->n_keylog_files == SNT_KEYLOG_MAX_FILES) {
        fprintf(stderr, "snitrace: --keylog may be given at most %d times\n", SNT_KEYLOG_MAX_FILES);
        return false;
    }
    o->keylog_files[o->n_keylog_files++] = path;
    return true;
}

/* "3", "3s" or "500ms". */
static bool set_probe_timeout(struct snt_options *o, const char *s)
{
    char digits[16];
    size_t n = strspn(s, "0123456789");
    const char *unit = s + n;
    unsigned long long v, scale = strcmp(unit, "ms") == 0 ? 1 : 1000;
    bool unit_ok = !*unit || strcmp(unit, "s") == 0 || scale == 1;
    if (n == 0 || n >= sizeof digits || !unit_ok) {
        fprintf(stderr,
                "snitrace: --probe-timeout wants seconds or milliseconds (3, 3s, 500ms), "
                "not '%s'\n",
                s);
        return false;
    }
    memcpy(digits, s, n);
    digits[n] = '\0';
    v = strtoull(digits, NULL, 10); /* at most 15 digits: no overflow */
    if (v * scale < SNT_PROBE_MIN_TIMEOUT_MS || v * scale > SNT_PROBE_MAX_TIMEOUT_MS) {
        fprintf(stderr, "snitrace: --probe-timeout is from %dms to %ds\n", SNT_PROBE_MIN_TIMEOUT_MS,
                SNT_PROBE_MAX_TIMEOUT_MS / 1000);
        return false;
    }
    o->probe_cfg.timeout_ms = (unsigned)(v * scale);
    return true;
}

static bool add_probe_network(struct snt_options *o, const char *s)
{
    struct snt_probe_config *pc = &o->probe_cfg;
    if (pc->n_only >= SNT_PROBE_MAX_NETS) {
        fprintf(stderr, "snitrace: at most %d --probe-only networks\n", SNT_PROBE_MAX_NETS);
        return false;
    }
    if (!snt_cidr_parse(s, &pc->only[pc->n_only])) {
        fprintf(stderr,
                "snitrace: --probe-only wants an address or network (192.0.2.0/24, "
                "2001:db8::/32), not '%s'\n",
                s);
        return false;
    }
    pc->n_only++;
    return true;
}

static bool apply_probe_option(struct snt_options *o, int c, const char *arg)
{
    unsigned long long v;
    if (c != OPT_PROBE)
        o->probe_tuned = true;
    switch (c) {
    case OPT_PROBE: o->probe = true; return true;
    case OPT_PROBE_ONLY: return add_probe_network(o, arg);
    case OPT_PROBE_TIMEOUT: return set_probe_timeout(o, arg);
    case OPT_PROBE_MAX:
        if (!parse_number("--probe-max", arg, 1, SNT_PROBE_MAX_MAX, &v))
            return false;
        o->probe_cfg.max_probes = (unsigned)v;
        return true;
    case OPT_PROBE_PARALLEL:
        if (!parse_number("--probe-parallel", arg, 1, SNT_PROBE_MAX_PARALLEL, &v))
            return false;
        o->probe_cfg.parallel = (unsigned)v;
        return true;
    default: return false;
    }
}

static bool apply_long_option(struct snt_options *o, int c, const char *arg)
{
    unsigned long long v;
    switch (c) {
    case OPT_STATS_INTERVAL:
        if (!parse_number("--stats-interval", arg, 0, 86400, &v))
            return false;
        o->stats_interval = (unsigned)v;
        return true;
    case OPT_MAX_FLOWS:
        if (!parse_number("--max-flows", arg, 1, 1ULL << 26, &v))
            return false;
        o->engine.max_flows = (size_t)v;
        return true;
    case OPT_THREADS:
        if (!parse_number("--threads", arg, 1, 3, &v))
            return false;
        o->threads = (unsigned)v;
        return true;
    case OPT_CA_FILE: o->ca_file = arg; return true;
    case OPT_CA_PATH: o->ca_path = arg; return true;
    case OPT_OPENSSL_CONFIG: o->openssl_config_dir = arg; return true;
    case OPT_NO_CERT_CHECKS: o->no_cert_checks = true; return true;
    case OPT_KEYLOG: return add_keylog(o, arg);
    case OPT_SESSION_GAP: return set_seconds("--session-gap", arg, &o->session_gap_usec);
    case OPT_SYN_TIMEOUT: return set_seconds("--syn-timeout", arg, &o->engine.syn_timeout_usec);
    case OPT_TCP_TIMEOUT: return set_seconds("--tcp-timeout", arg, &o->engine.tcp_idle_usec);
    case OPT_UDP_TIMEOUT: return set_seconds("--udp-timeout", arg, &o->engine.udp_idle_usec);
    case OPT_C2S:
        if (!parse_number("--c2s-bytes", arg, 1024, 1ULL << 24, &v))
            return false;
        o->engine.c2s_bytes = (size_t)v;
        return true;
    case OPT_S2C:
        if (!parse_number("--s2c-bytes", arg, 1024, 1ULL << 24, &v))
            return false;
        o->engine.s2c_bytes = (size_t)v;
        return true;
    case OPT_REASSEMBLY_MEMORY:
        if (!parse_number("--reassembly-memory", arg, 1, 1ULL << 16, &v))
            return false;
        o->engine.reassembly_bytes = (size_t)v << 20;
        return true;
    case OPT_SCAN_THRESHOLD:
        if (!parse_number("--scan-threshold", arg, 0, 1000000000, &v))
            return false;
        o->engine.scan_threshold = (unsigned)v;
        return true;
    case OPT_SCAN_WINDOW: return set_seconds("--scan-window", arg, &o->engine.scan_window_usec);
    default: return apply_probe_option(o, c, arg);
    }
}

static bool apply_option(struct snt_options *o, int c, const char *arg)
{
    unsigned long long v;
    switch (c) {
    case 'r': o->capture.file = arg; return true;
    case 'i': o->capture.iface = arg; return true;
    case 'f': o->capture.filter = arg; return true;
    case 's':
        if (!parse_number("-s", arg, 64, 262144, &v))
            return false;
        o->capture.snaplen = (int)v;
        return true;
    case 'p': o->capture.promisc = false; return true;
    case 'B':
        if (!parse_number("-B", arg, 1, 4096, &v))
            return false;
        o->capture.buffer_mb = (int)v;
        return true;
    case 'o': o->output_file = arg; return true;
    case 'F': return set_format(o, arg);
    case 'q': o->quiet = true; return true;
    case 'Z': o->drop_user = arg; return true;
    default: return apply_long_option(o, c, arg);
    }
}

/* tcpdump style: the words after the options are one filter expression. */
static bool join_filter(struct snt_options *o, int argc, char **argv, int first)
{
    if (first >= argc)
        return true;
    if (o->capture.filter) {
        fprintf(stderr, "snitrace: give the filter with -f or as trailing words, not both\n");
        return false;
    }
    size_t len = 1;
    for (int i = first; i < argc; i++)
        len += strlen(argv[i]) + 1;
    o->filter_owned = calloc(1, len);
    if (!o->filter_owned)
        return false;
    for (int i = first; i < argc; i++) {
        if (i > first)
            strcat(o->filter_owned, " ");
        strcat(o->filter_owned, argv[i]);
    }
    o->capture.filter = o->filter_owned;
    return true;
}

static enum snt_options_result check_input(const struct snt_options *o)
{
    if (!o->capture.file && !o->capture.iface) {
        fprintf(stderr, "snitrace: say what to read: -r FILE or -i IFACE (see --help)\n");
        return SNT_OPTIONS_EXIT_USAGE;
    }
    if (o->capture.file && o->capture.iface) {
        fprintf(stderr, "snitrace: -r and -i exclude each other\n");
        return SNT_OPTIONS_EXIT_USAGE;
    }
    /* Sending packets is never implied by another option. */
    if (o->probe_tuned && !o->probe) {
        fprintf(stderr, "snitrace: --probe-only, --probe-timeout, --probe-max and "
                        "--probe-parallel only apply with --probe\n");
        return SNT_OPTIONS_EXIT_USAGE;
    }
    if (o->probe && o->no_cert_checks) {
        fprintf(stderr, "snitrace: --probe fetches certificates to check them; it cannot be "
                        "combined with --no-cert-checks\n");
        return SNT_OPTIONS_EXIT_USAGE;
    }
    return SNT_OPTIONS_RUN;
}

enum snt_options_result snt_options_parse(struct snt_options *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->capture.promisc = true;
    o->stats_interval = 60;
    o->session_gap_usec = SNT_DEFAULT_SESSION_GAP_USEC;
    snt_engine_config_default(&o->engine);
    snt_probe_config_default(&o->probe_cfg);
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:r:i:f:s:pB:o:F:qZ:hV", long_options, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_input_output, stdout);
            fputs(usage_tracking, stdout);
            return SNT_OPTIONS_EXIT_OK;
        }
        if (c == 'V') {
            printf("snitrace %s\n", SNITRACE_VERSION);
            return SNT_OPTIONS_EXIT_OK;
        }
        if (c == '?' || c == ':') {
            if (optopt)
                fprintf(stderr, "snitrace: option -%c %s (see --help)\n", optopt,
                        c == ':' ? "needs a value" : "is unknown");
            else
                fprintf(stderr, "snitrace: unknown or incomplete option '%s' (see --help)\n",
                        argv[optind - 1]);
            return SNT_OPTIONS_EXIT_USAGE;
        }
        if (!apply_option(o, c, optarg))
            return SNT_OPTIONS_EXIT_USAGE;
    }
    if (!join_filter(o, argc, argv, optind))
        return SNT_OPTIONS_EXIT_USAGE;
    return check_input(o);
}

void snt_options_free(struct snt_options *o)
{
    free(o->filter_owned);
    o->filter_owned = NULL;
}
