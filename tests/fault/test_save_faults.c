/* Saving under failure. The file system calls of a save (open, write,
 * fsync, linkat, close, rename) are interposed here: each one is made to
 * fail in turn, with and without O_TMPFILE, and every time the call must
 * return DS_ERR_IO naming the path, the file must hold the complete old
 * state (or, when only the final directory fsync failed, the complete new
 * one), and no temporary may be left. Then saves are killed (SIGKILL) at
 * random moments: the file is always one complete state, and the next save
 * leaves no temporary behind. */
#define _GNU_SOURCE
#include "test_util.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* --- interposition ------------------------------------------------------- */

static int g_counting;         /* count interposed calls */
static int g_calls;            /* calls seen while counting or failing */
static int g_fail_at;          /* 1-based: fail the call with this number; 0: none */
static int g_no_tmpfile;       /* open(O_TMPFILE) fails with EOPNOTSUPP */
static char g_failed_what[16]; /* which call failed */

static int fault(const char *what, int err) {
    if (!g_counting && !g_fail_at)
        return 0;
    ++g_calls;
    if (g_fail_at && g_calls == g_fail_at) {
        snprintf(g_failed_what, sizeof g_failed_what, "%s", what);
        errno = err;
        return 1;
    }
    return 0;
}

#define REAL(ret, name, ...) static ret (*real_##name)(__VA_ARGS__); \
    if (!real_##name) real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

int open(const char *path, int flags, ...) {
    REAL(int, open, const char *, int, ...);
    mode_t mode = 0;
    if (flags & (O_CREAT | __O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if ((flags & __O_TMPFILE) == __O_TMPFILE && g_no_tmpfile) {
        errno = EOPNOTSUPP;
        return -1;
    }
    if (fault("open", EACCES))
        return -1;
    return real_open(path, flags, mode);
}
ssize_t write(int fd, const void *buf, size_t n) {
    REAL(ssize_t, write, int, const void *, size_t);
    if (fault("write", ENOSPC))
        return -1;
    return real_write(fd, buf, n);
}
int fsync(int fd) {
    REAL(int, fsync, int);
    if (fault("fsync", EIO))
        return -1;
    return real_fsync(fd);
}
int linkat(int a, const char *p, int b, const char *q, int flags) {
    REAL(int, linkat, int, const char *, int, const char *, int);
    if (fault("linkat", EIO))
        return -1;
    return real_linkat(a, p, b, q, flags);
}
int rename(const char *a, const char *b) {
    REAL(int, rename, const char *, const char *);
    if (fault("rename", EIO))
        return -1;
    return real_rename(a, b);
}
int close(int fd) {
    REAL(int, close, int);
    int rc = real_close(fd); /* a failing close has still closed the descriptor */
    if (fault("close", EIO))
        return -1;
    return rc;
}

/* --- helpers -------------------------------------------------------------- */

static char g_dir[] = "/tmp/ds_save_faults_XXXXXX";
static char g_path[256];
static float g_data[64 * 64];
static ds_sparsifier *g_s;

static void setup(void) {
    cr_assert_not_null(mkdtemp(g_dir));
    snprintf(g_path, sizeof g_path, "%s/state.dss", g_dir);
    tu_fill_distinct(g_data, 64 * 64, 11);
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &g_s));
    TU_OK(ds_sparsifier_add_data(g_s, "w", g_data, 64, 64, NULL, 0));
}

static void teardown(void) {
    ds_sparsifier_destroy(g_s);
    DIR *d = opendir(g_dir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d)))
            if (e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..") != 0)) {
                snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(g_dir);
}

TestSuite(save_faults, .init = setup, .fini = teardown);

static uint8_t *state_bytes(size_t *size) {
    TU_OK(ds_sparsifier_save_buffer(g_s, DS_SAVE_DATA, NULL, 0, size));
    uint8_t *b = malloc(*size);
    TU_OK(ds_sparsifier_save_buffer(g_s, DS_SAVE_DATA, b, *size, size));
    return b;
}

static uint8_t *file_bytes(size_t *size) {
    FILE *f = fopen(g_path, "rb");
    cr_assert_not_null(f, "the state file is missing");
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(*size ? *size : 1);
    cr_assert_eq(fread(b, 1, *size, f), *size);
    fclose(f);
    return b;
}

static int same(const uint8_t *a, size_t na, const uint8_t *b, size_t nb) { return na == nb && memcmp(a, b, na) == 0; }

static int temporaries(void) {
    int n = 0;
    DIR *d = opendir(g_dir);
    struct dirent *e;
    while ((e = readdir(d)))
        n += strstr(e->d_name, "ds-tmp") != NULL;
    closedir(d);
    return n;
}

/* The state the file holds now ("old") and the one the sparsifier has ("new"). */
static void two_states(uint8_t **old_b, size_t *old_n, uint8_t **new_b, size_t *new_n, int flip) {
    g_data[0] = flip ? 1000.0f : -1000.0f;
    TU_OK(ds_sparsifier_step(g_s));
    TU_OK(ds_sparsifier_save_file(g_s, g_path, DS_SAVE_DATA));
    *old_b = state_bytes(old_n);
    g_data[0] = flip ? -2000.0f : 2000.0f;
    TU_OK(ds_sparsifier_step(g_s));
    *new_b = state_bytes(new_n);
    cr_assert(!same(*old_b, *old_n, *new_b, *new_n));
}

