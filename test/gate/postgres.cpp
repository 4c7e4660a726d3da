// test/gate/postgres.cpp: see postgres.hpp.
#include "postgres.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "child_process.hpp"
#include "files.hpp"
#include "net.hpp"

namespace gate_test {
namespace {

const std::string k_bin = FAILPOINT_PG_BIN;  // the directory of initdb and pg_ctl

// A loopback port nothing listens on now (bound, then closed).
std::string free_port() {
  socket_fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    throw std::runtime_error("test: cannot find a free port");
  return std::to_string(ntohs(sa.sin_port));
}

// Runs a PostgreSQL tool, as the postgres user when we are root.
failpoint_test::child_result run_tool(std::vector<std::string> argv) {
  if (::geteuid() == 0)
    argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
  return failpoint_test::run_program(argv, {}, std::chrono::seconds(60));
}

void require_ok(const failpoint_test::child_result& r, const std::string& what) {
  if (!r.exited || r.status != 0)
    throw std::runtime_error("test: " + what + " failed: " + r.out + r.err);
}

}  // namespace

postgres_server::postgres_server() : dir_(failpoint_test::temp_dir()) {
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      throw std::runtime_error("test: no postgres user to run the server as");
  }
  const std::string data = dir_ + "/data";
  require_ok(run_tool({k_bin + "/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-N"}),
             "initdb");
  port_ = free_port();
  // fsync off: a throwaway cluster need not survive a power cut.
  require_ok(
      run_tool({k_bin + "/pg_ctl", "-D", data, "-o",
                "-p " + port_ + " -k " + dir_ + " -c listen_addresses=127.0.0.1 -c fsync=off", "-l",
                dir_ + "/log", "-w", "start"}),
      "pg_ctl start (log: " + dir_ + "/log)");
  started_ = true;
}

postgres_server::~postgres_server() {
  if (started_)
    run_tool({k_bin + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"});
}

}  // namespace gate_test
