# failpoint_enable(<target> [PREFIX <prefix>])
#
# Builds <target> with its `// failpoint:` comments turned into failpoint sites, without touching
# the source tree:
#   - every C/C++ source of the target is compiled from a rewritten copy generated in
#     <binary dir of the target>/failpoint/<target>/ by `failpoint-rewrite generate`, one custom
#     command per file (it depends on the original and on the rewriter, so editing one source
#     regenerates only its copy). Each copy starts with `#line 1 "<original>"`: diagnostics,
#     __FILE__, __LINE__ and debug info name the original file and line;
#   - headers that contain `// failpoint:` in the directories of the target's sources and in its
#     include directories inside its source directory are rewritten too, and their copies are
#     found first (the copies of the sources sit next to them; mirrored include directories are
#     added BEFORE the originals); quote includes that are not rewritten resolve from the
#     original directories (-iquote);
#   - the target links failpoint::runtime, and the endpoint (failpoint::http, through
#     failpoint::http_keep) when it was built. For a static or object library they are linked
#     into every program (or shared library) that links it. The endpoint stays loaded although
#     the program calls none of it, and accepts once the program's sites are registered;
#   - `failpoint-rewrite list` checks all of the target's files together at build time (one
#     name declared with two types in two files fails the build, naming both places) and writes
#     the target's failpoints to <binary dir of the target>/failpoint/<target>/failpoints.txt.
# PREFIX <prefix> is prepended to every failpoint name (the name at run time is <prefix>NAME).
#
# Call it in the directory that creates the target. With CMake 3.19 or later the work is done at
# the end of that directory, so sources added later (target_sources) are included too.
# A header that had no failpoint when CMake ran and gains one later is picked up at the next
# configure (re-run cmake). Works through add_subdirectory(failpoint) (the in-tree
# failpoint-rewrite is built first) and with find_package(failpoint) (the installed
# failpoint::rewrite).
include_guard(GLOBAL)
# Which files are sources and headers: the list shared with failpoint-rewrite.
include("${CMAKE_CURRENT_LIST_DIR}/FailpointSourceExtensions.cmake")

function(failpoint_enable target)
  cmake_parse_arguments(PARSE_ARGV 1 FAILPOINT_ARG "" "PREFIX" "")
  if(FAILPOINT_ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "failpoint_enable(${target}): unexpected arguments "
      "'${FAILPOINT_ARG_UNPARSED_ARGUMENTS}'; expected failpoint_enable(<target> [PREFIX <prefix>])")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "failpoint_enable(${target}): no such target")
  endif()
  get_target_property(already ${target} FAILPOINT_ENABLED)
  if(already)
    message(FATAL_ERROR "failpoint_enable(${target}): called twice for this target")
  endif()
  get_target_property(source_dir ${target} SOURCE_DIR)
  if(NOT source_dir STREQUAL CMAKE_CURRENT_SOURCE_DIR)
    message(FATAL_ERROR "failpoint_enable(${target}): call it in the directory that creates the "
      "target (${source_dir}), not in ${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  get_target_property(type ${target} TYPE)
  if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$")
    message(FATAL_ERROR "failpoint_enable(${target}): a ${type} target has no sources to rewrite")
  endif()
  if(NOT TARGET failpoint::rewrite)
    message(FATAL_ERROR "failpoint_enable(${target}): failpoint-rewrite is not available; build "
      "failpoint with FAILPOINT_BUILD_REWRITER=ON")
  endif()
  if(NOT TARGET failpoint::runtime)
    message(FATAL_ERROR "failpoint_enable(${target}): the target failpoint::runtime is missing")
  endif()
  set_property(TARGET ${target} PROPERTY FAILPOINT_ENABLED ON)
  if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.19)
    cmake_language(EVAL CODE
      "cmake_language(DEFER CALL _failpoint_enable_now [==[${target}]==] [==[${FAILPOINT_ARG_PREFIX}]==])")
  else()
    _failpoint_enable_now("${target}" "${FAILPOINT_ARG_PREFIX}")
  endif()
endfunction()

