#include "server/open_stop_watcher.h"

#include <signal.h>

#include <ctime>

namespace inkdex::server {

OpenStopWatcher::OpenStopWatcher() : thread_([this] { Watch(); }) {}

OpenStopWatcher::~OpenStopWatcher() { Stop(); }

void OpenStopWatcher::Stop() {
  stopping_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
}

void OpenStopWatcher::Watch() {
  sigset_t stops;
  sigemptyset(&stops);
  sigaddset(&stops, SIGTERM);
  sigaddset(&stops, SIGINT);
  const timespec poll = {0, 50 * 1000 * 1000};
  while (!stopping_.load(std::memory_order_acquire)) {
    const int taken = sigtimedwait(&stops, nullptr, &poll);
    if (taken == SIGTERM || taken == SIGINT) {
      signal_.store(taken, std::memory_order_release);
      return;
    }
  }
}

}  // namespace inkdex::server
