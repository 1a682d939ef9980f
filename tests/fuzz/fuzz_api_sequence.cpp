// Fuzz target: any sequence of C API calls on one sparsifier (recreated on
// demand) and up to three schedulers, read from the input (api_ops.hpp).
//
// After EVERY call it checks, and aborts on a breach:
//  - the status is a ds_status, never DS_ERR_INTERNAL; a failure has a
//    non-empty message without raw control characters, and leaves the saved
//    state of the sparsifier (with DS_SAVE_DATA: configs, masks, flags, step
//    count and the caller's data) and of every scheduler byte for byte as it
//    was; an output parameter is not written;
//  - a call that only reads changes no state, whatever it returns;
//  - the sparsifier holds exactly the items the successful calls registered,
//    with their shapes and the caller's own buffers; every mask holds only 0
//    and 1 and has its item's shape; get_sparsity agrees with the mask;
//  - calls the header says must fail do fail (bad names, shapes, flags,
//    epochs, buffers too small, modifying calls from inside a callback);
//  - buffers are written only on success and only as far as the result goes;
//  - what a sparsifier saves loads back (strict) to exactly that state, and a
//    scheduler that loaded a state saves exactly those bytes (a built-in's
//    parameters left out of the state defaulted);
//  - once a handle is destroyed from inside its own callback, the running
//    call fails with DS_ERR_STATE and no further callback runs.
// The data the sparsifier borrows lives in a pool that outlives it; shapes
// are small (at most 300 x 300, 2^20 floats per input in all).
#include "api_ops.hpp"
#include "fuzz_common.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace {

using fuzz::breach;
using fuzz::Bytes;
using fuzz::check_status;
using fuzz::expect_failure;

constexpr int kSlots = 3;
constexpr int kMaxOps = 300;
constexpr size_t kMaxPoolFloats = size_t{1} << 20;
constexpr int64_t kMaxEpoch = (int64_t{1} << 53) - 1;

// Valid names, a name with control characters, and invalid ones ("" and '.').
const char *const kNames[] = {"a", "b", "c", "d", "odd\n\x1b[31m", "", "x.y", "a"};
const int64_t kDims[] = {1, 2, 3, 4, 5, 7, 8, 16, 6, 9, 13, 300, 0, -1, INT64_MAX, INT64_MIN};
const char *const kKeys[] = {"sparsity_level", "block_rows", "block_cols", "zeros_per_block",
                             "gain",           "",           "sparsity_level", "block_cols"};
const char *const kParams[] = {"sparsity_level", "sparsity_level", "zeros_per_block", "block_cols",
                               "gain",           "",               "block_rows",      "sparsity_level"};
const double kValues[] = {0, 0.25, 0.5, 0.75, 1, 1.5, -0.5, 2, 3, 4, 6, 16, 2.5, 1e300, NAN, 2147483648.0};
const int64_t kEpochs[] = {-1, -1, 0, 4, kMaxEpoch - 1, kMaxEpoch, INT64_MAX, -2};
const float kFloats[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 2.0f, 1e-40f, 3.0e38f, -3.0e38f, INFINITY, NAN, 7.0f};

bool valid_name(const char *n) { return *n && !std::strchr(n, '.'); }

class Input {
public:
    Input(const uint8_t *p, size_t n) : p_(p), n_(n) {}
    bool more() const { return i_ < n_; }
    uint8_t byte() { return i_ < n_ ? p_[i_++] : 0; }
    unsigned pick(unsigned k) { return byte() % k; }
    uint16_t u16() { return static_cast<uint16_t>(byte() | byte() << 8); }
    double value() {
        const unsigned i = pick(17);
        if (i < 16) return kValues[i];
        uint64_t bits = 0;
        for (int k = 0; k < 8; ++k) bits |= uint64_t(byte()) << (8 * k);
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }

private:
    const uint8_t *p_;
    size_t n_, i_ = 0;
};

// A registered item as the model knows it: the caller's buffer, its element
// size and dtype, the matrix it is and the stride of its rows.
struct Item {
    int64_t rows, cols, stride;
    ds_dtype dtype;
    uint8_t *base;
    size_t size() const { return static_cast<size_t>(rows * cols); }
    size_t esize() const { return ds_dtype_size(dtype); }
    // Element e (row-major in the matrix) in the caller's buffer.
    uint8_t *elem(size_t e) const {
        const int64_t r = static_cast<int64_t>(e) / cols, c = static_cast<int64_t>(e) % cols;
        return base + static_cast<size_t>(r * stride + c) * esize();
    }
    // The elements, contiguous.
    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> out(size() * esize());
        for (size_t e = 0; e < size(); ++e) std::memcpy(&out[e * esize()], elem(e), esize());
        return out;
    }
};

struct Slot {
    ds_scheduler *h = nullptr;
    bool orphan = false;  // its sparsifier was destroyed
};

// What was saved before a call.
struct Before {
    bool has_sp = false;
    Bytes sp;
    ds_scheduler *h[kSlots] = {};
    Bytes sch[kSlots];
};

struct Fuzz {
    explicit Fuzz(const uint8_t *p, size_t n) : in(p, n) {}
    ~Fuzz() {
        for (Slot &s : slots) ds_scheduler_destroy(s.h);
        ds_sparsifier_destroy(sp);
    }

    Input in;
    ds_sparsifier *sp = nullptr;
    int kind = 0;
    std::map<std::string, Item> items;          // what the successful calls registered
    std::map<std::string, std::vector<std::string>> groups;  // what set_group made (members in order)
    std::deque<std::vector<float>> pool;        // every buffer ever registered: alive to the end
    size_t pool_floats = 0;
    Slot slots[kSlots];
    std::deque<Bytes> states;                   // saved states to load (sparsifier and scheduler)
    unsigned mask_mode = 0, sched_mode = 0, fail_at = 0;
    int running_slot = -1;                      // the scheduler whose callback may run
    unsigned mask_calls = 0;                    // update-mask callbacks in this call
    bool sp_destroyed = false;                  // destroyed from inside a callback during this call
    bool sch_destroyed = false;
    const bool trace = std::getenv("DS_FUZZ_TRACE") != nullptr;  // prints every call: to read a crash's input

    // --- the checks --------------------------------------------------------

    Before capture() const {
        Before b;
        if (sp) {
            b.has_sp = true;
            b.sp = fuzz::sparsifier_state(sp);
        }
        for (int i = 0; i < kSlots; ++i)
            if (slots[i].h) {
                b.h[i] = slots[i].h;
                b.sch[i] = fuzz::scheduler_state(slots[i].h);
            }
        return b;
    }

