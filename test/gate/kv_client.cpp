// test/gate/kv_client.cpp: see kv_client.hpp. Non-blocking libpq (PQconnectStartParams,
// PQsendQueryParams) with poll(), so that every wait has the client's own deadline.
#include "kv_client.hpp"

#include <poll.h>

#include <thread>

#include <libpq-fe.h>

namespace gate_test {
namespace {

using clock_type = std::chrono::steady_clock;

// Waits until the connection's socket is ready for `events` or the deadline passes.
bool wait_socket(PGconn* c, short events, clock_type::time_point deadline) {
  const int fd = PQsocket(c);
  if (fd < 0)
    return false;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0)
      return false;
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0)
      return true;
    if (r == 0)
      return false;
  }
}

std::string last_error(PGconn* c) {
  std::string e = PQerrorMessage(c);
  while (!e.empty() && (e.back() == '\n' || e.back() == ' '))
    e.pop_back();
  return e.empty() ? "connection failed" : e;
}

}  // namespace

kv_client::kv_client(options opts) : opts_(std::move(opts)) {}

kv_client::~kv_client() {
  disconnect();
}

void kv_client::disconnect() {
  if (conn_ != nullptr)
    PQfinish(conn_);
  conn_ = nullptr;
}

bool kv_client::connect(std::string& error) {
  const auto deadline = clock_type::now() + opts_.timeout;
  const char* keys[] = {"host", "port", "dbname", "user", "sslmode", nullptr};
  const char* values[] = {opts_.host.c_str(), opts_.port.c_str(), "postgres",
                          "postgres",         "disable",          nullptr};
  conn_ = PQconnectStartParams(keys, values, 0);
  if (conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD) {
    error = conn_ ? last_error(conn_) : "out of memory";
    disconnect();
    return false;
  }
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) {
      error = last_error(conn_);
      disconnect();
      return false;
    }
    if (!wait_socket(conn_, state == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline)) {
      error = "timeout while connecting";
      disconnect();
      return false;
    }
    state = PQconnectPoll(conn_);
  }
  PQsetnonblocking(conn_, 1);  // sends never block past the deadline
  return true;
}

bool kv_client::attempt(const char* sql, int n_params, const char* const* params, kv_result& r) {
  if (conn_ == nullptr && !connect(r.error))
    return false;
  const auto deadline = clock_type::now() + opts_.timeout;
  const auto fail = [&](std::string why) {
    r.error = std::move(why);
    disconnect();
    return false;
  };
  if (PQsendQueryParams(conn_, sql, n_params, nullptr, params, nullptr, nullptr, 0) == 0)
    return fail(last_error(conn_));
  // Flush (non-blocking), then collect the answer.
  while (PQflush(conn_) == 1) {
    if (!wait_socket(conn_, POLLOUT, deadline))
      return fail("timeout while sending");
  }
  PGresult* result = nullptr;
  bool failed = false;
  for (;;) {
    while (PQisBusy(conn_)) {
      if (!wait_socket(conn_, POLLIN, deadline))
        return fail("timeout waiting for the answer");
      if (PQconsumeInput(conn_) == 0)
        return fail(last_error(conn_));
    }
    PGresult* next = PQgetResult(conn_);
    if (next == nullptr)
      break;
    const auto status = PQresultStatus(next);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      if (result != nullptr)
        PQclear(result);
      result = next;
    } else {
      r.error = PQresultErrorMessage(next);
      failed = true;
      PQclear(next);
    }
  }
  if (failed || result == nullptr || PQstatus(conn_) == CONNECTION_BAD) {
    if (result != nullptr)
      PQclear(result);
    return fail(r.error.empty() ? last_error(conn_) : r.error);
  }
  if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0)
    r.value = std::string(PQgetvalue(result, 0, 0), PQgetlength(result, 0, 0));
  PQclear(result);
  return true;
}

kv_result kv_client::run(const char* sql, int n_params, const char* const* params) {
  kv_result r;
  for (int i = 0; i < opts_.attempts; ++i) {
    if (i > 0)
      std::this_thread::sleep_for(opts_.backoff);
    ++r.attempts;
    r.error.clear();
    r.value.reset();
    if (attempt(sql, n_params, params, r)) {
      r.ok = true;
      return r;
    }
  }
  return r;
}

kv_result kv_client::init() {
  return run("CREATE TABLE IF NOT EXISTS kv (k text PRIMARY KEY, v text NOT NULL)", 0, nullptr);
}

kv_result kv_client::put(const std::string& key, const std::string& value) {
  const char* params[] = {key.c_str(), value.c_str()};
  return run("INSERT INTO kv VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v", 2,
             params);
}

kv_result kv_client::get(const std::string& key) {
  const char* params[] = {key.c_str()};
  return run("SELECT v FROM kv WHERE k = $1", 1, params);
}

}  // namespace gate_test
