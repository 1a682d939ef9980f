// A thin C++ layer over the public C API, shaped for SWIG: handles become
// classes, statuses become exceptions, callbacks become virtual methods
// (SWIG directors). It uses only <datasparse/datasparse.h>. What the
// languages see of it is the allow-list in datasparse.i; the rest (marked
// "binding use only") is for the interface's own code.
//
// Lifetimes: a DataScheduler borrows its sparsifier and its schedule; the
// language bindings keep both alive while the scheduler is (see the
// per-language .i files). Views handed to callbacks are valid only during
// the callback.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <datasparse/datasparse.h>

namespace datasparse {

// A failed call: its status and the library's message (ds_last_error()), or
// the layer's own. The message has no status prefix: each language shows the
// status its own way. A use of a closed handle (or of a callback's view after
// its callback) is DS_ERR_STATE and also names the class (closedType()), so
// that each language raises its "closed" exception.
class Error : public std::runtime_error {
public:
    Error(ds_status status, const std::string &message, const char *closedType = nullptr)
        : std::runtime_error(message), status_(status), closed_type_(closedType) {}
    ds_status status() const { return status_; }
    // The class whose closed handle (or expired view) was used; nullptr otherwise.
    const char *closedType() const { return closed_type_; }

private:
    ds_status status_;
    const char *closed_type_;
};

namespace detail {
[[noreturn]] inline void fail(ds_status status, const std::string &message) { throw Error(status, message); }

// Turns a status into an Error with ds_last_error()'s message.
inline void check(ds_status status) {
    if (status != DS_OK) throw Error(status, ds_last_error());
}

inline int flag(bool value) { return value ? 1 : 0; }

inline void check_count(size_t have, int64_t rows, int64_t cols, const char *what) {
    if (rows > 0 && cols > 0 && static_cast<uint64_t>(have) < static_cast<uint64_t>(rows) * static_cast<uint64_t>(cols))
        fail(DS_ERR_INVALID_ARGUMENT, std::string(what) + " has " + std::to_string(have) +
                                          " elements, fewer than rows*cols = " + std::to_string(rows) + "*" +
                                          std::to_string(cols));
}

// The one RAII pattern of every handle class (Config, the sparsifiers,
// DataScheduler, BuiltinSchedule): the class owns its C handle through a
// Handle, which destroys it on close() or with the object. Any use after
// close() throws Error(DS_ERR_STATE, "<type> was closed"), whether the closed
// object is called or passed as an argument. Each language maps close() onto
// its idiom (Java AutoCloseable, C# IDisposable, Python close() and `with`)
// and deletes the wrapper object itself when its proxy is collected.
template <typename Raw, void (*Destroy)(Raw *)>
class Handle {
public:
    explicit Handle(const char *type) : type_(type) {}
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    ~Handle() { close(); }