    // After every call: the status rules; on failure (or for a read) every
    // state as it was; on success the model of what is registered updated
    // (on_ok); then the structural invariants.
    void after(const char *call, ds_status st, const Before &b, bool read_only = false,
               const std::function<void()> &on_ok = {}) {
        if (trace) std::fprintf(stderr, "  %s: %s %s\n", call, ds_status_string(st), st == DS_OK ? "" : ds_last_error());
        check_status(st, call);
        if (sp_destroyed || sch_destroyed) {
            if (st != DS_ERR_STATE)
                breach("%s: a handle was destroyed by its own callback, but the call returned %s", call,
                       ds_status_string(st));
            if (sp_destroyed) {
                sp = nullptr;  // released by the library when the call returned
                items.clear();
                groups.clear();
                for (Slot &s : slots)
                    if (s.h) s.orphan = true;
            }
            if (sch_destroyed) slots[running_slot] = Slot{};
            sp_destroyed = sch_destroyed = false;
        }
        if (st != DS_OK || read_only) {
            if (sp && b.has_sp && fuzz::sparsifier_state(sp) != b.sp)
                breach("%s (%s: %s) changed the sparsifier's state", call, ds_status_string(st),
                       st == DS_OK ? "" : ds_last_error());
            for (int i = 0; i < kSlots; ++i)
                if (slots[i].h && slots[i].h == b.h[i] && fuzz::scheduler_state(slots[i].h) != b.sch[i])
                    breach("%s (%s: %s) changed scheduler %d's state", call, ds_status_string(st),
                           st == DS_OK ? "" : ds_last_error(), i);
        }
        if (st == DS_OK && on_ok) on_ok();
        check_all();
    }

    void check_all() const {
        if (sp) {
            const size_t count = ds_sparsifier_count(sp);
            if (count != items.size()) breach("the sparsifier has %zu items, the calls registered %zu", count, items.size());
            std::set<std::string> seen;
            for (size_t i = 0; i < count; ++i) {
                const char *name = nullptr;
                if (ds_sparsifier_get_name(sp, i, &name) != DS_OK) breach("get_name(%zu): %s", i, ds_last_error());
                if (!items.count(name) || !seen.insert(name).second) breach("item %zu has an unknown or repeated name", i);
            }
            for (const auto &kv : items) {
                const char *name = kv.first.c_str();
                const Item &it = kv.second;
                int64_t rows = 0, cols = 0;
                if (ds_sparsifier_get_shape(sp, name, &rows, &cols) != DS_OK || rows != it.rows || cols != it.cols)
                    breach("item shape %lldx%lld, registered %lldx%lld", (long long)rows, (long long)cols,
                           (long long)it.rows, (long long)it.cols);
                int squashed = -1;
                if (ds_sparsifier_get_squashed(sp, name, &squashed) != DS_OK || (squashed != 0 && squashed != 1))
                    breach("get_squashed: %s", ds_last_error());
                const size_t n = it.size();
                std::vector<uint8_t> mask(n);
                ds_status st = ds_sparsifier_get_mask(sp, name, mask.data(), n);
                if (squashed) {
                    expect_failure(st, DS_ERR_STATE, "get_mask of a squashed item");
                } else {
                    if (st != DS_OK) breach("get_mask: %s", ds_last_error());
                    size_t zeros = 0;
                    for (uint8_t m : mask) {
                        if (m > 1) breach("mask value %u in item %zu elements", unsigned(m), n);
                        zeros += m == 0;
                    }
                    double sparsity = -1;
                    if (ds_sparsifier_get_sparsity(sp, name, &sparsity) != DS_OK ||
                        sparsity != static_cast<double>(zeros) / static_cast<double>(n))
                        breach("get_sparsity %g, the mask has %zu zeros of %zu", sparsity, zeros, n);
                }
                const std::vector<uint8_t> want = it.bytes();
                std::vector<uint8_t> data(want.size());
                if (ds_sparsifier_get_data_ex(sp, name, squashed ? 0 : 1, data.data(), data.size()) != DS_OK)
                    breach("get_data_ex: %s", ds_last_error());
                if (data != want) breach("get_data_ex does not give the caller's buffer");
                std::vector<float> floats(n);
                const ds_status fst = ds_sparsifier_get_data(sp, name, squashed ? 0 : 1, floats.data(), n);
                if (it.dtype != DS_DTYPE_FLOAT32)
                    expect_failure(fst, DS_ERR_INVALID_ARGUMENT, "get_data of an item that is not float32");
                else if (fst != DS_OK || std::memcmp(floats.data(), want.data(), want.size()) != 0)
                    breach("get_data does not give the caller's buffer");
            }
            const int update = ds_sparsifier_mask_update(sp);
            if ((update != 0 && update != 1) || ds_sparsifier_step_count(sp) < 0) breach("mask_update or step_count");
        }
        for (int i = 0; i < kSlots; ++i) {
            ds_scheduler *h = slots[i].h;
            if (!h) continue;
            const int64_t epoch = ds_scheduler_last_epoch(h);
            if (epoch < -1 || epoch > kMaxEpoch || ds_scheduler_step_count(h) < 0)
                breach("scheduler %d: last_epoch %lld, step count %lld", i, (long long)epoch,
                       (long long)ds_scheduler_step_count(h));
            for (size_t k = 0; k < ds_scheduler_count(h); ++k) {
                const char *name = nullptr;
                double base = NAN;
                if (ds_scheduler_get_name(h, k, &name) != DS_OK || ds_scheduler_get_base_param(h, name, &base) != DS_OK ||
                    !std::isfinite(base))
                    breach("scheduler %d entry %zu: %s", i, k, ds_last_error());
            }
        }
    }

    // --- arguments -----------------------------------------------------------

    const char *name() { return kNames[in.pick(8)]; }

    // A config of up to 3 entries, or NULL.
    ds_config *config() {
        const unsigned n = in.pick(4);
        if (n == 0) return nullptr;
        ds_config *c = nullptr;
        if (ds_config_create(&c) != DS_OK) breach("config_create");
        for (unsigned k = 0; k < n; ++k) {
            const char *key = kKeys[in.pick(8)];
            const double v = in.value();
            const ds_status st = ds_config_set(c, key, v);
            check_status(st, "config_set");
            if ((st == DS_OK) != (*key && std::isfinite(v))) breach("config_set('%s', %g) returned %s", key, v, ds_status_string(st));
        }
        return c;
    }

    // A state to load: a saved one (maybe damaged) or bytes of the input.
    Bytes state_bytes() {
        Bytes b;
        const unsigned source = in.pick(8);
        if (source < 6 && !states.empty()) {
            b = states[source % states.size()];
        } else {
            const size_t n = in.byte();
            for (size_t k = 0; k < n; ++k) b.push_back(in.byte());
        }
        const unsigned mutation = in.pick(6);
        if (mutation == 0 || mutation == 5) return b;  // as saved
        const size_t at = b.empty() ? 0 : in.u16() % b.size();
        switch (mutation) {
            case 1: if (!b.empty()) b[at] ^= static_cast<uint8_t>(1 | in.byte()); fuzz::reseal(b); break;  // repaired
            case 2: if (!b.empty()) b[at] ^= static_cast<uint8_t>(1 | in.byte()); break;
            case 3: b.resize(at); fuzz::reseal(b); break;
            default:
                for (unsigned k = in.pick(16) + 1; k > 0; --k) b.insert(b.begin() + static_cast<long>(at), in.byte());
                fuzz::reseal(b);
                break;
        }
        return b;
    }

