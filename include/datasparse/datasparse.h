/*
 * datasparse: data sparsifier and data scheduler, C API.
 *
 * This is the whole public API. It is plain C (C99 and later, and C++),
 * in sections: Version, Errors, Logging, Config, Sparsifier, Scheduler, State.
 *
 * Conventions
 *  - Functions named ds_<object>_<verb>. Objects are opaque handles made by
 *    a *_create function and released by the matching *_destroy function,
 *    which accepts NULL.
 *  - Every function that can fail returns a ds_status. On failure nothing
 *    the caller handed in is changed, the object is exactly as it was, and
 *    ds_last_error() says what went wrong (naming the argument and value).
 *  - Output parameters come last and are named `out`. They are written only
 *    on success.
 *  - Getters: a getter that can fail (an unknown name, an index out of
 *    range, a state it does not apply to) returns a ds_status, writes its
 *    result to `out` and is named ds_<object>_get_<what>. A getter that
 *    cannot fail on a valid handle returns its value directly and has no
 *    get_ prefix (ds_sparsifier_count, ds_scheduler_last_epoch); for a NULL
 *    handle it returns the value its comment gives and sets ds_last_error().
 *  - A function with many parameters takes a versioned options struct
 *    initialised with its _INIT macro (ds_cubic_options opts =
 *    DS_CUBIC_OPTIONS_INIT; then set the fields you need).
 *  - Whatever comes back through `**out` belongs to the caller (destroy it);
 *    whatever comes back as a `const char *` is borrowed from its parent and
 *    valid until the parent is next modified or destroyed.
 *  - No C++ exception and no crash caused by bad arguments crosses this API.
 *  - Names and other strings the caller passed are quoted and escaped when
 *    a message repeats them (control characters as \n, \x1b, ...).
 *
 * Thread safety
 *  One handle per thread: calls on the same handle must not overlap.
 *  Distinct handles are independent and may be used from different threads.
 *  ds_last_error() is per thread. ds_set_log_handler() may be called at any
 *  time from any thread (see its comment for what it guarantees). The
 *  library parallelises internally with OpenMP; user callbacks always run on
 *  the calling thread, one at a time, never inside a parallel region.
 */
#ifndef DATASPARSE_DATASPARSE_H
#define DATASPARSE_DATASPARSE_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#  if defined(DATASPARSE_BUILDING)
#    define DS_API __declspec(dllexport)
#  else
#    define DS_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define DS_API __attribute__((visibility("default")))
#else
#  define DS_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Version
 * ====================================================================== */

#define DS_VERSION_MAJOR 0
#define DS_VERSION_MINOR 1
#define DS_VERSION_PATCH 0
/* MAJOR * 10000 + MINOR * 100 + PATCH */
#define DS_VERSION_NUMBER (DS_VERSION_MAJOR * 10000 + DS_VERSION_MINOR * 100 + DS_VERSION_PATCH)
/* "MAJOR.MINOR.PATCH", built from the three numbers above. */
#define DS_VERSION_STRING DS_EXPAND_AND_QUOTE(DS_VERSION_MAJOR) "." DS_EXPAND_AND_QUOTE(DS_VERSION_MINOR) "." \
    DS_EXPAND_AND_QUOTE(DS_VERSION_PATCH)
#define DS_QUOTE(x) #x
#define DS_EXPAND_AND_QUOTE(x) DS_QUOTE(x)

/* The version of the library actually loaded, as DS_VERSION_NUMBER. */
DS_API unsigned ds_version_number(void);
/* The version of the library actually loaded, as "MAJOR.MINOR.PATCH". Static storage. */
DS_API const char *ds_version_string(void);

/* ======================================================================
 * Errors
 * ====================================================================== */

/* Explicit values; new codes are only ever appended. */
typedef enum ds_status {
    DS_OK = 0,
    DS_ERR_INVALID_ARGUMENT = 1, /* NULL, empty or malformed argument, value out of range */
    DS_ERR_NOT_FOUND = 2,        /* no data item / config key of that name */
    DS_ERR_SHAPE = 3,            /* shapes do not agree (e.g. reuse_mask with another shape) */
    DS_ERR_STATE = 4,            /* not possible in the object's current state (e.g. after squash) */
    DS_ERR_CALLBACK = 5,         /* a user callback reported failure or misbehaved */
    DS_ERR_CORRUPT = 6,          /* serialized state is malformed */
    DS_ERR_IO = 7,               /* reading or writing a file failed */
    DS_ERR_NO_MEMORY = 8,        /* an allocation failed */
    DS_ERR_UNSUPPORTED = 9,      /* valid request this build cannot do */
    DS_ERR_INTERNAL = 10,        /* a bug in datasparse; please report it */
    DS_STATUS_MAX_ENUM = 0x7FFFFFFF /* not a status: keeps the enum int-sized for any value */
} ds_status;

/* A short constant name for a status ("DS_ERR_SHAPE"); "DS_UNKNOWN_STATUS"
 * for a value that is not a status. Never NULL. */
DS_API const char *ds_status_string(ds_status status);

/* The message of this thread's most recent failed call ("" if none yet).
 * Never NULL. Valid until this thread's next datasparse call. Successful
 * calls do not clear it. */
DS_API const char *ds_last_error(void);

/* Lets a user callback that is about to return failure explain why: the
 * message (copied; NULL clears it) is appended to the error the library
 * reports for the failed call. Only meaningful on the callback's thread,
 * during the callback. */
DS_API void ds_set_callback_error(const char *message);

