# docs/examples/explore-shards.cmake: a sharded failpoint-explore run as ctest tests
# (docs/sharding.md). Include it, then
#
#   failpoint_explore_shards(NAME my_test SHARDS 3 ROUNDS 2
#     EXPLORE $<TARGET_FILE:failpoint-explore>      # or the installed failpoint-explore
#     OPTIONS --faults ${CMAKE_CURRENT_SOURCE_DIR}/faults.json
#     COMMAND $<TARGET_FILE:my_test>)
#
# adds, per round R (ROUNDS = the exploration's --depth), one test per shard
# (NAME_rR_shardI) and a merge (NAME_rR_merge), ordered by fixtures: the shards of a round need
# the previous merge, the merge needs every shard of its round. `ctest -j N` runs the shards of a
# round at once. A shard's test passes when its share ran; the last merge fails when the
# exploration found failures (its output lists them; the report is STATE/report.json, the
# counterexamples in NAME-out/). A first test empties the state directory.
function(failpoint_explore_shards)
  cmake_parse_arguments(arg "" "NAME;SHARDS;ROUNDS;EXPLORE" "OPTIONS;COMMAND" ${ARGN})
  set(state ${CMAKE_CURRENT_BINARY_DIR}/${arg_NAME}-state)
  add_test(NAME ${arg_NAME}_clean COMMAND ${CMAKE_COMMAND} -E rm -rf ${state})
  set_tests_properties(${arg_NAME}_clean PROPERTIES FIXTURES_SETUP ${arg_NAME}_r0)
  math(EXPR last_shard "${arg_SHARDS} - 1")
  foreach(round RANGE 1 ${arg_ROUNDS})
    math(EXPR previous "${round} - 1")
    foreach(i RANGE 0 ${last_shard})
      set(test ${arg_NAME}_r${round}_shard${i})
      add_test(NAME ${test} COMMAND ${arg_EXPLORE} --state ${state} --shard ${i}/${arg_SHARDS}
        --progress lines ${arg_OPTIONS} -- ${arg_COMMAND})
      set_tests_properties(${test} PROPERTIES
        FIXTURES_REQUIRED ${arg_NAME}_r${previous}
        FIXTURES_SETUP ${arg_NAME}_r${round}_shards)
    endforeach()
    set(test ${arg_NAME}_r${round}_merge)
    add_test(NAME ${test} COMMAND ${arg_EXPLORE} merge --state ${state}
      --out ${CMAKE_CURRENT_BINARY_DIR}/${arg_NAME}-out)
    set_tests_properties(${test} PROPERTIES
      FIXTURES_REQUIRED ${arg_NAME}_r${round}_shards
      FIXTURES_SETUP ${arg_NAME}_r${round})
  endforeach()
endfunction()