    void keep_state(const Bytes &b) {
        states.push_back(b);
        if (states.size() > 6) states.pop_front();
    }

    void ensure_sparsifier() {
        if (!sp) create_sparsifier(in.pick(3), nullptr);
    }

    void create_sparsifier(unsigned k, const ds_config *defaults) {
        kind = static_cast<int>(k);
        ds_sparsifier *sentinel = reinterpret_cast<ds_sparsifier *>(&sp);
        ds_sparsifier *out = sentinel;
        ds_status st = kind < 2 ? ds_norm_sparsifier_create(kind == 0 ? DS_NORM_L1 : DS_NORM_L2, defaults, &out)
                                : ds_custom_sparsifier_create(mask_callback, this, defaults, &out);
        check_status(st, "sparsifier_create");
        if (st != DS_OK) {
            if (out != sentinel) breach("a failed sparsifier_create wrote its output");
            st = kind < 2 ? ds_norm_sparsifier_create(kind == 0 ? DS_NORM_L1 : DS_NORM_L2, nullptr, &out)
                          : ds_custom_sparsifier_create(mask_callback, this, nullptr, &out);
            if (st != DS_OK) breach("sparsifier_create without defaults: %s", ds_last_error());
        }
        sp = out;
        items.clear();
    }

    // --- callbacks -------------------------------------------------------------

    // Modifying calls from inside a callback: each must fail with
    // DS_ERR_STATE and change nothing.
    void refused_calls(bool from_schedule) {
        const Bytes b = fuzz::sparsifier_state(sp);
        float scratch[4] = {1, 2, 3, 4};
        expect_failure(ds_sparsifier_add_data(sp, "a", scratch, 2, 2, nullptr, 0), DS_ERR_STATE, "add_data in a callback");
        expect_failure(ds_sparsifier_step(sp), DS_ERR_STATE, "step in a callback");
        expect_failure(ds_sparsifier_set_mask_update(sp, 1), DS_ERR_STATE, "set_mask_update in a callback");
        expect_failure(ds_sparsifier_squash_mask(sp, nullptr, 0, 1), DS_ERR_STATE, "squash_mask in a callback");
        expect_failure(ds_sparsifier_load_buffer(sp, b.data(), b.size(), 1), DS_ERR_STATE, "load_buffer in a callback");
        if (!items.empty()) {
            const char *n = items.begin()->first.c_str();
            expect_failure(ds_sparsifier_remove_data(sp, n), DS_ERR_STATE, "remove_data in a callback");
            expect_failure(ds_sparsifier_set_param(sp, n, "sparsity_level", 0.5), DS_ERR_STATE, "set_param in a callback");
        }
        for (Slot &s : slots)
            if (s.h) expect_failure(ds_scheduler_step(s.h), DS_ERR_STATE, "scheduler_step in a callback");
        if (from_schedule && running_slot >= 0) {
            ds_scheduler *h = slots[running_slot].h;
            const Bytes own = fuzz::scheduler_state(h);
            expect_failure(ds_scheduler_load_buffer(h, own.data(), own.size()), DS_ERR_STATE, "scheduler_load in its callback");
            expect_failure(ds_scheduler_set_verbose(h, 1), DS_ERR_STATE, "scheduler_set_verbose in its callback");
            if (fuzz::scheduler_state(h) != own) breach("a refused call in a schedule callback changed the scheduler");
        }
        if (fuzz::sparsifier_state(sp) != b) breach("a refused call in a callback changed the sparsifier");
    }

    static int mask_callback(void *user, const char *name, const float *data, int64_t rows, int64_t cols,
                             const ds_config *config, uint8_t *mask) {
        Fuzz &f = *static_cast<Fuzz *>(user);
        if (f.sp_destroyed) breach("an update-mask callback ran after the sparsifier was destroyed in one");
        auto found = f.items.find(name);
        if (found == f.items.end() || reinterpret_cast<const float *>(found->second.base) != data ||
            found->second.dtype != DS_DTYPE_FLOAT32 || found->second.stride != cols || found->second.rows != rows ||
            found->second.cols != cols || !config)
            breach("update-mask callback for an item that is not as registered");
        const size_t n = found->second.size();
        const unsigned call = f.mask_calls++;
        switch (f.mask_mode) {
            case 1:
                ds_set_callback_error("told to fail");
                return 1;
            case 2:
                mask[n - 1] = 2;  // not 0 or 1: the step must fail
                return 0;
            case 3:
                f.refused_calls(false);
                break;
            case 4: {  // reads are allowed
                std::vector<uint8_t> m(n);
                if (ds_sparsifier_get_mask(f.sp, name, m.data(), n) != DS_OK || ds_sparsifier_count(f.sp) != f.items.size())
                    breach("a read inside an update-mask callback failed: %s", ds_last_error());
                break;
            }
            case 5:  // change this mask, then fail at a later item: no mask may change
                for (size_t e = 0; e < n; ++e) mask[e] = 0;
                if (call == f.fail_at) return 7;
                return 0;
            case 6:
                ds_sparsifier_destroy(f.sp);
                f.sp_destroyed = true;
                return 0;
            default:
                break;
        }
        for (size_t e = 0; e < n; ++e) mask[e] = std::fabs(data[e]) >= 1.0f ? 1 : 0;  // NaN: 0
        return 0;
    }

    static int schedule_callback(void *user, const char *name, int64_t epoch, double base, double current, double *out) {
        Fuzz &f = *static_cast<Fuzz *>(user);
        if (f.sp_destroyed || f.sch_destroyed) breach("a schedule callback ran after a handle was destroyed in one");
        if (!f.sp || !f.items.count(name)) breach("schedule callback for an unknown item");
        if (f.running_slot >= 0 && epoch != ds_scheduler_last_epoch(f.slots[f.running_slot].h) + 1)
            breach("schedule callback for epoch %lld after epoch %lld", (long long)epoch,
                   (long long)ds_scheduler_last_epoch(f.slots[f.running_slot].h));
        if (!std::isfinite(base) || !std::isfinite(current)) breach("schedule callback with a non-finite value");
        switch (f.sched_mode) {
            case 1:
                ds_set_callback_error("told to fail");
                return 1;
            case 2:
                *out = NAN;
                return 0;
            case 3:
                *out = 1.5;
                return 0;
            case 4:
                f.refused_calls(true);
                break;
            case 5:
                if (f.running_slot >= 0) {
                    ds_scheduler_destroy(f.slots[f.running_slot].h);
                    f.sch_destroyed = true;
                }
                break;
            case 6:
                ds_sparsifier_destroy(f.sp);
                f.sp_destroyed = true;
                break;
            default:
                break;
        }
        *out = epoch == 0 ? base : current * 0.75;
        return 0;
    }