/* ======================================================================
 * Threads and SIMD
 * ====================================================================== */

/* The threads a step may use (process-wide; thread-safe): n in [1, 1024], or
 * 0 for OpenMP's default (OMP_NUM_THREADS, else the number of cores); any
 * other n is DS_ERR_INVALID_ARGUMENT and changes nothing. For callers that
 * run the library inside a thread pool of their own. Large items are split
 * over the threads by block rows, small ones spread one item per thread; the
 * library never nests parallel regions. Masks are the same for any thread
 * count. */
DS_API ds_status ds_set_num_threads(int n);
/* The number of threads the next step will use. */
DS_API int ds_num_threads(void);

/* The instruction set the next step's kernels use: "scalar", "sse2", "avx2"
 * or "avx512" (static storage). The best this CPU and OS support, unless the
 * environment variable DATASPARSE_SIMD names another one it supports (read
 * at each step; an unknown or unsupported name logs one warning and is
 * ignored). Every path gives bit-identical masks. */
DS_API const char *ds_simd_path(void);

/* ======================================================================
 * Logging
 * ====================================================================== */

typedef enum ds_log_level {
    DS_LOG_DEBUG = 0,
    DS_LOG_INFO = 1,   /* e.g. the scheduler's verbose mode */
    DS_LOG_WARNING = 2, /* e.g. replacing data under an existing name */
    DS_LOG_MAX_ENUM = 0x7FFFFFFF
} ds_log_level;

/* Receives the library's messages. Called on the thread that caused them. */
typedef void (*ds_log_fn)(void *user_data, int level, const char *message);

/* Installs a process-wide log handler. fn NULL restores the default, which
 * prints warnings (level >= DS_LOG_WARNING) to stderr and drops the rest.
 * Thread-safe; may be called at any time from any thread, also from inside
 * a handler. Guarantee: when it returns, the previous handler is not running
 * on any other thread and will not be called again, so its user_data may be
 * freed (a handler that replaces itself finishes its own call first; it must
 * not wait for another thread that is inside a handler). */
DS_API void ds_set_log_handler(ds_log_fn fn, void *user_data);

/* ======================================================================
 * Config: a map from key (non-empty string) to a finite double.
 * Keys the library does not know are kept (custom sparsifiers and
 * schedules use them). Iteration is in ascending byte order of the keys.
 * ====================================================================== */

typedef struct ds_config ds_config;

/* Creates an empty config. */
DS_API ds_status ds_config_create(ds_config **out);
/* Copies src into a new config. */
DS_API ds_status ds_config_clone(const ds_config *src, ds_config **out);
/* Sets key to value. DS_ERR_INVALID_ARGUMENT for an empty key or a value
 * that is NaN or infinite. */
DS_API ds_status ds_config_set(ds_config *config, const char *key, double value);
/* Reads key. DS_ERR_NOT_FOUND if the key is absent. */
DS_API ds_status ds_config_get(const ds_config *config, const char *key, double *out);
/* Removes key. DS_ERR_NOT_FOUND if the key is absent. */
DS_API ds_status ds_config_remove(ds_config *config, const char *key);
/* Number of keys; 0 for NULL. */
DS_API size_t ds_config_count(const ds_config *config);
/* The index-th key in ascending order (borrowed: valid until the config is
 * modified or destroyed). DS_ERR_INVALID_ARGUMENT if index >= count. */
DS_API ds_status ds_config_get_key(const ds_config *config, size_t index, const char **out);
/* Releases a config; NULL is allowed. */
DS_API void ds_config_destroy(ds_config *config);

/* ======================================================================
 * Sparsifier
 *
 * A sparsifier holds named data items: each a row-major float matrix of
 * rows x cols that the CALLER owns (the sparsifier borrows the pointer and
 * never copies the floats: changes the caller makes are seen by the next
 * step), a config (the sparsifier's defaults merged with per-item values)
 * and a mask the sparsifier owns (uint8_t, row-major, 1 = keep, 0 = zero).
 * 1-D data of length n is rows = 1, cols = n. A new item's mask is all ones.
 *
 * Names are non-empty, contain no '.', and are unique; iteration is in the
 * order the names were added (replacing keeps the place; a name removed and
 * added again goes last).
 *
 * The norm sparsifier reads these config keys:
 *   sparsity_level   fraction of blocks to sparsify: any finite value is
 *                    stored as given (by add_data, set_param or a schedule)
 *                    and clamped to [0, 1] when a mask is made         (0.5)
 *   block_rows       block height, integer >= 1                         (1)
 *   block_cols       block width, integer >= 1                          (4)
 *   zeros_per_block  zeros in each sparsified block, integer in
 *                    [0, block_rows * block_cols]     (block_rows * block_cols)
 * Its mask: the round-half-to-even(level * number_of_blocks) blocks with the
 * smallest mean element score (|x| for L1, x*x for L2; ties: lower block
 * index first; NaN largest) are sparsified; in each, the zeros_per_block
 * elements with the smallest score are zeroed (ties: lower position first).
 * Blocks tile from (0,0); edge blocks may be partial.
 * ====================================================================== */

typedef enum ds_norm {
    DS_NORM_L1 = 0,
    DS_NORM_L2 = 1,
    DS_NORM_MAX_ENUM = 0x7FFFFFFF /* not a norm: keeps the enum int-sized for any value */
} ds_norm;

typedef struct ds_sparsifier ds_sparsifier;

