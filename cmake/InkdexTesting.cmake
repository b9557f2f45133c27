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
function(inkdex_add_gtest target)
  cmake_parse_arguments(ARG "ONE_PROCESS" "TIMEOUT" "" ${ARGN})
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
