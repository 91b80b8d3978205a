// SignalsHeld: SIGINT and SIGTERM held on the calling thread for a scope. Used by the output
// writer (a write is never cut) and by whoever starts helper threads (the worker, --progress,
// --follow), so that only the thread that writes the results ever takes those signals.
#pragma once

#include <signal.h>

namespace logsift {

// Holds SIGINT and SIGTERM on the calling thread while it lives. Output writes hold them so an
// interrupted run ends after whole lines, and let them in while they wait for a stalled reader (so
// a blocked write never keeps the process from being stopped); helper threads are started under it
// so that they never take those signals themselves (a thread inherits the mask it starts with).
class SignalsHeld {
 public:
  SignalsHeld();
  ~SignalsHeld();
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;
  // The mask from before, under which the signals may come.
  const sigset_t& previous() const noexcept { return previous_; }

 private:
  sigset_t previous_;
};

}  // namespace logsift
