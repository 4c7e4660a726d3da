# The file extensions failpoint rewrites: the one list shared by `failpoint-rewrite` (its
# directory walk and its C/C++ choice, compiled in from this file) and `failpoint_enable()`
# (which sources it rewrites and which headers it looks at). Installed next to
# FailpointEnable.cmake. Extensions are case-sensitive (`.C` is C++, `.c` is C).
include_guard(GLOBAL)

# Lexed as C.
set_property(GLOBAL PROPERTY FAILPOINT_C_SOURCE_EXTENSIONS c)
# Lexed as C++.
set_property(GLOBAL PROPERTY FAILPOINT_CXX_SOURCE_EXTENSIONS cc cpp cxx c++ C)
# Headers (lexed as C++): rewritten when they are included by a target's sources.
set_property(GLOBAL PROPERTY FAILPOINT_HEADER_EXTENSIONS h hh hpp hxx ipp inl tcc)

# _failpoint_source_extensions(<out-var>): every extension above, sources first.
function(_failpoint_source_extensions out_var)
  get_property(c GLOBAL PROPERTY FAILPOINT_C_SOURCE_EXTENSIONS)
  get_property(cxx GLOBAL PROPERTY FAILPOINT_CXX_SOURCE_EXTENSIONS)
  get_property(headers GLOBAL PROPERTY FAILPOINT_HEADER_EXTENSIONS)
  set(${out_var} ${c} ${cxx} ${headers} PARENT_SCOPE)
endfunction()

# _failpoint_source_regex(<out-var>): a regular expression matching a path with one of them.
function(_failpoint_source_regex out_var)
  _failpoint_source_extensions(all)
  set(alternatives "")
  foreach(ext IN LISTS all)
    string(REGEX REPLACE "([][+.*()^$?|\\\\])" "\\\\\\1" escaped "${ext}")
    list(APPEND alternatives "${escaped}")
  endforeach()
  list(JOIN alternatives "|" joined)
  set(${out_var} "\\.(${joined})$" PARENT_SCOPE)
endfunction()

# _failpoint_header_globs(<out-var>): `*.<ext>` for every header extension.
function(_failpoint_header_globs out_var)
  get_property(headers GLOBAL PROPERTY FAILPOINT_HEADER_EXTENSIONS)
  list(TRANSFORM headers PREPEND "*.")
  set(${out_var} ${headers} PARENT_SCOPE)
endfunction()

# `cmake -P FailpointSourceExtensions.cmake` prints every extension on one line, blank-separated,
# for scripts that need the same list.
if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  _failpoint_source_extensions(all)
  execute_process(COMMAND ${CMAKE_COMMAND} -E echo ${all})
endif()