    // The live handle; throws if closed.
    Raw *get() const {
        if (!raw_) throw Error(DS_ERR_STATE, std::string(type_) + " was closed", type_);
        return raw_;
    }
    // Takes ownership of what a *_create function wrote (after it succeeded).
    void adopt(Raw *raw) {
        close();
        raw_ = raw;
    }
    Raw *release() {
        Raw *raw = raw_;
        raw_ = nullptr;
        return raw;
    }
    void close() noexcept {
        Raw *raw = raw_;
        raw_ = nullptr;
        if (raw) Destroy(raw);
    }
    bool closed() const { return raw_ == nullptr; }
    const char *type() const { return type_; }

private:
    Raw *raw_ = nullptr;
    const char *type_;
};

// Calls in progress of an object whose calls may run user code (callbacks,
// the log handler). A callback may close its own sparsifier or scheduler,
// and a language may delete the wrapper from inside such a call: what the
// call still uses must then outlive it. release() is what every language's
// delete does: it deletes now, or closes now and deletes when the outermost
// call returns (which then fails with DS_ERR_STATE: the C API says so).
struct Reentry {
    int calls = 0;
    bool delete_pending = false;
};

// Holds `self` for one call (T has a public `reentry` and lastCallReturned()).
template <typename T>
class Call {
public:
    explicit Call(T *self) : self_(self) { ++self_->reentry.calls; }
    ~Call() {
        if (--self_->reentry.calls > 0) return;
        if (self_->reentry.delete_pending)
            delete self_;
        else
            self_->lastCallReturned();
    }
    Call(const Call &) = delete;
    Call &operator=(const Call &) = delete;

private:
    T *self_;
};

template <typename T>
void release(T *object) {
    if (!object) return;
    if (object->reentry.calls == 0) {
        delete object;
        return;
    }
    object->close();
    object->reentry.delete_pending = true;
}

// Runs a user override for a C callback: 0 on success; on an exception,
// hands its message to ds_set_callback_error and returns 1 (nothing escapes).
template <typename Body>
int call_user(const char *unknown_message, Body &&body) noexcept {
    try {
        body();
        return 0;
    } catch (const std::exception &e) {
        ds_set_callback_error(e.what());
    } catch (...) {
        ds_set_callback_error(unknown_message);
    }
    return 1;
}

inline void check_mask_value(int value, size_t at) {
    if (value != 0 && value != 1)
        fail(DS_ERR_INVALID_ARGUMENT,
             "mask values are 0 or 1, got " + std::to_string(value) + " at " + std::to_string(at));
}

// The shape behind a view, and bounds-checked indexing into it.
struct Shape {
    int64_t rows = 0, cols = 0;
    size_t size() const { return static_cast<size_t>(rows * cols); }
    size_t index(int64_t row, int64_t col) const {
        if (row < 0 || row >= rows || col < 0 || col >= cols)
            fail(DS_ERR_INVALID_ARGUMENT, "(" + std::to_string(row) + ", " + std::to_string(col) + ") is outside " +
                                              std::to_string(rows) + "x" + std::to_string(cols));
        return static_cast<size_t>(row * cols + col);
    }
    void check_capacity(size_t count, const char *what) const {
        if (count < size())
            fail(DS_ERR_INVALID_ARGUMENT, std::string(what) + " holds " + std::to_string(count) +
                                              " values, the view has " + std::to_string(size()));
    }
};

// Tensors (ds_tensor_desc). A binding hands over a buffer (count elements of
// elementSize bytes; 1: raw bytes, any dtype) with a dtype, a shape and a row
// stride; these checks run before the C API sees the pointer, so the buffer
// is known to hold the whole tensor. Every message names the argument and
// its value, the same in every language.

// "2x3x4"
inline std::string shape_text(const int64_t *shape, size_t ndim) {
    std::string text;
    for (size_t i = 0; i < ndim; ++i) text += (i ? "x" : "") + std::to_string(shape[i]);
    return text;
}

// The descriptor of (dtype, shape, rowStride), checked: the C API would
// check the same, but the span of the tensor (below) needs them first.
inline ds_tensor_desc tensor_desc(ds_dtype dtype, const std::vector<int64_t> &shape, int64_t rowStride,
                                  bool shard = false) {
    if (ds_dtype_size(dtype) == 0)
        fail(DS_ERR_INVALID_ARGUMENT, "dtype must be float32 (0), float64 (1), float16 (2) or bfloat16 (3), got " +
                                          std::to_string(static_cast<long long>(dtype)));
    if (shape.empty() || shape.size() > DS_MAX_DIMS)
        fail(DS_ERR_INVALID_ARGUMENT, "shape must have 1 to " + std::to_string(DS_MAX_DIMS) + " dimensions, got " +
                                          std::to_string(shape.size()) +
                                          (shape.empty() ? "" : " (" + shape_text(shape.data(), shape.size()) + ")"));
    // A shard may hold no rows (shape[0] == 0: a participant without any).
    if (shard && shape.size() < 2)
        fail(DS_ERR_INVALID_ARGUMENT, "a shard's shape must have at least 2 dimensions, got " +
                                          std::to_string(shape.size()) + " (" + shape_text(shape.data(), shape.size()) +
                                          ")");
    for (size_t i = 0; i < shape.size(); ++i)
        if (shape[i] < (shard && i == 0 ? 0 : 1))
            fail(DS_ERR_INVALID_ARGUMENT,
                 "shape[" + std::to_string(i) + "] must be >= 1, got " + std::to_string(shape[i]));
    const int64_t last = shape.back();
    if (rowStride != 0 && rowStride < last)
        fail(DS_ERR_INVALID_ARGUMENT, "rowStride must be 0 (contiguous) or >= the last size " + std::to_string(last) +
                                          ", got " + std::to_string(rowStride));
    ds_tensor_desc desc = DS_TENSOR_DESC_INIT;
    desc.dtype = dtype;
    desc.ndim = static_cast<int32_t>(shape.size());
    for (size_t i = 0; i < shape.size(); ++i) desc.shape[i] = shape[i];
    desc.row_stride = rowStride;
    return desc;
}

inline std::string tensor_text(const ds_tensor_desc &d) {
    std::string text = std::string(ds_dtype_name(d.dtype)) + " tensor " + shape_text(d.shape, static_cast<size_t>(d.ndim));
    if (d.row_stride != 0) text += " with row stride " + std::to_string(d.row_stride);
    return text;
}

// The elements a checked tensor spans in memory from its first one: the
// matrix rows x cols it is sparsified as, rows apart by the row stride.
inline uint64_t tensor_span(const ds_tensor_desc &d) {
    uint64_t rows = 1;
    for (int i = 0; i + 1 < d.ndim; ++i)
        if (__builtin_mul_overflow(rows, static_cast<uint64_t>(d.shape[i]), &rows))
            fail(DS_ERR_INVALID_ARGUMENT, "the " + tensor_text(d) + " has too many elements");
    if (rows == 0) return 0;  // an empty shard
    const uint64_t cols = static_cast<uint64_t>(d.shape[d.ndim - 1]);
    const uint64_t stride = d.row_stride ? static_cast<uint64_t>(d.row_stride) : cols;
    uint64_t span = 0;
    if (__builtin_mul_overflow(rows - 1, stride, &span) || __builtin_add_overflow(span, cols, &span) ||
        span > SIZE_MAX / ds_dtype_size(d.dtype))
        fail(DS_ERR_INVALID_ARGUMENT, "the " + tensor_text(d) + " spans more than memory");
    return span;
}

// data (count elements of elementSize bytes) holds the whole tensor, in elements of its dtype.
inline void check_tensor_data(size_t count, size_t elementSize, const ds_tensor_desc &d) {
    const size_t es = ds_dtype_size(d.dtype);
    if (elementSize != 1 && elementSize != es)
        fail(DS_ERR_INVALID_ARGUMENT, "data has " + std::to_string(elementSize) + "-byte elements, dtype " +
                                          ds_dtype_name(d.dtype) + " has " + std::to_string(es) + "-byte ones");
    const uint64_t span = tensor_span(d);
    if (elementSize == 1 && count / es < span)
        fail(DS_ERR_INVALID_ARGUMENT, "data has " + std::to_string(count) + " bytes, fewer than the " +
                                          std::to_string(span * es) + " the " + tensor_text(d) + " spans");
    if (elementSize != 1 && count < span)
        fail(DS_ERR_INVALID_ARGUMENT, "data has " + std::to_string(count) + " elements, fewer than the " +
                                          std::to_string(span) + " the " + tensor_text(d) + " spans");
}

// Borrowed memory is read and written as elements of the tensor's dtype.
inline void check_tensor_alignment(const void *data, const ds_tensor_desc &d) {
    const size_t es = ds_dtype_size(d.dtype);
    const size_t off = static_cast<size_t>(reinterpret_cast<uintptr_t>(data) % es);
    if (off != 0)
        fail(DS_ERR_INVALID_ARGUMENT, "data must be aligned to its " + std::to_string(es) + "-byte " +
                                          ds_dtype_name(d.dtype) + " elements, its address is " + std::to_string(off) +
                                          " bytes past a multiple of " + std::to_string(es));
}
}  // namespace detail

// The version of the loaded library, "MAJOR.MINOR.PATCH".
inline std::string version() { return ds_version_string(); }

// key -> finite double (ds_config).
class Config {
public:
    Config() : handle_("Config") {
        ds_config *raw = nullptr;
        detail::check(ds_config_create(&raw));
        handle_.adopt(raw);
    }
    // A copy of other (which must not be closed).
    Config(const Config &other) : handle_("Config") {
        ds_config *raw = nullptr;
        detail::check(ds_config_clone(other.handle(), &raw));
        handle_.adopt(raw);
    }
#ifndef SWIG
    Config(Config &&other) noexcept : handle_("Config") { handle_.adopt(other.handle_.release()); }
#endif
    Config &operator=(const Config &) = delete;

