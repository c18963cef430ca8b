/* Command line of the snitrace program. */
#ifndef SNITRACE_OPTIONS_H
#define SNITRACE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "snitrace/capture.h"
#include "snitrace/engine.h"
#include "snitrace/keylog.h"
#include "snitrace/output.h"
#include "snitrace/probe.h"

struct snt_options {
    struct snt_capture_opts capture;
    struct snt_engine_config engine;
    const char *output_file; /* NULL: stdout */
    enum snt_format format;
    unsigned stats_interval; /* seconds between live stats records; 0: off */
    bool quiet;
    unsigned threads;               /* --threads: 1 or 2; 0: 2 when there are 2 CPUs or more */
    const char *ca_file, *ca_path;  /* trust store; NULL: the system's */
    const char *openssl_config_dir; /* write a CSR config per flagged host */
    bool no_cert_checks;
    const char *keylog_files[SNT_KEYLOG_MAX_FILES]; /* --keylog, in order */
    unsigned n_keylog_files;
    uint64_t session_gap_usec;
    const char *drop_user; /* -Z; NULL: "nobody" for live capture as root */
    bool probe;            /* --probe: sends packets, so never on unless asked */
    bool probe_tuned;      /* a --probe-* option was given */
    struct snt_probe_config probe_cfg;
    char *filter_owned; /* filter joined from trailing arguments */
};

enum snt_options_result {
    SNT_OPTIONS_RUN = 0,
    SNT_OPTIONS_EXIT_OK,    /* --help or --version printed */
    SNT_OPTIONS_EXIT_USAGE, /* an error was printed */
};

enum snt_options_result snt_options_parse(struct snt_options *o, int argc, char **argv);
void snt_options_free(struct snt_options *o);

#endif