# The rewriting itself (see failpoint_enable).
function(_failpoint_enable_now target prefix)
  get_target_property(source_dir ${target} SOURCE_DIR)
  get_target_property(binary_dir ${target} BINARY_DIR)
  get_target_property(type ${target} TYPE)
  set(out_root "${binary_dir}/failpoint/${target}")

  # The rewriter: the in-tree executable (through its alias) or the imported one.
  get_target_property(tool failpoint::rewrite ALIASED_TARGET)
  if(NOT tool)
    set(tool failpoint::rewrite)
  endif()
  set(prefix_args "")
  if(NOT prefix STREQUAL "")
    set(prefix_args "--prefix=${prefix}")
  endif()

  _failpoint_source_regex(source_regex)
  _failpoint_header_globs(header_globs)

  # Returns in out_var the copy of `original` (absolute) and adds its custom command once.
  macro(_failpoint_copy original out_var)
    file(RELATIVE_PATH _fp_rel "${source_dir}" "${original}")
    if(_fp_rel MATCHES "^\\.\\./" OR IS_ABSOLUTE "${_fp_rel}")
      # Outside the target's source directory: mirror its absolute path.
      string(REGEX REPLACE "^/" "" _fp_rel "${original}")
      string(REPLACE ":" "_" _fp_rel "${_fp_rel}")
      set(_fp_root "/")
      set(_fp_out_dir "${out_root}/_abs")
    else()
      set(_fp_root "${source_dir}")
      set(_fp_out_dir "${out_root}")
    endif()
    set(${out_var} "${_fp_out_dir}/${_fp_rel}")
    if(NOT "${${out_var}}" IN_LIST _fp_outputs)
      list(APPEND _fp_outputs "${${out_var}}")
      list(APPEND _fp_originals "${original}")
      add_custom_command(OUTPUT "${${out_var}}"
        COMMAND failpoint::rewrite generate --output-dir "${_fp_out_dir}" --root "${_fp_root}"
          ${prefix_args} "${original}"
        DEPENDS "${original}" ${tool}
        COMMENT "Rewriting failpoints in ${_fp_rel}"
        VERBATIM)
      get_filename_component(_fp_dir "${original}" DIRECTORY)
      list(APPEND _fp_quote_dirs "${_fp_dir}")
    endif()
  endmacro()

  set(_fp_outputs "")
  set(_fp_originals "")
  set(_fp_quote_dirs "")
  set(new_sources "")
  set(scan_dirs "")
  get_target_property(sources ${target} SOURCES)
  if(NOT sources)
    set(sources "")
  endif()
  foreach(src IN LISTS sources)
    if(src MATCHES "\\$<" OR NOT src MATCHES "${source_regex}")
      list(APPEND new_sources "${src}")
      continue()
    endif()
    get_filename_component(abs "${src}" ABSOLUTE BASE_DIR "${source_dir}")
    get_source_file_property(generated "${abs}" GENERATED)
    file(RELATIVE_PATH in_build "${CMAKE_BINARY_DIR}" "${abs}")
    if(generated OR NOT in_build MATCHES "^\\.\\./")
      list(APPEND new_sources "${src}")  # generated or in the build tree: left alone
      continue()
    endif()
    _failpoint_copy("${abs}" copy)
    list(APPEND new_sources "${copy}")
    foreach(prop COMPILE_DEFINITIONS COMPILE_OPTIONS INCLUDE_DIRECTORIES COMPILE_FLAGS LANGUAGE)
      get_source_file_property(value "${abs}" ${prop})
      if(value)
        set_source_files_properties("${copy}" PROPERTIES ${prop} "${value}")
      endif()
    endforeach()
    get_filename_component(dir "${abs}" DIRECTORY)
    list(APPEND scan_dirs "${dir}")
  endforeach()

  # Headers with failpoints: next to the sources, and under the include directories that are
  # part of the target's source directory.
  list(REMOVE_DUPLICATES scan_dirs)
  set(headers "")
  foreach(dir IN LISTS scan_dirs)
    set(globs "")
    foreach(g IN LISTS header_globs)
      list(APPEND globs "${dir}/${g}")
    endforeach()
    file(GLOB found ${globs})
    list(APPEND headers ${found})
  endforeach()
  get_target_property(include_dirs ${target} INCLUDE_DIRECTORIES)
  set(mirrored_include_dirs "")
  if(include_dirs)
    foreach(dir IN LISTS include_dirs)
      if(dir MATCHES "\\$<")
        continue()
      endif()
      get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${source_dir}")
      file(RELATIVE_PATH rel "${source_dir}" "${dir}")
      file(RELATIVE_PATH in_build "${CMAKE_BINARY_DIR}" "${dir}")
      if(rel MATCHES "^\\.\\./" OR NOT in_build MATCHES "^\\.\\./" OR NOT IS_DIRECTORY "${dir}")
        continue()
      endif()
      set(globs "")
      foreach(g IN LISTS header_globs)
        list(APPEND globs "${dir}/${g}")
      endforeach()
      file(GLOB_RECURSE found ${globs})
      list(FILTER found EXCLUDE REGEX "^${CMAKE_BINARY_DIR}/")
      if(found)
        list(APPEND headers ${found})
        if(rel STREQUAL "")
          list(APPEND mirrored_include_dirs "${out_root}")
        else()
          list(APPEND mirrored_include_dirs "${out_root}/${rel}")
        endif()
      endif()
    endforeach()
  endif()
  list(REMOVE_DUPLICATES headers)
  foreach(header IN LISTS headers)
    file(STRINGS "${header}" marks REGEX "//[ \t]*failpoint:" LIMIT_COUNT 1)
    if(marks)
      _failpoint_copy("${header}" copy)
      list(APPEND new_sources "${copy}")
      set_source_files_properties("${copy}" PROPERTIES HEADER_FILE_ONLY ON)
    endif()
  endforeach()

  # One name with two types in two files of the target: each copy is generated from its file
  # alone, so only a look at all of them together finds it. `failpoint-rewrite list` over the
  # target's files fails with both locations; its output, the target's failpoints, is kept in
  # failpoints.txt. Written through a temporary file so that a failed check leaves no stale list.
  if(_fp_originals)
    set(listing "${out_root}/failpoints.txt")
    file(MAKE_DIRECTORY "${out_root}")
    add_custom_command(OUTPUT "${listing}"
      COMMAND failpoint::rewrite list ${prefix_args} ${_fp_originals} > "${listing}.tmp"
      COMMAND "${CMAKE_COMMAND}" -E rename "${listing}.tmp" "${listing}"
      DEPENDS ${_fp_originals} ${tool}
      COMMENT "Checking the failpoints of ${target}"
      VERBATIM)
    set_source_files_properties("${listing}" PROPERTIES HEADER_FILE_ONLY ON)
    list(APPEND new_sources "${listing}")
  endif()

  list(REMOVE_DUPLICATES new_sources)  # a header may be both listed and found by the scan
  set_property(TARGET ${target} PROPERTY SOURCES "${new_sources}")
  if(mirrored_include_dirs)
    list(REMOVE_DUPLICATES mirrored_include_dirs)
    target_include_directories(${target} BEFORE PRIVATE ${mirrored_include_dirs})
  endif()
  list(REMOVE_DUPLICATES _fp_quote_dirs)
  foreach(dir IN LISTS _fp_quote_dirs)
    target_compile_options(${target} PRIVATE "-iquote${dir}")
  endforeach()

  # The runtime, and the HTTP endpoint when it was built. The properties are set directly so that
  # either target_link_libraries signature may be used for the target.
  # The endpoint comes through failpoint::http_keep, whose one object the linker is asked for
  # (-u): it keeps libfailpoint_http loaded under --as-needed although the program calls none of
  # it, and, linked after the program's objects and static libraries, reports the program ready
  # once their sites are registered (http-control/keep_loaded.cpp). A static or object library
  # passes all of it on to every program (or shared library) that links it: inside the archive
  # it would never be pulled out.
  set(keep_option "LINKER:-u,failpoint_http_keep_loaded")
  set_property(TARGET ${target} APPEND PROPERTY LINK_LIBRARIES failpoint::runtime)
  if(type STREQUAL "STATIC_LIBRARY" OR type STREQUAL "OBJECT_LIBRARY")
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_LINK_LIBRARIES
      "$<LINK_ONLY:failpoint::runtime>")
    if(TARGET failpoint::http_keep)
      set_property(TARGET ${target} APPEND PROPERTY INTERFACE_LINK_LIBRARIES
        "$<LINK_ONLY:failpoint::http_keep>")
      set_property(TARGET ${target} APPEND PROPERTY INTERFACE_LINK_OPTIONS "${keep_option}")
    endif()
  elseif(TARGET failpoint::http_keep)
    set_property(TARGET ${target} APPEND PROPERTY LINK_LIBRARIES failpoint::http_keep)
    set_property(TARGET ${target} APPEND PROPERTY LINK_OPTIONS "${keep_option}")
  endif()
endfunction()