/* A custom sparsifier's mask update. Called by ds_sparsifier_step once per
 * data item, on the calling thread, with the item's data (rows x cols), its
 * merged config and its current mask, which it modifies in place (values
 * must stay 0 or 1). Return 0 on success; non-zero makes the step fail with
 * DS_ERR_CALLBACK and leaves every mask as it was before the step. While it
 * runs, the sparsifier may be read but not modified (modifying calls on it
 * fail with DS_ERR_STATE). */
typedef int (*ds_update_mask_fn)(void *user_data, const char *name, const float *data,
                                 int64_t rows, int64_t cols, const ds_config *config,
                                 uint8_t *mask);

/* Creates a norm (L1/L2 block) sparsifier. defaults may be NULL; given keys
 * override the defaults listed above. Its values are copied. */
DS_API ds_status ds_norm_sparsifier_create(ds_norm norm, const ds_config *defaults, ds_sparsifier **out);

/* Creates a sparsifier whose masks are computed by fn. defaults may be NULL
 * (an empty config); no keys are added or checked beyond finiteness. */
DS_API ds_status ds_custom_sparsifier_create(ds_update_mask_fn fn, void *user_data,
                                             const ds_config *defaults, ds_sparsifier **out);

/* Releases a sparsifier (never the caller's data); NULL is allowed.
 * Called from inside a callback of one of the sparsifier's own calls (an
 * update-mask or schedule callback, or the log handler), the release waits
 * until that call returns; the call then fails with DS_ERR_STATE unless it
 * had already committed (no further callback of it runs). The handle must
 * not be used again either way. */
DS_API void ds_sparsifier_destroy(ds_sparsifier *s);

/* Registers (borrows) data under name. config (may be NULL) overrides the
 * defaults for this item. If name exists it is replaced: a warning is
 * logged, the old item's config is kept under the new overrides, and with
 * reuse_mask != 0 the old mask is kept (the new data must then have the
 * same shape, else DS_ERR_SHAPE); with reuse_mask == 0 the mask is reset to
 * all ones. The data must stay valid until the item is removed or replaced,
 * or the sparsifier destroyed (after a squash, get_data still reads it).
 * Errors: DS_ERR_INVALID_ARGUMENT (NULL, bad name, rows/cols <= 0 or
 * rows*cols overflowing, invalid config values), DS_ERR_SHAPE, DS_ERR_STATE
 * (reuse_mask on an item whose mask was squashed), DS_ERR_NO_MEMORY. */
DS_API ds_status ds_sparsifier_add_data(ds_sparsifier *s, const char *name, float *data,
                                        int64_t rows, int64_t cols, const ds_config *config,
                                        int reuse_mask);

/* Removes an item (its mask and config; the caller's data is untouched).
 * DS_ERR_NOT_FOUND if absent. */
DS_API ds_status ds_sparsifier_remove_data(ds_sparsifier *s, const char *name);

/* If mask update is enabled, recomputes every (non-squashed) item's mask
 * from its current data and config. Counts its successful calls either way.
 * All-or-nothing: on failure no mask changes. */
DS_API ds_status ds_sparsifier_step(ds_sparsifier *s);

/* Copies the item's mask (rows*cols bytes) into out; count is the element
 * count of out (too small: DS_ERR_INVALID_ARGUMENT). DS_ERR_STATE after a squash. */
DS_API ds_status ds_sparsifier_get_mask(const ds_sparsifier *s, const char *name, uint8_t *out, size_t count);

/* Copies a float32 item's data into out, contiguous (count elements at
 * least rows*cols; an item of another dtype: DS_ERR_INVALID_ARGUMENT, see
 * ds_sparsifier_get_data_ex): original != 0: the data as the caller holds
 * it (DS_ERR_STATE after a squash: the original is gone); original == 0:
 * the data with every masked element set to 0 (also NaN or inf ones; after
 * a squash: the data as it now is). */
DS_API ds_status ds_sparsifier_get_data(const ds_sparsifier *s, const char *name, int original,
                                        float *out, size_t count);

/* ======================================================================
 * Tensors: element types, N-D shapes, row strides
 * ====================================================================== */

/* Element types of data items. Scores of float16 and bfloat16 data are those
 * of the same values in float32 (every such value is a float32), so their
 * masks are too; float64 data is scored in double. Explicit values,
 * append-only. */
typedef enum ds_dtype {
    DS_DTYPE_FLOAT32 = 0,
    DS_DTYPE_FLOAT64 = 1,
    DS_DTYPE_FLOAT16 = 2,  /* IEEE 754 binary16 */
    DS_DTYPE_BFLOAT16 = 3, /* the upper 16 bits of a float32 */
    DS_DTYPE_MAX_ENUM = 0x7FFFFFFF
} ds_dtype;

/* Bytes of one element of dtype; 0 for a value that is not a ds_dtype. */
DS_API size_t ds_dtype_size(ds_dtype dtype);
/* "float32", "float64", "float16" or "bfloat16" (static storage); NULL for a
 * value that is not a ds_dtype. */
DS_API const char *ds_dtype_name(ds_dtype dtype);

#define DS_MAX_DIMS 8
#define DS_TENSOR_DESC_VERSION 1

/* A tensor the caller owns (versioned: initialise with DS_TENSOR_DESC_INIT,
 * then set the fields). A tensor of shape (d0, ..., dk) is sparsified as the
 * row-major matrix (d0*...*d(k-1)) x dk, as TF-MOT and NVIDIA ASP do for
 * convolution weights (1-D: one row of d0); its mask has one byte per
 * element in the same order. The last dimension is contiguous; row_stride is
 * the distance in elements between consecutive rows of that matrix (0:
 * contiguous, else at least dk: a view into a bigger buffer, such as a
 * column slice, borrowed without a copy). */
