# cmake -P helper for CTest: runs one JUnit 5 test class with the console
# launcher, shows its output, then prints a closing "N passed, M failed" line.
#   -DJAVA= -DCONSOLE= -DCLASSPATH= -DCLASS= "-DJVM_ARGS=a;b"
execute_process(
  COMMAND "${JAVA}" ${JVM_ARGS} -jar "${CONSOLE}" --disable-banner --disable-ansi-colors --details=tree
          --class-path "${CLASSPATH}" --select-class "${CLASS}"
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE out
  ECHO_OUTPUT_VARIABLE ECHO_ERROR_VARIABLE)
set(passed "?")
set(failed "?")
if(out MATCHES "\\[ *([0-9]+) tests successful")
  set(passed ${CMAKE_MATCH_1})
endif()
if(out MATCHES "\\[ *([0-9]+) tests failed")
  set(failed ${CMAKE_MATCH_1})
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E echo "JUnit ${CLASS}: ${passed} passed, ${failed} failed")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "JUnit exited with ${rc}")
endif()
