// A thin C++ layer over the public C API, shaped for SWIG: handles become
// classes, statuses become exceptions, callbacks become virtual methods
// (SWIG directors). It uses only <datasparse/datasparse.h>.
//
// Lifetimes: a DataScheduler borrows its sparsifier and its schedule; the
// language bindings keep both alive while the scheduler is (see the
// per-language .i files). Views handed to callbacks are valid only during
// the callback.
#pragma once

#include <cmath>
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

// A failed call: the status and ds_last_error()'s message.
class Error : public std::runtime_error {
public:
    Error(int status, const std::string &message) : std::runtime_error(message), status_(status) {}
    int status() const { return status_; }
    std::string statusName() const { return ds_status_string(static_cast<ds_status>(status_)); }

private:
    int status_;
};

namespace detail {
inline void check(ds_status status) {
    if (status != DS_OK) throw Error(status, std::string(ds_status_string(status)) + ": " + ds_last_error());
}
inline void check_count(size_t have, int64_t rows, int64_t cols, const char *what) {
    if (rows > 0 && cols > 0 && static_cast<uint64_t>(have) < static_cast<uint64_t>(rows) * static_cast<uint64_t>(cols))
        throw Error(DS_ERR_INVALID_ARGUMENT, "DS_ERR_INVALID_ARGUMENT: " + std::string(what) + " has " +
                                                 std::to_string(have) + " elements, fewer than rows*cols = " +
                                                 std::to_string(rows) + "*" + std::to_string(cols));
}
}  // namespace detail

inline std::string version() { return ds_version_string(); }

// key -> double map (ds_config).
class Config {
public:
    Config() { detail::check(ds_config_create(&handle_)); }
    Config(const Config &other) { detail::check(ds_config_clone(other.handle_, &handle_)); }
    Config &operator=(const Config &other) {
        if (this != &other) {
            ds_config *copy = nullptr;
            detail::check(ds_config_clone(other.handle_, &copy));
            ds_config_destroy(handle_);
            handle_ = copy;
        }
        return *this;
    }
    ~Config() { ds_config_destroy(handle_); }

    void set(const std::string &key, double value) { detail::check(ds_config_set(handle_, key.c_str(), value)); }
    double get(const std::string &key) const {
        double v = 0;
        detail::check(ds_config_get(handle_, key.c_str(), &v));
        return v;
    }
    bool contains(const std::string &key) const {
        double v;
        return ds_config_get(handle_, key.c_str(), &v) == DS_OK;
    }
    void remove(const std::string &key) { detail::check(ds_config_remove(handle_, key.c_str())); }
    size_t size() const { return ds_config_count(handle_); }
    std::string keyAt(size_t index) const {
        const char *key = nullptr;
        detail::check(ds_config_get_key(handle_, index, &key));
        return key;
    }
    std::vector<std::string> keys() const {
        std::vector<std::string> out;
        for (size_t i = 0, n = size(); i < n; ++i) out.push_back(keyAt(i));
        return out;
    }

#ifndef SWIG
    ds_config *handle() const { return handle_; }
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
#endif

private:
    ds_config *handle_ = nullptr;
};

namespace detail {
// The shape behind a view, and bounds-checked indexing into it.
struct Shape {
    int64_t rows = 0, cols = 0;
    size_t size() const { return static_cast<size_t>(rows * cols); }
    size_t index(int64_t row, int64_t col) const {
        if (row < 0 || row >= rows || col < 0 || col >= cols)
            throw Error(DS_ERR_INVALID_ARGUMENT, "DS_ERR_INVALID_ARGUMENT: (" + std::to_string(row) + ", " +
                                                     std::to_string(col) + ") is outside " + std::to_string(rows) +
                                                     "x" + std::to_string(cols));
        return static_cast<size_t>(row * cols + col);
    }
    void check_capacity(size_t count, const char *what) const {
        if (count < size())
            throw Error(DS_ERR_INVALID_ARGUMENT, "DS_ERR_INVALID_ARGUMENT: " + std::string(what) + " holds " +
                                                     std::to_string(count) + " values, the view has " +
                                                     std::to_string(size()));
    }
};
#ifndef SWIG
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
#endif

inline void check_mask_value(int value, size_t at) {
    if (value != 0 && value != 1)
        throw Error(DS_ERR_INVALID_ARGUMENT, "DS_ERR_INVALID_ARGUMENT: mask values are 0 or 1, got " +
                                                 std::to_string(value) + " at " + std::to_string(at));
}
}  // namespace detail