typedef struct ds_tensor_desc {
    uint32_t version;            /* DS_TENSOR_DESC_VERSION */
    ds_dtype dtype;
    int32_t ndim;                /* 1..DS_MAX_DIMS */
    int64_t shape[DS_MAX_DIMS];  /* shape[0..ndim), each >= 1 */
    int64_t row_stride;          /* 0, or >= shape[ndim - 1] */
} ds_tensor_desc;
#define DS_TENSOR_DESC_INIT {DS_TENSOR_DESC_VERSION, DS_DTYPE_FLOAT32, 0, {0, 0, 0, 0, 0, 0, 0, 0}, 0}

/* Registers (borrows) a tensor of any ds_dtype, shape and row stride under
 * name, as ds_sparsifier_add_data does for float32 matrices (same replace
 * and reuse_mask rules; reuse_mask needs the same matrix shape). data points
 * at element (0, ..., 0). A custom sparsifier's callback reads float rows:
 * it takes contiguous float32 tensors only. Errors: DS_ERR_INVALID_ARGUMENT
 * (NULL, bad name, a desc of another version, a dtype that is not one, ndim
 * outside [1, DS_MAX_DIMS], a size < 1, too many elements, a row_stride
 * below the last size, invalid config values), DS_ERR_SHAPE, DS_ERR_STATE,
 * DS_ERR_NO_MEMORY. Squashing writes zeros in the data's own type. */
DS_API ds_status ds_sparsifier_add_data_ex(ds_sparsifier *s, const char *name, void *data,
                                           const ds_tensor_desc *desc, const ds_config *config, int reuse_mask);
/* The item's tensor as registered (row_stride 0 when contiguous); an item
 * added with ds_sparsifier_add_data is a 2-D float32 tensor. */
DS_API ds_status ds_sparsifier_get_desc(const ds_sparsifier *s, const char *name, ds_tensor_desc *out);
/* Copies the item's data into out in its own dtype, contiguous (row_stride
 * dropped); original and squash rules as ds_sparsifier_get_data. bytes is
 * out's size: at least the elements times ds_dtype_size. */
DS_API ds_status ds_sparsifier_get_data_ex(const ds_sparsifier *s, const char *name, int original,
                                           void *out, size_t bytes);

/* ======================================================================
 * Groups and shards: one selection over several items, and over items
 * split across processes (src/core/semantics.md, "Groups and shards")
 *
 * A group's blocks are ranked together: the k lowest blocks of the union
 * are selected, k = round_half_even(level * all the group's blocks), where
 * level is the sparsity_level of the group's first member (a scheduler
 * gives every member the first member's value). Blocks are ordered by
 * (block score, member order, block index), so small-norm members give up
 * more. Each member keeps its own block shape and zeros_per_block.
 *
 * A shard is an item that holds rows [first_row, first_row + rows) of a
 * bigger tensor of global_rows rows; the other rows are held by other
 * participants (processes), joined by an allreduce. The masks every
 * participant gets are bit-identical to those of one process holding the
 * whole tensor (or group), and a step fails on every participant, with no
 * mask changed anywhere, if it fails on any. Norm sparsifiers only.
 * ====================================================================== */

/* Sums counts[0..count) element-wise over every participant, in place
 * (MPI_Allreduce with MPI_SUM on uint64). Every participant calls it the
 * same number of times with the same count in one step. Return 0 on
 * success; non-zero makes the step fail (DS_ERR_CALLBACK) on this
 * participant and, through the next exchange, on every other one, with no
 * mask changed anywhere. The one exception is the step's last exchange (the
 * agreement): every participant had completed its selection before it, so
 * a failure there does not undo the step: the masks are written as on the
 * others and a warning is logged. Every participant reaches the same outcome
 * when at most one thing goes wrong in a step. The engine must take part in
 * every call even when it fails (an engine that returns without taking
 * part leaves the others waiting in theirs). It may read, but not modify,
 * the sparsifier. */
typedef int (*ds_allreduce_fn)(void *user_data, uint64_t *counts, size_t count);

/* Joins this sparsifier's steps with other participants: from now on each
 * step exchanges a few histograms through fn (every participant must then
 * step together, with the same groups and shards in the same order). fn NULL:
 * this process alone again. See datasparse_mpi.h for MPI's. */
DS_API ds_status ds_sparsifier_set_allreduce(ds_sparsifier *s, ds_allreduce_fn fn, void *user_data);

/* Registers (borrows) rows [first_row, first_row + desc->shape[0]*...) of
 * the matrix view of a tensor of global_rows rows, as
 * ds_sparsifier_add_data_ex does (same rules). desc->ndim >= 2; the rows
 * are the product of every size but the last, and desc->shape[0] may be 0 (a
 * participant that holds none of the rows: data may then be NULL, and its
 * mask and data are read with out NULL and a count of 0). first_row
 * must be a multiple of the item's block_rows, and a shard that is not the
 * last must hold a multiple of block_rows rows (checked at each step: a block
 * never straddles two shards). Errors as ds_sparsifier_add_data_ex, and
 * DS_ERR_INVALID_ARGUMENT for global_rows < 1 or rows outside it. */
DS_API ds_status ds_sparsifier_add_shard(ds_sparsifier *s, const char *name, void *data,
                                         const ds_tensor_desc *desc, int64_t global_rows, int64_t first_row,
                                         const ds_config *config, int reuse_mask);
