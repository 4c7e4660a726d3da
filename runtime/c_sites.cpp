// runtime/c_sites.cpp: C failpoint sites (failpoint/failpoint.h) on the C++ site machinery.
//
// A C site has the C++ site's layout (checked below), so it is registered and evaluated as one:
// same registry, same terms, same counts. What differs is only the boundary: the value is checked
// against a C type chosen by a kind tag instead of a template argument, strings are handed out
// with process lifetime (as at C++ sites, a string value's bytes are never freed), and a `throw`
// term, which cannot unwind through C frames, is reported like a value that does not fit.
#include <cstddef>

#include "failpoint/error.hpp"
#include "failpoint/failpoint.hpp"
#include "failpoint/internal/site.h"

namespace failpoint {
namespace runtime_internal {
namespace {

using detail::site;

static_assert(sizeof(failpoint_detail_c_site) == sizeof(site), "C and C++ sites have one layout");
static_assert(offsetof(failpoint_detail_c_site, info) == offsetof(site, info), "info");
static_assert(offsetof(failpoint_detail_c_site_info, name) == offsetof(detail::site_info, name),
              "info.name");
static_assert(offsetof(failpoint_detail_c_site_info, file) == offsetof(detail::site_info, file),
              "info.file");
static_assert(offsetof(failpoint_detail_c_site_info, line) == offsetof(detail::site_info, line),
              "info.line");
static_assert(offsetof(failpoint_detail_c_site_info, type) == offsetof(detail::site_info, type),
              "info.type");
static_assert(offsetof(failpoint_detail_c_site, armed) == offsetof(site, armed), "armed");
static_assert(sizeof(bool) == sizeof(std::atomic<bool>) && std::atomic<bool>::is_always_lock_free,
              "a C _Bool read with __atomic_load_n is the C++ std::atomic<bool>");
static_assert(offsetof(failpoint_detail_c_site, point) == offsetof(site, point), "point");

site* as_site(failpoint_detail_c_site* s) noexcept {
  return reinterpret_cast<site*>(s);
}

// Checks the fired value against T and stores it; 0 (reported) when it does not fit.
template <class T>
int store(site& s, const detail::hit& h, void* out) {
  if (const char* reason = detail::conversion_error<T>(h.get())) {
    detail::report_mismatch(s, h.get(), reason);
    return 0;
  }
  if constexpr (std::is_void<T>::value) {
    (void)out;
  } else if constexpr (std::is_same<T, const char*>::value) {
    *static_cast<const char**>(out) = h.get().text;  // kept until the process ends
  } else {
    *static_cast<T*>(out) = detail::convert<T>(h.get());
  }
  return 1;
}

int store_kind(site& s, const detail::hit& h, failpoint_detail_c_kind kind, void* out) {
  switch (kind) {
    case FAILPOINT_DETAIL_C_NONE:
      return store<void>(s, h, out);
    case FAILPOINT_DETAIL_C_BOOL:
      return store<bool>(s, h, out);
    case FAILPOINT_DETAIL_C_CHAR:
      return store<char>(s, h, out);
    case FAILPOINT_DETAIL_C_SCHAR:
      return store<signed char>(s, h, out);
    case FAILPOINT_DETAIL_C_UCHAR:
      return store<unsigned char>(s, h, out);
    case FAILPOINT_DETAIL_C_SHORT:
      return store<short>(s, h, out);
    case FAILPOINT_DETAIL_C_USHORT:
      return store<unsigned short>(s, h, out);
    case FAILPOINT_DETAIL_C_INT:
      return store<int>(s, h, out);
    case FAILPOINT_DETAIL_C_UINT:
      return store<unsigned>(s, h, out);
    case FAILPOINT_DETAIL_C_LONG:
      return store<long>(s, h, out);
    case FAILPOINT_DETAIL_C_ULONG:
      return store<unsigned long>(s, h, out);
    case FAILPOINT_DETAIL_C_LLONG:
      return store<long long>(s, h, out);
    case FAILPOINT_DETAIL_C_ULLONG:
      return store<unsigned long long>(s, h, out);
    case FAILPOINT_DETAIL_C_FLOAT:
      return store<float>(s, h, out);
    case FAILPOINT_DETAIL_C_DOUBLE:
      return store<double>(s, h, out);
    case FAILPOINT_DETAIL_C_LDOUBLE:
      return store<long double>(s, h, out);
    case FAILPOINT_DETAIL_C_STRING:
      return store<const char*>(s, h, out);
  }
  detail::report_mismatch(s, h.get(), "unknown C type tag (a header from another version?)");
  return 0;
}

}  // namespace
}  // namespace runtime_internal
}  // namespace failpoint

extern "C" {

void failpoint_detail_register_c_sites(failpoint_detail_c_site** begin,
                                       failpoint_detail_c_site** end) {
  failpoint::detail::register_sites(reinterpret_cast<failpoint::detail::site* const*>(begin),
                                    reinterpret_cast<failpoint::detail::site* const*>(end));
}

int failpoint_detail_c_evaluate(failpoint_detail_c_site* c_site, failpoint_detail_c_kind kind,
                                void* out) {
  namespace ri = failpoint::runtime_internal;
  failpoint::detail::site& s = *ri::as_site(c_site);
  try {
    const failpoint::detail::hit h(failpoint::detail::evaluate(s));
    if (!h)
      return 0;
    return ri::store_kind(s, h, kind, out);
  } catch (const failpoint::injected_error&) {
    failpoint::detail::report_mismatch(s, failpoint::detail::value{},
                                       "a throw term cannot unwind through C code");
  } catch (...) {
    failpoint::detail::report_mismatch(s, failpoint::detail::value{},
                                       "the failpoint's action failed at a C site");
  }
  return 0;
}

}  // extern "C"
