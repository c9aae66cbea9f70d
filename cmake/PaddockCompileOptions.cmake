# Compiler settings shared by every paddock target.

set(PADDOCK_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
    -Wimplicit-fallthrough -Wformat=2)

# Line tables only (-g1 in the presets) and mold when present: the build is most of the CI
# run's time, and full debug info nearly doubles compile and link times.
find_program(PADDOCK_MOLD mold)
if(PADDOCK_MOLD)
  add_link_options(-fuse-ld=mold)
endif()

if(PADDOCK_SANITIZE)
  set(PADDOCK_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
                              -fno-sanitize-recover=undefined)
  add_compile_options(${PADDOCK_SANITIZER_FLAGS})
  add_link_options(${PADDOCK_SANITIZER_FLAGS})
endif()

# The fuzz build (clang, preset "fuzz"): every source gets libFuzzer's coverage hooks and
# ASan + UBSan; only the fuzz targets themselves link libFuzzer's main (fuzz/CMakeLists.txt).
if(PADDOCK_FUZZ)
  set(PADDOCK_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
                              -fno-sanitize-recover=undefined)
  add_compile_options(${PADDOCK_SANITIZER_FLAGS} -fsanitize=fuzzer-no-link)
  add_link_options(${PADDOCK_SANITIZER_FLAGS})
endif()

# Test code (the GoogleTest binaries, and every target under tests/) is compiled at -Og in the
# optimized build: the product code it drives stays at -O2, and the test sources, more than
# half of the build, compile in about 60% of the time (an http_e2e_test unit: 18.4 s at -O2,
# 10.9 s at -Og).
set(PADDOCK_TEST_CODE_FLAGS $<$<CONFIG:RelWithDebInfo>:-Og>)

# paddock_target_defaults(target): warnings as errors for our own code only. The fuzz build
# keeps the warnings but not -Werror: the warnings are held to g++'s set, and a clang-only one
# should not stop the fuzzers.
function(paddock_target_defaults target)
  if(PADDOCK_FUZZ)
    target_compile_options(${target} PRIVATE ${PADDOCK_WARNINGS})
  else()
    target_compile_options(${target} PRIVATE ${PADDOCK_WARNINGS} -Werror)
  endif()
endfunction()

# paddock_public_headers(layer header...): the headers of src/<layer>/ that other layers may
# include; every other header of the layer is private to it. The layer_rule test
# (tests/layers) refuses an include of another layer's private header.
function(paddock_public_headers layer)
  foreach(header IN LISTS ARGN)
    if(NOT EXISTS ${PROJECT_SOURCE_DIR}/src/${layer}/${header})
      message(FATAL_ERROR "paddock_public_headers(${layer}): no src/${layer}/${header}")
    endif()
    set_property(GLOBAL APPEND PROPERTY PADDOCK_PUBLIC_HEADERS ${layer}/${header})
  endforeach()
endfunction()

# paddock_library(name SOURCES ... PUBLIC_HEADERS ... DEPS ...): one layer = one static library
# named paddock_<name>, its headers under src/ so includes read "rating/rating.hpp";
# PUBLIC_HEADERS are the ones other layers may include (paddock_public_headers).
function(paddock_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_HEADERS;DEPS" ${ARGN})
  add_library(paddock_${name} STATIC ${ARG_SOURCES})
  target_include_directories(paddock_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(paddock_${name} PUBLIC ${ARG_DEPS})
  paddock_target_defaults(paddock_${name})
  paddock_public_headers(${name} ${ARG_PUBLIC_HEADERS})
endfunction()

# paddock_test(name SOURCES ... DEPS ...): a GoogleTest binary registered with CTest.
function(paddock_test name)
  if(NOT PADDOCK_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${PADDOCK_TEST_CODE_FLAGS})
  paddock_target_defaults(${name})
  # One label per test: gtest_discover_tests splits a list into separate PROPERTIES
  # arguments, so "unit;slow" would lose "slow" (and the sanitizer run would not skip it).
  set(label unit)
  if(ARG_LABELS)
    list(GET ARG_LABELS 0 label)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${label})
endfunction()