namespace detail {
// The calls of a wrapper object in progress. A language's close/delete/
// Dispose from inside a callback of one of them (an updateMask or compute
// that closes its own sparsifier or scheduler) must not free what that call
// still uses: the native handle (the C ABI defers its destruction), the data
// this object copied, and the object itself. They are released when the
// outermost call returns; the call itself then fails with DS_ERR_STATE.
struct Lifeline {
    int calls = 0;
    bool delete_pending = false;
};
}  // namespace detail

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
        shape_.check_capacity(count, "the output buffer");
        std::memcpy(out, data(), size() * sizeof(float));
    }
#ifndef SWIG
    void reset(const float *data, int64_t rows, int64_t cols) {
        data_ = data;
        shape_ = {rows, cols};
    }
    const float *data() const {
        if (!data_) throw Error(DS_ERR_STATE, "DS_ERR_STATE: a DataView is only valid during its callback");
        return data_;
    }
#endif

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
        const size_t at = shape_.index(row, col);
        detail::check_mask_value(value, at);
        mask()[at] = static_cast<uint8_t>(value);
    }
    void fill(int value) {
        detail::check_mask_value(value, 0);
        std::memset(mask(), value, size());
    }
    void copyTo(uint8_t *out, size_t count) const {
        shape_.check_capacity(count, "the output buffer");
        std::memcpy(out, mask(), size());
    }
    // Replaces the mask with values[0..size()) (each 0 or 1).
    void copyFrom(const uint8_t *values, size_t count) {
        shape_.check_capacity(count, "the input");
        for (size_t i = 0; i < size(); ++i) detail::check_mask_value(values[i], i);
        std::memcpy(mask(), values, size());
    }
#ifndef SWIG
    void reset(uint8_t *mask, int64_t rows, int64_t cols) {
        mask_ = mask;
        shape_ = {rows, cols};
    }
    uint8_t *mask() const {
        if (!mask_) throw Error(DS_ERR_STATE, "DS_ERR_STATE: a MaskView is only valid during its callback");
        return mask_;
    }
#endif

private:
    uint8_t *mask_ = nullptr;
    detail::Shape shape_;
};

// What the sparsifiers share. Not constructed directly.
class Sparsifier {
public:
    virtual ~Sparsifier() {
        ds_sparsifier_destroy(handle_);
        handle_ = nullptr;
    }

