// A compile-time list of types: each family's implementations are listed once (families.hpp) and
// the tests and benchmarks expand the same list.
#pragma once

#include <cstddef>

namespace contend {

template <class... Ts>
struct TypeList {
  static constexpr std::size_t size = sizeof...(Ts);
};

// Calls f.template operator()<T>() for every T in the list, in order.
template <class... Ts, class F>
void for_each_type(TypeList<Ts...>, F&& f) {
  (f.template operator()<Ts>(), ...);
}

}  // namespace contend
