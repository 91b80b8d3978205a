#include "logsift/worker_gate.hpp"

#include <algorithm>

namespace logsift {

bool WorkerGate::share() const {
  // Shared first: the worker's thread and its matcher's caches are ready by the alone trial.
  if (block_ < kTrialBlocks) return true;
  if (block_ < 2 * kTrialBlocks) return false;
  return shared_wins_;
}

void WorkerGate::record(bool shared, std::size_t bytes, std::uint64_t nanoseconds) {
  if (block_ < 2 * kTrialBlocks) {
    Totals& totals = shared ? shared_ : alone_;
    totals.ns += nanoseconds;
    totals.bytes += bytes;
    if (block_ + 1 == 2 * kTrialBlocks && alone_.bytes > 0 && shared_.bytes > 0) {
      // shared_.ns / shared_.bytes < alone_.ns / alone_.bytes
      const bool wins = static_cast<double>(shared_.ns) * static_cast<double>(alone_.bytes) <
                        static_cast<double>(alone_.ns) * static_cast<double>(shared_.bytes);
      epoch_ = wins == shared_wins_ ? std::min(kLongestEpoch, 2 * epoch_) : kFirstEpoch;
      shared_wins_ = wins;
    }
  }
  if (++block_ >= epoch_) {
    block_ = 0;
    alone_ = {};
    shared_ = {};
  }
}

}  // namespace logsift