    void set(const std::string &key, double value) { detail::check(ds_config_set(handle(), key.c_str(), value)); }
    double get(const std::string &key) const {
        double v = 0;
        detail::check(ds_config_get(handle(), key.c_str(), &v));
        return v;
    }
    bool contains(const std::string &key) const {
        double v;
        return ds_config_get(handle(), key.c_str(), &v) == DS_OK;
    }
    void remove(const std::string &key) { detail::check(ds_config_remove(handle(), key.c_str())); }
    size_t size() const { return ds_config_count(handle()); }
    std::string keyAt(size_t index) const {
        const char *key = nullptr;
        detail::check(ds_config_get_key(handle(), index, &key));
        return key;
    }
    std::vector<std::string> keys() const {
        std::vector<std::string> out;
        for (size_t i = 0, n = size(); i < n; ++i) out.push_back(keyAt(i));
        return out;
    }
    void close() { handle_.close(); }
    bool isClosed() const { return handle_.closed(); }

    // Binding use only.
    ds_config *handle() const { return handle_.get(); }
    static Config copyOf(const ds_config *c) {
        Config out;
        const size_t n = ds_config_count(c);
        for (size_t i = 0; i < n; ++i) {
            const char *key = nullptr;
            double v = 0;
            detail::check(ds_config_get_key(c, i, &key));
            detail::check(ds_config_get(c, key, &v));
            out.set(key, v);
        }
        return out;
    }

private:
    detail::Handle<ds_config, ds_config_destroy> handle_;
};

// Read-only view of a data item, valid only during an updateMask callback
// (afterwards every access fails with DS_ERR_STATE).
class DataView {
public:
    int64_t rows() const { return shape_.rows; }
    int64_t cols() const { return shape_.cols; }
    size_t size() const { return shape_.size(); }
    float get(int64_t row, int64_t col) const { return data()[shape_.index(row, col)]; }
    // Copies the data (row-major) into out[0..size()).
    void copyTo(float *out, size_t count) const {
        const float *from = data();
        shape_.check_capacity(count, "the output buffer");
        std::memcpy(out, from, size() * sizeof(float));
    }

    // Binding use only.
    void reset(const float *data, int64_t rows, int64_t cols) {
        data_ = data;
        shape_ = {rows, cols};
    }
    const float *data() const {
        if (!data_) throw Error(DS_ERR_STATE, "a DataView is only valid during its updateMask call", "DataView");
        return data_;
    }

private:
    const float *data_ = nullptr;
    detail::Shape shape_;
};

// Writable view of a mask (1 = keep, 0 = zero), valid only during an
// updateMask callback (afterwards every access fails with DS_ERR_STATE).
class MaskView {
public:
    int64_t rows() const { return shape_.rows; }
    int64_t cols() const { return shape_.cols; }
    size_t size() const { return shape_.size(); }
    int get(int64_t row, int64_t col) const { return mask()[shape_.index(row, col)]; }
    void set(int64_t row, int64_t col, int value) {
        uint8_t *to = mask();
        const size_t at = shape_.index(row, col);
        detail::check_mask_value(value, at);
        to[at] = static_cast<uint8_t>(value);
    }
    void fill(int value) {
        uint8_t *to = mask();
        detail::check_mask_value(value, 0);
        std::memset(to, value, size());
    }
    void copyTo(uint8_t *out, size_t count) const {
        const uint8_t *from = mask();
        shape_.check_capacity(count, "the output buffer");
        std::memcpy(out, from, size());
    }
    // Replaces the mask with values[0..size()) (each 0 or 1).
    void copyFrom(const uint8_t *values, size_t count) {
        uint8_t *to = mask();
        shape_.check_capacity(count, "the input");
        for (size_t i = 0; i < size(); ++i) detail::check_mask_value(values[i], i);
        std::memcpy(to, values, size());
    }

    // Binding use only.
    void reset(uint8_t *mask, int64_t rows, int64_t cols) {
        mask_ = mask;
        shape_ = {rows, cols};
    }
    uint8_t *mask() const {
        if (!mask_) throw Error(DS_ERR_STATE, "a MaskView is only valid during its updateMask call", "MaskView");
        return mask_;
    }

private:
    uint8_t *mask_ = nullptr;
    detail::Shape shape_;
};

// The counts an Allreduce sums, valid only during its sum() call (afterwards
// every access fails with DS_ERR_STATE).
class AllreduceCounts {
public:
    size_t size() const { return count_; }
    int64_t get(size_t index) const { return static_cast<int64_t>(data()[at(index)]); }
    // The uint64 counts as int64 bits: a language without unsigned 64-bit
    // integers sums them with its wrapping +, which gives the uint64 sum's
    // bits (not every element is a count: one is a fingerprint, any value).
    void set(size_t index, int64_t value) { data()[at(index)] = static_cast<uint64_t>(value); }

