// test/http/sites.hpp: failpoint sites compiled into the endpoint tests.
#ifndef FAILPOINT_TEST_HTTP_SITES_HPP
#define FAILPOINT_TEST_HTTP_SITES_HPP

namespace sites {

// Each evaluates the failpoint named in the comment; returns whether (or the value it) fired.
bool plain();        // "http.plain"
int value();         // "http.value" (int)
bool slash();        // "dir/name"
bool slash_count();  // "dir/name/count": a name that looks like a route suffix
bool odd();          // "odd name?#%&+"
bool waited();       // "http.wait"
bool load(int i);    // "http.load.0" .. "http.load.3"

}  // namespace sites

#endif  // FAILPOINT_TEST_HTTP_SITES_HPP
