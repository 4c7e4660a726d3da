// runtime/c_api.cpp: the C control API (failpoint/control.h) on the C++ one
// (failpoint/control.hpp).
//
// Each function calls its C++ counterpart and turns the exception it documents into a return code
// and a per-thread message; nothing is thrown across the C boundary.
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "failpoint/control.h"
#include "failpoint/control.hpp"

namespace failpoint {
namespace runtime_internal {
namespace {

std::string& last_error() {
  thread_local std::string message;
  return message;
}

int fail(int code, const char* message) noexcept {
  try {
    last_error() = message;
  } catch (...) {
    // Out of memory for the message itself: the code still says what happened.
  }
  return code;
}

// Runs `fn`, translating the control API's exceptions into codes and messages.
template <class Fn>
int guarded(Fn&& fn) noexcept {
  try {
    return fn();
  } catch (const config_error& e) {
    return fail(FAILPOINT_ERROR_CONFIG, e.what());
  } catch (const unknown_failpoint& e) {
    return fail(FAILPOINT_ERROR_UNKNOWN, e.what());
  } catch (const std::bad_alloc&) {
    return fail(FAILPOINT_ERROR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(FAILPOINT_ERROR_INTERNAL, e.what());
  } catch (...) {
    return fail(FAILPOINT_ERROR_INTERNAL, "unknown error");
  }
}

int null_argument(const char* function, const char* parameter) noexcept {
  try {
    last_error() = std::string(function) + ": `" + parameter + "` is a null pointer";
  } catch (...) {
  }
  return FAILPOINT_ERROR_ARGUMENT;
}

// A malloc'd copy (freed by failpoint_state_release); throws std::bad_alloc.
char* copy(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out == nullptr)
    throw std::bad_alloc();
  std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

}  // namespace
}  // namespace runtime_internal
}  // namespace failpoint

namespace ri = failpoint::runtime_internal;

extern "C" {

const char* failpoint_last_error(void) {
  return ri::last_error().c_str();
}

int failpoint_enable(const char* name, const char* terms) {
  if (name == nullptr)
    return ri::null_argument("failpoint_enable", "name");
  if (terms == nullptr)
    return ri::null_argument("failpoint_enable", "terms");
  return ri::guarded([&] {
    failpoint::enable(name, terms);
    return FAILPOINT_OK;
  });
}

int failpoint_disable(const char* name) {
  if (name == nullptr)
    return ri::null_argument("failpoint_disable", "name");
  return ri::guarded([&] {
    if (failpoint::disable(name))
      return FAILPOINT_OK;
    throw failpoint::unknown_failpoint(name, failpoint::closest_names(name));
  });
}

int failpoint_disable_all(void) {
  return ri::guarded([] {
    failpoint::disable_all();
    return FAILPOINT_OK;
  });
}

int failpoint_apply(const char* spec, int keep_unknown) {
  if (spec == nullptr)
    return ri::null_argument("failpoint_apply", "spec");
  return ri::guarded([&] {
    failpoint::apply(spec, keep_unknown != 0);
    return FAILPOINT_OK;
  });
}

int failpoint_status(const char* name, struct failpoint_state* out) {
  if (name == nullptr)
    return ri::null_argument("failpoint_status", "name");
  if (out == nullptr)
    return ri::null_argument("failpoint_status", "out");
  *out = failpoint_state{};
  return ri::guarded([&] {
    const std::optional<failpoint::failpoint_info> info = failpoint::status(name);
    if (!info)
      throw failpoint::unknown_failpoint(name, failpoint::closest_names(name));
    failpoint_state state{};
    try {
      state.name = ri::copy(info->name);
      state.terms = ri::copy(info->terms);
      state.type = ri::copy(info->type);
    } catch (...) {
      failpoint_state_release(&state);
      throw;
    }
    state.active = info->active ? 1 : 0;
    state.count = info->count;
    state.mismatches = info->mismatches;
    state.sites = info->sites.size();
    *out = state;
    return FAILPOINT_OK;
  });
}

void failpoint_state_release(struct failpoint_state* state) {
  if (state == nullptr)
    return;
  std::free(state->name);
  std::free(state->terms);
  std::free(state->type);
  *state = failpoint_state{};
}

int failpoint_wait_for(const char* name, uint64_t count, long timeout_ms) {
  if (name == nullptr)
    return ri::null_argument("failpoint_wait_for", "name");
  return ri::guarded([&] {
    if (failpoint::wait_for(name, count, std::chrono::milliseconds(timeout_ms)))
      return FAILPOINT_OK;
    ri::last_error() = "failpoint \"" + std::string(name) + "\" did not reach " +
                       std::to_string(count) + " runs within " + std::to_string(timeout_ms) + " ms";
    return FAILPOINT_ERROR_TIMEOUT;
  });
}

}  // extern "C"
