# inkdex_add_gtest(TARGET [ONE_PROCESS] [TIMEOUT seconds]): registers a
# GoogleTest binary with CTest, the one way every test binary is registered.
#
# By default each test is a CTest test of its own (gtest_discover_tests), so
# a failure names its test and `ctest -j` spreads them. A "[  SKIPPED ]"
# counts as a skip only when it says why behind "inkdex-skip:"
# (GTEST_SKIP() << "inkdex-skip: ..."): GoogleTest also prints SKIPPED for
# every test of a suite whose SetUpTestSuite failed, which CTest's default
# would count as skipped instead of failed.
#
# ONE_PROCESS: the whole binary is one CTest test named TARGET, for suites
# whose SetUpTestSuite builds an expensive fixture (the peers' 20,000-artist
# indexes, the oracle's 50,000 artists): discovered one by one, each test's
# process built it again, ~4-6 s a test. Such a binary must not skip: any
# "[  SKIPPED ]" in its output fails it, as a failed fixture would.
#
# REQUIRES: find_package(GTest) and include(GoogleTest) in the caller.
# Test files to a compilation (below); 0 puts all of a binary's in one,
# which shows every clash of names at once.
set(INKDEX_TEST_UNITY_BATCH 4 CACHE STRING "test files compiled together (0: all of a binary)")

function(inkdex_add_gtest target)
  cmake_parse_arguments(ARG "ONE_PROCESS" "TIMEOUT" "" ${ARGN})
  # Test code is built for a fast build, not for speed (it was half of a
  # cold build): at -O1, which halves what a file costs at Release's -O3
  # (the library it tests keeps -O3), and four files to a compilation
  # (UNITY_BUILD), so that GoogleTest's and the project's headers are
  # parsed and their inline code emitted once for four: together a third of
  # the time. A test file's names must therefore not clash with those of
  # the other files of its binary, anonymous namespace or not. (A
  # precompiled GoogleTest/GoogleMock header saved under a second a file
  # and cost 8 s a binary.) -Wsubobject-linkage: GCC takes a file included
  # into a unity source for a header, and a fixture in a test file's
  # anonymous namespace is not one.
  target_compile_options(${target} PRIVATE -O1 -Wno-subobject-linkage)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON
                                             UNITY_BUILD_BATCH_SIZE ${INKDEX_TEST_UNITY_BATCH})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  if(ARG_ONE_PROCESS)
    add_test(NAME ${target} COMMAND ${target})
    set_tests_properties(${target} PROPERTIES
      TIMEOUT ${ARG_TIMEOUT}
      FAIL_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
  else()
    gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60
                         PROPERTIES TIMEOUT ${ARG_TIMEOUT} SKIP_REGULAR_EXPRESSION "inkdex-skip:")
  endif()
endfunction()