    static int lambda(void *user, int64_t epoch, double *out) {
        const Fuzz &f = *static_cast<const Fuzz *>(user);
        switch (f.sched_mode) {
            case 1: return 1;
            case 2: *out = NAN; return 0;
            case 3: *out = 1e308; return 0;
            default: *out = 1.0 / static_cast<double>(1 + (epoch & 3)); return 0;
        }
    }

    // --- operations ------------------------------------------------------------

    void op_add() {
        const char *n = name();
        const int64_t rows = kDims[in.pick(16)], cols = kDims[in.pick(16)];
        const unsigned fill = in.pick(4);
        ds_config *cfg = config();
        const uint8_t flags = in.byte();
        const bool reuse = flags & 1, null_data = (flags & 0x0E) == 0x0E;
        const bool valid_shape = rows > 0 && cols > 0 && rows <= INT64_MAX / cols;
        const size_t count = valid_shape ? static_cast<size_t>(rows * cols) : 4;
        if (pool_floats + count > kMaxPoolFloats) {
            ds_config_destroy(cfg);
            return;
        }
        pool.emplace_back(count);
        pool_floats += count;
        std::vector<float> &buf = pool.back();
        for (size_t e = 0; e < count; ++e) {
            switch (fill) {
                case 0: buf[e] = kFloats[in.pick(12)]; break;
                case 1: buf[e] = static_cast<float>(static_cast<int>((e * 37) % 101) - 50); break;
                case 2: buf[e] = 1.0f; break;  // all tied
                default: buf[e] = static_cast<float>(e % 7) * 1e37f - 2e37f; break;
            }
        }
        const Before b = capture();
        const ds_status st = ds_sparsifier_add_data(sp, n, null_data ? nullptr : buf.data(), rows, cols, cfg, reuse);
        after("add_data", st, b, false, [&] {
            if (!valid_name(n) || !valid_shape || null_data) breach("add_data accepted a bad name, shape or NULL data");
            items[n] = Item{rows, cols, cols, DS_DTYPE_FLOAT32, reinterpret_cast<uint8_t *>(buf.data())};
        });
        ds_config_destroy(cfg);
    }

    // A tensor of any dtype, N-D shape and row stride, valid or not: a valid
    // one must register, an invalid one must fail with DS_ERR_INVALID_ARGUMENT.
    void op_add_tensor() {
        static const int64_t kSizes[] = {1, 2, 3, 4, 5, 0, -1, 7};
        static const int32_t kDtypes[] = {0, 1, 2, 3, 0, 7, -1, 2};
        const char *n = name();
        ds_tensor_desc d = DS_TENSOR_DESC_INIT;
        const uint8_t variant = in.byte();
        if (variant == 0xFF) d.version = 2;
        const int32_t raw_dtype = kDtypes[in.pick(8)];
        std::memcpy(&d.dtype, &raw_dtype, sizeof raw_dtype);
        d.ndim = static_cast<int32_t>(in.pick(10));
        for (int i = 0; i < DS_MAX_DIMS; ++i) d.shape[i] = i < d.ndim ? kSizes[in.pick(8)] : 0;
        const unsigned stride_kind = in.pick(4);
        const bool shape_ok = d.ndim >= 1 && d.ndim <= DS_MAX_DIMS &&
                              std::all_of(d.shape, d.shape + std::max(0, std::min(d.ndim, DS_MAX_DIMS)),
                                          [](int64_t x) { return x >= 1; });
        const int64_t cols = shape_ok ? d.shape[d.ndim - 1] : 1;
        int64_t rows = 1;
        for (int i = 0; shape_ok && i + 1 < d.ndim; ++i) rows *= d.shape[i];
        d.row_stride = stride_kind == 0 ? 0 : stride_kind == 1 ? cols : stride_kind == 2 ? cols + 3 : cols - 1;
        const bool dtype_ok = raw_dtype >= 0 && raw_dtype <= 3;
        const bool stride_ok = d.row_stride == 0 || d.row_stride >= cols;
        const int64_t stride = d.row_stride ? d.row_stride : cols;
        const bool contiguous_f32 = raw_dtype == 0 && stride == cols;
        const bool valid = valid_name(n) && d.version == DS_TENSOR_DESC_VERSION && dtype_ok && shape_ok &&
                           stride_ok && (kind != 2 || contiguous_f32);
        const size_t es = dtype_ok ? ds_dtype_size(static_cast<ds_dtype>(raw_dtype)) : 4;
        const size_t span = shape_ok && stride_ok ? static_cast<size_t>((rows - 1) * stride + cols) : 4;
        const size_t floats = (span * es + 3) / 4;
        if (pool_floats + floats > kMaxPoolFloats) return;
        pool.emplace_back(floats);
        pool_floats += floats;
        std::vector<float> &buf = pool.back();
        uint8_t *bytes = reinterpret_cast<uint8_t *>(buf.data());
        for (size_t i = 0; i < floats * 4; ++i) bytes[i] = static_cast<uint8_t>(in.byte() * 37 + i);
        const Before b = capture();
        const ds_status st = ds_sparsifier_add_data_ex(sp, n, buf.data(), &d, nullptr, 0);
        if (valid && st != DS_OK && !sp_destroyed)
            breach("add_data_ex of a valid tensor failed: %s", ds_last_error());
        if (!valid) expect_failure(st, DS_ERR_INVALID_ARGUMENT, "add_data_ex of an invalid tensor");
        after("add_data_ex", st, b, false, [&] {
            items[n] = Item{rows, cols, stride, static_cast<ds_dtype>(raw_dtype), bytes};
        });
    }

    void op_remove() {
        const char *n = name();
        const Before b = capture();
        const ds_status st = ds_sparsifier_remove_data(sp, n);
        if ((st == DS_OK) != (items.count(n) == 1)) breach("remove_data of '%s' returned %s", n, ds_status_string(st));
        after("remove_data", st, b, false, [&] {
            items.erase(n);
            for (auto g = groups.begin(); g != groups.end(); ++g) {
                auto m = std::find(g->second.begin(), g->second.end(), std::string(n));
                if (m == g->second.end()) continue;
                g->second.erase(m);
                if (g->second.empty()) groups.erase(g);
                break;
            }
        });
        check_groups();
    }

    void op_step() {
        mask_calls = 0;
        const Before b = capture();
        const ds_status st = ds_sparsifier_step(sp);
        if (kind < 2 && st != DS_OK) breach("a norm sparsifier's step failed: %s", ds_last_error());
        after("step", st, b);
    }

