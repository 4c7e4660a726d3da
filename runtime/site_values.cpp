// runtime/site_values.cpp: what a typed C++ site gets when its failpoint fires.
//
// A number site's evaluate_number (runtime/evaluation.cpp) takes a value that fits in registers
// and hands everything else to check_number; a string-like site calls evaluate_object.
// Neither result has a destructor, so a site needs no cleanup code: string values live until the
// process ends, interned (one copy per distinct string value configured), and so does the one
// object per string-like type and value that evaluate_object hands out.
#include "runtime/site_values.hpp"

#include <atomic>
#include <cstddef>
#include <mutex>
#include <new>
#include <string_view>
#include <unordered_map>

#include "failpoint/failpoint.hpp"

namespace failpoint {
namespace runtime_internal {
namespace {

// The object of one string-like type made from one interned value; a list per value, pushed
// under the interning lock and read without it.
struct object_entry {
  const void* type_key;
  const void* object;
  const object_entry* next;
};

// One interned string value: its bytes (NUL-terminated) follow the header, so that a site's
// `text` pointer leads back to its record.
struct interned {
  std::atomic<const object_entry*> objects{nullptr};
  std::size_t size = 0;
  char bytes[1];
};

std::mutex& interning_mutex() {
  static std::mutex* const mutex = new std::mutex;  // leaked: hits may run in static destructors
  return *mutex;
}

const interned& record_of(const char* text) noexcept {
  return *reinterpret_cast<const interned*>(text - offsetof(interned, bytes));
}

}  // namespace

const char* intern_string(std::string_view text) {
  static auto* const records = new std::unordered_map<std::string_view, interned*>;
  std::lock_guard<std::mutex> lock(interning_mutex());
  auto it = records->find(text);
  if (it != records->end())
    return it->second->bytes;
  void* memory = ::operator new(offsetof(interned, bytes) + text.size() + 1);
  auto* record = new (memory) interned;
  record->size = text.size();
  char* const bytes = record->bytes;  // size + 1 bytes allocated past the header
  text.copy(bytes, text.size());
  bytes[text.size()] = '\0';
  records->emplace(std::string_view(record->bytes, text.size()), record);
  return record->bytes;
}

namespace {

// The object `make` returns for this type and value: found without a lock once made.
const void* object_for(const char* text, const void* type_key,
                       void* (*make)(const char*, std::size_t)) {
  auto& record = const_cast<interned&>(record_of(text));
  for (auto* e = record.objects.load(std::memory_order_acquire); e != nullptr; e = e->next) {
    if (e->type_key == type_key)
      return e->object;
  }
  std::lock_guard<std::mutex> lock(interning_mutex());
  const object_entry* head = record.objects.load(std::memory_order_relaxed);
  for (auto* e = head; e != nullptr; e = e->next) {
    if (e->type_key == type_key)
      return e->object;  // made by another thread meanwhile
  }
  const void* object = make(record.bytes, record.size);
  record.objects.store(new object_entry{type_key, object, head}, std::memory_order_release);
  return object;
}

enum class any_enum : int {};

// One number type of each row of number_type_row (the type words of every row).
constexpr std::uint64_t row_words[] = {
    detail::number_type_word<bool>(),          detail::number_type_word<std::int8_t>(),
    detail::number_type_word<std::int16_t>(),  detail::number_type_word<std::int32_t>(),
    detail::number_type_word<std::int64_t>(),  detail::number_type_word<std::uint8_t>(),
    detail::number_type_word<std::uint16_t>(), detail::number_type_word<std::uint32_t>(),
    detail::number_type_word<std::uint64_t>(), detail::number_type_word<any_enum>(),
    detail::number_type_word<double>(),
};

}  // namespace

std::uint64_t number_rows_fitting(const detail::value& v) noexcept {
  std::uint64_t rows = 0;
  for (const std::uint64_t word : row_words) {
    if (detail::conversion_error(v, detail::number_type(word)) == nullptr)
      rows |= std::uint64_t(1) << detail::number_row(word);
  }
  return rows;
}

detail::number_hit check_number(detail::site& s, detail::raw_hit r, std::uint64_t word) noexcept {
  const detail::hit h(r);
  const detail::value v = h.get();
  if (const char* reason = detail::conversion_error(v, detail::number_type(word))) {
    detail::report_mismatch(s, v, reason);
    return detail::number_hit{0, 0};
  }
  return detail::number_hit{1, v.integer};
}

}  // namespace runtime_internal

namespace detail {

const void* evaluate_object(site& s, const object_type* type) {
  const raw_hit r = evaluate(s);
  if (r.word == 0)
    return nullptr;
  const hit h(r);
  const value v = h.get();
  if (const char* reason = conversion_error(v, value_type{type->cls, 0, 0})) {
    report_mismatch(s, v, reason);
    return nullptr;
  }
  if (type->make == nullptr)
    return v.text;
  return runtime_internal::object_for(v.text, type, type->make);
}

}  // namespace detail
}  // namespace failpoint
