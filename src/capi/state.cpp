// Saving and loading sparsifier and scheduler state, to files and buffers.
#include <cstring>

#include "capi/common.hpp"
#include "core/state/codec.hpp"
#include "core/state/file.hpp"

using ds::capi::guarded;
using ds::capi::require;
using ds::capi::require_string;

namespace {

void check_flags(unsigned flags, unsigned allowed, const char *names) {
    if (flags & ~allowed)
        ds::fail(ds::Status::invalid_argument,
                 std::string("flags must be 0 or a combination of ") + names + ", got " + std::to_string(flags));
}

ds::WriteOptions write_options(unsigned flags) {
    ds::WriteOptions o;
    o.umask_mode = (flags & DS_SAVE_UMASK_MODE) != 0;
    return o;
}

constexpr unsigned kSparsifierFlags = DS_SAVE_DATA | DS_SAVE_UMASK_MODE;
constexpr const char *kSparsifierFlagNames = "DS_SAVE_DATA and DS_SAVE_UMASK_MODE";

// The two-call buffer protocol: buffer NULL asks for the size.
void copy_out(const std::vector<uint8_t> &bytes, void *buffer, size_t capacity, size_t *out_size) {
    if (buffer) {
        if (capacity < bytes.size())
            ds::fail(ds::Status::invalid_argument, "capacity " + std::to_string(capacity) +
                                                  " is too small: the state needs " + std::to_string(bytes.size()) +
                                                  " bytes");
        std::memcpy(buffer, bytes.data(), bytes.size());
    }
    *out_size = bytes.size();
}

void check_buffer(const void *buffer, size_t size) {
    require(buffer, "buffer");
    if (size == 0) ds::fail(ds::Status::corrupt, "state buffer is empty");
    if (static_cast<uint64_t>(size) > ds::max_state_size())
        ds::fail(ds::Status::invalid_argument, "size " + std::to_string(size) +
                                                   " is more than the maximum state size " +
                                                   std::to_string(ds::max_state_size()) + " (ds_set_max_state_size)");
}

}  // namespace

extern "C" {

DS_API ds_status ds_sparsifier_save(const ds_sparsifier *s, const char *path) {
    return ds_sparsifier_save_file(s, path, 0);
}

DS_API ds_status ds_sparsifier_save_file(const ds_sparsifier *s, const char *path, unsigned flags) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string p = require_string(path, "path");
        check_flags(flags, kSparsifierFlags, kSparsifierFlagNames);
        ds::write_file_atomic(p, ds::encode(s->core.snapshot(flags & DS_SAVE_DATA)), write_options(flags));
    });
}

DS_API ds_status ds_sparsifier_save_buffer(const ds_sparsifier *s, unsigned flags, void *buffer, size_t capacity,
                                           size_t *out_size) {
    return guarded(__func__, [&] {
        require(s, "s");
        require(out_size, "out_size");
        check_flags(flags, DS_SAVE_DATA, "DS_SAVE_DATA");
        copy_out(ds::encode(s->core.snapshot(flags & DS_SAVE_DATA)), buffer, capacity, out_size);
    });
}

DS_API ds_status ds_sparsifier_load(ds_sparsifier *s, const char *path, int strict) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string p = require_string(path, "path");
        ds::capi::InUse<ds_sparsifier> use(s);
        const std::vector<uint8_t> bytes = ds::read_file(p);
        s->core.restore(ds::decode_sparsifier(bytes.data(), bytes.size()), strict != 0);
    });
}

DS_API ds_status ds_sparsifier_load_buffer(ds_sparsifier *s, const void *buffer, size_t size, int strict) {
    return guarded(__func__, [&] {
        require(s, "s");
        check_buffer(buffer, size);
        ds::capi::InUse<ds_sparsifier> use(s);
        s->core.restore(ds::decode_sparsifier(static_cast<const uint8_t *>(buffer), size), strict != 0);
    });
}

DS_API ds_status ds_scheduler_save(const ds_scheduler *sch, const char *path) {
    return ds_scheduler_save_file(sch, path, 0);
}

DS_API ds_status ds_scheduler_save_file(const ds_scheduler *sch, const char *path, unsigned flags) {
    return guarded(__func__, [&] {
        require(sch, "sch");
        std::string p = require_string(path, "path");
        check_flags(flags, DS_SAVE_UMASK_MODE, "DS_SAVE_UMASK_MODE");
        ds::write_file_atomic(p, ds::encode(sch->core->snapshot()), write_options(flags));
    });
}

DS_API void ds_set_max_state_size(uint64_t bytes) { ds::set_max_state_size(bytes); }

DS_API uint64_t ds_max_state_size(void) {
    const uint64_t m = ds::max_state_size();
    return m == UINT64_MAX ? 0 : m;
}

DS_API ds_status ds_scheduler_save_buffer(const ds_scheduler *sch, void *buffer, size_t capacity, size_t *out_size) {
    return guarded(__func__, [&] {
        require(sch, "sch");
        require(out_size, "out_size");
        copy_out(ds::encode(sch->core->snapshot()), buffer, capacity, out_size);
    });
}

DS_API ds_status ds_scheduler_load(ds_scheduler *sch, const char *path) {
    return guarded(__func__, [&] {
        require(sch, "sch");
        std::string p = require_string(path, "path");
        ds::capi::InUse<ds_scheduler> use(sch);
        ds::capi::InUse<ds_sparsifier> sparsifier_use(ds::capi::live_sparsifier(sch));
        const std::vector<uint8_t> bytes = ds::read_file(p);
        sch->core->restore(ds::decode_scheduler(bytes.data(), bytes.size()));
    });
}

DS_API ds_status ds_scheduler_load_buffer(ds_scheduler *sch, const void *buffer, size_t size) {
    return guarded(__func__, [&] {
        require(sch, "sch");
        check_buffer(buffer, size);
        ds::capi::InUse<ds_scheduler> use(sch);
        ds::capi::InUse<ds_sparsifier> sparsifier_use(ds::capi::live_sparsifier(sch));
        sch->core->restore(ds::decode_scheduler(static_cast<const uint8_t *>(buffer), size));
    });
}

}  // extern "C"