    void op_set_param() {
        const char *n = name();
        const char *key = kKeys[in.pick(8)];
        const double v = in.value();
        const Before b = capture();
        const ds_status st = ds_sparsifier_set_param(sp, n, key, v);
        after("set_param", st, b);
        if (st == DS_OK) {
            double got = NAN;
            if (!std::isfinite(v) || !*key) breach("set_param accepted '%s' = %g", key, v);
            if (ds_sparsifier_get_param(sp, n, key, &got) != DS_OK || !(got == v))
                breach("set_param('%s', %.17g) reads back %.17g", key, v, got);
        }
    }

    // A count of the item's size, one less, 0, more, SIZE_MAX, or a NULL buffer.
    size_t buffer_count(unsigned mode, size_t n, bool *null_out) {
        *null_out = mode == 5;
        switch (mode) {
            case 0: return n;
            case 1: return n - 1;
            case 2: return 0;
            case 3: return n + 5;
            case 4: return SIZE_MAX;
            default: return n;
        }
    }

    void op_get_mask() {
        const char *n = name();
        auto found = items.find(n);
        const size_t size = found != items.end() ? found->second.size() : 8;
        bool null_out;
        const size_t count = buffer_count(in.pick(6), size, &null_out);
        std::vector<uint8_t> buf(size + 8, 0xA5);
        const Before b = capture();
        const ds_status st = ds_sparsifier_get_mask(sp, n, null_out ? nullptr : buf.data(), count);
        after("get_mask", st, b, true);
        if (st != DS_OK) {
            for (uint8_t x : buf)
                if (x != 0xA5) breach("a failed get_mask wrote into the buffer");
            return;
        }
        if (null_out || count < size || found == items.end()) breach("get_mask succeeded with count %zu of %zu", count, size);
        for (size_t e = 0; e < buf.size(); ++e)
            if (e < size ? buf[e] > 1 : buf[e] != 0xA5) breach("get_mask wrote %u at %zu of %zu", unsigned(buf[e]), e, size);
    }

    void op_get_data() {
        const char *n = name();
        auto found = items.find(n);
        const size_t size = found != items.end() ? found->second.size() : 8;
        bool null_out;
        const size_t count = buffer_count(in.pick(6), size, &null_out);
        const int original = in.pick(2);
        const float canary = -12345.0f;
        std::vector<float> buf(size + 8, canary);
        const Before b = capture();
        const ds_status st = ds_sparsifier_get_data(sp, n, original, null_out ? nullptr : buf.data(), count);
        after("get_data", st, b, true);
        if (st != DS_OK) {
            for (float x : buf)
                if (!(x == canary)) breach("a failed get_data wrote into the buffer");
            return;
        }
        if (null_out || count < size || found == items.end()) breach("get_data succeeded with count %zu of %zu", count, size);
        const Item &it = found->second;
        int squashed = 0;
        ds_sparsifier_get_squashed(sp, n, &squashed);
        std::vector<uint8_t> mask(size, 1);
        if (!squashed && ds_sparsifier_get_mask(sp, n, mask.data(), size) != DS_OK) breach("get_mask: %s", ds_last_error());
        if (it.dtype != DS_DTYPE_FLOAT32) breach("get_data succeeded on a %s item", ds_dtype_name(it.dtype));
        for (size_t e = 0; e < size; ++e) {
            float want = 0.0f;
            if (original || mask[e]) std::memcpy(&want, it.elem(e), sizeof want);
            if (std::memcmp(&buf[e], &want, sizeof want) != 0) breach("get_data(original %d) element %zu", original, e);
        }
        for (size_t e = size; e < buf.size(); ++e)
            if (!(buf[e] == canary)) breach("get_data wrote past the item's size");
    }

    void op_squash() {
        const unsigned mode = in.pick(4);
        std::vector<const char *> names;
        if (mode >= 2)
            for (unsigned k = in.pick(3) + 1; k > 0; --k) names.push_back(name());
        const int leave = in.pick(2);
        // What each item holds before: squashed flag, mask, data.
        struct Was {
            int squashed;
            std::vector<uint8_t> mask;
            std::vector<uint8_t> data;
        };
        std::map<std::string, Was> was;
        for (const auto &kv : items) {
            Was w;
            ds_sparsifier_get_squashed(sp, kv.first.c_str(), &w.squashed);
            w.mask.assign(kv.second.size(), 1);
            if (!w.squashed) ds_sparsifier_get_mask(sp, kv.first.c_str(), w.mask.data(), w.mask.size());
            w.data = kv.second.bytes();
            was[kv.first] = std::move(w);
        }
        const Before b = capture();
        ds_status st;
        if (mode == 0)
            st = ds_sparsifier_squash_mask(sp, nullptr, 0, leave);
        else if (mode == 1)
            st = ds_sparsifier_squash_mask(sp, nullptr, 3, leave);
        else
            st = ds_sparsifier_squash_mask(sp, names.data(), names.size(), leave);
        after("squash_mask", st, b);
        std::set<std::string> which;
        bool all_known = true;
        for (const char *n : names) {
            which.insert(n);
            all_known = all_known && items.count(n);
        }
        const bool should_pass = mode == 0 || (mode >= 2 && all_known);
        if ((st == DS_OK) != should_pass) breach("squash_mask (mode %u) returned %s", mode, ds_status_string(st));
        if (st != DS_OK) return;
        for (const auto &kv : items) {
            const Was &w = was[kv.first];
            const bool hit = mode == 0 || which.count(kv.first);
            int squashed = 0;
            ds_sparsifier_get_squashed(sp, kv.first.c_str(), &squashed);
            if (squashed != (hit || w.squashed)) breach("squash_mask left '%s' squashed %d", kv.first.c_str(), squashed);
            const size_t es = kv.second.esize();
            static const uint8_t kZero[8] = {0};
            for (size_t e = 0; e < kv.second.size(); ++e) {
                const uint8_t *want = (hit && !w.squashed && leave && !w.mask[e]) ? kZero : &w.data[e * es];
                if (std::memcmp(kv.second.elem(e), want, es) != 0)
                    breach("squash_mask (leave %d) changed element %zu of '%s' wrongly", leave, e, kv.first.c_str());
            }
        }
    }

    void op_set_mask_update() {
        const int enabled = in.pick(2);
        const Before b = capture();
        const ds_status st = ds_sparsifier_set_mask_update(sp, enabled);
        after("set_mask_update", st, b);
        if (st != DS_OK || ds_sparsifier_mask_update(sp) != enabled) breach("set_mask_update(%d)", enabled);
    }

