// The context key "peers": which third-party implementations of the family this binary was built
// with (optional ones missing at configure time are absent), e.g. "boost,tbb_hash_map".
#pragma once

#include <benchmark/benchmark.h>

#include <string>

#include "contend/type_list.hpp"

namespace contend::bench {

template <class Peers>
void add_peers_context() {
  std::string names;
  for_each_type(Peers{}, [&]<class P>() {
    if (!names.empty()) names += ",";
    names += P::name;
  });
  benchmark::AddCustomContext("peers", names.empty() ? "none" : names);
}

}  // namespace contend::bench
