# test/perf/check_instructions.cmake: counts the instructions of each loop in
# failpoint_perf_program under callgrind and compares them.
#
# cmake -DVALGRIND=<path or empty> -DPROGRAM=<failpoint_perf_program> -DWORK_DIR=<dir>
#       -DRUNTIME=<libfailpoint.so> -DRUNTIME_SONAME=<its soname> -DOBJCOPY=<objcopy> -P this
#
# Each loop runs N iterations in its own function; --toggle-collect counts only that function, so
# the count is the loop's instructions and nothing else, the same on every run and every machine
# with the same compiler. Per iteration, the baseline is a relaxed load, a test, a branch and the
# loop's own increment and branch.

cmake_minimum_required(VERSION 3.16)

# Disabled site: at most this many instructions per hit beyond the bare load and branch.
# 0 is the design and what g++ 12 and clang 14 emit at -O2, also in a shared library (the site's
# GOT entry is loop-invariant and loaded once); 1 leaves room for a register move a compiler may
# add around the site. A call, a second load or a fence in the disabled path exceeds it.
set(MAX_EXTRA 1)
# Large enough that the loop dwarfs the function's prologue; small enough to run in seconds.
set(N 100000)

if(NOT VALGRIND)
  message("SKIPPED: valgrind is not installed (scripts/deps.sh installs it)")
  return()
endif()

# Valgrind 3.19 (Debian 12) gives up on DWARF 5 debug information, which clang 14 emits by
# default, and the count needs no debug information: the program loads a copy of the runtime
# without it (LD_LIBRARY_PATH comes before the build tree's RUNPATH).
set(lib_dir "${WORK_DIR}/runtime-without-debug-info")
file(MAKE_DIRECTORY ${lib_dir})
execute_process(COMMAND ${OBJCOPY} --strip-debug ${RUNTIME} ${lib_dir}/${RUNTIME_SONAME}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${OBJCOPY} --strip-debug ${RUNTIME} failed: ${err}")
endif()

# Runs one mode under callgrind and sets `${out_var}` to its instructions per iteration (x100,
# an integer, since CMake's math is integer-only).
function(count_instructions mode function out_var)
  set(out_file "${WORK_DIR}/callgrind.${mode}.out")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${lib_dir}
      ${VALGRIND} --tool=callgrind --toggle-collect=${function}
      --callgrind-out-file=${out_file} ${PROGRAM} ${mode} ${N}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${PROGRAM} ${mode} ${N} under callgrind failed (${rc}):\n${out}${err}")
  endif()
  if(NOT err MATCHES "Collected : ([0-9]+)")
    message(FATAL_ERROR "no instruction count in callgrind's output:\n${err}")
  endif()
  set(total ${CMAKE_MATCH_1})
  math(EXPR per_100 "${total} * 100 / ${N}")
  message("${mode}: ${total} instructions in ${function} for ${N} iterations")
  set(${out_var} ${per_100} PARENT_SCOPE)
endfunction()

# Formats x100 fixed point as a decimal.
function(decimal value out_var)
  math(EXPR whole "${value} / 100")
  math(EXPR frac "${value} % 100")
  if(frac LESS 10)
    set(frac "0${frac}")
  endif()
  set(${out_var} "${whole}.${frac}" PARENT_SCOPE)
endfunction()

count_instructions(baseline failpoint_perf_baseline baseline)
count_instructions(sites failpoint_perf_sites sites)
count_instructions(sites-others failpoint_perf_sites others)
count_instructions(sites-shared failpoint_perf_sites_shared shared)
count_instructions(sites-c failpoint_perf_sites_c c_sites)

set(failed "")
set(limit ${MAX_EXTRA})
foreach(case sites others shared c_sites)
  math(EXPR allowed "${baseline} + ${limit} * 100")
  decimal(${${case}} got)
  decimal(${baseline} base)
  message("${case}: ${got} instructions per iteration (baseline ${base}, at most +${limit})")
  if(${case} GREATER allowed)
    string(APPEND failed "${case}: ${got} instructions per disabled site, more than the bare "
      "relaxed load and branch (${base}) + ${limit}\n")
  endif()
endforeach()
if(NOT others EQUAL sites)
  decimal(${others} a)
  decimal(${sites} b)
  string(APPEND failed "a disabled site costs ${a} instructions while other failpoints are on, "
    "${b} while all are off: the disabled path must not depend on other failpoints\n")
endif()
if(failed)
  message(FATAL_ERROR "${failed}")
endif()