    // Binding use only.
    uint64_t *raw() const { return data(); }
    void reset(uint64_t *counts, size_t count) {
        counts_ = counts;
        count_ = count;
    }

private:
    uint64_t *data() const {
        if (!counts_) detail::fail(DS_ERR_STATE, "AllreduceCounts is only valid during the sum() that received it");
        return counts_;
    }
    size_t at(size_t index) const {
        if (index >= count_)
            detail::fail(DS_ERR_INVALID_ARGUMENT,
                         "index " + std::to_string(index) + " out of range for " + std::to_string(count_) + " counts");
        return index;
    }
    uint64_t *counts_ = nullptr;
    size_t count_ = 0;
};

// Sums counts element-wise over every participant, in place (as
// MPI_Allreduce with MPI_SUM): subclass and override sum(counts). Throwing
// fails the step on every participant (ds_allreduce_fn's rules).
class Allreduce {
public:
    virtual ~Allreduce() {}
    virtual void sum(AllreduceCounts &counts) = 0;

    // Binding use only.
    static int trampoline(void *self, uint64_t *counts, size_t count) {
        auto *me = static_cast<Allreduce *>(self);
        me->counts_.reset(counts, count);
        const int rc = detail::call_user("unknown exception in sum", [&] { me->sum(me->counts_); });
        me->counts_.reset(nullptr, 0);
        return rc;
    }

private:
    AllreduceCounts counts_;
};

// What the sparsifiers share. Not constructed directly.
class Sparsifier {
public:
#ifndef SWIG  // SWIG sees datasparse.i's %extend destructor (release())
    virtual ~Sparsifier() = default;
#endif

    // Registers data borrowed zero-copy: the memory must stay valid (and,
    // in managed languages, pinned) while registered.
    void addDataBorrowed(const std::string &name, float *data, size_t count, int64_t rows, int64_t cols,
                         const Config *config = nullptr, bool reuseMask = false) {
        Call call(this);  // the replacement warning runs the log handler
        detail::check_count(count, rows, cols, "data");
        detail::check(ds_sparsifier_add_data(h(), name.c_str(), data, rows, cols, config ? config->handle() : nullptr,
                                             detail::flag(reuseMask)));
        owned_.erase(name);
    }
    // Registers a copy of data[0..rows*cols) that this object owns.
    void addDataCopy(const std::string &name, const float *data, size_t count, int64_t rows, int64_t cols,
                     const Config *config = nullptr, bool reuseMask = false) {
        Call call(this);
        detail::check_count(count, rows, cols, "data");
        ds_sparsifier *s = h();
        const ds_config *c = config ? config->handle() : nullptr;
        auto copy = std::make_shared<std::vector<float>>(data, data + static_cast<size_t>(rows * cols));
        detail::check(ds_sparsifier_add_data(s, name.c_str(), copy->data(), rows, cols, c, detail::flag(reuseMask)));
        owned_[name] = std::move(copy);
    }