/* The item's global row count and first row (0 and 0 for an item that is
 * not a shard). */
DS_API ds_status ds_sparsifier_get_shard(const ds_sparsifier *s, const char *name, int64_t *out_global_rows,
                                         int64_t *out_first_row);

/* Creates or replaces the group named group with the count named items, in
 * this order (the order breaks ties). An item is in one group at most.
 * Removing an item removes it from its group (a group left empty goes). */
DS_API ds_status ds_sparsifier_set_group(ds_sparsifier *s, const char *group, const char *const *names,
                                         size_t count);
/* DS_ERR_NOT_FOUND if there is no such group. */
DS_API ds_status ds_sparsifier_remove_group(ds_sparsifier *s, const char *group);
/* Number of groups (0 for NULL). */
DS_API size_t ds_sparsifier_group_count(const ds_sparsifier *s);
/* The index-th group's name (borrowed, valid until the sparsifier is
 * modified) and member count. */
DS_API ds_status ds_sparsifier_get_group(const ds_sparsifier *s, size_t index, const char **out_name,
                                         size_t *out_count);
/* The index-th member of a group (borrowed, as above). */
DS_API ds_status ds_sparsifier_get_group_member(const ds_sparsifier *s, const char *group, size_t index,
                                                const char **out);
/* What the last step exchanged with the other participants: allreduce
 * calls and bytes (this participant's payload; 0 and 0 for a step with no
 * group or shard). */
DS_API ds_status ds_sparsifier_last_exchange(const ds_sparsifier *s, int64_t *out_exchanges, int64_t *out_bytes);

/* Squashes the masks of the named items (names NULL: all items; count is
 * the number of names). leave_parametrized != 0: the mask is applied to the
 * caller's buffer in place (masked elements set to 0); == 0: the data is
 * left as it is.
 * Either way the mask is dropped; the item stays registered but is no
 * longer masked or stepped (add it again to mask it again). Squashing a
 * squashed item does nothing. All names are checked before anything changes. */
DS_API ds_status ds_sparsifier_squash_mask(ds_sparsifier *s, const char *const *names, size_t count,
                                           int leave_parametrized);

/* Reads a config value of an item (norm sparsifiers report the effective
 * zeros_per_block even when it was not set). DS_ERR_NOT_FOUND for an
 * unknown item or key. */
DS_API ds_status ds_sparsifier_get_param(const ds_sparsifier *s, const char *name, const char *key, double *out);

/* Sets a config value of an item; checked like add_data's config. */
DS_API ds_status ds_sparsifier_set_param(ds_sparsifier *s, const char *name, const char *key, double value);

/* Enables (non-zero) or disables mask updates by ds_sparsifier_step. */
DS_API ds_status ds_sparsifier_set_mask_update(ds_sparsifier *s, int enabled);

/* --- Introspection ---------------------------------------------------- */

/* Whether mask update is enabled: 1 or 0 (0 for NULL). */
DS_API int ds_sparsifier_mask_update(const ds_sparsifier *s);
/* Number of registered data items (0 for NULL). */
DS_API size_t ds_sparsifier_count(const ds_sparsifier *s);
/* Number of successful ds_sparsifier_step calls so far (-1 for NULL). */
DS_API int64_t ds_sparsifier_step_count(const ds_sparsifier *s);
/* Whether an item of that name exists: 1 or 0 (0 if s or name is NULL). */
DS_API int ds_sparsifier_contains(const ds_sparsifier *s, const char *name);
/* The index-th item's name in insertion order (borrowed: valid until the
 * sparsifier is modified or destroyed). DS_ERR_INVALID_ARGUMENT if out of range. */
DS_API ds_status ds_sparsifier_get_name(const ds_sparsifier *s, size_t index, const char **out);
/* The item's shape. */
DS_API ds_status ds_sparsifier_get_shape(const ds_sparsifier *s, const char *name,
                                         int64_t *out_rows, int64_t *out_cols);
/* Copies the item's merged config into out (replacing out's contents). */
DS_API ds_status ds_sparsifier_get_config(const ds_sparsifier *s, const char *name, ds_config *out);
/* Fraction of the item's mask that is zero, in [0, 1]. DS_ERR_STATE after a squash. */
DS_API ds_status ds_sparsifier_get_sparsity(const ds_sparsifier *s, const char *name, double *out);
/* Whether the item's mask was squashed (1) or not (0). */
DS_API ds_status ds_sparsifier_get_squashed(const ds_sparsifier *s, const char *name, int *out);

/* ======================================================================
 * Scheduler
 *
 * A data scheduler varies one config key (schedule_param, usually
 * "sparsity_level") of every data item of a sparsifier over training.
 * At creation it records each item's base value, then performs one step
 * (last_epoch -1 gives epoch 0; a resumed scheduler passes the epoch it
 * stopped at). Each step:
 *   epoch = last_epoch + 1; for every item whose config has the key, the
 *   schedule computes a value from (name, epoch, base value, current value);
 *   all values are checked, then applied together; last values recorded;
 *   the sparsifier's mask update is re-enabled.
 * All-or-nothing: if the schedule fails for any item, returns NaN/inf, or a
 * value the sparsifier rejects, the step fails (DS_ERR_CALLBACK, or the
 * sparsifier's status), no item changes and the epoch does not advance.
 * Items added to the sparsifier later are scheduled too (base value taken
 * when first seen); removed items are dropped.
 * On the scheduler's second step, if the sparsifier has not stepped since
 * the scheduler was created, a warning is logged (step the sparsifier
 * before the scheduler, as in PyTorch).
 * The sparsifier must outlive its schedulers; a scheduler whose sparsifier
 * was destroyed fails with DS_ERR_STATE. A scheduler and its sparsifier
 * count as one handle for thread safety.
 * ====================================================================== */

