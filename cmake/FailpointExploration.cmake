# failpoint_add_exploration(<name> (TEST <ctest-test> | COMMAND <command> [<arg>...])
#                           [DEPTH <d>] [MENU <file>] [JOBS <n>] [EACH_TEST_CASE]
#                           [WORKING_DIRECTORY <dir>] [OPTIONS <failpoint-explore option>...])
#
# Adds the ctest test <name>, which runs failpoint-explore and fails when the exploration finds a
# failure (exit status 1) or cannot explore (2: a baseline that does not pass, a test that
# reaches no failpoint...); its output names each counterexample, written under
# <current binary dir>/failpoint-exploration/<name>/.
#   TEST <ctest-test>   explores that ctest test of this directory or below, with its own
#                       command, ENVIRONMENT and WORKING_DIRECTORY (`failpoint-explore ctest
#                       -R '^<ctest-test>$'`). When the test is already defined in this directory,
#                       its RUN_SERIAL and RESOURCE_LOCK are copied to <name>, so that ctest -j
#                       never runs the exploration beside a test it must not overlap.
#   COMMAND ...         explores that command (a target name as the first word is replaced by its
#                       file), in WORKING_DIRECTORY (default: the current binary directory).
#   DEPTH, MENU, JOBS   failpoint-explore's --depth, --faults (relative to the current source
#                       directory) and --jobs.
#   EACH_TEST_CASE      each case of a Catch2 or GoogleTest program on its own.
#   OPTIONS ...         any other failpoint-explore options, e.g. --with panic or --max-runs 100.
# The tool is failpoint::explore (this build tree, or an installed failpoint found by
# find_package), else the failpoint-explore program in PATH (cache variable
# FAILPOINT_EXPLORE_EXECUTABLE). The test has the label `failpoint-exploration`.
include_guard(GLOBAL)

function(failpoint_add_exploration name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "EACH_TEST_CASE"
    "TEST;DEPTH;MENU;JOBS;WORKING_DIRECTORY" "COMMAND;OPTIONS")
  set(usage "failpoint_add_exploration(<name> (TEST <ctest-test> | COMMAND <command>...) "
    "[DEPTH <d>] [MENU <file>] [JOBS <n>] [EACH_TEST_CASE] [WORKING_DIRECTORY <dir>] "
    "[OPTIONS <option>...])")
  string(CONCAT usage ${usage})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "failpoint_add_exploration(${name}): unexpected arguments "
      "'${ARG_UNPARSED_ARGUMENTS}'; expected ${usage}")
  endif()
  if((DEFINED ARG_TEST AND DEFINED ARG_COMMAND) OR (NOT DEFINED ARG_TEST AND NOT DEFINED ARG_COMMAND))
    message(FATAL_ERROR "failpoint_add_exploration(${name}): give exactly one of TEST and "
      "COMMAND; expected ${usage}")
  endif()
  if(DEFINED ARG_TEST AND DEFINED ARG_WORKING_DIRECTORY)
    message(FATAL_ERROR "failpoint_add_exploration(${name}): WORKING_DIRECTORY goes with "
      "COMMAND; a TEST runs in its own")
  endif()
  foreach(number DEPTH JOBS)
    if(DEFINED ARG_${number} AND NOT ARG_${number} MATCHES "^[1-9][0-9]*$")
      message(FATAL_ERROR "failpoint_add_exploration(${name}): ${number} '${ARG_${number}}' is "
        "not a positive number")
    endif()
  endforeach()

  if(TARGET failpoint::explore)
    set(tool "$<TARGET_FILE:failpoint::explore>")
  else()
    find_program(FAILPOINT_EXPLORE_EXECUTABLE failpoint-explore)
    if(NOT FAILPOINT_EXPLORE_EXECUTABLE)
      message(FATAL_ERROR "failpoint_add_exploration(${name}): failpoint-explore not found: "
        "find_package(failpoint) from an installation that has it, or set "
        "FAILPOINT_EXPLORE_EXECUTABLE")
    endif()
    set(tool "${FAILPOINT_EXPLORE_EXECUTABLE}")
  endif()

  set(args --progress lines --out "${CMAKE_CURRENT_BINARY_DIR}/failpoint-exploration/${name}")
  if(DEFINED ARG_DEPTH)
    list(APPEND args --depth ${ARG_DEPTH})
  endif()
  if(DEFINED ARG_JOBS)
    list(APPEND args --jobs ${ARG_JOBS})
  endif()
  if(DEFINED ARG_MENU)
    get_filename_component(menu "${ARG_MENU}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND args --faults "${menu}")
  endif()
  if(ARG_EACH_TEST_CASE)
    list(APPEND args --each-test-case)
  endif()
  list(APPEND args ${ARG_OPTIONS})

  if(DEFINED ARG_TEST)
    # The name as a regular expression that matches it alone.
    string(REGEX REPLACE "([][.*+?^$()|\\\\])" "\\\\\\1" regex "${ARG_TEST}")
    add_test(NAME ${name}
      COMMAND "${tool}" ${args} ctest --test-dir "${CMAKE_CURRENT_BINARY_DIR}"
        -R "^${regex}$" --ctest-command "${CMAKE_CTEST_COMMAND}")
    if(TEST ${ARG_TEST})
      get_test_property(${ARG_TEST} RUN_SERIAL serial)
      get_test_property(${ARG_TEST} RESOURCE_LOCK locks)
      if(serial)
        set_tests_properties(${name} PROPERTIES RUN_SERIAL "${serial}")
      endif()
      if(locks)
        set_tests_properties(${name} PROPERTIES RESOURCE_LOCK "${locks}")
      endif()
    endif()
  else()
    list(GET ARG_COMMAND 0 program)
    list(REMOVE_AT ARG_COMMAND 0)
    if(TARGET ${program})
      set(program "$<TARGET_FILE:${program}>")
    endif()
    if(NOT DEFINED ARG_WORKING_DIRECTORY)
      set(ARG_WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
    endif()
    add_test(NAME ${name} COMMAND "${tool}" ${args} -- "${program}" ${ARG_COMMAND}
      WORKING_DIRECTORY "${ARG_WORKING_DIRECTORY}")
  endif()
  set_tests_properties(${name} PROPERTIES LABELS failpoint-exploration)
endfunction()