    // Tensors of any dtype, N-D shape and row stride (ds_tensor_desc). data
    // holds count elements of elementSize bytes (1: raw bytes, any dtype;
    // else the dtype's size), from the tensor's element (0, ..., 0); it must
    // span the whole tensor: (rows - 1) * rowStride + cols elements of the
    // matrix rows x cols the tensor is sparsified as (rowStride 0:
    // contiguous). Registered borrowed zero-copy: the memory must stay valid
    // (and pinned) while registered, aligned to the dtype's size.
    void addTensorBorrowed(const std::string &name, void *data, size_t count, size_t elementSize, ds_dtype dtype,
                           const std::vector<int64_t> &shape, int64_t rowStride, const Config *config = nullptr,
                           bool reuseMask = false) {
        addBorrowed(name, data, count, elementSize, dtype, shape, rowStride, nullptr, config, reuseMask);
    }
    // Registers a contiguous copy of such a tensor that this object owns (the
    // copy has no row stride: getRowStride gives 0).
    void addTensorCopy(const std::string &name, const void *data, size_t count, size_t elementSize, ds_dtype dtype,
                       const std::vector<int64_t> &shape, int64_t rowStride, const Config *config = nullptr,
                       bool reuseMask = false) {
        addCopy(name, data, count, elementSize, dtype, shape, rowStride, nullptr, config, reuseMask);
    }
    // Shards (ds_sparsifier_add_shard): rows [firstRow, firstRow + rows) of
    // a tensor of globalRows rows whose other rows other participants hold.
    // As addTensorBorrowed/addTensorCopy; shape has at least 2 sizes and
    // shape[0] may be 0 (a participant holding none of the rows).
    void addShardBorrowed(const std::string &name, void *data, size_t count, size_t elementSize, ds_dtype dtype,
                          const std::vector<int64_t> &shape, int64_t rowStride, int64_t globalRows, int64_t firstRow,
                          const Config *config = nullptr, bool reuseMask = false) {
        const int64_t rows[2] = {globalRows, firstRow};
        addBorrowed(name, data, count, elementSize, dtype, shape, rowStride, rows, config, reuseMask);
    }
    void addShardCopy(const std::string &name, const void *data, size_t count, size_t elementSize, ds_dtype dtype,
                      const std::vector<int64_t> &shape, int64_t rowStride, int64_t globalRows, int64_t firstRow,
                      const Config *config = nullptr, bool reuseMask = false) {
        const int64_t rows[2] = {globalRows, firstRow};
        addCopy(name, data, count, elementSize, dtype, shape, rowStride, rows, config, reuseMask);
    }
    // The item's global row count and first row (0 and 0: not a shard).
    int64_t getShardGlobalRows(const std::string &name) const { return shard(name).first; }
    int64_t getShardFirstRow(const std::string &name) const { return shard(name).second; }
    // Groups: one selection over several items (ds_sparsifier_set_group).
    void setGroup(const std::string &group, const std::vector<std::string> &names) {
        static const char *const no_names[1] = {nullptr};
        std::vector<const char *> list;
        for (const auto &n : names) list.push_back(n.c_str());
        detail::check(ds_sparsifier_set_group(h(), group.c_str(), list.empty() ? no_names : list.data(), list.size()));
    }
    void removeGroup(const std::string &group) { detail::check(ds_sparsifier_remove_group(h(), group.c_str())); }
    size_t groupCount() const {
        h();  // a closed sparsifier fails
        return ds_sparsifier_group_count(h());
    }
    std::vector<std::string> groupNames() const {
        std::vector<std::string> out;
        for (size_t i = 0, n = groupCount(); i < n; ++i) {
            const char *name = nullptr;
            size_t count = 0;
            detail::check(ds_sparsifier_get_group(h(), i, &name, &count));
            out.push_back(name);
        }
        return out;
    }
    std::vector<std::string> groupMembers(const std::string &group) const {
        std::vector<std::string> out;
        for (size_t i = 0, n = groupCount(); i < n; ++i) {
            const char *name = nullptr;
            size_t count = 0;
            detail::check(ds_sparsifier_get_group(h(), i, &name, &count));
            if (group != name) continue;
            for (size_t m = 0; m < count; ++m) {
                const char *member = nullptr;
                detail::check(ds_sparsifier_get_group_member(h(), group.c_str(), m, &member));
                out.push_back(member);
            }
            return out;
        }
        detail::fail(DS_ERR_NOT_FOUND, "no group named '" + group + "'");
        return out;
    }
    // Joins this sparsifier's steps with other participants through
    // allreduce (nullptr: this process alone again). The object must stay
    // alive while set (the languages keep it).
    void setAllreduce(Allreduce *allreduce) {
        detail::check(ds_sparsifier_set_allreduce(h(), allreduce ? &Allreduce::trampoline : nullptr, allreduce));
    }
    // What the last step exchanged: allreduce calls and bytes.
    int64_t lastExchanges() const { return exchange().first; }
    int64_t lastExchangeBytes() const { return exchange().second; }
    // The item's tensor as registered (an item added as a float matrix is a
    // 2-D float32 tensor; a copy has row stride 0).
    ds_dtype getDtype(const std::string &name) const { return desc(name).dtype; }
    std::vector<int64_t> getShape(const std::string &name) const {
        const ds_tensor_desc d = desc(name);
        return std::vector<int64_t>(d.shape, d.shape + d.ndim);
    }
    int64_t getRowStride(const std::string &name) const { return desc(name).row_stride; }
    // Copies the item's data in its own dtype, contiguous, into out: count
    // elements of elementSize bytes (1: raw bytes; else the dtype's size).
    // original and squash rules as getData.
    void getTensorData(const std::string &name, bool original, void *out, size_t count, size_t elementSize) const {
        const ds_tensor_desc d = desc(name);
        const size_t es = ds_dtype_size(d.dtype);
        if (elementSize != 1 && elementSize != es)
            detail::fail(DS_ERR_INVALID_ARGUMENT, "out has " + std::to_string(elementSize) + "-byte elements, the item's " +
                                                      ds_dtype_name(d.dtype) + " data has " + std::to_string(es) +
                                                      "-byte ones");
        const size_t bytes = count > SIZE_MAX / elementSize ? SIZE_MAX : count * elementSize;
        double none[1];
        detail::check(ds_sparsifier_get_data_ex(h(), name.c_str(), detail::flag(original), out ? out : none, bytes));
    }
    void removeData(const std::string &name) {
        detail::check(ds_sparsifier_remove_data(h(), name.c_str()));
        owned_.erase(name);
    }
    void step() {
        Call call(this);  // updateMask and the log handler run inside
        detail::check(ds_sparsifier_step(h()));
    }
    // An empty shard's mask and data have no elements, and a language's empty
    // array may have no address: the C API wants a non-NULL out all the same.
    void getMask(const std::string &name, uint8_t *out, size_t count) const {
        uint8_t none[1];
        detail::check(ds_sparsifier_get_mask(h(), name.c_str(), out ? out : none, count));
    }
    void getData(const std::string &name, bool original, float *out, size_t count) const {
        float none[1];
        detail::check(ds_sparsifier_get_data(h(), name.c_str(), detail::flag(original), out ? out : none, count));
    }
    // Squashes the named items; an empty list squashes none (squashAll: every item).
    void squashMask(const std::vector<std::string> &names, bool leaveParametrized) {
        // The C API reads names == NULL as "every item"; an empty list names
        // none, so it is passed as a non-NULL array of length 0.
        static const char *const no_names[1] = {nullptr};
        std::vector<const char *> list;
        for (const auto &n : names) list.push_back(n.c_str());
        detail::check(ds_sparsifier_squash_mask(h(), list.empty() ? no_names : list.data(), list.size(),
                                                detail::flag(leaveParametrized)));
    }
    void squashAll(bool leaveParametrized) {
        detail::check(ds_sparsifier_squash_mask(h(), nullptr, 0, detail::flag(leaveParametrized)));
    }
    double getParam(const std::string &name, const std::string &key) const {
        double v = 0;
        detail::check(ds_sparsifier_get_param(h(), name.c_str(), key.c_str(), &v));
        return v;
    }
    void setParam(const std::string &name, const std::string &key, double value) {
        detail::check(ds_sparsifier_set_param(h(), name.c_str(), key.c_str(), value));
    }
    Config getConfig(const std::string &name) const {
        Config c;
        detail::check(ds_sparsifier_get_config(h(), name.c_str(), c.handle()));
        return c;
    }
    void setMaskUpdate(bool enabled) { detail::check(ds_sparsifier_set_mask_update(h(), detail::flag(enabled))); }
    bool getMaskUpdate() const { return ds_sparsifier_mask_update(h()) != 0; }
    size_t size() const { return ds_sparsifier_count(h()); }
    std::string nameAt(size_t index) const {
        const char *n = nullptr;
        detail::check(ds_sparsifier_get_name(h(), index, &n));
        return n;
    }
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (size_t i = 0, n = size(); i < n; ++i) out.push_back(nameAt(i));
        return out;
    }
    bool contains(const std::string &name) const { return ds_sparsifier_contains(h(), name.c_str()) != 0; }
    int64_t rows(const std::string &name) const { return shape(name).first; }
    int64_t cols(const std::string &name) const { return shape(name).second; }
    double getSparsity(const std::string &name) const {
        double v = 0;
        detail::check(ds_sparsifier_get_sparsity(h(), name.c_str(), &v));
        return v;
    }
    bool isSquashed(const std::string &name) const {
        int v = 0;
        detail::check(ds_sparsifier_get_squashed(h(), name.c_str(), &v));
        return v != 0;
    }
    int64_t stepCount() const { return ds_sparsifier_step_count(h()); }
    void save(const std::string &path, bool withData) const {
        detail::check(ds_sparsifier_save_file(h(), path.c_str(), withData ? DS_SAVE_DATA : 0u));
    }
    void load(const std::string &path, bool strict) {
        detail::check(ds_sparsifier_load(h(), path.c_str(), detail::flag(strict)));
    }
    std::vector<uint8_t> saveToBytes(bool withData) const {
        size_t size = 0;
        const unsigned flags = withData ? DS_SAVE_DATA : 0u;
        detail::check(ds_sparsifier_save_buffer(h(), flags, nullptr, 0, &size));
        std::vector<uint8_t> bytes(size);
        detail::check(ds_sparsifier_save_buffer(h(), flags, bytes.data(), bytes.size(), &size));
        return bytes;
    }
    void loadFromBytes(const std::vector<uint8_t> &bytes, bool strict) {
        detail::check(ds_sparsifier_load_buffer(h(), bytes.data(), bytes.size(), detail::flag(strict)));
    }
    // Releases the native sparsifier now (or, from inside one of this
    // object's own calls, when that call returns); later calls fail with
    // DS_ERR_STATE. Closing twice does nothing.
    void close() {
        handle_.close();
        if (reentry.calls == 0) owned_.clear();
    }
    bool isClosed() const { return handle_.closed(); }
    // Whether one of this object's calls is in progress (the languages keep
    // what native code borrows until it ends).
    bool inCall() const { return reentry.calls > 0; }

