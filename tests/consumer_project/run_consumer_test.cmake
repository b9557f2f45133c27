# The consumer_project test: installs the inkdex build tree into a scratch
# prefix, builds consumer/ against it with find_package(inkdex), runs it.
# Invoked by CTest with -DINKDEX_BUILD_DIR, -DCONSUMER_SOURCE_DIR, -DWORK_DIR.
cmake_minimum_required(VERSION 3.25)

function(run_step name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "consumer test: ${name} failed (${result}):\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

run_step("cmake --install" ${CMAKE_COMMAND} --install ${INKDEX_BUILD_DIR} --prefix ${prefix})
run_step("configure" ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build
         -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix})
run_step("build" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run_step("run" ${WORK_DIR}/build/app ${WORK_DIR}/index)

set(expected "total=1 hit=consumer-1 all=4")
string(STRIP "${step_output}" actual)
if(NOT actual STREQUAL expected)
  message(FATAL_ERROR "consumer test: expected '${expected}', got '${actual}'")
endif()
message(STATUS "consumer test: ${actual}")