typedef struct ds_scheduler ds_scheduler;

/* A schedule: writes the item's new value to *out. Called on the calling
 * thread, never concurrently. Return 0 on success, non-zero on failure
 * (use ds_set_callback_error to say why). While it runs, the scheduler and
 * its sparsifier may be read but not modified: such calls (stepping,
 * loading, adding or removing data, ...) fail with DS_ERR_STATE. */
typedef int (*ds_schedule_fn)(void *user_data, const char *name, int64_t epoch,
                              double base_value, double current_value, double *out);

/* Creates a scheduler with a user schedule and performs its first step
 * (a failure of that step fails the creation). last_epoch: -1 to start,
 * at most 2^53 - 2 (epochs are at most 2^53 - 1, exact as doubles), else
 * DS_ERR_INVALID_ARGUMENT. */
DS_API ds_status ds_scheduler_create(ds_sparsifier *s, const char *schedule_param,
                                     ds_schedule_fn fn, void *user_data, int64_t last_epoch,
                                     ds_scheduler **out);

/* Built-in schedules. A ds_schedule describes one; ds_scheduler_create_builtin
 * copies it, so it may be destroyed (or reused) right after. In the
 * formulas, t is the epoch, base the item's base value, current its value
 * now; "keep" means the value stays current.
 *
 *  gamma(gamma, threshold):  t == 0: base;  t > 0: min(threshold, current * gamma)
 *      (the seed document's GammaScheduler, starting from the base value).
 *  step(step_size, gamma):   base * gamma^floor(t / step_size)           (StepLR)
 *  lambda(f):                base * f(t), f a C callback                 (LambdaSL)
 *  cubic(init_value, init_t, delta_t, total_t, initially_zero):  with
 *      s_i = init_value, s_f = base:
 *      initially_zero and t < init_t: 0; else
 *      clamp(s_f + (s_i - s_f) * (1 - (t - init_t) / (delta_t * total_t))^3, s_i, s_f)
 *      where clamp(x, lo, hi) = max(lo, min(hi, x))          (CubicSL, Zhu & Gupta 2017)
 *  polynomial_decay(initial, final, begin_step, end_step, power, frequency):
 *      on a pruning turn (begin_step <= t <= end_step and
 *      (t - begin_step) % frequency == 0):
 *      p = clamp((t - begin_step) / (end_step - begin_step), 0, 1),
 *      final + (initial - final) * (1 - p)^power; otherwise keep.
 *                                  (TF Model Optimization PolynomialDecay)
 *  constant(value, begin_step, end_step, frequency): on a pruning turn
 *      (begin_step <= t, end_step == -1 or t <= end_step, and
 *      (t - begin_step) % frequency == 0): value; otherwise keep.
 *                                  (TF Model Optimization ConstantSparsity)
 */
typedef struct ds_schedule ds_schedule;

/* f(epoch) for the lambda schedule: writes the factor to *out; 0 = ok. */
typedef int (*ds_lambda_fn)(void *user_data, int64_t epoch, double *out);

/* Any built-in by kind, with its parameters by name (see the registry below
 * for each kind's parameters, bounds and defaults): a parameter without a
 * default must be given, an unknown name is an error. params may be NULL
 * (every parameter defaulted). */
DS_API ds_status ds_schedule_create(const char *kind, const ds_config *params, ds_schedule **out);

/* gamma, threshold finite. */
DS_API ds_status ds_schedule_create_gamma(double gamma, double threshold, ds_schedule **out);
/* step_size >= 1, gamma finite. */
DS_API ds_status ds_schedule_create_step(int64_t step_size, double gamma, ds_schedule **out);
/* fn not NULL; not serialisable: a loaded state needs a lambda schedule again. */
DS_API ds_status ds_schedule_create_lambda(ds_lambda_fn fn, void *user_data, ds_schedule **out);

/* The cubic schedule's parameters (defaults: PyTorch CubicSL's). */
typedef struct ds_cubic_options {
    unsigned version;     /* DS_CUBIC_OPTIONS_VERSION */
    double init_value;    /* s_i, finite (0) */
    int64_t init_t;       /* >= 0 (0) */
    int64_t delta_t;      /* >= 1 (10) */
    int64_t total_t;      /* >= 1 (20) */
    int initially_zero;   /* 0 or 1 (0) */
} ds_cubic_options;
#define DS_CUBIC_OPTIONS_VERSION 1
#define DS_CUBIC_OPTIONS_INIT {DS_CUBIC_OPTIONS_VERSION, 0.0, 0, 10, 20, 0}
DS_API ds_status ds_schedule_create_cubic(const ds_cubic_options *options, ds_schedule **out);

/* The polynomial_decay schedule's parameters (defaults: TF-MOT's; initial,
 * final and end_step have none and must be set). */