    // Binding use only.
    ds_sparsifier *h() const { return handle_.get(); }
    detail::Reentry reentry;
    void lastCallReturned() {
        if (isClosed()) owned_.clear();
    }

protected:
    explicit Sparsifier(const char *type) : handle_(type) {}
    using Call = detail::Call<Sparsifier>;
    detail::Handle<ds_sparsifier, ds_sparsifier_destroy> handle_;

private:
    void addBorrowed(const std::string &name, void *data, size_t count, size_t elementSize, ds_dtype dtype,
                     const std::vector<int64_t> &shape, int64_t rowStride, const int64_t *shard,
                     const Config *config, bool reuseMask) {
        Call call(this);  // the replacement warning runs the log handler
        ds_sparsifier *s = h();
        const ds_tensor_desc desc = detail::tensor_desc(dtype, shape, rowStride, shard != nullptr);
        detail::check_tensor_data(count, elementSize, desc);
        detail::check_tensor_alignment(data, desc);
        const ds_config *c = config ? config->handle() : nullptr;
        if (shard)
            detail::check(ds_sparsifier_add_shard(s, name.c_str(), data, &desc, shard[0], shard[1], c,
                                                  detail::flag(reuseMask)));
        else
            detail::check(ds_sparsifier_add_data_ex(s, name.c_str(), data, &desc, c, detail::flag(reuseMask)));
        owned_.erase(name);
    }
    void addCopy(const std::string &name, const void *data, size_t count, size_t elementSize, ds_dtype dtype,
                 const std::vector<int64_t> &shape, int64_t rowStride, const int64_t *shard, const Config *config,
                 bool reuseMask) {
        Call call(this);
        ds_sparsifier *s = h();
        ds_tensor_desc desc = detail::tensor_desc(dtype, shape, rowStride, shard != nullptr);
        detail::check_tensor_data(count, elementSize, desc);
        const ds_config *c = config ? config->handle() : nullptr;
        const size_t es = ds_dtype_size(desc.dtype);
        const size_t cols = static_cast<size_t>(desc.shape[desc.ndim - 1]);
        size_t rows = 1;  // no overflow: check_tensor_data checked the span
        for (int i = 0; i + 1 < desc.ndim; ++i) rows *= static_cast<size_t>(desc.shape[i]);
        const size_t row_bytes = cols * es;
        const size_t stride_bytes = (desc.row_stride ? static_cast<size_t>(desc.row_stride) : cols) * es;
        // doubles: aligned for every dtype (at least one, so that data is never NULL)
        auto copy = std::make_shared<std::vector<double>>(
            std::max<size_t>(1, (rows * row_bytes + sizeof(double) - 1) / sizeof(double)));
        auto *to = reinterpret_cast<unsigned char *>(copy->data());
        const auto *from = static_cast<const unsigned char *>(data);
        for (size_t r = 0; r < rows; ++r) std::memcpy(to + r * row_bytes, from + r * stride_bytes, row_bytes);
        desc.row_stride = 0;
        if (shard)
            detail::check(ds_sparsifier_add_shard(s, name.c_str(), copy->data(), &desc, shard[0], shard[1], c,
                                                  detail::flag(reuseMask)));
        else
            detail::check(ds_sparsifier_add_data_ex(s, name.c_str(), copy->data(), &desc, c, detail::flag(reuseMask)));
        owned_[name] = std::move(copy);
    }
    std::pair<int64_t, int64_t> shard(const std::string &name) const {
        int64_t g = 0, f = 0;
        detail::check(ds_sparsifier_get_shard(h(), name.c_str(), &g, &f));
        return {g, f};
    }
    std::pair<int64_t, int64_t> exchange() const {
        int64_t e = 0, b = 0;
        detail::check(ds_sparsifier_last_exchange(h(), &e, &b));
        return {e, b};
    }
    std::pair<int64_t, int64_t> shape(const std::string &name) const {
        int64_t r = 0, c = 0;
        detail::check(ds_sparsifier_get_shape(h(), name.c_str(), &r, &c));
        return {r, c};
    }
    ds_tensor_desc desc(const std::string &name) const {
        ds_tensor_desc d = DS_TENSOR_DESC_INIT;
        detail::check(ds_sparsifier_get_desc(h(), name.c_str(), &d));
        return d;
    }
    std::map<std::string, std::shared_ptr<void>> owned_;  // copied-in data (a vector of the copy's type)
};

