#include "poller.hpp"

#include <algorithm>
#include <contend/mutex_queue.hpp>

#include "channel_poller.hpp"
#include "shared_poller.hpp"

namespace poller {

std::string_view to_string(Design d) { return d == Design::channel ? "channel" : "shared"; }

std::unique_ptr<Poller> make_poller(Design d, std::vector<std::string> urls, PollFn poll, Config c) {
  std::vector<std::string> unique;
  for (auto& u : urls)
    if (std::find(unique.begin(), unique.end(), u) == unique.end()) unique.push_back(std::move(u));
  // MutexQueue: the channels carry structs holding std::string, which it moves; FIFO as Go's.
  if (d == Design::channel)
    return std::make_unique<ChannelPoller<contend::MutexQueue>>(std::move(unique), std::move(poll),
                                                                std::move(c));
  return std::make_unique<SharedPoller>(std::move(unique), std::move(poll), std::move(c));
}

}  // namespace poller
