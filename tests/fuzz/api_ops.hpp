// The api_sequence target's input format, shared with the corpus generator.
//
// An input is a sequence of bytes read front to back (reading past the end
// gives 0). Byte 0 picks the first sparsifier's kind (% 3: L1, L2, custom);
// then, until the input ends, one byte picks an operation (% kOpCount) and
// the operation reads its own arguments (fuzz_api_sequence.cpp says which).
// When there is no sparsifier (a callback destroyed it), the byte after the
// operation's picks the kind of a new one before the arguments are read.
#pragma once

#include <cstdint>

namespace fuzz {

enum Op : uint8_t {
    kAdd,            // name, rows, cols, fill, config, flags (reuse_mask, NULL data)
    kRemove,         // name
    kStep,           //
    kSetParam,       // name, key, value
    kGetMask,        // name, buffer size
    kGetData,        // name, buffer size, original
    kSquash,         // mode, names..., leave_parametrized
    kSetMaskUpdate,  // enabled
    kSave,           // flags, capacity
    kLoad,           // source, mutation, strict
    kSchedCreate,    // slot, kind, parameters, schedule_param, last_epoch
    kSchedStep,      // slot
    kSchedSave,      // slot, capacity
    kSchedLoad,      // slot, source, mutation
    kBehaviour,      // update-mask callback mode, schedule callback mode, when to fail
    kInspect,        // name, key, slot
    kMutateData,     // name, index, value
    kRecreate,       // kind (the old sparsifier is destroyed: its schedulers are orphans)
    kSchedDestroy,   // slot
    kSchedVerbose,   // slot, verbose
    kAddTensor,      // name, version, dtype, ndim, shape, row stride, fill (ds_sparsifier_add_data_ex)
    kSetGroup,       // group, count, names (ds_sparsifier_set_group), or remove (ds_sparsifier_remove_group)
    kAddShard,       // name, rows, cols, fill: a shard holding every row of its tensor (one process)
    kOpCount
};

}  // namespace fuzz