// PyTorch's DataNormSparsifier.
class DataNormSparsifier : public Sparsifier {
public:
    DataNormSparsifier(ds_norm norm, const Config *defaults) : Sparsifier("DataNormSparsifier") {
        ds_sparsifier *raw = nullptr;
        detail::check(ds_norm_sparsifier_create(norm, defaults ? defaults->handle() : nullptr, &raw));
        handle_.adopt(raw);
    }
};

// A sparsifier whose masks the user computes: subclass it and override
// updateMask (called once per item by step(), with the item's data, merged
// config and current mask to modify). Throwing fails the step; no mask changes.
class DataSparsifier : public Sparsifier {
public:
    explicit DataSparsifier(const Config *defaults) : Sparsifier("DataSparsifier") {
        ds_sparsifier *raw = nullptr;
        detail::check(ds_custom_sparsifier_create(&DataSparsifier::trampoline, this,
                                                  defaults ? defaults->handle() : nullptr, &raw));
        handle_.adopt(raw);
    }
    virtual void updateMask(const std::string &name, const DataView &data, const Config &config, MaskView &mask) = 0;

private:
    static int trampoline(void *self, const char *name, const float *data, int64_t rows, int64_t cols,
                          const ds_config *config, uint8_t *mask) {
        auto *me = static_cast<DataSparsifier *>(self);
        // The views outlive the call (a binding may keep a proxy to them); they
        // are emptied afterwards so a late access fails cleanly.
        me->data_view_.reset(data, rows, cols);
        me->mask_view_.reset(mask, rows, cols);
        const int rc = detail::call_user("unknown exception in updateMask", [&] {
            me->updateMask(name, me->data_view_, Config::copyOf(config), me->mask_view_);
        });
        me->data_view_.reset(nullptr, 0, 0);
        me->mask_view_.reset(nullptr, 0, 0);
        return rc;
    }
    DataView data_view_;
    MaskView mask_view_;
};

// A schedule: subclass and override compute(name, epoch, baseValue, current).
class Schedule {
public:
    virtual ~Schedule() {}
    virtual double compute(const std::string &name, int64_t epoch, double baseValue, double current) = 0;

    // Binding use only.
    static int trampoline(void *self, const char *name, int64_t epoch, double baseValue, double current,
                          double *out) {
        return detail::call_user("unknown exception in compute", [&] {
            *out = static_cast<Schedule *>(self)->compute(name, epoch, baseValue, current);
        });
    }
};

// f(epoch) for BuiltinSchedule::lambda: subclass and override factor(epoch).
class LambdaFactor {
public:
    virtual ~LambdaFactor() {}
    virtual double factor(int64_t epoch) = 0;

    // Binding use only.
    static int trampoline(void *self, int64_t epoch, double *out) {
        return detail::call_user("unknown exception in factor", [&] {
            *out = static_cast<LambdaFactor *>(self)->factor(epoch);
        });
    }
};

// The built-in schedules (formulas in datasparse.h), made by the static
// factories (the caller owns the result). A scheduler copies what it uses.
class BuiltinSchedule {
public:
    static BuiltinSchedule *gamma(double gamma, double threshold) {
        ds_schedule *raw = nullptr;
        detail::check(ds_schedule_create_gamma(gamma, threshold, &raw));
        return adopt(raw);
    }
    static BuiltinSchedule *step(int64_t stepSize, double gamma) {
        ds_schedule *raw = nullptr;
        detail::check(ds_schedule_create_step(stepSize, gamma, &raw));
        return adopt(raw);
    }
    // The factor object must stay alive while a scheduler uses this schedule.
    static BuiltinSchedule *lambda(LambdaFactor &factor) {
        ds_schedule *raw = nullptr;
        detail::check(ds_schedule_create_lambda(&LambdaFactor::trampoline, &factor, &raw));
        return adopt(raw);
    }
    static BuiltinSchedule *cubic(double initValue, int64_t initT, int64_t deltaT, int64_t totalT,
                                  bool initiallyZero) {
        ds_schedule *raw = nullptr;
        ds_cubic_options options = DS_CUBIC_OPTIONS_INIT;
        options.init_value = initValue;
        options.init_t = initT;
        options.delta_t = deltaT;
        options.total_t = totalT;
        options.initially_zero = detail::flag(initiallyZero);
        detail::check(ds_schedule_create_cubic(&options, &raw));
        return adopt(raw);
    }
    static BuiltinSchedule *polynomialDecay(double initial, double finalValue, int64_t beginStep, int64_t endStep,
                                            double power, int64_t frequency) {
        ds_schedule *raw = nullptr;
        ds_polynomial_decay_options options = DS_POLYNOMIAL_DECAY_OPTIONS_INIT;
        options.initial = initial;
        options.final = finalValue;
        options.begin_step = beginStep;
        options.end_step = endStep;
        options.power = power;
        options.frequency = frequency;
        detail::check(ds_schedule_create_polynomial_decay(&options, &raw));
        return adopt(raw);
    }
    static BuiltinSchedule *constant(double value, int64_t beginStep, int64_t endStep, int64_t frequency) {
        ds_schedule *raw = nullptr;
        detail::check(ds_schedule_create_constant(value, beginStep, endStep, frequency, &raw));
        return adopt(raw);
    }
    std::string kind() const { return ds_schedule_kind(handle()); }
    void close() { handle_.close(); }
    bool isClosed() const { return handle_.closed(); }

