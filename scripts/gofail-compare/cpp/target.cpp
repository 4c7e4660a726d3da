// The C++ target of scripts/gofail-compare.sh; go/target.go is the same program for gofail.
// Both declare the same failpoints and answer the same commands on stdin, so that the driver
// can send identical terms, environment values and HTTP requests to both and compare.
// Protocol: every answer is one line starting with "@@ " on stdout (anything else on stdout or
// stderr is the failpoint tool's own output); see driver/main.go for the commands.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

// Printable ASCII as is, every other byte (and the backslash) as \xHH: one line per answer.
std::string escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string hit_int() {
  // failpoint: var FpInt std::int64_t
  // return "fired " + std::to_string(FpInt);
  return "skipped";
}

std::string hit_str() {
  // failpoint: var FpStr std::string
  // return "fired \"" + escape(FpStr) + "\"";
  return "skipped";
}

std::string hit_bool() {
  // failpoint: var FpBool bool
  // return FpBool ? "fired true" : "fired false";
  return "skipped";
}

std::string hit_void() {
  // failpoint: var FpVoid
  // return "fired";
  return "skipped";
}

std::string hit_one(const std::string& name) {
  if (name == "FpInt")
    return hit_int();
  if (name == "FpStr")
    return hit_str();
  if (name == "FpBool")
    return hit_bool();
  if (name == "FpVoid")
    return hit_void();
  return "no such failpoint in the program";
}

// A `throw` term raises failpoint::injected_error; the answer says so instead of ending here.
std::string hit(const std::string& name) {
  try {
    return hit_one(name);
  } catch (const std::exception& e) {
    return std::string("threw: ") + e.what();
  }
}

void answer(const std::string& line) {
  std::printf("@@ %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

int main() {
  answer("ready");
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd, name;
    long n = 0;
    in >> cmd >> name >> n;
    if (cmd == "hit") {
      answer(hit(name));
    } else if (cmd == "hits") {  // hits NAME N: how many of N hits fired
      long fired = 0;
      for (long i = 0; i < n; ++i)
        fired += hit(name) != "skipped";
      answer("fired " + std::to_string(fired) + " of " + std::to_string(n));
    } else if (cmd == "par") {  // par NAME N: N threads hit once at the same time; elapsed ms
      const auto start = std::chrono::steady_clock::now();
      std::vector<std::thread> threads;
      for (long i = 0; i < n; ++i)
        threads.emplace_back([&] { hit(name); });
      for (auto& t : threads)
        t.join();
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
      answer("ms " + std::to_string(ms));
    } else if (cmd == "bg") {  // bg NAME: one hit on another thread, answered at once
      std::thread([name] { hit(name); }).detach();
      answer("started");
    } else if (cmd == "spin") {  // spin NAME: hit in a loop on another thread until the end
      std::thread([name] {
        for (;;)
          hit(name);
      }).detach();
      answer("spinning");
    } else if (cmd == "quit") {
      break;
    } else {
      answer("unknown command " + cmd);
    }
  }
  // Threads may still sleep or pause in a failpoint: end without waiting for them.
  answer("bye");
  std::_Exit(0);
}