    void op_save() {
        static const unsigned kFlags[] = {0, DS_SAVE_DATA, DS_SAVE_UMASK_MODE, DS_SAVE_DATA | DS_SAVE_UMASK_MODE, 0x80};
        const unsigned flags = kFlags[in.pick(5)];
        const unsigned cap = in.pick(4);
        size_t need = 0;
        Before b = capture();
        ds_status st = ds_sparsifier_save_buffer(sp, flags, nullptr, 0, &need);
        after("save_buffer (size)", st, b, true);
        if ((st == DS_OK) != (flags <= DS_SAVE_DATA)) breach("save_buffer with flags %u returned %s", flags, ds_status_string(st));
        if (st != DS_OK) return;
        Bytes buf(need + 8, 0xA5);
        size_t size = 0;
        if (cap == 1) {  // one byte short
            st = ds_sparsifier_save_buffer(sp, flags, buf.data(), need - 1, &size);
            after("save_buffer (too small)", st, b, true);
            expect_failure(st, DS_ERR_INVALID_ARGUMENT, "save_buffer into a buffer too small");
            for (uint8_t x : buf)
                if (x != 0xA5) breach("a failed save_buffer wrote into the buffer");
            return;
        }
        if (cap == 2) {
            st = ds_sparsifier_save_buffer(sp, flags, buf.data(), buf.size(), nullptr);
            after("save_buffer (NULL out_size)", st, b, true);
            expect_failure(st, DS_ERR_INVALID_ARGUMENT, "save_buffer with out_size NULL");
            return;
        }
        st = ds_sparsifier_save_buffer(sp, flags, buf.data(), buf.size(), &size);
        after("save_buffer", st, b, true);
        if (st != DS_OK || size != need) breach("save_buffer: %s (%zu of %zu bytes)", ds_last_error(), size, need);
        for (size_t e = need; e < buf.size(); ++e)
            if (buf[e] != 0xA5) breach("save_buffer wrote past the state's size");
        buf.resize(need);
        keep_state(buf);
        // What was saved loads back (strict) to exactly the same state.
        b = capture();
        st = ds_sparsifier_load_buffer(sp, buf.data(), buf.size(), 1);
        after("load_buffer of its own state", st, b);
        if (st != DS_OK) breach("a sparsifier's own state does not load back: %s", ds_last_error());
        if (fuzz::sparsifier_state(sp) != b.sp) breach("a sparsifier's own state loads back to a different state");
    }

    void op_load() {
        Bytes state = state_bytes();
        const int strict = in.pick(2);
        const unsigned how = in.pick(8);
        const Before b = capture();
        ds_status st;
        if (how == 0) {
            st = ds_sparsifier_load_buffer(sp, nullptr, state.size() + 1, strict);
            after("load_buffer (NULL)", st, b);
            expect_failure(st, DS_ERR_INVALID_ARGUMENT, "load_buffer of NULL");
        } else if (how == 1 && state.size() > 1) {
            ds_set_max_state_size(state.size() - 1);
            st = ds_sparsifier_load_buffer(sp, state.data(), state.size(), strict);
            ds_set_max_state_size(0);
            after("load_buffer (over the maximum size)", st, b);
            expect_failure(st, DS_ERR_INVALID_ARGUMENT, "load_buffer of a state over the maximum size");
        } else {
            st = ds_sparsifier_load_buffer(sp, state.empty() ? b.sp.data() : state.data(), state.size(), strict);
            // A state (format version 3) sets groups: the model takes them from the library.
            after("load_buffer", st, b, false, [&] { groups_from_library(); });
        }
    }

    // The model's groups after a load: the library's, each checked to name
    // registered items in at most one group.
    void groups_from_library() {
        groups.clear();
        std::set<std::string> grouped;
        for (size_t i = 0; i < ds_sparsifier_group_count(sp); ++i) {
            const char *g = nullptr;
            size_t count = 0;
            if (ds_sparsifier_get_group(sp, i, &g, &count) != DS_OK || count == 0)
                breach("group %zu after a load: %s", i, ds_last_error());
            std::vector<std::string> members;
            for (size_t m = 0; m < count; ++m) {
                const char *member = nullptr;
                if (ds_sparsifier_get_group_member(sp, g, m, &member) != DS_OK)
                    breach("member %zu of group '%s': %s", m, g, ds_last_error());
                if (!items.count(member)) breach("a load made a group of '%s', which is not registered", member);
                if (!grouped.insert(member).second) breach("a load put '%s' in two groups", member);
                members.push_back(member);
            }
            if (!groups.emplace(g, members).second) breach("a load made two groups named '%s'", g);
        }
    }

    void op_sched_create() {
        const unsigned slot = in.pick(kSlots);
        const size_t builtins = ds_schedule_info_count();
        const unsigned k = in.pick(static_cast<unsigned>(builtins + 2));
        ds_schedule *schedule = nullptr;
        if (k < builtins) {
            const ds_schedule_info *info = ds_schedule_info_at(k);
            ds_config *params = nullptr;
            ds_config_create(&params);
            for (size_t p = 0; p < info->param_count; ++p) {
                const unsigned mode = in.pick(4);
                if (mode == 0) continue;
                const double v = mode == 2 ? in.value() : fuzz::valid_param_value(info->params[p], p);
                check_status(ds_config_set(params, info->params[p].name, v), "config_set");
            }
            if (in.pick(8) == 7) ds_config_set(params, "bogus", 1);
            ds_schedule *sentinel = reinterpret_cast<ds_schedule *>(&schedule);
            ds_schedule *out = sentinel;
            ds_status st = ds_schedule_create(info->kind, params, &out);
            check_status(st, "schedule_create");
            if (st != DS_OK) {
                if (out != sentinel) breach("a failed schedule_create wrote its output");
                ds_config_destroy(params);
                ds_config_create(&params);
                for (size_t p = 0; p < info->param_count; ++p)
                    ds_config_set(params, info->params[p].name, fuzz::valid_param_value(info->params[p], p));
                st = ds_schedule_create(info->kind, params, &out);
                if (st != DS_OK) breach("schedule_create(%s) with valid parameters: %s", info->kind, ds_last_error());
            }
            schedule = out;
            ds_config_destroy(params);
        } else if (k == builtins) {
            if (ds_schedule_create_lambda(lambda, this, &schedule) != DS_OK) breach("lambda: %s", ds_last_error());
        }
        const char *param = kParams[in.pick(8)];
        const int64_t last_epoch = kEpochs[in.pick(8)];
        if (slots[slot].h) {
            ds_scheduler_destroy(slots[slot].h);
            slots[slot] = Slot{};
        }
        ds_scheduler *sentinel = reinterpret_cast<ds_scheduler *>(&slots[slot]);
        ds_scheduler *out = sentinel;
        running_slot = -1;
        const Before b = capture();
        const ds_status st = schedule ? ds_scheduler_create_builtin(sp, param, schedule, last_epoch, &out)
                                      : ds_scheduler_create(sp, param, schedule_callback, this, last_epoch, &out);
        ds_schedule_destroy(schedule);
        after("scheduler_create", st, b, false, [&] {
            if (last_epoch < -1 || last_epoch >= kMaxEpoch || !*param)
                breach("scheduler_create accepted last_epoch %lld, schedule_param '%s'", (long long)last_epoch, param);
            slots[slot].h = out;
        });
        if (st != DS_OK && out != sentinel) breach("a failed scheduler_create wrote its output");
    }

