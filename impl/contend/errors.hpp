#pragma once

#include <stdexcept>

namespace contend {

// Thrown by a single-owner structure (ChannelCounter, ChannelMap) asked to do something after
// close(): Go panics on a send to a closed channel; a C++ caller gets an exception.
class closed_error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace contend
