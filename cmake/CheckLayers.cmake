# The layer rule of docs/architecture.md, checked against the includes (run with cmake -P):
#
#   cmake -DARCHITECTURE=docs/architecture.md -DSOURCES=src -DPUBLIC_HEADERS=FILE
#         -P cmake/CheckLayers.cmake
#
# ARCHITECTURE  the Markdown file whose table lists the layers, lowest first; a row reads
#               | `layer` | what it does | uses |, the last cell "—", "all above" or a list.
# SOURCES       the folder with one subfolder per layer.
# PUBLIC_HEADERS a file with one "layer/header.hpp" per line: the headers other layers may
#               include (each layer's CMakeLists.txt names them; see paddock_public_headers).
#
# Every `#include "x/..."` in SOURCES/<layer>/ where x is another layer must name a layer
# the table lets <layer> use, and one of x's public headers. Headers under x/testing/ are
# test support: only test code (*_test.cpp, testing/ folders) may include them. Prints every
# violation and fails if there is one.

cmake_minimum_required(VERSION 3.25)

foreach(var ARCHITECTURE SOURCES PUBLIC_HEADERS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "CheckLayers: -D${var}=... is required")
  endif()
endforeach()

# ---- the table ------------------------------------------------------------------------
file(STRINGS "${ARCHITECTURE}" rows ENCODING UTF-8 REGEX "^\\| `[a-z_]+` \\|")
set(layers "")
foreach(row IN LISTS rows)
  string(REGEX MATCH "^\\| `([a-z_]+)` \\|" _ "${row}")
  set(layer "${CMAKE_MATCH_1}")
  string(REGEX MATCH "\\|([^|]*)\\|[ ]*$" _ "${row}")
  string(STRIP "${CMAKE_MATCH_1}" uses)
  if(uses STREQUAL "—" OR uses STREQUAL "-")
    set(allowed "")
  elseif(uses STREQUAL "all above")
    set(allowed "${layers}")
  else()
    string(REPLACE "," ";" allowed "${uses}")
    set(listed "")
    foreach(name IN LISTS allowed)
      string(STRIP "${name}" name)
      if(NOT name IN_LIST layers)
        message(FATAL_ERROR "CheckLayers: ${ARCHITECTURE}: layer ${layer} uses \"${name}\", "
                            "which is not a layer listed above it")
      endif()
      list(APPEND listed "${name}")
    endforeach()
    set(allowed "${listed}")
  endif()
  set(uses_${layer} "${allowed}")
  list(APPEND layers "${layer}")
endforeach()
if(NOT layers)
  message(FATAL_ERROR "CheckLayers: no layer table found in ${ARCHITECTURE}")
endif()

get_filename_component(SOURCES "${SOURCES}" ABSOLUTE)
file(STRINGS "${PUBLIC_HEADERS}" public_headers)

# ---- the includes -----------------------------------------------------------------------
set(violations "")
set(checked 0)
file(GLOB folders RELATIVE "${SOURCES}" "${SOURCES}/*")
foreach(folder IN LISTS folders)
  if(NOT IS_DIRECTORY "${SOURCES}/${folder}")
    continue()
  endif()
  if(NOT folder IN_LIST layers)
    list(APPEND violations "${folder}/: a folder of sources that is not a layer of the table")
    continue()
  endif()
  file(GLOB_RECURSE files RELATIVE "${SOURCES}" "${SOURCES}/${folder}/*.hpp"
       "${SOURCES}/${folder}/*.cpp")
  foreach(path IN LISTS files)
    set(is_test FALSE)
    if(path MATCHES "_test\\.cpp$" OR path MATCHES "/testing/")
      set(is_test TRUE)
    endif()
    file(STRINGS "${SOURCES}/${path}" includes ENCODING UTF-8 REGEX "^[ \t]*#[ \t]*include[ \t]+\"[^\"/]+/[^\"]+\"")
    foreach(line IN LISTS includes)
      string(REGEX MATCH "\"(([^\"/]+)/[^\"]+)\"" _ "${line}")
      set(header "${CMAKE_MATCH_1}")
      set(target "${CMAKE_MATCH_2}")
      if(NOT target IN_LIST layers OR target STREQUAL folder)
        continue()  # a library's header (fmt/...), test support, or the layer's own
      endif()
      math(EXPR checked "${checked} + 1")
      if(NOT target IN_LIST uses_${folder})
        string(REPLACE ";" ", " may "${uses_${folder}}")
        if(may STREQUAL "")
          set(may "no other layer")
        else()
          set(may "only ${may}")
        endif()
        list(APPEND violations "${path} includes \"${header}\": ${folder} may use ${may}")
      elseif(header MATCHES "^[^/]+/testing/")
        if(NOT is_test)
          list(APPEND violations "${path} includes \"${header}\": test support, for tests only")
        endif()
      elseif(NOT header IN_LIST public_headers)
        string(CONCAT v "${path} includes \"${header}\": private to ${target} (its public "
                        "headers are named in src/${target}/CMakeLists.txt)")
        list(APPEND violations "${v}")
      endif()
    endforeach()
  endforeach()
endforeach()

list(LENGTH layers layer_count)
if(violations)
  list(LENGTH violations n)
  string(REPLACE ";" "\n  " text "${violations}")
  message(FATAL_ERROR "${n} include(s) against the layer rule of ${ARCHITECTURE}:\n  ${text}")
endif()
message(STATUS "${checked} includes across ${layer_count} layers follow ${ARCHITECTURE}")