    void op_sched_step() {
        const unsigned slot = in.pick(kSlots);
        if (!slots[slot].h) return;
        const bool orphan = slots[slot].orphan;
        running_slot = static_cast<int>(slot);
        const Before b = capture();
        const ds_status st = ds_scheduler_step(slots[slot].h);
        after("scheduler_step", st, b);
        if (orphan && st != DS_ERR_STATE) breach("a scheduler whose sparsifier is gone stepped: %s", ds_status_string(st));
        running_slot = -1;
    }

    void op_sched_save() {
        const unsigned slot = in.pick(kSlots);
        const unsigned cap = in.pick(4);
        ds_scheduler *h = slots[slot].h;
        if (!h) return;
        size_t need = 0, size = 0;
        Before b = capture();
        ds_status st = ds_scheduler_save_buffer(h, nullptr, 0, &need);
        after("scheduler_save_buffer (size)", st, b, true);
        if (st != DS_OK) breach("scheduler_save_buffer (size): %s", ds_last_error());
        Bytes buf(need + 8, 0xA5);
        if (cap == 1) {
            st = ds_scheduler_save_buffer(h, buf.data(), need - 1, &size);
            after("scheduler_save_buffer (too small)", st, b, true);
            expect_failure(st, DS_ERR_INVALID_ARGUMENT, "scheduler_save_buffer into a buffer too small");
            for (uint8_t x : buf)
                if (x != 0xA5) breach("a failed scheduler_save_buffer wrote into the buffer");
            return;
        }
        st = ds_scheduler_save_buffer(h, buf.data(), buf.size(), &size);
        after("scheduler_save_buffer", st, b, true);
        if (st != DS_OK || size != need) breach("scheduler_save_buffer: %s", ds_last_error());
        buf.resize(need);
        keep_state(buf);
        // Its own state loads back (unless an item it names is gone, or a
        // value no longer fits its item), and then it saves the same bytes.
        running_slot = static_cast<int>(slot);
        b = capture();
        st = ds_scheduler_load_buffer(h, buf.data(), buf.size());
        after("scheduler_load_buffer of its own state", st, b);
        running_slot = -1;
        if (st == DS_OK && fuzz::scheduler_state(h) != buf) breach("a scheduler's own state loads back to other bytes");
        if (slots[slot].orphan && st != DS_ERR_STATE) breach("a scheduler whose sparsifier is gone loaded: %s", ds_status_string(st));
    }

    void op_sched_load() {
        const unsigned slot = in.pick(kSlots);
        Bytes state = state_bytes();
        ds_scheduler *h = slots[slot].h;
        if (!h) return;
        running_slot = static_cast<int>(slot);
        const Before b = capture();
        const ds_status st = ds_scheduler_load_buffer(h, state.empty() ? b.sch[slot].data() : state.data(), state.size());
        after("scheduler_load_buffer", st, b);
        running_slot = -1;
        if (st == DS_OK) fuzz::check_scheduler_reload(state, fuzz::scheduler_state(h));
    }

    void op_behaviour() {
        mask_mode = in.pick(8);
        sched_mode = in.pick(8);
        fail_at = in.pick(4);
    }

    void op_inspect() {
        const char *n = name();
        const char *key = kKeys[in.pick(8)];
        const unsigned slot = in.pick(kSlots);
        const Before b = capture();
        double v = 0;
        ds_status st = ds_sparsifier_get_param(sp, n, key, &v);
        after("get_param", st, b, true);
        if (st == DS_OK && !std::isfinite(v)) breach("get_param gave %g", v);
        ds_config *c = nullptr;
        ds_config_create(&c);
        st = ds_sparsifier_get_config(sp, n, c);
        after("get_config", st, b, true);
        ds_config_destroy(c);
        const char *out = "sentinel";
        st = ds_sparsifier_get_name(sp, ds_sparsifier_count(sp) + in.pick(3), &out);
        after("get_name out of range", st, b, true);
        expect_failure(st, DS_ERR_INVALID_ARGUMENT, "get_name out of range");
        if (std::strcmp(out, "sentinel") != 0) breach("a failed get_name wrote its output");
        st = ds_sparsifier_get_shape(sp, n, nullptr, nullptr);
        after("get_shape (NULL)", st, b, true);
        expect_failure(st, DS_ERR_INVALID_ARGUMENT, "get_shape with NULL outputs");
        if (ds_scheduler *h = slots[slot].h) {
            st = ds_scheduler_get_last_param(h, n, &v);
            after("scheduler_get_last_param", st, b, true);
            st = ds_scheduler_get_base_param(h, n, &v);
            after("scheduler_get_base_param", st, b, true);
            st = ds_scheduler_get_name(h, ds_scheduler_count(h), &out);
            after("scheduler_get_name out of range", st, b, true);
            expect_failure(st, DS_ERR_INVALID_ARGUMENT, "scheduler_get_name out of range");
            if (!*ds_scheduler_schedule_param(h)) breach("a scheduler with an empty schedule_param");
        }
    }

    void op_mutate_data() {  // the caller changes its own data, as it may
        auto found = items.find(name());
        const unsigned at = in.u16();
        const float v = kFloats[in.pick(12)];
        if (found == items.end()) return;
        const Item &it = found->second;
        uint8_t *p = it.elem(at % it.size());
        uint32_t bits;
        std::memcpy(&bits, &v, 4);
        switch (it.dtype) {
            case DS_DTYPE_FLOAT64: {
                const double d = v;
                std::memcpy(p, &d, 8);
                break;
            }
            case DS_DTYPE_FLOAT16:  // any 16 bits are a half: the float's top ones will do
            case DS_DTYPE_BFLOAT16: {
                const uint16_t h = static_cast<uint16_t>(bits >> 16);
                std::memcpy(p, &h, 2);
                break;
            }
            default: std::memcpy(p, &v, 4); break;
        }
    }

    // Groups: valid ones (norm sparsifier, registered distinct names, in no
    // other group) must be made, others refused; every later step must still
    // succeed (a group of whole items always can).
    void op_set_group() {
        static const char *const kGroups[] = {"g", "h", "", "emb"};
        const char *g = kGroups[in.pick(4)];
        const unsigned count = in.pick(4);
        if (count == 0) {
            const Before b = capture();
            const ds_status st = ds_sparsifier_remove_group(sp, g);
            if ((st == DS_OK) != (groups.count(g) == 1)) breach("remove_group '%s' returned %s", g, ds_status_string(st));
            after("remove_group", st, b, false, [&] { groups.erase(g); });
            return;
        }
        std::vector<std::string> members;
        std::vector<const char *> names;
        for (unsigned i = 0; i < count; ++i) {
            names.push_back(name());
            members.push_back(names.back());
        }
        bool valid = kind != 2 && valid_name(g);
        std::set<std::string> distinct(members.begin(), members.end());
        valid = valid && distinct.size() == members.size();
        for (const std::string &m : members) {
            valid = valid && items.count(m);
            for (const auto &kv : groups)
                if (kv.first != g && std::find(kv.second.begin(), kv.second.end(), m) != kv.second.end()) valid = false;
        }
        const Before b = capture();
        const ds_status st = ds_sparsifier_set_group(sp, g, names.data(), names.size());
        if ((st == DS_OK) != valid)
            breach("set_group '%s' of %u names returned %s (%s), the model says %s", g, count, ds_status_string(st),
                   st == DS_OK ? "" : ds_last_error(), valid ? "valid" : "invalid");
        after("set_group", st, b, false, [&] { groups[g] = members; });
        check_groups();
    }

