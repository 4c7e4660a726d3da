// test/gate/postgres.hpp: a throwaway PostgreSQL server for the tests, started on a free loopback
// port in a temporary directory and stopped (and removed) when destroyed.
#ifndef FAILPOINT_TEST_GATE_POSTGRES_HPP
#define FAILPOINT_TEST_GATE_POSTGRES_HPP

#include <string>

namespace gate_test {

class postgres_server {
 public:
  // initdb, then pg_ctl start (about 2 s). As root the server runs as the `postgres` user (it
  // refuses root). Throws std::runtime_error with the tools' output when it cannot start.
  postgres_server();
  ~postgres_server();
  postgres_server(const postgres_server&) = delete;
  postgres_server& operator=(const postgres_server&) = delete;

  std::string address() const { return "127.0.0.1:" + port_; }
  const std::string& port() const { return port_; }

 private:
  const std::string dir_;  // removed when the test process exits
  std::string port_;
  bool started_ = false;
};

}  // namespace gate_test

#endif  // FAILPOINT_TEST_GATE_POSTGRES_HPP
