// The data sparsifier: a registry of named, borrowed data items with their
// configs and owned masks.
//
// Every mutating method either completes or throws ds::Error leaving the
// object exactly as it was: new state is built aside, then committed with
// operations that cannot fail.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/busy.hpp"
#include "core/config.hpp"
#include "core/global_select.hpp"
#include "core/item_table.hpp"
#include "core/norm_config.hpp"
#include "core/norm_mask.hpp"
#include "core/state/snapshot.hpp"
#include "core/tensor.hpp"

namespace ds {

struct Item {
    std::string name;
    void *data = nullptr;    // borrowed from the caller: elements of tensor.dtype
    Tensor tensor;           // dtype, shape, row stride (0: contiguous) as given
    int64_t rows = 0, cols = 0, stride = 0;  // the matrix it is sparsified as
    Config config;               // defaults merged with the item's overrides
    NormParams norm{};           // config's norm keys, checked (norm sparsifiers)
    std::vector<uint8_t> mask;   // rows*cols; empty once squashed
    bool squashed = false;
    // A row shard of a bigger tensor (global_rows > 0): its rows are
    // [first_row, first_row + rows) of global_rows (rows may be 0).
    int64_t global_rows = 0, first_row = 0;

    size_t size() const { return static_cast<size_t>(rows * cols); }
    // Element (r, c) of the caller's buffer.
    char *at(int64_t r, int64_t c) const {
        return static_cast<char *>(data) + static_cast<size_t>(r * stride + c) * dtype_size(tensor.dtype);
    }
};

// A custom sparsifier's mask update: modifies `mask` in place; throws ds::Error on failure.
using MaskUpdate = std::function<void(const Item &item, uint8_t *mask)>;

class Sparsifier {
public:
    static Sparsifier norm(Norm norm, const Config &defaults);
    static Sparsifier custom(MaskUpdate update, const Config &defaults);

    Sparsifier(const Sparsifier &) = delete;
    Sparsifier &operator=(const Sparsifier &) = delete;
    Sparsifier(Sparsifier &&) = default;

    // A float32 rows x cols matrix, contiguous.
    void add_data(const std::string &name, float *data, int64_t rows, int64_t cols, const Config &overrides,
                  bool reuse_mask);
    // Any tensor (tensor.hpp). A custom sparsifier's callback reads float
    // rows: it takes contiguous float32 tensors only.
    void add_tensor(const std::string &name, void *data, const Tensor &tensor, const Config &overrides,
                    bool reuse_mask);
    // A row shard of a tensor of global_rows rows (same columns), starting
    // at first_row; its leading size may be 0 (data then unused, may be null).
    void add_shard(const std::string &name, void *data, const Tensor &tensor, int64_t global_rows,
                   int64_t first_row, const Config &overrides, bool reuse_mask);
    void remove_data(const std::string &name);

    // Groups (global_select.hpp): items whose blocks are ranked together at
    // the level of the first member. Norm sparsifiers only.
    void set_group(const std::string &group, const std::vector<std::string> &members);
    void remove_group(const std::string &group);
    struct Group {
        std::string name;
        std::vector<std::string> members;
    };
    const std::vector<Group> &groups() const { return groups_; }
    // With an allreduce, every step runs the global selection, joined with
    // the other participants (null: this process alone).
    void set_allreduce(Allreduce allreduce);
    const GlobalSelector &selector() const { return selector_; }
    void step();
    // names are checked first (Status::not_found); `all` ignores them.
    void squash_mask(const std::vector<std::string> &names, bool all, bool leave_parametrized);

    // Sets key on several items at once: all are checked before any changes.
    void set_params(const std::vector<std::pair<std::string, double>> &values, const std::string &key);
    // The same for items of this sparsifier (from items()), values[i] for which[i].
    void set_params(const std::vector<const Item *> &which, const std::vector<double> &values, const std::string &key);
    void set_param(const std::string &name, const std::string &key, double value) {
        set_params({{name, value}}, key);
    }
    bool get_param(const std::string &name, const std::string &key, double *out) const;
    // The same for an item of this sparsifier (no lookup by name).
    bool param_of(const Item &item, const std::string &key, double *out) const;
    Config effective_config(const std::string &name) const;

    void set_mask_update(bool enabled);
    bool mask_update() const { return mask_update_; }
    int64_t step_count() const { return step_count_; }
    bool is_norm() const { return !custom_; }

    const ItemTable<Item> &items() const { return items_; }
    const Item &item(const std::string &name) const;  // Status::not_found
    const Item *find(const std::string &name) const;

    void get_mask(const std::string &name, uint8_t *out, size_t count) const;
    // float32 items only; count is in floats.
    void get_data(const std::string &name, bool original, float *out, size_t count) const;
    // In the item's own dtype, contiguous; bytes is out's size.
    void get_data_bytes(const std::string &name, bool original, void *out, size_t bytes) const;
    double sparsity(const std::string &name) const;

    SparsifierSnapshot snapshot(bool with_data) const;
    // Validates the snapshot against the registered data (Status::corrupt on
    // any mismatch), then sets the config, mask and squashed flag of every
    // item in it; strict also requires every registered item to be in it
    // and restores the defaults, step count and mask-update flag.
    void restore(const SparsifierSnapshot &snapshot, bool strict);

    // Expires when the sparsifier is destroyed: schedulers watch it.
    std::weak_ptr<const int> lifetime() const { return lifetime_; }

    // While a scope of this flag is alive, user code runs (an update-mask
    // callback, or a schedule of a scheduler on this sparsifier): reading is
    // fine, modifying calls fail with Status::state.
    bool busy() const { return busy_.busy(); }
    BusyFlag &busy_flag() { return busy_; }

private:
    Sparsifier(Norm norm, MaskUpdate update, Config defaults);

    // Checks a merged item config (or the defaults); returns its norm keys
    // (norm sparsifiers; a custom one's are unused).
    NormParams check_config(const Config &config, const std::string &item) const;
    void check_not_busy(const char *operation) const;
    void compute_norm_masks(const std::vector<Item *> &which);
    void compute_custom_masks(const std::vector<Item *> &which);

    Norm norm_;
    MaskUpdate custom_;
    Config defaults_;
    ItemTable<Item> items_;  // insertion order; items never move in memory
    bool mask_update_ = true;
    int64_t step_count_ = 0;
    BusyFlag busy_;
    std::vector<Group> groups_;
    Allreduce allreduce_;
    GlobalSelector selector_;
    NormMasker masker_;          // the norm kernels' scratch, kept between steps
    std::vector<MaskJob> jobs_;  // a step's items for the masker, kept between steps
    std::shared_ptr<const int> lifetime_ = std::make_shared<const int>(0);
};

}  // namespace ds
