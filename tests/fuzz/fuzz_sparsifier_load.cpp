// Fuzz target: ds_sparsifier_load_buffer on any bytes.
//
// Each input is loaded as it is (mostly stopped by the checksum) and with
// its checksum repaired (so that mutations reach the parser), into L1, L2
// and custom sparsifiers over the fixture items (fuzz_common.hpp), strict
// and merging. Invariants, any breach aborts:
//  - every status is a ds_status, never DS_ERR_INTERNAL; a failure has a
//    message without raw control characters;
//  - a failed load leaves the sparsifier's whole state (data included)
//    exactly as it was;
//  - after a successful load every mask holds only 0 and 1 and has its
//    item's shape, every group names registered items, and what the
//    sparsifier then saves loads back (strict, into a fresh sparsifier) to
//    exactly the same state.
// States of format version 3 (groups and shards) are also loaded into the
// sharded variant of the fixture (fuzz_common.hpp), where they can succeed.
// Seed corpus: corpus/sparsifier_load (gen_corpus.cpp writes it).
#include "fuzz_common.hpp"

#include <string>

namespace {

using fuzz::breach;
using fuzz::Bytes;

int keep_mask(void *, const char *, const float *, int64_t, int64_t, const ds_config *, uint8_t *) { return 0; }

void quiet(void *, int, const char *message) { fuzz::check_message(message, "log handler"); }

// A sparsifier of `kind` (0 L1, 1 L2, 2 custom) over the fixture (its
// sharded variant if `sharded`, norm kinds only); `data` holds the
// registered buffers and must outlive it.
ds_sparsifier *make(int kind, std::vector<std::vector<float>> &data, bool sharded = false) {
    ds_sparsifier *s = nullptr;
    const ds_status st = kind < 2 ? ds_norm_sparsifier_create(kind == 0 ? DS_NORM_L1 : DS_NORM_L2, nullptr, &s)
                                  : ds_custom_sparsifier_create(keep_mask, nullptr, nullptr, &s);
    if (st != DS_OK) breach("creating the fixture sparsifier: %s", ds_last_error());
    data.resize(fuzz::kFixtureCount);
    for (size_t k = 0; k < fuzz::kFixtureCount; ++k) {
        fuzz::fixture_data(k, data[k]);
        if (fuzz::add_fixture_item(s, k, data[k].data(), sharded, nullptr, 0) != DS_OK)
            breach("registering fixture item %zu: %s", k, ds_last_error());
    }
    if (sharded && fuzz::add_empty_shard(s) != DS_OK) breach("registering the empty shard: %s", ds_last_error());
    return s;
}

void check_masks(const ds_sparsifier *s, bool sharded) {
    if (ds_sparsifier_count(s) != fuzz::kFixtureCount + (sharded ? 1 : 0)) breach("a load changed the number of items");
    for (size_t g = 0; g < ds_sparsifier_group_count(s); ++g) {  // every group names registered items
        const char *name = nullptr;
        size_t count = 0;
        if (ds_sparsifier_get_group(s, g, &name, &count) != DS_OK || count == 0) breach("group %zu after a load", g);
        for (size_t m = 0; m < count; ++m) {
            const char *member = nullptr;
            int64_t rows = 0, cols = 0;
            if (ds_sparsifier_get_group_member(s, name, m, &member) != DS_OK ||
                ds_sparsifier_get_shape(s, member, &rows, &cols) != DS_OK)
                breach("member %zu of group %zu after a load: %s", m, g, ds_last_error());
        }
    }
    for (const auto &it : fuzz::kFixture) {
        int64_t rows = 0, cols = 0;
        int squashed = 0;
        if (ds_sparsifier_get_shape(s, it.name, &rows, &cols) != DS_OK || rows != it.rows || cols != it.cols)
            breach("item shape changed by a load");
        if (ds_sparsifier_get_squashed(s, it.name, &squashed) != DS_OK) breach("get_squashed: %s", ds_last_error());
        if (squashed) continue;
        std::vector<uint8_t> mask(static_cast<size_t>(rows * cols));
        if (ds_sparsifier_get_mask(s, it.name, mask.data(), mask.size()) != DS_OK)
            breach("get_mask after a load: %s", ds_last_error());
        for (uint8_t m : mask)
            if (m > 1) breach("mask value %u after a load", unsigned(m));
    }
}

void load_into(int kind, int strict, const uint8_t *p, size_t n, bool sharded = false) {
    std::vector<std::vector<float>> data;
    ds_sparsifier *s = make(kind, data, sharded);
    const Bytes before = fuzz::sparsifier_state(s);
    const ds_status st = ds_sparsifier_load_buffer(s, p, n, strict);
    fuzz::check_status(st, "sparsifier_load_buffer");
    if (st != DS_OK) {
        if (fuzz::sparsifier_state(s) != before) breach("a failed load (%s) changed the sparsifier", ds_last_error());
    } else {
        check_masks(s, sharded);
        const Bytes saved = fuzz::sparsifier_state(s);
        std::vector<std::vector<float>> data2;
        ds_sparsifier *t = make(kind, data2, sharded);
        if (ds_sparsifier_load_buffer(t, saved.data(), saved.size(), 1) != DS_OK)
            breach("the state a load left does not load back: %s", ds_last_error());
        if (fuzz::sparsifier_state(t) != saved) breach("the state a load left loads back to a different state");
        ds_sparsifier_destroy(t);
    }
    ds_sparsifier_destroy(s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const bool quiet_log = (ds_set_log_handler(quiet, nullptr), true);
    (void)quiet_log;
    const uint8_t empty = 0;
    const uint8_t *p = size ? data : &empty;
    load_into(1, 0, p, size);  // as given: the checksum stops most changes
    Bytes sealed(p, p + size);
    fuzz::reseal(sealed);  // the checksum repaired: the parser and the restore see the change
    for (int kind = 0; kind < 3; ++kind)
        for (int strict = 0; strict < 2; ++strict)
            load_into(kind, strict, sealed.empty() ? &empty : sealed.data(), sealed.size());
    // Format version 3 (groups and shards) also into the sharded fixture.
    if (sealed.size() > 8 && sealed[8] >= 3)
        for (int kind = 0; kind < 2; ++kind)
            for (int strict = 0; strict < 2; ++strict) load_into(kind, strict, sealed.data(), sealed.size(), true);
    return 0;
}
