// Named items in insertion order, with every operation the sparsifier needs
// at most O(log n): find by name (hash), the i-th item (a Fenwick tree over
// the live slots), append, replace in place, remove (a slot becomes empty;
// empty slots are compacted away once they outnumber the live ones).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ds {

template <typename T>  // T has a std::string member `name`
class ItemTable {
public:
    size_t size() const { return live_; }
    bool empty() const { return live_ == 0; }

    T *find(const std::string &name) {
        auto it = index_.find(name);
        return it == index_.end() ? nullptr : slots_[it->second].get();
    }
    const T *find(const std::string &name) const { return const_cast<ItemTable *>(this)->find(name); }

    // The i-th live item in insertion order, i < size().
    T &at(size_t i) { return *slots_[slot_of(i)]; }
    const T &at(size_t i) const { return *slots_[slot_of(i)]; }

    // Appends a new name; all-or-nothing (throws std::bad_alloc).
    void push_back(std::unique_ptr<T> item) {
        if (slots_.size() == slots_.capacity()) slots_.reserve(2 * slots_.size() + 8);
        if (tree_.size() == tree_.capacity()) tree_.reserve(2 * tree_.size() + 8);
        index_.emplace(item->name, slots_.size());  // may throw: nothing changed yet
        tree_.push_back(1 + prefix(slots_.size()) - prefix(slots_.size() + 1 - lowbit(slots_.size() + 1)));
        slots_.push_back(std::move(item));  // cannot throw: capacity reserved
        ++live_;
    }

    // Puts `item` in the place of the existing item of the same name. Cannot fail.
    void replace(std::unique_ptr<T> item) noexcept { slots_[index_.at(item->name)] = std::move(item); }

    // Removes the item of that name (which must exist). Cannot fail.
    void erase(const std::string &name) noexcept {
        auto it = index_.find(name);
        const size_t slot = it->second;
        index_.erase(it);
        slots_[slot].reset();
        for (size_t i = slot + 1; i <= tree_.size(); i += lowbit(i)) --tree_[i - 1];
        --live_;
        if (slots_.size() - live_ > live_ && slots_.size() > 64) compact();
    }

    // Iteration over the live items in insertion order.
    template <typename Table, typename Item>
    class Iter {
    public:
        Iter(Table *t, size_t slot) : t_(t), slot_(slot) { skip(); }
        Item &operator*() const { return *t_->slots_[slot_]; }
        Item *operator->() const { return t_->slots_[slot_].get(); }
        Iter &operator++() {
            ++slot_;
            skip();
            return *this;
        }
        bool operator!=(const Iter &o) const { return slot_ != o.slot_; }
        bool operator==(const Iter &o) const { return slot_ == o.slot_; }

    private:
        void skip() {
            while (slot_ < t_->slots_.size() && !t_->slots_[slot_]) ++slot_;
        }
        Table *t_;
        size_t slot_;
    };
    using iterator = Iter<ItemTable, T>;
    using const_iterator = Iter<const ItemTable, const T>;
    iterator begin() { return iterator(this, 0); }
    iterator end() { return iterator(this, slots_.size()); }
    const_iterator begin() const { return const_iterator(this, 0); }
    const_iterator end() const { return const_iterator(this, slots_.size()); }

private:
    static size_t lowbit(size_t i) { return i & (~i + 1); }
    // Live slots among the first n.
    size_t prefix(size_t n) const {
        size_t sum = 0;
        for (; n > 0; n -= lowbit(n)) sum += tree_[n - 1];
        return sum;
    }
    // The slot of the i-th live item: descend the Fenwick tree.
    size_t slot_of(size_t i) const {
        size_t pos = 0, remaining = i + 1, step = 1;
        while (step * 2 <= tree_.size()) step *= 2;
        for (; step > 0; step /= 2)
            if (pos + step <= tree_.size() && tree_[pos + step - 1] < remaining) {
                pos += step;
                remaining -= tree_[pos - 1];
            }
        return pos;  // 0-based slot
    }
    // Drops the empty slots. Optional: if it cannot allocate, the table stays as it is.
    void compact() noexcept {
        try {
            std::vector<std::unique_ptr<T>> slots;
            std::unordered_map<std::string, size_t> index;
            std::vector<size_t> tree(live_);
            slots.reserve(live_);
            index.reserve(live_);
            for (auto &p : slots_)
                if (p) {
                    index.emplace(p->name, slots.size());
                    slots.push_back(nullptr);
                }
            for (size_t i = 1; i <= tree.size(); ++i) tree[i - 1] = lowbit(i);  // all live
            size_t k = 0;
            for (auto &p : slots_)
                if (p) slots[k++] = std::move(p);  // cannot throw
            slots_.swap(slots);
            index_.swap(index);
            tree_.swap(tree);
        } catch (...) {
        }
    }

    std::vector<std::unique_ptr<T>> slots_;        // insertion order; null once removed
    std::unordered_map<std::string, size_t> index_;  // name -> slot
    std::vector<size_t> tree_;                     // Fenwick tree of live flags over the slots
    size_t live_ = 0;
};

}  // namespace ds
