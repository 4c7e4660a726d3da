// test/gate/kv_client.hpp: a small PostgreSQL key-value client (libpq) with a timeout per attempt
// and a retry, the kind of client a gate test exercises: each call succeeds, or fails with the
// reason after its attempts.
#ifndef FAILPOINT_TEST_GATE_KV_CLIENT_HPP
#define FAILPOINT_TEST_GATE_KV_CLIENT_HPP

#include <chrono>
#include <optional>
#include <string>

struct pg_conn;

namespace gate_test {

// What one call did.
struct kv_result {
  bool ok = false;
  std::optional<std::string> value;  // get: the value, or nullopt when the key is absent
  std::string error;                 // why the last attempt failed
  int attempts = 0;
};

class kv_client {
 public:
  struct options {
    std::string host = "127.0.0.1";
    std::string port;
    std::chrono::milliseconds timeout{1000};  // per attempt: connecting, or a query's answer
    int attempts = 3;                         // 1 + retries
    std::chrono::milliseconds backoff{50};    // between attempts
  };
  explicit kv_client(options opts);
  ~kv_client();
  kv_client(const kv_client&) = delete;
  kv_client& operator=(const kv_client&) = delete;

  // Creates the table if needed.
  kv_result init();
  kv_result put(const std::string& key, const std::string& value);
  kv_result get(const std::string& key);
  // Drops the connection; the next call reconnects.
  void disconnect();

 private:
  // One attempt of one statement: connects if needed, sends, waits for the answer within the
  // timeout. On any failure the connection is dropped (a late answer must not be taken for the
  // next statement's).
  bool attempt(const char* sql, int n_params, const char* const* params, kv_result& r);
  bool connect(std::string& error);
  kv_result run(const char* sql, int n_params, const char* const* params);

  options opts_;
  pg_conn* conn_ = nullptr;
};

}  // namespace gate_test

#endif  // FAILPOINT_TEST_GATE_KV_CLIENT_HPP
