// WorkerGate: decides, block by block, whether handing part of each block to the worker thread
// pays. Whether a core is free cannot be known in advance (another process may take it at any
// time), so it is measured: each epoch starts with a few blocks searched alone and a few shared,
// and the rest of the epoch goes the way that took less wall time per byte. Epochs grow while the
// same way keeps winning, so that the trials of the losing way cost little.
#pragma once

#include <cstddef>
#include <cstdint>

namespace logsift {

class WorkerGate {
 public:
  // Whether the next block that could be shared should be.
  bool share() const;
  // What that block took, from fetching it to fetching the next.
  void record(bool shared, std::size_t bytes, std::uint64_t nanoseconds);

 private:
  struct Totals {
    std::uint64_t ns = 0;
    std::uint64_t bytes = 0;
  };
  static constexpr unsigned kTrialBlocks = 4;  // of each way, at the start of an epoch
  static constexpr unsigned kFirstEpoch = 64, kLongestEpoch = 256;

  unsigned block_ = 0;  // blocks recorded in this epoch
  unsigned epoch_ = kFirstEpoch;
  bool shared_wins_ = true;
  Totals alone_, shared_;
};

}  // namespace logsift
