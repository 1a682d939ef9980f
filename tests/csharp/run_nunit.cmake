# cmake -P helper for CTest: runs one NUnit fixture with nunit-console (2.6),
# shows its output, then prints a closing "N passed, M failed" line.
# -domain=None: the tests run in the runner's own AppDomain (nothing is
# unloaded at the end; under mono, nunit-console was seen to hang, rarely,
# after the results, while unloading the test domain); -noshadow: the test
# assembly runs from its directory, beside Datasparse.dll and the native
# libraries.
#   -DNUNIT= -DASSEMBLY= -DFIXTURE= -DRESULT=
execute_process(
  COMMAND "${NUNIT}" "${ASSEMBLY}" "-run=${FIXTURE}" -domain=None -noshadow -nologo -labels "-result=${RESULT}"
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE out
  ECHO_OUTPUT_VARIABLE ECHO_ERROR_VARIABLE)
set(run "?")
set(bad 0)
if(out MATCHES "Tests run: ([0-9]+), Errors: ([0-9]+), Failures: ([0-9]+)")
  set(run ${CMAKE_MATCH_1})
  math(EXPR bad "${CMAKE_MATCH_2} + ${CMAKE_MATCH_3}")
endif()
set(passed "?")
if(NOT run STREQUAL "?")
  math(EXPR passed "${run} - ${bad}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E echo "NUnit ${FIXTURE}: ${passed} passed, ${bad} failed")
if(NOT rc EQUAL 0 OR run STREQUAL "?" OR run EQUAL 0)
  message(FATAL_ERROR "nunit-console exited with ${rc} (tests run: ${run})")
endif()