    void op_add_shard() {
        const char *n = name();
        const int64_t rows = kDims[in.pick(16)], cols = kDims[in.pick(16)];
        const bool valid_shape = rows > 0 && cols > 0 && rows <= (int64_t{1} << 20) / cols;
        const size_t count = valid_shape ? static_cast<size_t>(rows * cols) : 4;
        if (pool_floats + count > kMaxPoolFloats) return;
        pool.emplace_back(count);
        pool_floats += count;
        std::vector<float> &buf = pool.back();
        for (size_t e = 0; e < count; ++e) buf[e] = kFloats[in.pick(12)];
        ds_tensor_desc d = DS_TENSOR_DESC_INIT;
        d.ndim = 2;
        d.shape[0] = rows;
        d.shape[1] = cols;
        const Before b = capture();
        const ds_status st = ds_sparsifier_add_shard(sp, n, buf.data(), &d, rows, 0, nullptr, 0);
        const bool valid = kind != 2 && valid_name(n) && rows > 0 && cols > 0 &&
                           rows <= INT64_MAX / cols;
        if (valid && valid_shape && st != DS_OK && !sp_destroyed)
            breach("add_shard of a whole %lldx%lld tensor failed: %s", (long long)rows, (long long)cols, ds_last_error());
        if (!valid) expect_failure(st, DS_ERR_INVALID_ARGUMENT, "add_shard of an invalid shard");
        after("add_shard", st, b, false, [&] {
            items[n] = Item{rows, cols, cols, DS_DTYPE_FLOAT32, reinterpret_cast<uint8_t *>(buf.data())};
        });
    }

    // The library's groups are the model's.
    void check_groups() const {
        if (!sp) return;
        if (ds_sparsifier_group_count(sp) != groups.size())
            breach("the sparsifier has %zu groups, the model %zu", ds_sparsifier_group_count(sp), groups.size());
        for (size_t i = 0; i < groups.size(); ++i) {
            const char *g = nullptr;
            size_t count = 0;
            if (ds_sparsifier_get_group(sp, i, &g, &count) != DS_OK) breach("get_group(%zu): %s", i, ds_last_error());
            auto found = groups.find(g);
            if (found == groups.end() || found->second.size() != count) breach("group '%s' is not the model's", g);
            for (size_t m = 0; m < count; ++m) {
                const char *member = nullptr;
                if (ds_sparsifier_get_group_member(sp, g, m, &member) != DS_OK || found->second[m] != member)
                    breach("member %zu of group '%s' is not the model's", m, g);
            }
        }
    }

    void op_recreate() {
        const unsigned k = in.pick(3);
        ds_config *defaults = config();
        ds_sparsifier_destroy(sp);
        sp = nullptr;
        groups.clear();
        for (Slot &s : slots)
            if (s.h) s.orphan = true;
        create_sparsifier(k, defaults);
        ds_config_destroy(defaults);
        check_all();
    }

    void op_sched_destroy() {
        const unsigned slot = in.pick(kSlots);
        ds_scheduler_destroy(slots[slot].h);
        slots[slot] = Slot{};
        check_all();
    }

    void op_sched_verbose() {
        const unsigned slot = in.pick(kSlots);
        const int verbose = in.pick(2);
        if (!slots[slot].h) return;
        const Before b = capture();
        const ds_status st = ds_scheduler_set_verbose(slots[slot].h, verbose);
        after("scheduler_set_verbose", st, b);
        if (st != DS_OK) breach("scheduler_set_verbose: %s", ds_last_error());
    }

    void run() {
        static const char *const kOpNames[] = {"add", "remove", "step", "set_param", "get_mask", "get_data", "squash",
                                               "set_mask_update", "save", "load", "sched_create", "sched_step",
                                               "sched_save", "sched_load", "behaviour", "inspect", "mutate_data",
                                               "recreate", "sched_destroy", "sched_verbose", "add_tensor",
                                               "set_group", "add_shard"};
        static_assert(sizeof kOpNames / sizeof kOpNames[0] == fuzz::kOpCount, "a name for every operation");
        create_sparsifier(in.pick(3), nullptr);
        for (int ops = 0; ops < kMaxOps && in.more(); ++ops) {
            const unsigned op = in.pick(fuzz::kOpCount);
            if (trace) std::fprintf(stderr, "op %d: %s\n", ops, kOpNames[op]);
            ensure_sparsifier();
            switch (op) {
                case fuzz::kAdd: op_add(); break;
                case fuzz::kRemove: op_remove(); break;
                case fuzz::kStep: op_step(); break;
                case fuzz::kSetParam: op_set_param(); break;
                case fuzz::kGetMask: op_get_mask(); break;
                case fuzz::kGetData: op_get_data(); break;
                case fuzz::kSquash: op_squash(); break;
                case fuzz::kSetMaskUpdate: op_set_mask_update(); break;
                case fuzz::kSave: op_save(); break;
                case fuzz::kLoad: op_load(); break;
                case fuzz::kSchedCreate: op_sched_create(); break;
                case fuzz::kSchedStep: op_sched_step(); break;
                case fuzz::kSchedSave: op_sched_save(); break;
                case fuzz::kSchedLoad: op_sched_load(); break;
                case fuzz::kBehaviour: op_behaviour(); break;
                case fuzz::kInspect: op_inspect(); break;
                case fuzz::kMutateData: op_mutate_data(); break;
                case fuzz::kRecreate: op_recreate(); break;
                case fuzz::kSchedDestroy: op_sched_destroy(); break;
                case fuzz::kSchedVerbose: op_sched_verbose(); break;
                case fuzz::kAddTensor: op_add_tensor(); break;
                case fuzz::kSetGroup: op_set_group(); break;
                case fuzz::kAddShard: op_add_shard(); break;
                default: break;
            }
        }
    }
};

void checking_log(void *, int level, const char *message) {
    if (level < DS_LOG_DEBUG || level > DS_LOG_WARNING) breach("log level %d", level);
    fuzz::check_message(message, "log handler");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const bool log_installed = (ds_set_log_handler(checking_log, nullptr), true);
    (void)log_installed;
    Fuzz f(data, size);
    f.run();
    return 0;
}
