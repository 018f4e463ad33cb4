// Child program for racy_counter_test: increments a RacyCounter from two threads. Built with
// -fsanitize=thread whatever the build type, so ThreadSanitizer must report the data race, the
// C++ counterpart of `go test -race`.
#include <cstdio>
#include <thread>

#include "contend/racy_counter.hpp"

int main() {
  contend::RacyCounter counter;
  auto work = [&] {
    for (int i = 0; i < 100'000; ++i) counter.increment();
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  std::printf("racy count: %llu of 200000\n", static_cast<unsigned long long>(counter.read()));
}
