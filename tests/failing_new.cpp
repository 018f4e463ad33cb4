// The global operator new and delete of a test binary, failing on demand (failing_new.hpp).
// Every form is replaced, so that nothing allocated here is freed by the sanitizer runtime's own
// operator delete (ASan would report the mismatch) and the reverse.
#include "failing_new.hpp"

#include <cstddef>
#include <cstdlib>
#include <new>

namespace {

// Plain thread_locals of trivial types: reading them allocates nothing (no lazy construction).
thread_local std::uint64_t countdown = 0;  // allocations until the armed one; 0: none armed
thread_local std::uint64_t one_in = 0;     // 0: no random failures
thread_local std::uint64_t rng = 0;

bool should_fail() {
  if (countdown != 0 && --countdown == 0) return true;
  if (one_in == 0) return false;
  rng ^= rng << 13;  // xorshift64
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng % one_in == 0;
}

void* allocate(std::size_t size, std::size_t align) {
  if (should_fail()) throw std::bad_alloc();
  if (size == 0) size = 1;
  void* p = align <= alignof(std::max_align_t) ? std::malloc(size)
                                               : std::aligned_alloc(align, (size + align - 1) / align * align);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* allocate_nothrow(std::size_t size, std::size_t align) noexcept {
  try {
    return allocate(size, align);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

}  // namespace

namespace contend::test {

void fail_nth_allocation(std::uint64_t n) { countdown = n; }

bool nth_allocation_failed() { return countdown == 0; }

void fail_one_allocation_in(std::uint64_t k, std::uint64_t seed) {
  one_in = k;
  rng = seed * 0x9e3779b97f4a7c15u + 1;  // never 0, which xorshift keeps at 0
}

}  // namespace contend::test

void* operator new(std::size_t n) { return allocate(n, 0); }
void* operator new[](std::size_t n) { return allocate(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate_nothrow(n, 0); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate_nothrow(n, 0); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate_nothrow(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate_nothrow(n, static_cast<std::size_t>(a));
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