typedef struct ds_polynomial_decay_options {
    unsigned version;     /* DS_POLYNOMIAL_DECAY_OPTIONS_VERSION */
    double initial;       /* finite */
    double final;         /* finite */
    int64_t begin_step;   /* >= 0 (0) */
    int64_t end_step;     /* > begin_step */
    double power;         /* finite (3) */
    int64_t frequency;    /* >= 1 (100) */
} ds_polynomial_decay_options;
#define DS_POLYNOMIAL_DECAY_OPTIONS_VERSION 1
#define DS_POLYNOMIAL_DECAY_OPTIONS_INIT {DS_POLYNOMIAL_DECAY_OPTIONS_VERSION, 0.0, 0.0, 0, 0, 3.0, 100}
DS_API ds_status ds_schedule_create_polynomial_decay(const ds_polynomial_decay_options *options,
                                                     ds_schedule **out);

/* value finite; begin_step >= 0; end_step == -1 (no end) or >= begin_step; frequency >= 1. */
DS_API ds_status ds_schedule_create_constant(double value, int64_t begin_step, int64_t end_step,
                                             int64_t frequency, ds_schedule **out);
/* The schedule's kind: a built-in's ("gamma", ...) or "lambda" ("" for NULL). */
DS_API const char *ds_schedule_kind(const ds_schedule *schedule);
/* Releases a schedule description; NULL is allowed. */
DS_API void ds_schedule_destroy(ds_schedule *schedule);

/* --- The registry: built-in schedules and norm sparsifier keys ---------
 * What ds_schedule_create and the norm sparsifier accept, as data: the
 * library's one table of them, for tools, bindings and docs. Everything
 * returned is static storage. New fields are only ever appended. */

typedef enum ds_param_type {
    DS_PARAM_REAL = 0,     /* any finite double within [min, max] */
    DS_PARAM_INTEGER = 1,  /* an integer within [min, max] (exact up to 2^53) */
    DS_PARAM_BOOL = 2,     /* 0 or 1 */
    DS_PARAM_TYPE_MAX_ENUM = 0x7FFFFFFF
} ds_param_type;

typedef struct ds_param_info {
    const char *name;
    ds_param_type type;
    double min, max;        /* inclusive; -HUGE_VAL / HUGE_VAL when unbounded */
    int has_default;        /* 1 if default_value applies when the parameter is not given */
    double default_value;
    const char *doc;        /* one line */
} ds_param_info;

typedef struct ds_schedule_info {
    const char *kind;       /* as ds_schedule_create takes it */
    const char *formula;    /* the value at epoch t (base, current: see the section comment) */
    const char *after;      /* what it follows ("PyTorch CubicSL") */
    size_t param_count;
    const ds_param_info *params;  /* param_count entries, in the typed constructor's order */
} ds_schedule_info;

/* Number of built-in schedules. */
DS_API size_t ds_schedule_info_count(void);
/* The index-th built-in (NULL past the end, with ds_last_error set). */
DS_API const ds_schedule_info *ds_schedule_info_at(size_t index);
/* The built-in of that kind (NULL if there is none, with ds_last_error set). */
DS_API const ds_schedule_info *ds_schedule_info_find(const char *kind);
/* Number of config keys the norm sparsifier reads, and the index-th one
 * (NULL past the end). zeros_per_block's default and upper bound are each
 * item's block size (block_rows * block_cols): it has no fixed default. */
DS_API size_t ds_norm_sparsifier_param_count(void);
DS_API const ds_param_info *ds_norm_sparsifier_param_at(size_t index);

/* Creates a scheduler with a built-in schedule and performs its first step. */
DS_API ds_status ds_scheduler_create_builtin(ds_sparsifier *s, const char *schedule_param,
                                             const ds_schedule *schedule, int64_t last_epoch,
                                             ds_scheduler **out);

/* Advances one epoch (see the section comment). DS_ERR_STATE at epoch
 * 2^53 - 1, the last one. */
DS_API ds_status ds_scheduler_step(ds_scheduler *sch);
/* The value the last step set for the item. DS_ERR_NOT_FOUND if the item
 * was not scheduled by the last step. */
DS_API ds_status ds_scheduler_get_last_param(const ds_scheduler *sch, const char *name, double *out);
/* The item's base value. DS_ERR_NOT_FOUND if the item has none. */
DS_API ds_status ds_scheduler_get_base_param(const ds_scheduler *sch, const char *name, double *out);
/* The epoch of the last step; INT64_MIN if sch is NULL. */
DS_API int64_t ds_scheduler_last_epoch(const ds_scheduler *sch);
/* Number of successful steps, the one at creation included (-1 for NULL). */
DS_API int64_t ds_scheduler_step_count(const ds_scheduler *sch);
/* The scheduled config key (borrowed; "" for NULL). */
DS_API const char *ds_scheduler_schedule_param(const ds_scheduler *sch);
/* Number of items the scheduler tracks (those with a base value; 0 for
 * NULL), and the index-th one's name, in the sparsifier's order (borrowed:
 * valid until the next step or load). */
DS_API size_t ds_scheduler_count(const ds_scheduler *sch);
DS_API ds_status ds_scheduler_get_name(const ds_scheduler *sch, size_t index, const char **out);
/* Verbose (non-zero): each step logs every adjusted value at DS_LOG_INFO. */
DS_API ds_status ds_scheduler_set_verbose(ds_scheduler *sch, int verbose);
/* Releases a scheduler (not its sparsifier); NULL is allowed. From inside a
 * callback of one of its own calls, the release waits until that call
 * returns, which then fails with DS_ERR_STATE (as ds_sparsifier_destroy). */
DS_API void ds_scheduler_destroy(ds_scheduler *sch);

