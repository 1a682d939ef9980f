# cmake -P script for CTest: the README's Java example, compiled and run the
# way the README says: javac with datasparse.jar on the class path, then java
# with the jar and the classes on the class path and no library path (the
# JNI library is found beside the jar).
#   -DJAVAC= -DJAVA= -DJAR= -DSOURCE= -DWORK_DIR= [-DCLASS=, default ReadmeExample]
if(NOT CLASS)
  set(CLASS ReadmeExample)
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/out")
execute_process(COMMAND "${JAVAC}" -cp "${JAR}" -d "${WORK_DIR}/out" "${SOURCE}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "javac failed (${rc})")
endif()
execute_process(COMMAND "${JAVA}" -Xcheck:jni -cp "${JAR}:${WORK_DIR}/out" ${CLASS}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out ECHO_OUTPUT_VARIABLE ECHO_ERROR_VARIABLE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "java failed (${rc})")
endif()