static void every_fault_point(int no_tmpfile) {
    uint8_t *old_b, *new_b;
    size_t old_n, new_n;
    two_states(&old_b, &old_n, &new_b, &new_n, 0);
    g_no_tmpfile = no_tmpfile;
    g_counting = 1;
    g_calls = 0;
    TU_OK(ds_sparsifier_save_file(g_s, g_path, DS_SAVE_DATA)); /* counts the points; the file is new now */
    g_counting = 0;
    const int points = g_calls;
    cr_assert_geq(points, no_tmpfile ? 6 : 7, "expected open, write, fsync, (linkat,) close, rename, open, fsync");
    int kept_old = 0, kept_new = 0;
    for (int k = 1; k <= points; ++k) {
        TU_OK(ds_sparsifier_save_file(g_s, g_path, DS_SAVE_DATA)); /* rewrite the old state... */
        free(old_b);
        free(new_b);
        two_states(&old_b, &old_n, &new_b, &new_n, k % 2);
        g_calls = 0;
        g_fail_at = k;
        const ds_status st = ds_sparsifier_save_file(g_s, g_path, DS_SAVE_DATA);
        g_fail_at = 0;
        char what[64];
        snprintf(what, sizeof what, "failure %d of %d (%s)", k, points, g_failed_what);
        if (k == points && strcmp(g_failed_what, "close") == 0) {
            /* the directory's descriptor, closed after its fsync: nothing is lost, the save succeeded */
            TU_OK(st);
        } else {
            tu_fail(st, DS_ERR_IO, what, g_path, NULL);
        }
        size_t n;
        uint8_t *now = file_bytes(&n);
        if (same(now, n, old_b, old_n))
            ++kept_old;
        else if (same(now, n, new_b, new_n))
            ++kept_new; /* only when the rename had happened */
        else
            cr_assert_fail("%s: the file holds neither the old nor the new state", what);
        free(now);
        cr_assert_eq(temporaries(), 0, "%s left a temporary", what);
    }
    g_no_tmpfile = 0;
    cr_assert_geq(kept_old, points - 3, "the old file was kept %d times of %d", kept_old, points);
    cr_assert_leq(kept_new, 3, "the new file appeared before the rename");
    cr_log_info("%d fault points (%s): old state kept %d times, new state after the rename %d times", points,
                no_tmpfile ? "named temporary" : "O_TMPFILE", kept_old, kept_new);
    free(old_b);
    free(new_b);
}

Test(save_faults, every_call_of_a_save_fails_in_turn_with_o_tmpfile) { every_fault_point(0); }
Test(save_faults, every_call_of_a_save_fails_in_turn_with_a_named_temporary) { every_fault_point(1); }

/* SIGKILL at a random moment of a loop of saves, in a child. */
static void killed_saves(int no_tmpfile, int trials) {
    uint8_t *a, *b;
    size_t na, nb;
    two_states(&a, &na, &b, &nb, 0);
    int left_behind = 0;
    struct timespec seed;
    clock_gettime(CLOCK_MONOTONIC, &seed);
    srand((unsigned)seed.tv_nsec);
    for (int t = 0; t < trials; ++t) {
        const pid_t child = fork();
        cr_assert_neq(child, -1);
        if (child == 0) {
            g_no_tmpfile = no_tmpfile;
            for (int i = 0;; ++i) {
                g_data[0] = (i % 2) ? -1000.0f : 2000.0f; /* the two states above, alternately */
                if (ds_sparsifier_step(g_s) != DS_OK || ds_sparsifier_save_file(g_s, g_path, DS_SAVE_DATA) != DS_OK)
                    _exit(3);
            }
        }
        struct timespec pause = {0, (long)(rand() % 20000) * 1000L}; /* up to 20 ms */
        nanosleep(&pause, NULL);
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);
        cr_assert(WIFSIGNALED(status), "the saving child stopped by itself (status %d)", status);
        /* the file is one complete state: it loads, and holds one of the two data sets */
        static float scratch[64 * 64];
        ds_sparsifier *check = NULL;
        TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &check));
        TU_OK(ds_sparsifier_add_data(check, "w", scratch, 64, 64, NULL, 0));
        const ds_status loaded = ds_sparsifier_load(check, g_path, 1);
        ds_sparsifier_destroy(check);
        cr_assert_eq(loaded, DS_OK, "trial %d: the file is not one complete state: %s", t, ds_last_error());
        cr_assert(scratch[0] == -1000.0f || scratch[0] == 2000.0f, "trial %d: data %g", t, scratch[0]);
        left_behind += temporaries() > 0;
        /* a save by a live process removes what a dead one left */
        TU_OK(ds_sparsifier_save_file(g_s, g_path, DS_SAVE_DATA));
        cr_assert_eq(temporaries(), 0, "trial %d: a temporary survived the next save", t);
        TU_OK(ds_sparsifier_save_file(g_s, g_path, DS_SAVE_DATA)); /* back to a known state */
        free(a);
        free(b);
        two_states(&a, &na, &b, &nb, 0);
    }
    cr_log_info("%d killed saves (%s): always one complete state; a temporary was left %d times, removed by the next "
                "save every time",
                trials, no_tmpfile ? "named temporary" : "O_TMPFILE", left_behind);
    free(a);
    free(b);
}

Test(save_faults, killed_saves_leave_one_complete_state_with_o_tmpfile) { killed_saves(0, 60); }
Test(save_faults, killed_saves_leave_one_complete_state_with_a_named_temporary) { killed_saves(1, 60); }