/* ======================================================================
 * State
 *
 * A versioned, checksummed, little-endian binary format (documented in
 * src/core/state/format.md). Sparsifier state: defaults, each item's name,
 * shape, config, mask (bit-packed) and squashed flag, the step count and
 * the mask-update flag; with DS_SAVE_DATA also the data. Scheduler state:
 * schedule_param, last_epoch, step count, base and last values, and a
 * built-in schedule's kind and parameters (a user callback is not saved:
 * the caller supplies it again when creating the scheduler to load into).
 *
 * Saving to a path is atomic: the new contents go to an unnamed file in
 * the path's directory (O_TMPFILE; a hidden ".<name>.ds-tmp.<pid>.<n>"
 * where the file system lacks it), which is written, fsync'ed, named and
 * renamed over the path; then the directory is fsync'ed. On a failure the
 * previous file is intact, no temporary is left, and the call returns
 * DS_ERR_IO naming the step that failed (a failure of the final directory
 * fsync leaves the new file in place and says so). A crash at any point
 * leaves the complete old or new file; a temporary left by a crash between
 * naming and renaming is removed by the next save to the same path.
 * An existing regular file keeps its mode (and, where the process may set
 * it, its owner); a new file is created 0600 (DS_SAVE_UMASK_MODE: 0666 less
 * the umask). A symbolic link at the path is replaced by the new file; the
 * file it pointed to is left as it was.
 * Loading validates everything (magic, version, lengths, checksum, names,
 * shapes against the registered data) before changing anything: DS_ERR_IO
 * if the file cannot be read (or is not a regular file, or is larger than
 * ds_max_state_size()), DS_ERR_CORRUPT for any problem with its contents,
 * and the object is unchanged. A file is read into one buffer of its size;
 * decoding allocates at most 8 bytes per byte of state (masks are stored
 * as bits).
 * ====================================================================== */

/* Flag for the *_save_* functions: include every item's data. */
#define DS_SAVE_DATA 1u
/* Flag for the *_save_file functions: a new file gets mode 0666 less the
 * umask (as fopen makes it) instead of 0600. */
#define DS_SAVE_UMASK_MODE 2u

/* The largest state a load accepts, from a file or a buffer, in bytes;
 * 0 (the default) means no limit. Process-wide, thread-safe. A larger file
 * fails with DS_ERR_IO, a larger buffer with DS_ERR_INVALID_ARGUMENT. */
DS_API void ds_set_max_state_size(uint64_t bytes);
/* The limit set by ds_set_max_state_size (0: none). */
DS_API uint64_t ds_max_state_size(void);

/* Saves the sparsifier's state to path (without data). */
DS_API ds_status ds_sparsifier_save(const ds_sparsifier *s, const char *path);
/* Saves with flags (0, DS_SAVE_DATA, DS_SAVE_UMASK_MODE, or both). */
DS_API ds_status ds_sparsifier_save_file(const ds_sparsifier *s, const char *path, unsigned flags);
/* Saves into a caller buffer. buffer NULL: only *out_size = bytes needed.
 * Otherwise capacity must be at least that (else DS_ERR_INVALID_ARGUMENT)
 * and *out_size = bytes written. */
DS_API ds_status ds_sparsifier_save_buffer(const ds_sparsifier *s, unsigned flags, void *buffer,
                                           size_t capacity, size_t *out_size);
/* Loads a state saved by ds_sparsifier_save*. Every item in the state must
 * be registered (same name, dtype and shape; a shard with the same
 * global_rows and first_row, an item that is not a shard as one that is
 * not) and of the same kind of sparsifier.
 * strict != 0: the state replaces the sparsifier's: defaults, step count,
 * mask-update flag, groups, and every registered item's config, mask and
 * squashed flag (every registered item must be in the state). strict == 0:
 * merges: the items in the state get its config, mask and squashed flag,
 * and its groups are set as ds_sparsifier_set_group would (a registered
 * group that holds one of their members makes the load fail); all else is
 * left as it is. With saved data, the data is copied into the registered
 * buffers. */
DS_API ds_status ds_sparsifier_load(ds_sparsifier *s, const char *path, int strict);
DS_API ds_status ds_sparsifier_load_buffer(ds_sparsifier *s, const void *buffer, size_t size, int strict);

/* Saves the scheduler's state (the sparsifier's is saved separately). */
DS_API ds_status ds_scheduler_save(const ds_scheduler *sch, const char *path);
/* Saves with flags (0 or DS_SAVE_UMASK_MODE). */
DS_API ds_status ds_scheduler_save_file(const ds_scheduler *sch, const char *path, unsigned flags);
DS_API ds_status ds_scheduler_save_buffer(const ds_scheduler *sch, void *buffer, size_t capacity,
                                          size_t *out_size);
/* Loads a scheduler state into sch: same schedule_param and same kind of
 * schedule required (a built-in's saved parameters are restored). It
 * restores last_epoch, the step count, base and last values, and sets each
 * scheduled item's schedule_param in the sparsifier to its saved last value
 * (undoing whatever the new scheduler's creation step applied), so the next
 * step continues the saved run exactly. Every scheduled item must be
 * registered in the sparsifier (DS_ERR_CORRUPT otherwise).
 * To resume: create the sparsifier over the same data, ds_sparsifier_load,
 * create the scheduler (same schedule; any last_epoch, e.g. the saved one),
 * ds_scheduler_load, continue. */
DS_API ds_status ds_scheduler_load(ds_scheduler *sch, const char *path);
DS_API ds_status ds_scheduler_load_buffer(ds_scheduler *sch, const void *buffer, size_t size);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DATASPARSE_DATASPARSE_H */
