# failpoint_embed_text(<target> <file> <header> <function>)
#
# Compiles the text file <file> (a page of the source tree) into <target> as
# `std::string_view <function>() noexcept`, where <function> is a qualified name declared in
# <header> (included by the generated source). The file is read at configure time, and editing it
# re-runs CMake. Used for the pages the endpoint and failpoint-explore serve or write, so that a
# page is edited as HTML and shipped inside the binary, with no file to install or find.
function(failpoint_embed_text target file header function)
  get_filename_component(source ${file} ABSOLUTE)
  file(READ ${source} FAILPOINT_EMBED_TEXT)
  # The text goes into a raw string literal: its closing sequence must not occur in it.
  string(FIND "${FAILPOINT_EMBED_TEXT}" ")failpoint_text\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${source} contains )failpoint_text\", which ends the raw string it is "
                        "embedded in")
  endif()
  file(RELATIVE_PATH FAILPOINT_EMBED_SOURCE ${PROJECT_SOURCE_DIR} ${source})
  set(FAILPOINT_EMBED_HEADER ${header})
  set(FAILPOINT_EMBED_FUNCTION ${function})
  string(REGEX REPLACE "[^A-Za-z0-9_]" "_" stem ${function})
  set(output ${CMAKE_CURRENT_BINARY_DIR}/${stem}.cpp)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/embed_text.cpp.in ${output} @ONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
  target_sources(${target} PRIVATE ${output})
endfunction()
