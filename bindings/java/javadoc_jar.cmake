# cmake -P helper: the Java binding's documentation and sources.
#  1. javadoc over every .java under SOURCE_DIRS into DOC_DIR, with
#     -Xdoclint:all: any problem fails the build (a public class, method or
#     constructor without a comment, a missing @param/@return/@throws, bad
#     HTML, a broken link), except "no comment" on an enum constant (SWIG
#     emits the constants of the C header's enums; their enum's comment
#     documents them);
#  2. DOC_JAR: the documentation (datasparse-javadoc.jar);
#  3. SOURCES_JAR: the sources (datasparse-sources.jar).
#   -DJAVADOC= -DJAR_TOOL= -DSOURCE_DIRS=a|b -DDOC_DIR= -DDOC_JAR= -DSOURCES_JAR= -DTITLE=
string(REPLACE "|" ";" SOURCE_DIRS "${SOURCE_DIRS}")
set(sources)
foreach(dir IN LISTS SOURCE_DIRS)
  file(GLOB_RECURSE found "${dir}/*.java")
  list(APPEND sources ${found})
endforeach()
file(REMOVE_RECURSE "${DOC_DIR}")
execute_process(
  COMMAND "${JAVADOC}" --release 17 -encoding UTF-8 -quiet -Xdoclint:all -Xmaxwarns 10000 -Xmaxerrs 10000
          -doctitle "${TITLE}" -windowtitle "${TITLE}" -d "${DOC_DIR}" ${sources}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)

# Each diagnostic is "file:line: warning|error: text" and then the source
# line ( ";" is set aside first: CMake lists split on it).
string(REPLACE ";" "<semicolon>" out "${out}")
string(REGEX MATCHALL "[^\n]+\\.java:[0-9]+: (warning|error): [^\n]*\n[^\n]*" diagnostics "${out}")
set(problems "")
foreach(diagnostic IN LISTS diagnostics)
  if(diagnostic MATCHES ": warning: no comment\n *[A-Z][A-Z0-9_]*\\(-?[0-9]+\\)(,|<semicolon>)? *$")
    continue()  # an enum constant of the C header
  endif()
  string(APPEND problems "${diagnostic}\n")
endforeach()
if(out MATCHES "(^|\n)(error:|javadoc: error)[^\n]*")
  string(APPEND problems "${CMAKE_MATCH_0}\n")
endif()
string(REPLACE "<semicolon>" ";" problems "${problems}")
if(problems OR NOT rc EQUAL 0)
  message(FATAL_ERROR "javadoc found problems in the Java binding's documentation (exit ${rc}):\n${problems}")
endif()

file(REMOVE "${DOC_JAR}" "${SOURCES_JAR}")
execute_process(COMMAND "${JAR_TOOL}" --create --file "${DOC_JAR}" -C "${DOC_DIR}" . RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "jar (javadoc) failed (${rc})")
endif()
set(args)
foreach(dir IN LISTS SOURCE_DIRS)
  list(APPEND args -C "${dir}" .)
endforeach()
execute_process(COMMAND "${JAR_TOOL}" --create --file "${SOURCES_JAR}" ${args} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "jar (sources) failed (${rc})")
endif()
