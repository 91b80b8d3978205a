#include "logsift/worker_gate.hpp"

#include <gtest/gtest.h>

namespace logsift {
namespace {

// Feeds `blocks` blocks of 1 MiB to the gate, each taking `shared_ns` when shared and `alone_ns`
// when not; returns how many of them were shared.
unsigned run(WorkerGate& gate, unsigned blocks, std::uint64_t shared_ns, std::uint64_t alone_ns) {
  unsigned shared = 0;
  for (unsigned i = 0; i < blocks; ++i) {
    const bool share = gate.share();
    shared += share;
    gate.record(share, 1 << 20, share ? shared_ns : alone_ns);
  }
  return shared;
}

TEST(worker_gate, shares_while_sharing_is_faster) {
  WorkerGate gate;
  const unsigned shared = run(gate, 1000, 100, 180);  // a free core: sharing almost halves the time
  EXPECT_GT(shared, 950u);
}

TEST(worker_gate, stops_sharing_when_it_costs_more) {
  WorkerGate gate;
  // No free core: the hand-overs wait for a thread that does not run.
  const unsigned shared = run(gate, 1000, 250, 100);
  EXPECT_LT(shared, 60u);  // the trials of each epoch only
}

TEST(worker_gate, follows_a_change_of_load) {
  WorkerGate gate;
  run(gate, 2000, 100, 180);
  // A busy process takes the second core: within a few epochs the gate stops sharing.
  run(gate, 600, 250, 100);
  EXPECT_LT(run(gate, 256, 250, 100), 16u);
  // The core is free again: the gate shares again.
  run(gate, 600, 100, 180);
  EXPECT_GT(run(gate, 256, 100, 180), 240u);
}

}  // namespace
}  // namespace logsift