    // Binding use only.
    const ds_schedule *handle() const { return handle_.get(); }

private:
    BuiltinSchedule() : handle_("BuiltinSchedule") {}
    static BuiltinSchedule *adopt(ds_schedule *raw) {
        std::unique_ptr<BuiltinSchedule> s(new BuiltinSchedule());
        s->handle_.adopt(raw);
        return s.release();
    }
    detail::Handle<ds_schedule, ds_schedule_destroy> handle_;
};

// The data scheduler over one config key of a sparsifier's items.
class DataScheduler {
public:
    // With a schedule written in the target language (kept alive by the binding).
    DataScheduler(Sparsifier &sparsifier, const std::string &scheduleParam, Schedule &schedule, int64_t lastEpoch)
        : handle_("DataScheduler") {
        ds_scheduler *raw = nullptr;
        detail::check(ds_scheduler_create(sparsifier.h(), scheduleParam.c_str(), &Schedule::trampoline, &schedule,
                                          lastEpoch, &raw));
        handle_.adopt(raw);
    }
    // With a built-in schedule (copied: it may be closed afterwards).
    DataScheduler(Sparsifier &sparsifier, const std::string &scheduleParam, const BuiltinSchedule &schedule,
                  int64_t lastEpoch)
        : handle_("DataScheduler") {
        ds_scheduler *raw = nullptr;
        detail::check(ds_scheduler_create_builtin(sparsifier.h(), scheduleParam.c_str(), schedule.handle(), lastEpoch,
                                                  &raw));
        handle_.adopt(raw);
    }
    DataScheduler(const DataScheduler &) = delete;
    DataScheduler &operator=(const DataScheduler &) = delete;

    void step() {
        Call call(this);  // compute and the log handler run inside
        detail::check(ds_scheduler_step(h()));
    }
    double getLastParam(const std::string &name) const {
        double v = 0;
        detail::check(ds_scheduler_get_last_param(h(), name.c_str(), &v));
        return v;
    }
    double getBaseParam(const std::string &name) const {
        double v = 0;
        detail::check(ds_scheduler_get_base_param(h(), name.c_str(), &v));
        return v;
    }
    int64_t lastEpoch() const { return ds_scheduler_last_epoch(h()); }
    int64_t stepCount() const { return ds_scheduler_step_count(h()); }
    std::string scheduleParam() const { return ds_scheduler_schedule_param(h()); }
    // The items the scheduler tracks, in the sparsifier's order.
    size_t size() const { return ds_scheduler_count(h()); }
    std::string nameAt(size_t index) const {
        const char *name = nullptr;
        detail::check(ds_scheduler_get_name(h(), index, &name));
        return name;
    }
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (size_t i = 0, n = size(); i < n; ++i) out.push_back(nameAt(i));
        return out;
    }
    void setVerbose(bool verbose) {
        detail::check(ds_scheduler_set_verbose(h(), detail::flag(verbose)));
        verbose_ = verbose;
    }
    bool getVerbose() const {
        h();
        return verbose_;
    }
    void save(const std::string &path) const { detail::check(ds_scheduler_save(h(), path.c_str())); }
    void load(const std::string &path) { detail::check(ds_scheduler_load(h(), path.c_str())); }
    std::vector<uint8_t> saveToBytes() const {
        size_t size = 0;
        detail::check(ds_scheduler_save_buffer(h(), nullptr, 0, &size));
        std::vector<uint8_t> bytes(size);
        detail::check(ds_scheduler_save_buffer(h(), bytes.data(), bytes.size(), &size));
        return bytes;
    }
    void loadFromBytes(const std::vector<uint8_t> &bytes) {
        detail::check(ds_scheduler_load_buffer(h(), bytes.data(), bytes.size()));
    }
    // Releases the native scheduler (not its sparsifier); see Sparsifier::close.
    void close() { handle_.close(); }
    bool isClosed() const { return handle_.closed(); }
    bool inCall() const { return reentry.calls > 0; }

    // Binding use only.
    detail::Reentry reentry;
    void lastCallReturned() {}

private:
    using Call = detail::Call<DataScheduler>;
    ds_scheduler *h() const { return handle_.get(); }
    detail::Handle<ds_scheduler, ds_scheduler_destroy> handle_;
    bool verbose_ = false;
};

// Receives the library's log messages: subclass it, override log(level,
// message), and install an instance (ds_set_log_handler). Called on the
// thread that caused the message; whatever it throws is dropped.
class LogHandler {
public:
    virtual ~LogHandler() {}
    virtual void log(ds_log_level level, const std::string &message) = 0;
    // Installs handler, or the library's default (warnings to stderr) for
    // nullptr. When it returns, the previous handler is no longer called.
    // The handler must stay alive while installed (each language keeps it).
    static void install(LogHandler *handler) {
        ds_set_log_handler(handler ? &LogHandler::trampoline : nullptr, handler);
    }

    // Binding use only.
    static void trampoline(void *self, int level, const char *message) {
        try {
            static_cast<LogHandler *>(self)->log(static_cast<ds_log_level>(level), message ? message : "");
        } catch (...) {
            // never into the library's frames
        }
    }
};

}  // namespace datasparse