    // Registers data borrowed zero-copy: the memory must stay valid (and,
    // in managed languages, pinned) while registered.
    void addDataBorrowed(const std::string &name, float *data, size_t count, int64_t rows, int64_t cols,
                         const Config *config = nullptr, bool reuseMask = false) {
        Call call(this);  // the replacement warning runs the log handler
        detail::check_count(count, rows, cols, "data");
        detail::check(ds_sparsifier_add_data(h(), name.c_str(), data, rows, cols, config ? config->handle() : nullptr,
                                             reuseMask ? 1 : 0));
        owned_.erase(name);
    }
    // Registers a copy of data[0..rows*cols) that this object owns.
    void addDataCopy(const std::string &name, const float *data, size_t count, int64_t rows, int64_t cols,
                     const Config *config = nullptr, bool reuseMask = false) {
        Call call(this);
        detail::check_count(count, rows, cols, "data");
        auto copy = std::make_unique<std::vector<float>>(data, data + static_cast<size_t>(rows * cols));
        detail::check(ds_sparsifier_add_data(h(), name.c_str(), copy->data(), rows, cols,
                                             config ? config->handle() : nullptr, reuseMask ? 1 : 0));
        owned_[name] = std::move(copy);
    }
    void removeData(const std::string &name) {
        detail::check(ds_sparsifier_remove_data(h(), name.c_str()));
        owned_.erase(name);
    }
    void step() {
        Call call(this);  // updateMask and the log handler run inside
        detail::check(ds_sparsifier_step(h()));
    }
    void getMask(const std::string &name, uint8_t *out, size_t count) const {
        detail::check(ds_sparsifier_get_mask(h(), name.c_str(), out, count));
    }
    void getData(const std::string &name, bool original, float *out, size_t count) const {
        detail::check(ds_sparsifier_get_data(h(), name.c_str(), original ? 1 : 0, out, count));
    }
    void squashMask(const std::vector<std::string> &names, bool leaveParametrized = true) {
        // The C API reads names == NULL as "every item"; an empty list names
        // none, so it is passed as a non-NULL array of length 0.
        static const char *const no_names[1] = {nullptr};
        std::vector<const char *> list;
        for (const auto &n : names) list.push_back(n.c_str());
        detail::check(ds_sparsifier_squash_mask(h(), list.empty() ? no_names : list.data(), list.size(),
                                                leaveParametrized ? 1 : 0));
    }
    void squashAll(bool leaveParametrized = true) {
        detail::check(ds_sparsifier_squash_mask(h(), nullptr, 0, leaveParametrized ? 1 : 0));
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
    void setMaskUpdate(bool enabled) { detail::check(ds_sparsifier_set_mask_update(h(), enabled ? 1 : 0)); }
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
    void save(const std::string &path, bool withData = false) const {
        detail::check(ds_sparsifier_save_file(h(), path.c_str(), withData ? DS_SAVE_DATA : 0u));
    }
    void load(const std::string &path, bool strict = true) {
        detail::check(ds_sparsifier_load(h(), path.c_str(), strict ? 1 : 0));
    }
    std::vector<uint8_t> saveToBytes(bool withData = false) const {
        size_t size = 0;
        const unsigned flags = withData ? DS_SAVE_DATA : 0u;
        detail::check(ds_sparsifier_save_buffer(h(), flags, nullptr, 0, &size));
        std::vector<uint8_t> bytes(size);
        detail::check(ds_sparsifier_save_buffer(h(), flags, bytes.data(), bytes.size(), &size));
        return bytes;
    }
    void loadFromBytes(const std::vector<uint8_t> &bytes, bool strict = true) {
        detail::check(ds_sparsifier_load_buffer(h(), bytes.data(), bytes.size(), strict ? 1 : 0));
    }
    // Releases the native sparsifier now (or, from inside one of this
    // object's own calls, when that call returns); later calls fail with
    // DS_ERR_STATE.
    void close() {
        ds_sparsifier_destroy(handle_);
        handle_ = nullptr;
        if (line_.calls == 0) owned_.clear();
    }
    bool isClosed() const { return handle_ == nullptr; }
    // Whether one of this object's calls is in progress (the languages keep
    // what native code borrows until it ends).
    bool inCall() const { return line_.calls > 0; }
    // What a language's delete/Dispose does: deletes now, or closes now and
    // deletes when the outermost call returns.
    static void release(Sparsifier *s) {
        if (!s) return;
        if (s->line_.calls == 0) {
            delete s;
            return;
        }
        s->close();
        s->line_.delete_pending = true;
    }

#ifndef SWIG
    ds_sparsifier *h() const {
        if (!handle_) throw Error(DS_ERR_STATE, "DS_ERR_STATE: the sparsifier was closed");
        return handle_;
    }
#endif

protected:
    Sparsifier() = default;
    ds_sparsifier *handle_ = nullptr;

#ifndef SWIG
    // Holds this object for a call that may run user code (see Lifeline).
    class Call {
    public:
        explicit Call(Sparsifier *s) : s_(s) { ++s_->line_.calls; }
        ~Call() {
            if (--s_->line_.calls > 0) return;
            if (s_->line_.delete_pending)
                delete s_;
            else if (s_->isClosed())
                s_->owned_.clear();
        }
        Call(const Call &) = delete;
        Call &operator=(const Call &) = delete;

    private:
        Sparsifier *s_;
    };
#endif

private:
    std::pair<int64_t, int64_t> shape(const std::string &name) const {
        int64_t r = 0, c = 0;
        detail::check(ds_sparsifier_get_shape(h(), name.c_str(), &r, &c));
        return {r, c};
    }
    std::map<std::string, std::unique_ptr<std::vector<float>>> owned_;  // copied-in data
    detail::Lifeline line_;
};

enum Norm { L1 = DS_NORM_L1, L2 = DS_NORM_L2 };

// PyTorch's DataNormSparsifier.
class DataNormSparsifier : public Sparsifier {
public:
    explicit DataNormSparsifier(Norm norm = L1, const Config *defaults = nullptr) {
        detail::check(ds_norm_sparsifier_create(static_cast<ds_norm>(norm), defaults ? defaults->handle() : nullptr,
                                                &handle_));
    }
};

// A sparsifier whose masks the user computes: subclass it and override
// updateMask (called once per item by step(), with the item's data, merged
// config and current mask to modify). Throwing fails the step; no mask changes.
class DataSparsifier : public Sparsifier {
public:
    explicit DataSparsifier(const Config *defaults = nullptr) {
        detail::check(ds_custom_sparsifier_create(&DataSparsifier::trampoline, this,
                                                  defaults ? defaults->handle() : nullptr, &handle_));
    }
    virtual ~DataSparsifier() {}
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

// A schedule: subclass and override compute(name, epoch, base, current).
class Schedule {
public:
    virtual ~Schedule() {}
    virtual double compute(const std::string &name, int64_t epoch, double base, double current) = 0;

#ifndef SWIG
    static int trampoline(void *self, const char *name, int64_t epoch, double base, double current, double *out) {
        return detail::call_user("unknown exception in compute", [&] {
            *out = static_cast<Schedule *>(self)->compute(name, epoch, base, current);
        });
    }
#endif
};

// f(epoch) for BuiltinSchedule::lambda: subclass and override factor(epoch).
class LambdaFactor {
public:
    virtual ~LambdaFactor() {}
    virtual double factor(int64_t epoch) = 0;

#ifndef SWIG
    static int trampoline(void *self, int64_t epoch, double *out) {
        return detail::call_user("unknown exception in factor", [&] {
            *out = static_cast<LambdaFactor *>(self)->factor(epoch);
        });
    }
#endif
};

// The built-in schedules (formulas in datasparse.h). Copies share one description.
class BuiltinSchedule {
public:
    static BuiltinSchedule gamma(double gamma, double threshold) {
        ds_schedule *raw = nullptr;
        const ds_status status = ds_schedule_create_gamma(gamma, threshold, &raw);
        return adopt(status, raw);  // raw is read after the call wrote it
    }
    static BuiltinSchedule step(int64_t stepSize, double gamma) {
        ds_schedule *raw = nullptr;
        const ds_status status = ds_schedule_create_step(stepSize, gamma, &raw);
        return adopt(status, raw);  // raw is read after the call wrote it
    }
    // The factor object must stay alive while a scheduler uses this schedule.
    static BuiltinSchedule lambda(LambdaFactor &factor) {
        ds_schedule *raw = nullptr;
        const ds_status status = ds_schedule_create_lambda(&LambdaFactor::trampoline, &factor, &raw);
        return adopt(status, raw);  // raw is read after the call wrote it
    }
    static BuiltinSchedule cubic(double initValue, int64_t initT, int64_t deltaT, int64_t totalT, bool initiallyZero) {
        ds_schedule *raw = nullptr;
        ds_cubic_options options = DS_CUBIC_OPTIONS_INIT;
        options.init_value = initValue;
        options.init_t = initT;
        options.delta_t = deltaT;
        options.total_t = totalT;
        options.initially_zero = initiallyZero ? 1 : 0;
        const ds_status status = ds_schedule_create_cubic(&options, &raw);
        return adopt(status, raw);  // raw is read after the call wrote it
    }
    static BuiltinSchedule polynomialDecay(double initial, double final_, int64_t beginStep, int64_t endStep,
                                           double power, int64_t frequency) {
        ds_schedule *raw = nullptr;
        ds_polynomial_decay_options options = DS_POLYNOMIAL_DECAY_OPTIONS_INIT;
        options.initial = initial;
        options.final = final_;
        options.begin_step = beginStep;
        options.end_step = endStep;
        options.power = power;
        options.frequency = frequency;
        const ds_status status = ds_schedule_create_polynomial_decay(&options, &raw);
        return adopt(status, raw);  // raw is read after the call wrote it
    }
    static BuiltinSchedule constant(double value, int64_t beginStep, int64_t endStep, int64_t frequency) {
        ds_schedule *raw = nullptr;
        const ds_status status = ds_schedule_create_constant(value, beginStep, endStep, frequency, &raw);
        return adopt(status, raw);  // raw is read after the call wrote it
    }
    std::string kind() const { return ds_schedule_kind(handle_.get()); }

#ifndef SWIG
    const ds_schedule *handle() const { return handle_.get(); }
#endif

private:
    BuiltinSchedule() = default;
    static BuiltinSchedule adopt(ds_status status, ds_schedule *raw) {
        detail::check(status);
        BuiltinSchedule s;
        s.handle_.reset(raw, ds_schedule_destroy);
        return s;
    }
    std::shared_ptr<ds_schedule> handle_;
};

// The data scheduler over one config key of a sparsifier's items.
class DataScheduler {
public:
    // With a schedule written in the target language (kept alive by the binding).
    DataScheduler(Sparsifier &sparsifier, const std::string &scheduleParam, Schedule &schedule,
                  int64_t lastEpoch = -1) {
        detail::check(ds_scheduler_create(sparsifier.h(), scheduleParam.c_str(), &Schedule::trampoline, &schedule,
                                          lastEpoch, &handle_));
    }
    // With a built-in schedule.
    DataScheduler(Sparsifier &sparsifier, const std::string &scheduleParam, const BuiltinSchedule &schedule,
                  int64_t lastEpoch = -1) {
        detail::check(ds_scheduler_create_builtin(sparsifier.h(), scheduleParam.c_str(), schedule.handle(), lastEpoch,
                                                  &handle_));
    }
    ~DataScheduler() { close(); }
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
    std::vector<std::string> names() const {
        const size_t n = ds_scheduler_count(h());
        std::vector<std::string> out;
        for (size_t i = 0; i < n; ++i) {
            const char *name = nullptr;
            detail::check(ds_scheduler_get_name(h(), i, &name));
            out.push_back(name);
        }
        return out;
    }
    void setVerbose(bool verbose) { detail::check(ds_scheduler_set_verbose(h(), verbose ? 1 : 0)); }
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
    void close() {
        ds_scheduler_destroy(handle_);
        handle_ = nullptr;
    }
    bool isClosed() const { return handle_ == nullptr; }
    bool inCall() const { return line_.calls > 0; }
    // What a language's delete/Dispose does (see Sparsifier::release).
    static void release(DataScheduler *s) {
        if (!s) return;
        if (s->line_.calls == 0) {
            delete s;
            return;
        }
        s->close();
        s->line_.delete_pending = true;
    }

private:
#ifndef SWIG
    class Call {
    public:
        explicit Call(DataScheduler *s) : s_(s) { ++s_->line_.calls; }
        ~Call() {
            if (--s_->line_.calls == 0 && s_->line_.delete_pending) delete s_;
        }
        Call(const Call &) = delete;
        Call &operator=(const Call &) = delete;

    private:
        DataScheduler *s_;
    };
#endif
    detail::Lifeline line_;
    ds_scheduler *h() const {
        if (!handle_) throw Error(DS_ERR_STATE, "DS_ERR_STATE: the scheduler was closed");
        return handle_;
    }
    ds_scheduler *handle_ = nullptr;
};

}  // namespace datasparse
