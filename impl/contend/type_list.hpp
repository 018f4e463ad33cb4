// A compile-time list of types: each family's implementations are listed once (families.hpp) and
// the tests and benchmarks expand the same list.
#pragma once

#include <cstddef>

namespace contend {

template <class... Ts>
struct TypeList {
  static constexpr std::size_t size = sizeof...(Ts);
};

// The types of several lists, in order, as one list.
template <class... Lists>
struct Concat;
template <class... Ts>
struct Concat<TypeList<Ts...>> {
  using type = TypeList<Ts...>;
};
template <class... As, class... Bs, class... Rest>
struct Concat<TypeList<As...>, TypeList<Bs...>, Rest...> : Concat<TypeList<As..., Bs...>, Rest...> {};
template <class... Lists>
using ConcatT = typename Concat<Lists...>::type;

// Calls f.template operator()<T>() for every T in the list, in order.
template <class... Ts, class F>
void for_each_type(TypeList<Ts...>, F&& f) {
  (f.template operator()<Ts>(), ...);
}

}  // namespace contend
