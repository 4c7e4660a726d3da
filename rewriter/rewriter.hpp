// rewriter/rewriter.hpp: the library behind failpoint-rewrite (the tool is a thin main in
// tool/main.cpp). One header for its users; each piece lives in its own file:
//   scan.hpp        the comment grammar (normative copy), finding blocks, type normalisation
//   render.hpp      enable (in place) and generate (a copy for an out-of-tree build)
//   disable.hpp     restoring the comments: collect, rebuild, verify
//   diagnostic.hpp  clang-style messages
//   files.hpp       which paths are sources, walking, reading, atomic writes
//   markers.hpp     the spellings written into enabled files
//   source.hpp      line table and Clang's raw lexer;  structure.hpp  function tracking
// Every text function is pure (text in, text out) and thread-compatible.
#ifndef FAILPOINT_REWRITER_REWRITER_HPP
#define FAILPOINT_REWRITER_REWRITER_HPP

#include "rewriter/diagnostic.hpp"
#include "rewriter/disable.hpp"
#include "rewriter/files.hpp"
#include "rewriter/markers.hpp"
#include "rewriter/render.hpp"
#include "rewriter/scan.hpp"

#endif  // FAILPOINT_REWRITER_REWRITER_HPP
