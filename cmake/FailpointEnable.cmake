# failpoint_enable(<target> [PREFIX <prefix>]) -- written by the rewriter work (issue 3).
function(failpoint_enable target)
  message(FATAL_ERROR "failpoint_enable is not available in this build yet")
endfunction()
