// OpenStopWatcher: takes SIGTERM and SIGINT while inkdex-server opens its
// index, before the signal thread (server_main.cc) exists. Opening reads
// every stored record (~3-6 s per 1,000,000 artists) and may rebuild the
// search index (a minute or more); a stop asked for meanwhile ends the open
// (IndexOptions::cancelled polls stop_requested()) instead of waiting for it
// and then draining a server that never served.
//
// The signals must be blocked in every thread (server_main.cc blocks them
// before any thread starts): the watcher takes them with sigtimedwait,
// polling every 50 ms for Stop(). Other signals (SIGHUP) stay pending for
// the signal thread.
//
// Example:
//   OpenStopWatcher watcher;
//   options.cancelled = [&watcher] { return watcher.stop_requested(); };
//   auto index = Index::Open(dir, options);
//   watcher.Stop();
//   if (watcher.stop_requested()) ...exit 0...
//
// Thread safety: stop_requested() and signal() from any thread; Stop() from
// one.
#ifndef INKDEX_SERVICE_SERVER_OPEN_STOP_WATCHER_H_
#define INKDEX_SERVICE_SERVER_OPEN_STOP_WATCHER_H_

#include <atomic>
#include <thread>

namespace inkdex::server {

class OpenStopWatcher {
 public:
  OpenStopWatcher();
  ~OpenStopWatcher();  // Stop()
  OpenStopWatcher(const OpenStopWatcher&) = delete;
  OpenStopWatcher& operator=(const OpenStopWatcher&) = delete;

  // Whether SIGTERM or SIGINT arrived before Stop().
  bool stop_requested() const { return signal_.load(std::memory_order_acquire) != 0; }
  // The signal taken (SIGTERM or SIGINT), 0 if none.
  int signal() const { return signal_.load(std::memory_order_acquire); }

  // Ends the watch (within ~50 ms): later signals stay pending for whoever
  // waits for them next. Idempotent.
  void Stop();

 private:
  void Watch();

  std::atomic<bool> stopping_{false};
  std::atomic<int> signal_{0};
  std::thread thread_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_OPEN_STOP_WATCHER_H_
